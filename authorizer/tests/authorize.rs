//! The authorizer's answers to API Gateway events, with tokens we sign ourselves.

use std::sync::Arc;

use auth_domain::testing::CapturedLog;
use authorizer::{Authorizer, Unauthorized};
use cognito_verifier::{
    JwksCache, JwksSource, Verifier, VerifierConfig,
    testing::{TestKey, access_token_claims, id_token_claims},
};
use serde_json::{Value, json};

const REGION: &str = "eu-west-1";
const POOL: &str = "eu-west-1_TestPool";
const CLIENT: &str = "client-1";
const ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/me";

fn authorizer(key: &TestKey) -> Authorizer {
    let config = VerifierConfig::id_tokens(vec![CLIENT.into()]);
    let jwks = JwksCache::new(JwksSource::Static(TestKey::jwks(&[key]).to_string())).unwrap();
    Authorizer::new(Arc::new(Verifier::single(config, POOL, Arc::new(jwks))), "admins")
}

fn token_event(token: &str) -> Value {
    json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": ARN})
}

#[tokio::test]
async fn valid_token_gets_an_allow_policy_and_a_flat_context() {
    let key = TestKey::new("k1");
    let mut claims = id_token_claims(REGION, POOL, CLIENT);
    claims["auth_time"] = json!(1_796_673_000);
    claims["acr"] = json!("urn:cognito:loa:4");
    claims["amr"] = json!(["pwd", "otp", "mfa"]);
    let answer = authorizer(&key).authorize(&token_event(&key.sign(&claims))).await.unwrap().to_value();
    assert_eq!(answer["principalId"], "8f1c0d2e-sub");
    assert_eq!(answer["policyDocument"]["Version"], "2012-10-17");
    assert!(authorizer::policy::allows(&answer["policyDocument"], ARN));
    let context = answer["context"].as_object().unwrap();
    for (key, value) in context {
        assert!(value.is_string() || value.is_number() || value.is_boolean(), "{key} is not flat: {value}");
    }
    assert_eq!(
        Value::Object(context.clone()),
        json!({
            "sub": "8f1c0d2e-sub", "username": "8f1c0d2e-sub", "email": "ann@example.com",
            "emailVerified": true, "groups": "admins", "tokenUse": "id", "clientId": CLIENT,
            "authTime": 1_796_673_000, "acr": "urn:cognito:loa:4", "amr": "pwd otp mfa",
        })
    );
}

#[tokio::test]
async fn a_token_without_acr_amr_or_auth_time_gets_empty_ones_and_no_auth_time() {
    // GIVEN a token of a pool where Cognito issues neither claim yet
    let key = TestKey::new("k1");
    let mut claims = id_token_claims(REGION, POOL, CLIENT);
    claims.as_object_mut().unwrap().remove("auth_time");
    let answer = authorizer(&key).authorize(&token_event(&key.sign(&claims))).await.unwrap().to_value();
    // THEN the context says so with empty strings (API Gateway takes no null) and no authTime
    let context = &answer["context"];
    assert_eq!((context["acr"].as_str(), context["amr"].as_str()), (Some(""), Some("")));
    assert!(context.get("authTime").is_none(), "{context}");
}

#[tokio::test]
async fn request_events_are_read_from_the_authorization_header() {
    let key = TestKey::new("k1");
    let token = key.sign(&id_token_claims(REGION, POOL, CLIENT));
    let event = json!({"type": "REQUEST", "methodArn": ARN, "headers": {"Authorization": format!("Bearer {token}")}});
    assert!(authorizer(&key).authorize(&event).await.is_ok());
}

#[tokio::test]
async fn refusals_fail_with_exactly_unauthorized() {
    let key = TestKey::new("k1");
    let auth = authorizer(&key);
    let mut expired = id_token_claims(REGION, POOL, CLIENT);
    expired["exp"] = json!(1);
    for event in [
        token_event("garbage"),
        token_event(&key.sign(&expired)),
        token_event(&TestKey::new("k1").sign(&id_token_claims(REGION, POOL, CLIENT))),
        json!({"type": "TOKEN", "methodArn": ARN}),
        json!({"type": "TOKEN", "authorizationToken": "Bearer x"}),
    ] {
        let refused = auth.authorize(&event).await;
        assert_eq!(refused.err(), Some(Unauthorized), "{event}");
    }
    // API Gateway answers 401 only for this exact message.
    assert_eq!(Unauthorized.to_string(), "Unauthorized");
}

#[tokio::test]
async fn malformed_method_arn_is_refused() {
    let key = TestKey::new("k1");
    let token = key.sign(&id_token_claims(REGION, POOL, CLIENT));
    let event = json!({"type": "TOKEN", "authorizationToken": token, "methodArn": "not-an-arn"});
    assert_eq!(authorizer(&key).authorize(&event).await.err(), Some(Unauthorized));
}

#[tokio::test]
async fn a_group_named_with_a_comma_grants_nothing() {
    // GIVEN a caller in a group called "staff,admins", not in "admins"
    let key = TestKey::new("k1");
    let mut claims = id_token_claims(REGION, POOL, CLIENT);
    claims["cognito:groups"] = json!(["staff,admins", "readers"]);
    let users_arn = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/users";
    let event = json!({"type": "TOKEN", "authorizationToken": key.sign(&claims), "methodArn": users_arn});
    // WHEN the authorizer of an API with an admin route answers
    let answer = authorizer(&key).with_routes(ADMIN_API).authorize(&event).await.unwrap().to_value();
    // THEN neither the context nor the policy reads as admin membership
    assert_eq!(answer["context"]["groups"], "readers");
    assert!(!authorizer::policy::allows(&answer["policyDocument"], users_arn));
}

#[tokio::test]
async fn admins_get_the_admin_routes_and_others_a_deny() {
    let key = TestKey::new("k1");
    let users_arn = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/users";
    let mut plain = id_token_claims(REGION, POOL, CLIENT);
    plain["cognito:groups"] = json!(["readers"]);
    let admin = id_token_claims(REGION, POOL, CLIENT);
    let auth = authorizer(&key).with_routes(ADMIN_API);
    for (claims, allowed) in [(plain, false), (admin, true)] {
        let event = json!({"type": "TOKEN", "authorizationToken": key.sign(&claims), "methodArn": ARN});
        let answer = auth.authorize(&event).await.unwrap().to_value();
        // The policy cached for a call to /me decides a later call to /users.
        assert!(authorizer::policy::allows(&answer["policyDocument"], ARN));
        assert_eq!(authorizer::policy::allows(&answer["policyDocument"], users_arn), allowed, "{claims}");
    }
}

#[tokio::test]
async fn policies_written_once_stay_per_stage_and_per_kind_of_caller() {
    // GIVEN one authorizer answering admins and others on two stages, in turn, twice
    let key = TestKey::new("k1");
    let mut plain = id_token_claims(REGION, POOL, CLIENT);
    plain["cognito:groups"] = json!(["readers"]);
    let admin = id_token_claims(REGION, POOL, CLIENT);
    let auth = authorizer(&key).with_routes(ADMIN_API);
    for _ in 0..2 {
        for stage in ["prod", "test"] {
            let me = format!("arn:aws:execute-api:eu-west-1:123456789012:api1/{stage}/GET/me");
            let users = format!("arn:aws:execute-api:eu-west-1:123456789012:api1/{stage}/GET/users");
            for (claims, allowed) in [(&plain, false), (&admin, true)] {
                let event = json!({"type": "TOKEN", "authorizationToken": key.sign(claims), "methodArn": me});
                let answer = auth.authorize(&event).await.unwrap().to_value();
                let policy = &answer["policyDocument"];
                // THEN each answer is its own stage's policy for its kind of caller
                assert!(authorizer::policy::allows(policy, &me), "{stage}");
                assert_eq!(authorizer::policy::allows(policy, &users), allowed, "{stage} {claims}");
                let other = if stage == "prod" { "test" } else { "prod" };
                assert!(!authorizer::policy::allows(policy, &me.replace(stage, other)), "{stage}");
            }
        }
    }
}

/// An API with a signed-in route and an admin route.
const ADMIN_API: &[api_types::routes::Route] = &[
    api_types::routes::Route {
        method: "GET",
        path: "/me",
        operation: api_types::routes::Operation::Auth(api_types::routes::AuthOperation::Me),
        access: api_types::routes::Access::SignedIn(api_types::routes::BearerTokenUse::Id),
        sign_in: api_types::routes::SignInRequirement::NONE,
    },
    api_types::routes::Route {
        method: "GET",
        path: "/users",
        operation: api_types::routes::Operation::Users(api_types::routes::UsersOperation::ListUsers),
        access: api_types::routes::Access::Admin(api_types::routes::BearerTokenUse::Id),
        sign_in: api_types::routes::SignInRequirement::NONE,
    },
];

fn http_api_event(token: &str, route_key: &str, raw_path: &str) -> Value {
    http_api_event_on(token, "GET", route_key, raw_path, "$default")
}

fn http_api_event_on(token: &str, method: &str, route_key: &str, raw_path: &str, stage: &str) -> Value {
    json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/users",
        "identitySource": [format!("Bearer {token}")],
        "routeKey": route_key, "rawPath": raw_path,
        "requestContext": {"http": {"method": method, "path": raw_path}, "stage": stage},
    })
}

#[tokio::test]
async fn http_api_events_get_simple_responses() {
    let key = TestKey::new("k1");
    let auth = authorizer(&key).with_routes(ADMIN_API);
    let mut plain = id_token_claims(REGION, POOL, CLIENT);
    plain["cognito:groups"] = json!([]);
    let (plain, admin) = (key.sign(&plain), key.sign(&id_token_claims(REGION, POOL, CLIENT)));

    let me = auth.authorize(&http_api_event(&plain, "GET /me", "/me")).await.unwrap().to_value();
    assert_eq!(me["isAuthorized"], true);
    assert_eq!(me["context"]["sub"], "8f1c0d2e-sub");
    assert!(me.get("policyDocument").is_none());

    // Admin routes: by the declared route, and by the raw path on a $default route.
    for (route_key, path) in [("GET /users", "/users"), ("$default", "/users")] {
        let user = auth.authorize(&http_api_event(&plain, route_key, path)).await.unwrap().to_value();
        assert_eq!(user["isAuthorized"], false, "{route_key}");
        let admin = auth.authorize(&http_api_event(&admin, route_key, path)).await.unwrap().to_value();
        assert_eq!(admin["isAuthorized"], true, "{route_key}");
    }
    // Fails closed: catch-all routes, other parameter names, stage prefixes, HEAD and unknown
    // paths do not open admin routes, or anything the table does not list, to non-admins.
    for (method, route_key, path, stage) in [
        ("GET", "ANY /{proxy+}", "/users", "$default"),
        ("GET", "GET /users/{id}", "/users/alice", "$default"),
        ("GET", "$default", "/prod/users", "prod"),
        ("HEAD", "$default", "/users", "$default"),
        ("GET", "$default", "/somewhere-else", "$default"),
    ] {
        let answer =
            auth.authorize(&http_api_event_on(&plain, method, route_key, path, stage)).await.unwrap().to_value();
        assert_eq!(answer["isAuthorized"], false, "{method} {route_key} {path}");
    }
    let staged_me =
        auth.authorize(&http_api_event_on(&plain, "GET", "$default", "/prod/me", "prod")).await.unwrap().to_value();
    assert_eq!(staged_me["isAuthorized"], true);
    // An invalid token is still a 401, not a 403.
    assert_eq!(auth.authorize(&http_api_event("garbage", "GET /me", "/me")).await.err(), Some(Unauthorized));
}

#[tokio::test]
async fn callers_outside_the_required_groups_are_denied_everywhere() {
    let key = TestKey::new("k1");
    let auth = authorizer(&key).with_required_groups(vec!["staff".into(), "admins".into()]);
    let mut outsider = id_token_claims(REGION, POOL, CLIENT);
    outsider["cognito:groups"] = json!(["readers"]);
    let denied = auth.authorize(&token_event(&key.sign(&outsider))).await.unwrap().to_value();
    assert!(!authorizer::policy::allows(&denied["policyDocument"], ARN));
    let other_route = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/POST/auth/sign-out";
    assert!(!authorizer::policy::allows(&denied["policyDocument"], other_route));

    let member =
        auth.authorize(&token_event(&key.sign(&id_token_claims(REGION, POOL, CLIENT)))).await.unwrap().to_value();
    assert!(authorizer::policy::allows(&member["policyDocument"], ARN));
    let v2 = auth.authorize(&http_api_event(&key.sign(&outsider), "GET /me", "/me")).await.unwrap().to_value();
    assert_eq!(v2["isAuthorized"], false);
}

#[tokio::test]
async fn configuration_from_the_environment_builds_a_working_authorizer() {
    // GIVEN the variables a deployment sets, with the JWKS given at deploy time
    let key = TestKey::new("k1");
    let jwks = TestKey::jwks(&[&key]).to_string();
    let vars = [("USER_POOL_ID", POOL), ("APP_CLIENT_IDS", CLIENT), ("JWKS_JSON", jwks.as_str())];
    let config = authorizer::AuthorizerConfig::from_lookup(|name| {
        vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    })
    .unwrap();
    // WHEN it is built, THEN it answers like the one assembled by hand
    let auth = config.build().unwrap();
    let answer =
        auth.authorize(&token_event(&key.sign(&id_token_claims(REGION, POOL, CLIENT)))).await.unwrap().to_value();
    assert!(authorizer::policy::allows(&answer["policyDocument"], ARN));
}

/// The authorizer as deployed: ID and access tokens, each where the API's route table takes it.
fn api_authorizer(key: &TestKey) -> Authorizer {
    let jwks = TestKey::jwks(&[key]).to_string();
    let vars = [("USER_POOL_ID", POOL), ("APP_CLIENT_IDS", CLIENT), ("JWKS_JSON", jwks.as_str())];
    let config = authorizer::AuthorizerConfig::from_lookup(|name| {
        vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    });
    config.unwrap().build().unwrap()
}

fn method_arn(verb: &str, path: &str) -> String {
    format!("arn:aws:execute-api:eu-west-1:123456789012:api1/prod/{verb}{path}")
}

#[tokio::test]
async fn each_kind_of_token_opens_only_the_routes_that_take_it_even_from_the_cache() {
    // GIVEN the deployed authorizer, a person's ID token and their access token
    let key = TestKey::new("k1");
    let auth = api_authorizer(&key);
    let mut plain_id = id_token_claims(REGION, POOL, CLIENT);
    plain_id["cognito:groups"] = json!([]);
    let mut plain_access = access_token_claims(REGION, POOL, CLIENT);
    plain_access["cognito:groups"] = json!([]);
    let (id_routes, access_routes) = (
        [("GET", "/me"), ("POST", "/credentials")],
        [("GET", "/mfa/preference"), ("POST", "/auth/sign-out"), ("POST", "/password/change")],
    );
    for (claims, admin) in [
        (plain_id, false),
        (id_token_claims(REGION, POOL, CLIENT), true),
        (plain_access, false),
        (access_token_claims(REGION, POOL, CLIENT), true),
    ] {
        let is_access = claims["token_use"] == "access";
        // WHEN the token calls a route that takes it (so API Gateway caches the answer)
        let first = if is_access { access_routes[0] } else { id_routes[0] };
        let event = json!({"type": "TOKEN", "authorizationToken": format!("Bearer {}", key.sign(&claims)), "methodArn": method_arn(first.0, first.1)});
        let answer = auth.authorize(&event).await.unwrap().to_value();
        let policy = &answer["policyDocument"];
        // THEN the cached policy opens the routes of its kind, and none of the other kind
        for (verb, path) in id_routes {
            assert_eq!(authorizer::policy::allows(policy, &method_arn(verb, path)), !is_access, "{claims} {path}");
        }
        for (verb, path) in access_routes {
            assert_eq!(authorizer::policy::allows(policy, &method_arn(verb, path)), is_access, "{claims} {path}");
        }
        // AND the admin routes take the access token, of an admin only
        let users = method_arn("GET", "/users");
        assert_eq!(authorizer::policy::allows(policy, &users), is_access && admin, "{claims}");
        // AND the context names the kind, and the same person either way
        assert_eq!(answer["context"]["tokenUse"], if is_access { "access" } else { "id" });
        assert_eq!(answer["context"]["username"], "8f1c0d2e-sub");
        assert_eq!(answer["context"]["clientId"], CLIENT);
    }
}

#[tokio::test]
async fn an_access_token_without_the_user_admin_scope_or_for_another_client_is_refused() {
    let key = TestKey::new("k1");
    let auth = api_authorizer(&key);
    let mut unscoped = access_token_claims(REGION, POOL, CLIENT);
    unscoped["scope"] = json!("openid email");
    let other_client = access_token_claims(REGION, POOL, "client-2");
    let mut id_as_access = id_token_claims(REGION, POOL, CLIENT);
    id_as_access["token_use"] = json!("access");
    for claims in [unscoped, other_client, id_as_access] {
        let event = json!({"type": "TOKEN", "authorizationToken": key.sign(&claims), "methodArn": method_arn("GET", "/mfa/preference")});
        assert_eq!(auth.authorize(&event).await.err(), Some(Unauthorized), "{claims}");
    }
}

#[tokio::test]
async fn http_api_requests_are_open_only_with_the_token_the_route_takes() {
    let key = TestKey::new("k1");
    let auth = api_authorizer(&key);
    let (id, access) =
        (key.sign(&id_token_claims(REGION, POOL, CLIENT)), key.sign(&access_token_claims(REGION, POOL, CLIENT)));
    for (token, method, route_key, path, open) in [
        (&id, "GET", "GET /me", "/me", true),
        (&access, "GET", "GET /me", "/me", false),
        (&access, "GET", "GET /mfa/preference", "/mfa/preference", true),
        (&id, "GET", "GET /mfa/preference", "/mfa/preference", false),
        (&access, "GET", "$default", "/users", true),
        (&id, "GET", "$default", "/users", false),
        (&id, "POST", "ANY /{proxy+}", "/auth/sign-out", false),
    ] {
        let event = http_api_event_on(token, method, route_key, path, "$default");
        let answer = auth.authorize(&event).await.unwrap().to_value();
        assert_eq!(answer["isAuthorized"], open, "{route_key} {path} with {}", &token[..8]);
    }
}

#[test]
fn refusals_and_denials_are_logged_at_info_and_allowed_calls_at_debug_never_with_the_token() {
    // GIVEN the INFO level Lambda runs at by default, and one allowed, one denied, one refused call
    let key = TestKey::new("k1");
    let auth = authorizer(&key).with_required_groups(vec!["staff".into()]);
    let mut staff = id_token_claims(REGION, POOL, CLIENT);
    staff["cognito:groups"] = json!(["staff"]);
    let mut outsider = id_token_claims(REGION, POOL, CLIENT);
    outsider["cognito:groups"] = json!(["readers"]);
    let (allowed, denied) = (key.sign(&staff), key.sign(&outsider));
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    tracing::subscriber::with_default(subscriber, || {
        rt.block_on(async {
            assert!(auth.authorize(&token_event(&allowed)).await.is_ok());
            assert!(auth.authorize(&token_event(&denied)).await.is_ok());
            assert!(auth.authorize(&token_event("garbage")).await.is_err());
        })
    });
    // THEN the denial and the refusal have a line each, the allowed call none
    let text = log.text();
    let decisions: Vec<String> = text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["fields"]["decision"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(decisions, ["deny", "unauthorized"], "{text}");
    assert!(!text.contains(&allowed) && !text.contains(&denied) && !text.contains("garbage"), "{text}");
}
