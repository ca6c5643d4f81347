//! Policies that stay correct in API Gateway's authorizer cache.
//!
//! API Gateway caches the policy per token (up to an hour) and reuses it for *other* methods of
//! the API. A policy naming only the method being called would make the caller's next request
//! to another route fail with a spurious 403; a policy allowing everything would let a cached
//! non-admin policy open the admin routes. So the policy allows the whole stage and explicitly
//! denies, for callers outside the admins group, every admin route of [`api_types::routes`].

use api_types::routes::{Access, ROUTES, Route};
use serde_json::{Value, json};

/// The policy for a caller of this API, given the method ARN API Gateway sent. `None` when the
/// ARN is not an execute-api method ARN.
pub fn for_caller(method_arn: &str, is_admin: bool) -> Option<Value> {
    for_routes(ROUTES, method_arn, is_admin)
}

/// The policy for a caller of an API with these routes.
pub fn for_routes(routes: &[Route], method_arn: &str, is_admin: bool) -> Option<Value> {
    let base = stage_arn(method_arn)?;
    let mut statements = vec![json!({
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": [format!("{base}/*/*")],
    })];
    if !is_admin {
        let denied: Vec<String> = routes
            .iter()
            .filter(|r| r.access == Access::Admin)
            .map(|r| format!("{base}/{}/{}", if r.method == "ANY" { "*" } else { r.method }, resource_pattern(r.path)))
            .collect();
        if !denied.is_empty() {
            statements.push(json!({ "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": denied }));
        }
    }
    Some(json!({ "Version": "2012-10-17", "Statement": statements }))
}

/// A policy denying the whole stage: a valid caller outside the required groups (403).
pub fn deny_all(method_arn: &str) -> Option<Value> {
    let base = stage_arn(method_arn)?;
    Some(json!({ "Version": "2012-10-17", "Statement": [
        { "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [format!("{base}/*/*")] },
    ]}))
}

/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}` of a method ARN
/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`.
pub fn stage_arn(method_arn: &str) -> Option<String> {
    let parts: Vec<&str> = method_arn.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else { return None };
    if *arn != "arn" || *service != "execute-api" || partition.is_empty() || region.is_empty() || account.is_empty() {
        return None;
    }
    let mut segments = resource.splitn(4, '/');
    let (api, stage, verb) = (segments.next()?, segments.next()?, segments.next()?);
    if api.is_empty() || stage.is_empty() || verb.is_empty() || segments.next().is_none() {
        return None;
    }
    Some(format!("{arn}:{partition}:{service}:{region}:{account}:{api}/{stage}"))
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

/// IAM-style matching: `*` matches any run of characters (`/` included), `?` any one. ARNs are
/// ASCII, matched byte by byte without allocating; other text, character by character.
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
        if pi < p.len() && (p[pi] == any_one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any_run {
            star = Some((pi, ti));
            pi += 1;
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
    use api_types::routes::{AuthOperation, Operation, PasswordOperation, UsersOperation};

    const fn route(method: &'static str, path: &'static str, operation: Operation, access: Access) -> Route {
        Route { method, path, operation, access }
    }

    /// A route table with admin routes, parameters and a public route, whatever the API has today.
    const TABLE: &[Route] = &[
        route("POST", "/auth/sign-in", Operation::Auth(AuthOperation::SignIn), Access::Public),
        route("GET", "/me", Operation::Auth(AuthOperation::Me), Access::SignedIn),
        route("POST", "/password/change", Operation::Password(PasswordOperation::ChangePassword), Access::SignedIn),
        route("GET", "/users", Operation::Users(UsersOperation::ListUsers), Access::Admin),
        route("GET", "/users/{username}", Operation::Users(UsersOperation::GetUser), Access::Admin),
        route("DELETE", "/users/{username}", Operation::Users(UsersOperation::DeleteUser), Access::Admin),
        route(
            "PUT",
            "/users/{username}/groups/{group}",
            Operation::Users(UsersOperation::AddUserToGroup),
            Access::Admin,
        ),
    ];

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me";

    fn arn(verb: &str, path: &str) -> String {
        format!("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/{verb}{path}")
    }

    fn concrete(path: &str) -> String {
        path.replace("{username}", "alice").replace("{group}", "admins")
    }

    #[test]
    fn cached_policy_allows_every_signed_in_route() {
        for table in [TABLE, ROUTES] {
            let policy = for_routes(table, ARN, false).unwrap();
            for route in table.iter().filter(|r| r.access != Access::Admin) {
                assert!(allows(&policy, &arn(route.method, &concrete(route.path))), "{route:?}");
            }
        }
    }

    #[test]
    fn cached_policy_denies_admin_routes_to_others_and_allows_them_to_admins() {
        let user = for_routes(TABLE, ARN, false).unwrap();
        let admin = for_routes(TABLE, ARN, true).unwrap();
        let admin_routes: Vec<_> = TABLE.iter().filter(|r| r.access == Access::Admin).collect();
        assert!(!admin_routes.is_empty());
        for route in admin_routes {
            let target = arn(route.method, &concrete(route.path));
            assert!(!allows(&user, &target), "{route:?}");
            assert!(allows(&admin, &target), "{route:?}");
        }
        // The deny is precise: same paths with other methods, and look-alike paths, stay open.
        assert!(allows(&user, &arn("GET", "/usersettings")));
    }

    #[test]
    fn policy_does_not_reach_other_stages_or_apis() {
        let policy = for_caller(ARN, true).unwrap();
        assert!(!allows(&policy, "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/me"));
        assert!(!allows(&policy, "arn:aws:execute-api:us-east-1:123456789012:other/prod/GET/me"));
    }

    #[test]
    fn malformed_method_arns_get_no_policy() {
        for bad in [
            "",
            "arn:aws:execute-api:us-east-1:1:abc",
            "arn:aws:s3:::bucket/x/GET/me",
            "arn:aws:execute-api:r:a:/s/GET/x",
        ] {
            assert_eq!(for_caller(bad, false), None, "{bad}");
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
