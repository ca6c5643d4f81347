//! Policies that stay correct in API Gateway's authorizer cache.
//!
//! API Gateway caches the policy per token (up to an hour) and reuses it for *other* methods of
//! the API. A policy naming only the method being called would make the caller's next request
//! to another route fail with a spurious 403; a policy allowing everything would let a cached
//! non-admin policy open the admin routes. So the policy allows the whole stage and explicitly
//! denies, for callers outside the admins group, every admin route of [`api_types::routes`], and
//! for every caller, each route that takes the other kind of token: a policy cached for an ID
//! token never opens a route that must be called with the access token, nor the reverse.

use api_types::routes::{BearerTokenUse, ROUTES, Route};
use serde_json::{Value, json, value::RawValue};

/// Who a policy is for, and with which kind of token: it depends on nothing else about the
/// caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerKind {
    /// A member of the admins group: the whole stage but the routes that take the other token.
    Admin(BearerTokenUse),
    /// Any other signed-in caller: the whole stage but the admin routes and the routes that take
    /// the other token.
    SignedIn(BearerTokenUse),
    /// A caller outside the required groups: nothing (403).
    Outsider,
}

/// An IAM policy for one stage of an API, written once: its JSON document for API Gateway, and
/// its resources for evaluating it here. Every resource is `{stage ARN}/{VERB}/{path pattern}`.
#[derive(Debug)]
pub struct StagePolicy {
    stage: String,
    caller: CallerKind,
    /// Patterns below `{stage ARN}/`: `*/*`, `GET/users/*`.
    allow: Vec<String>,
    deny: Vec<String>,
    document: Box<RawValue>,
}

impl StagePolicy {
    fn new(stage: &str, caller: CallerKind, allow: Vec<String>, deny: Vec<String>) -> Option<Self> {
        let statement = |effect: &str, patterns: &[String]| {
            let resources: Vec<String> = patterns.iter().map(|p| format!("{stage}/{p}")).collect();
            json!({ "Action": "execute-api:Invoke", "Effect": effect, "Resource": resources })
        };
        let mut statements = Vec::new();
        for (effect, patterns) in [("Allow", &allow), ("Deny", &deny)] {
            if !patterns.is_empty() {
                statements.push(statement(effect, patterns));
            }
        }
        let document = serde_json::value::to_raw_value(&json!({ "Version": "2012-10-17", "Statement": statements }));
        Some(Self { stage: stage.to_owned(), caller, allow, deny, document: document.ok()? })
    }

    /// The stage ARN it covers: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// Whether `method_arn` is a method ARN of this policy's stage (`{stage}/{VERB}/{path}`):
    /// exactly when [`stage_arn`] of it is this stage, without splitting it up.
    pub fn covers(&self, method_arn: &str) -> bool {
        method_arn
            .strip_prefix(self.stage.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(verb, _)| !verb.is_empty())
    }

    /// Who it is for.
    pub fn caller(&self) -> CallerKind {
        self.caller
    }

    /// The policy document as API Gateway reads it (`{"Version", "Statement": [...]}`).
    pub fn document(&self) -> &RawValue {
        &self.document
    }

    /// The document as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.document.get()).unwrap_or(Value::Null)
    }

    /// Evaluates the policy for a method ARN as API Gateway does ([`allows`]): an explicit
    /// Deny wins, then an Allow is needed. The stage prefix, shared by every resource and free of
    /// wildcards, is compared once.
    pub fn allows(&self, method_arn: &str) -> bool {
        let Some(rest) = method_arn.strip_prefix(self.stage.as_str()).and_then(|r| r.strip_prefix('/')) else {
            return false;
        };
        let matches = |patterns: &[String]| patterns.iter().any(|p| wildcard_match(p, rest));
        !matches(&self.deny) && matches(&self.allow)
    }
}

/// The policy for a caller of this API, given the method ARN API Gateway sent. `None` when the
/// ARN is not an execute-api method ARN.
pub fn for_caller(method_arn: &str, caller: CallerKind) -> Option<StagePolicy> {
    for_routes(ROUTES, method_arn, caller)
}

/// The policy for a caller of an API with these routes.
pub fn for_routes(routes: &[Route], method_arn: &str, caller: CallerKind) -> Option<StagePolicy> {
    let stage = stage_arn(method_arn)?;
    let whole_stage = || vec!["*/*".to_owned()];
    let denied = |refused: &dyn Fn(&Route) -> bool| {
        let pattern =
            |r: &Route| format!("{}/{}", if r.method == "ANY" { "*" } else { r.method }, resource_pattern(r.path));
        routes.iter().filter(|r| refused(r)).map(pattern).collect()
    };
    let other_token = |token: BearerTokenUse, r: &Route| r.access.bearer().is_some_and(|t| t != token);
    match caller {
        CallerKind::Admin(token) => StagePolicy::new(stage, caller, whole_stage(), denied(&|r| other_token(token, r))),
        CallerKind::SignedIn(token) => {
            let refused = |r: &Route| r.access.is_admin() || other_token(token, r);
            StagePolicy::new(stage, caller, whole_stage(), denied(&refused))
        }
        CallerKind::Outsider => StagePolicy::new(stage, caller, Vec::new(), whole_stage()),
    }
}

/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}` of a method ARN
/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`: a prefix of it.
pub fn stage_arn(method_arn: &str) -> Option<&str> {
    let mut parts = method_arn.splitn(6, ':');
    let mut next = || parts.next();
    let (arn, partition, service, region, account, resource) = (next()?, next()?, next()?, next()?, next()?, next()?);
    if arn != "arn" || service != "execute-api" || partition.is_empty() || region.is_empty() || account.is_empty() {
        return None;
    }
    let mut segments = resource.splitn(4, '/');
    let (api, stage, verb) = (segments.next()?, segments.next()?, segments.next()?);
    if api.is_empty() || stage.is_empty() || verb.is_empty() || segments.next().is_none() {
        return None;
    }
    let len = method_arn.len() - resource.len() + api.len() + 1 + stage.len();
    method_arn.get(..len)
}

/// A route template as a resource pattern: `/users/{username}` -> `users/*`.
fn resource_pattern(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .map(|seg| if seg.starts_with('{') { "*" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Evaluates a policy for a method ARN as API Gateway does: an explicit Deny wins, then an
/// Allow is needed; anything else is denied.
pub fn allows(policy: &Value, method_arn: &str) -> bool {
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return false,
    };
    let matching = |effect: &str| {
        statements.iter().any(|s| {
            s.get("Effect").and_then(Value::as_str) == Some(effect)
                && action_matches(s.get("Action"))
                && resources(s.get("Resource")).iter().any(|r| wildcard_match(r, method_arn))
        })
    };
    !matching("Deny") && matching("Allow")
}

fn action_matches(action: Option<&Value>) -> bool {
    resources(action).iter().any(|a| wildcard_match(a, "execute-api:Invoke"))
}

fn resources(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// IAM-style matching: `*` matches any run of characters (`/` included, and none), `?` any one
/// (IAM User Guide, "reference_policies_elements_resource"). Only the pattern has wildcards: a
/// `*` or `?` in the text is an ordinary character. ARNs are ASCII, matched byte by byte without
/// allocating; other text, character by character.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        return wildcard_match_in(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    wildcard_match_in(&p, &t, '*', '?')
}

fn wildcard_match_in<T: Copy + PartialEq>(p: &[T], t: &[T], any_run: T, any_one: T) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        // The pattern's `*` is a wildcard before it is a character: tried first, so a `*` in the
        // text cannot pin it to a literal match (`GET/users/*` matches `GET/users/*alice`).
        if pi < p.len() && p[pi] == any_run {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == any_one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == any_run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::routes::{Access, AuthOperation, Operation, PasswordOperation, SignInRequirement, UsersOperation};

    const ID: BearerTokenUse = BearerTokenUse::Id;
    const ACCESS: BearerTokenUse = BearerTokenUse::Access;
    const KINDS: [BearerTokenUse; 2] = [ID, ACCESS];
    /// Every kind of caller.
    const CALLERS: [CallerKind; 5] = [
        CallerKind::Admin(ID),
        CallerKind::Admin(ACCESS),
        CallerKind::SignedIn(ID),
        CallerKind::SignedIn(ACCESS),
        CallerKind::Outsider,
    ];

    const fn route(method: &'static str, path: &'static str, operation: Operation, access: Access) -> Route {
        Route { method, path, operation, access, sign_in: SignInRequirement::NONE }
    }

    /// A route table with admin routes, parameters, a public route and routes for each kind of
    /// token (an admin route for the ID token too), whatever the API has today.
    const TABLE: &[Route] = &[
        route("POST", "/auth/sign-in", Operation::Auth(AuthOperation::SignIn), Access::Public),
        route("GET", "/me", Operation::Auth(AuthOperation::Me), Access::SignedIn(ID)),
        route(
            "POST",
            "/password/change",
            Operation::Password(PasswordOperation::ChangePassword),
            Access::SignedIn(ACCESS),
        ),
        route("GET", "/users", Operation::Users(UsersOperation::ListUsers), Access::Admin(ID)),
        route("GET", "/users/{username}", Operation::Users(UsersOperation::GetUser), Access::Admin(ACCESS)),
        route("DELETE", "/users/{username}", Operation::Users(UsersOperation::DeleteUser), Access::Admin(ACCESS)),
        route(
            "PUT",
            "/users/{username}/groups/{group}",
            Operation::Users(UsersOperation::AddUserToGroup),
            Access::Admin(ACCESS),
        ),
    ];

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me";

    fn arn(verb: &str, path: &str) -> String {
        format!("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/{verb}{path}")
    }

    /// The policy's own evaluation, checked against the generic one over its JSON document.
    fn permits(policy: &StagePolicy, method_arn: &str) -> bool {
        let answer = policy.allows(method_arn);
        assert_eq!(answer, allows(&policy.to_value(), method_arn), "{method_arn}");
        answer
    }

    fn concrete(path: &str) -> String {
        path.replace("{username}", "alice").replace("{group}", "admins")
    }

    #[test]
    fn cached_policy_allows_every_signed_in_route_of_the_callers_token() {
        for table in [TABLE, ROUTES] {
            for token in KINDS {
                let policy = for_routes(table, ARN, CallerKind::SignedIn(token)).unwrap();
                for route in table.iter().filter(|r| r.access == Access::SignedIn(token)) {
                    assert!(permits(&policy, &arn(route.method, &concrete(route.path))), "{token:?} {route:?}");
                }
            }
        }
    }

    #[test]
    fn cached_policy_denies_admin_routes_to_others_and_allows_them_to_admins() {
        for token in KINDS {
            let user = for_routes(TABLE, ARN, CallerKind::SignedIn(token)).unwrap();
            let admin = for_routes(TABLE, ARN, CallerKind::Admin(token)).unwrap();
            let admin_routes: Vec<_> = TABLE.iter().filter(|r| r.access == Access::Admin(token)).collect();
            assert!(!admin_routes.is_empty());
            for route in admin_routes {
                let target = arn(route.method, &concrete(route.path));
                assert!(!permits(&user, &target), "{route:?}");
                assert!(permits(&admin, &target), "{route:?}");
            }
            // The deny is precise: same paths with other methods, and look-alike paths, stay open.
            assert!(permits(&user, &arn("GET", "/usersettings")));
            assert!(permits(&user, &arn("POST", "/users")));
        }
        let outsider = for_routes(TABLE, ARN, CallerKind::Outsider).unwrap();
        for route in TABLE {
            assert!(!permits(&outsider, &arn(route.method, &concrete(route.path))), "{route:?}");
        }
    }

    #[test]
    fn a_policy_cached_for_one_kind_of_token_denies_the_routes_of_the_other_to_admins_too() {
        // GIVEN a policy written for an ID token and one for an access token, for each role
        for table in [TABLE, ROUTES] {
            for caller in CALLERS {
                let policy = for_routes(table, ARN, caller).unwrap();
                let token = match caller {
                    CallerKind::Admin(token) | CallerKind::SignedIn(token) => token,
                    CallerKind::Outsider => continue,
                };
                // THEN no route that takes the other token is open to it, from the cache or not
                for route in table.iter().filter(|r| r.access.bearer().is_some_and(|t| t != token)) {
                    assert!(!permits(&policy, &arn(route.method, &concrete(route.path))), "{caller:?} {route:?}");
                }
            }
        }
        // AND the API's own table has routes for each kind, so the rule is not vacuous
        for token in KINDS {
            assert!(ROUTES.iter().any(|r| r.access == Access::SignedIn(token)), "{token:?}");
        }
    }

    #[test]
    fn policy_does_not_reach_other_stages_or_apis() {
        let policy = for_caller(ARN, CallerKind::Admin(ACCESS)).unwrap();
        assert_eq!(policy.stage(), "arn:aws:execute-api:us-east-1:123456789012:abc123/prod");
        for elsewhere in [
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:other/prod/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/production/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod",
        ] {
            assert!(!permits(&policy, elsewhere), "{elsewhere}");
        }
    }

    #[test]
    fn a_policy_covers_exactly_the_method_arns_whose_stage_is_its_own() {
        let policy = for_caller(ARN, CallerKind::SignedIn(ID)).unwrap();
        for method_arn in [
            ARN,
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/DELETE/users/a:b/c",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod//me",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/production/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:abc1234/prod/GET/me",
            "arn:aws:execute-api:us-east-2:123456789012:abc123/prod/GET/me",
        ] {
            assert_eq!(policy.covers(method_arn), stage_arn(method_arn) == Some(policy.stage()), "{method_arn}");
        }
    }

    #[test]
    fn malformed_method_arns_get_no_policy() {
        for bad in [
            "",
            "arn:aws:execute-api:us-east-1:1:abc",
            "arn:aws:s3:::bucket/x/GET/me",
            "arn:aws:execute-api:r:a:/s/GET/x",
        ] {
            assert!(for_caller(bad, CallerKind::SignedIn(ID)).is_none(), "{bad}");
        }
    }

    #[test]
    fn wildcards_match_like_iam() {
        assert!(wildcard_match("a/*/c", "a/b/x/c"));
        assert!(wildcard_match("a/?", "a/b"));
        assert!(!wildcard_match("a/?", "a/bc"));
        // `?` is one character, also outside ASCII.
        assert!(wildcard_match("a/?", "a/\u{e9}"));
        assert!(!wildcard_match("a/??", "a/\u{e9}"));
        assert!(wildcard_match("*", ""));
        assert!(!wildcard_match("users/*", "users"));
    }

    #[test]
    fn a_wildcard_in_the_pattern_matches_a_literal_wildcard_character_in_the_text() {
        // IAM User Guide, reference_policies_elements_resource: `*` is "any combination of
        // characters", `?` "any single character". A `*` or `?` in the text is just a character.
        for (pattern, text) in [
            ("GET/users/*", "GET/users/*alice"),
            ("GET/users/*", "GET/users/*"),
            ("GET/users/*", "GET/users/**"),
            ("a*b", "a*xb"),
            ("a*b", "a*b"),
            ("a*b", "a**b"),
            ("*", "*"),
            ("a?c", "a*c"),
            ("a?c", "a?c"),
            ("?*", "*x"),
            ("a*\u{e9}", "a*x\u{e9}"),
        ] {
            assert!(wildcard_match(pattern, text), "{pattern} must match {text}");
        }
        for (pattern, text) in [("a*b", "a*bc"), ("a?b", "a*xb"), ("GET/users/*", "GET/user*"), ("a*\u{e9}", "a*x")] {
            assert!(!wildcard_match(pattern, text), "{pattern} must not match {text}");
        }
    }

    #[test]
    fn a_cached_signed_in_policy_denies_an_admin_path_that_holds_a_star() {
        let policy = for_routes(TABLE, ARN, CallerKind::SignedIn(ACCESS)).unwrap();
        for path in ["/users/*alice", "/users/*", "/users/a*b/groups/*"] {
            let verb = if path.contains("groups") { "PUT" } else { "GET" };
            assert!(!permits(&policy, &arn(verb, path)), "{verb} {path}");
        }
    }

    /// IAM's definition read literally, by recursion: a `*` in the pattern is any run of
    /// characters (none included), a `?` any one character, anything else itself.
    fn iam_reference(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|skip| iam_reference(rest, &text[skip..])),
            Some((&c, rest)) => {
                text.split_first().is_some_and(|(&t, tail)| (c == '?' || c == t) && iam_reference(rest, tail))
            }
        }
    }

    #[test]
    fn wildcard_matching_agrees_with_iam_on_every_short_pattern_and_text() {
        // Every pattern and text of up to four characters over `a`, `b`, `*`, `?`: wildcards on
        // both sides, stars next to each other, backtracking after a partial match.
        fn all(len: usize) -> Vec<String> {
            let mut out = vec![String::new()];
            let mut last = vec![String::new()];
            for _ in 0..len {
                last = last.iter().flat_map(|s| ['a', 'b', '*', '?'].map(|c| format!("{s}{c}"))).collect();
                out.extend(last.iter().cloned());
            }
            out
        }
        let words = all(4);
        for pattern in &words {
            let p: Vec<char> = pattern.chars().collect();
            for text in &words {
                let t: Vec<char> = text.chars().collect();
                assert_eq!(wildcard_match(pattern, text), iam_reference(&p, &t), "{pattern:?} vs {text:?}");
                // The same outside ASCII, where matching goes character by character.
                let (pattern, text) = (pattern.replace('b', "\u{e9}"), text.replace('b', "\u{e9}"));
                assert_eq!(wildcard_match(&pattern, &text), iam_reference(&p, &t), "{pattern:?} vs {text:?}");
            }
        }
    }

    #[test]
    fn a_statement_for_another_action_neither_allows_nor_denies() {
        let statement = |effect: &str, action: Value| json!({"Action": action, "Effect": effect, "Resource": "*"});
        for action in [
            json!("s3:GetObject"),
            json!("execute-api:ManageConnections"),
            json!("execute-api:Invoke2"),
            json!(["s3:*", "execute-api:Invalidate*"]),
            json!([]),
            json!(42),
        ] {
            let allow_only = json!({"Statement": [statement("Allow", action.clone())]});
            assert!(!allows(&allow_only, "x/GET/me"), "Allow {action}");
            let deny_too = json!({"Statement": [statement("Allow", json!("execute-api:Invoke")), statement("Deny", action.clone())]});
            assert!(allows(&deny_too, "x/GET/me"), "Deny {action}");
        }
        let policy = json!({"Statement": [statement("Allow", json!("execute-api:Invoke"))]});
        assert!(allows(&policy, "x/GET/me"));
        for action in [json!("execute-api:*"), json!("*"), json!(["s3:GetObject", "execute-api:Inv?ke"])] {
            assert!(allows(&json!({"Statement": [statement("Allow", action.clone())]}), "x/GET/me"), "{action}");
        }
        let no_action = json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]});
        assert!(!allows(&no_action, "x/GET/me"));
    }

    #[test]
    fn a_single_statement_object_is_evaluated_like_a_list_of_one() {
        let allow = json!({"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:x/prod/*"});
        assert!(allows(&json!({"Version": "2012-10-17", "Statement": allow.clone()}), "arn:x/prod/GET/me"));
        assert!(!allows(&json!({"Statement": allow.clone()}), "arn:x/dev/GET/me"));
        let deny = json!({"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"});
        assert!(!allows(&json!({"Statement": deny}), "arn:x/prod/GET/me"));
        for not_a_statement in [json!("Allow"), json!(null), json!(1)] {
            assert!(!allows(&json!({"Statement": not_a_statement}), "arn:x/prod/GET/me"), "{not_a_statement}");
        }
        assert!(!allows(&json!({"Version": "2012-10-17"}), "arn:x/prod/GET/me"));
    }

    #[test]
    fn resources_may_be_one_string_or_a_list_and_anything_else_matches_nothing() {
        let with_resource = |resource: Value| json!({"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}]});
        assert!(allows(&with_resource(json!("x/GET/me")), "x/GET/me"));
        assert!(allows(&with_resource(json!(["x/POST/*", "x/GET/me"])), "x/GET/me"));
        assert!(!allows(&with_resource(json!(["x/POST/*", 7])), "x/GET/me"));
        assert!(!allows(&with_resource(json!({"arn": "*"})), "x/GET/me"));
        let effect =
            |effect: Value| json!({"Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}]});
        for wrong in [json!("allow"), json!("ALLOW"), json!(true), json!(null)] {
            assert!(!allows(&effect(wrong.clone()), "x/GET/me"), "{wrong}");
        }
    }

    #[test]
    fn a_method_arn_broken_in_exactly_one_part_gets_no_policy() {
        const GOOD: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me";
        assert_eq!(stage_arn(GOOD), Some("arn:aws:execute-api:us-east-1:123456789012:abc123/prod"));
        for (part, bad) in [
            ("not an ARN", "arn2:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me"),
            ("no prefix", ":aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me"),
            ("empty partition", "arn::execute-api:us-east-1:123456789012:abc123/prod/GET/me"),
            ("another service", "arn:aws:lambda:us-east-1:123456789012:abc123/prod/GET/me"),
            ("a service wildcard", "arn:aws:*:us-east-1:123456789012:abc123/prod/GET/me"),
            ("empty region", "arn:aws:execute-api::123456789012:abc123/prod/GET/me"),
            ("empty account", "arn:aws:execute-api:us-east-1::abc123/prod/GET/me"),
            ("too few segments", "arn:aws:execute-api:us-east-1:123456789012"),
            ("too few segments", "arn:aws:execute-api:us-east-1"),
            ("empty API id", "arn:aws:execute-api:us-east-1:123456789012:/prod/GET/me"),
            ("empty stage", "arn:aws:execute-api:us-east-1:123456789012:abc123//GET/me"),
            ("empty verb", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod//me"),
            ("no path", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET"),
            ("no verb", "arn:aws:execute-api:us-east-1:123456789012:abc123/prod"),
            ("no stage", "arn:aws:execute-api:us-east-1:123456789012:abc123"),
        ] {
            assert_eq!(stage_arn(bad), None, "{part}: {bad}");
            for caller in CALLERS {
                assert!(for_caller(bad, caller).is_none(), "{part}: {bad}");
            }
        }
        // Each part is one field, whatever it holds: the partition and the path may be anything.
        for fine in [
            "arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/prod/GET/me",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/a:b/c",
        ] {
            assert!(stage_arn(fine).is_some_and(|stage| fine.starts_with(&format!("{stage}/"))), "{fine}");
        }
    }

    #[test]
    fn a_policy_is_for_the_caller_it_was_written_for() {
        for caller in CALLERS {
            assert_eq!(for_caller(ARN, caller).unwrap().caller(), caller);
        }
    }

    #[test]
    fn explicit_deny_wins_and_nothing_is_allowed_by_default() {
        let policy = json!({"Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"},
            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*/users"},
        ]});
        assert!(allows(&policy, "x/me"));
        assert!(!allows(&policy, "x/users"));
        assert!(!allows(&json!({"Statement": []}), "x/me"));
    }
}
