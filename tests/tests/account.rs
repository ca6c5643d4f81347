//! The signed-in person's own account, through the local gateway as a frontend calls it, with
//! their access token: read it (`GetUser`), change what the app client may write
//! (`UpdateUserAttributes`), prove a new address with the code mailed to it
//! (`GetUserAttributeVerificationCode`, `VerifyUserAttribute`; the pool keeps the old, verified
//! address until then), and delete it (`DeleteUser`) right after signing in, after which Cognito
//! refuses every token of theirs whatever the authorizer's cache says. An ID token is refused on
//! every account route. docs/cognito-conformance.md, "The person's own account (through the API)".

use std::time::Duration;

use e2e::{ApiResponse, TestStack, text};
use local_stack::StackOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The five account routes, each with a body it takes.
fn account_routes() -> [(&'static str, &'static str, Option<Value>); 5] {
    [
        ("GET", "/account", None),
        ("PATCH", "/account", Some(json!({"attributes": {"given_name": "Ann"}}))),
        ("DELETE", "/account", None),
        ("POST", "/account/attributes/email/code", None),
        ("POST", "/account/attributes/email/verify", Some(json!({"code": "123456"}))),
    ]
}

/// `method path` with `token` as the bearer and `body` as JSON.
async fn call(t: &TestStack, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> ApiResponse {
    t.send(method, path, token, body.map(Value::to_string).as_deref()).await
}

/// `GET /account` with `token`.
async fn account(t: &TestStack, token: &str) -> ApiResponse {
    t.get("/account", Some(token)).await
}

/// The attributes `GET /account` answers with `token`, asserting 200.
async fn attributes(t: &TestStack, token: &str) -> Value {
    let read = account(t, token).await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    read.body["attributes"].clone()
}

/// `PATCH /account` with `attributes`.
async fn update(t: &TestStack, token: &str, attributes: Value) -> ApiResponse {
    call(t, "PATCH", "/account", Some(token), Some(&json!({ "attributes": attributes }))).await
}

/// `POST /account/attributes/email/code`.
async fn send_email_code(t: &TestStack, token: &str) -> ApiResponse {
    t.send("POST", "/account/attributes/email/code", Some(token), None).await
}

/// `POST /account/attributes/email/verify` with `code`.
async fn verify_email(t: &TestStack, token: &str, code: &str) -> ApiResponse {
    call(t, "POST", "/account/attributes/email/verify", Some(token), Some(&json!({ "code": code }))).await
}

/// The status of a password sign-in (USER_PASSWORD_AUTH) as `username`.
async fn sign_in_status(t: &TestStack, username: &str, password: &str) -> StatusCode {
    t.try_sign_in(username, password, Some("USER_PASSWORD_AUTH")).await.status
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn the_account_shows_the_persons_attributes_and_factors_and_a_name_change_at_once() {
    // GIVEN the demo user, signed in, with email MFA turned on and preferred
    let t = TestStack::start().await;
    let session = t.sign_in(t.user()).await;
    let token = text(&session, "/tokens/accessToken");
    let mfa = json!({"email": true, "preferred": "EMAIL_OTP"}).to_string();
    let on = t.send("PUT", "/mfa/preference", Some(token), Some(&mfa)).await;
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    // WHEN they read their account
    let read = account(&t, token).await;
    // THEN it is what Cognito knows of them: the internal username, every attribute, the factors
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["username"], session["username"], "{:?}", read.body);
    assert_eq!(read.body["attributes"]["email"], json!(t.user().email));
    assert_eq!(read.body["attributes"]["email_verified"], json!("true"));
    let me = t.get("/me", Some(text(&session, "/tokens/idToken"))).await;
    assert_eq!(read.body["attributes"]["sub"], me.body["sub"], "the ID token's sub: {:?}", me.body);
    assert_eq!(read.body["mfa"], json!({"enabled": ["EMAIL_OTP"], "preferred": "EMAIL_OTP"}));
    // WHEN they change their name
    let changed = update(&t, token, json!({"given_name": "Ann", "family_name": "Example"})).await;
    // THEN no code is needed, and the account shows it at once
    assert_eq!((changed.status, &changed.body), (StatusCode::OK, &json!({"codeDeliveries": []})));
    let now = attributes(&t, token).await;
    assert_eq!((&now["given_name"], &now["family_name"]), (&json!("Ann"), &json!("Example")), "{now:?}");
    // AND an empty value removes an attribute
    let removed = update(&t, token, json!({"family_name": ""})).await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    let now = attributes(&t, token).await;
    assert!(now.get("family_name").is_none() && now["given_name"] == "Ann", "{now:?}");
}

#[tokio::test]
async fn a_new_email_waits_for_its_code_and_until_then_the_old_address_signs_in() {
    // GIVEN the demo user, signed in
    let t = TestStack::start().await;
    let user = t.user().clone();
    let token = t.access_token(&user).await;
    let new = "demo.new@example.com";
    // WHEN they change their email
    let changed = update(&t, &token, json!({"email": new})).await;
    // THEN the answer says where the code to prove it went (masked)
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let deliveries = changed.body["codeDeliveries"].as_array().expect("codeDeliveries");
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!((&deliveries[0]["attributeName"], &deliveries[0]["deliveryMedium"]), (&json!("email"), &json!("EMAIL")));
    assert_eq!(deliveries[0]["destination"], json!("d***@e***"), "{deliveries:?}");
    // AND until it is proven the old, verified address is still theirs: it signs in, the new one
    // does not, and the account shows the old one
    assert_eq!(sign_in_status(&t, &user.email, &user.password).await, StatusCode::OK);
    assert_eq!(sign_in_status(&t, new, &user.password).await, StatusCode::UNAUTHORIZED);
    let waiting = attributes(&t, &token).await;
    assert_eq!((&waiting["email"], &waiting["email_verified"]), (&json!(user.email), &json!("true")), "{waiting:?}");
    // AND a wrong code proves nothing: 400 InvalidCode on `code`
    let code = t.sent_code(new, "verify-email");
    let wrong = verify_email(&t, &token, other_than(&code)).await;
    assert_eq!(
        (wrong.status, wrong.error_code(), wrong.error_field()),
        (StatusCode::BAD_REQUEST, "InvalidCode", "code"),
        "{:?}",
        wrong.body
    );
    assert_eq!(attributes(&t, &token).await["email"], json!(user.email));
    // WHEN they send the code from their new mailbox
    let verified = verify_email(&t, &token, &code).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT, "{:?}", verified.body);
    // THEN the new address is theirs, verified: it signs in, and the old one no longer does
    let now = attributes(&t, &token).await;
    assert_eq!((&now["email"], &now["email_verified"]), (&json!(new), &json!("true")), "{now:?}");
    let fresh = t.try_sign_in(new, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(fresh.status, StatusCode::OK, "{:?}", fresh.body);
    let old = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!((old.status, old.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", old.body);
    // AND the new session's ID token names the new address, verified
    let me = t.get("/me", Some(text(&fresh.body, "/tokens/idToken"))).await;
    assert_eq!((&me.body["email"], &me.body["emailVerified"]), (&json!(new), &json!(true)), "{:?}", me.body);
}

#[tokio::test]
async fn an_email_code_older_than_a_day_is_invalid_and_a_new_one_proves_the_address() {
    // GIVEN the demo user, who changed their email and was mailed a code, on a stopped clock
    let t = TestStack::start().await;
    t.stop_clock().await;
    let user = t.user().clone();
    let token = t.access_token(&user).await;
    let new = "demo.new@example.com";
    assert_eq!(update(&t, &token, json!({"email": new})).await.status, StatusCode::OK);
    let code = t.sent_code(new, "verify-email");
    // WHEN they send it a day and a second later (Cognito's codes last 24 hours)
    t.advance_clock(Duration::from_secs(24 * 60 * 60 + 1)).await;
    let expired = verify_email(&t, &token, &code).await;
    // THEN it is a 400 InvalidCode on `code`, and the old address is still theirs
    assert_eq!(
        (expired.status, expired.error_code(), expired.error_field()),
        (StatusCode::BAD_REQUEST, "InvalidCode", "code"),
        "{:?}",
        expired.body
    );
    assert_eq!(attributes(&t, &token).await["email"], json!(user.email));
    // AND a new code, asked for through the API, goes to the address still waiting, and proves it
    let sent = send_email_code(&t, &token).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
    assert_eq!(sent.body["codeDelivery"]["attributeName"], json!("email"), "{:?}", sent.body);
    let again = t.sent_code(new, "verify-email");
    let verified = verify_email(&t, &token, &again).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT, "{:?}", verified.body);
    assert_eq!(attributes(&t, &token).await["email"], json!(new));
}

#[tokio::test]
async fn an_email_another_account_signs_in_with_is_a_conflict_and_changes_nothing() {
    // GIVEN the demo user, signed in, and the admin, who signs in with admin@example.com
    let t = TestStack::start().await;
    let (user, admin) = (t.user().clone(), t.admin().clone());
    let token = t.access_token(&user).await;
    let sent_before = t.stack.outbox.messages().len();
    // WHEN the demo user asks for the admin's address (and a new name in the same request)
    let taken = update(&t, &token, json!({"email": admin.email, "given_name": "Mallory"})).await;
    // THEN 409 Conflict
    assert_eq!((taken.status, taken.error_code()), (StatusCode::CONFLICT, "Conflict"), "{:?}", taken.body);
    // AND nothing changed: not the name, not the address, no code sent, each signs in as before
    let now = attributes(&t, &token).await;
    assert_eq!((&now["email"], now.get("given_name")), (&json!(user.email), None), "{now:?}");
    assert_eq!(t.stack.outbox.messages().len(), sent_before, "no code was sent");
    assert_eq!(sign_in_status(&t, &user.email, &user.password).await, StatusCode::OK);
    assert_eq!(sign_in_status(&t, &admin.email, &admin.password).await, StatusCode::OK);
}

#[tokio::test]
async fn a_verified_flag_in_the_body_is_a_400_naming_it_and_never_reaches_cognito() {
    // GIVEN the demo user, signed in
    let t = TestStack::start().await;
    let user = t.user().clone();
    let token = t.access_token(&user).await;
    let new = "demo.new@example.com";
    for (attributes, flag) in [
        (json!({"email_verified": "true"}), "email_verified"),
        (json!({"email": new, "email_verified": "true", "given_name": "Ann"}), "email_verified"),
        (json!({"phone_number_verified": "true"}), "phone_number_verified"),
    ] {
        // WHEN they try to vouch for an address themselves
        let reply = update(&t, &token, attributes.clone()).await;
        // THEN the API's own 400 names the flag (Cognito's refusal would be another code)
        assert_eq!(
            (reply.status, reply.error_code(), reply.error_field()),
            (StatusCode::BAD_REQUEST, "BadRequest", &*format!("attributes.{flag}")),
            "{attributes}: {:?}",
            reply.body
        );
    }
    // AND nothing reached Cognito: no code went to the new address, nothing changed
    assert_eq!(t.stack.outbox.latest_code(new, "verify-email"), None);
    let now = attributes(&t, &token).await;
    assert_eq!((&now["email"], now.get("given_name")), (&json!(user.email), None), "{now:?}");
    // AND the contract refuses it too: the attributes a person may send are listed, no others
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let spec: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("openapi.yaml")).expect("openapi.yaml parses");
    let sent = &spec["components"]["schemas"]["UpdateAccountRequest"]["properties"]["attributes"];
    assert_eq!(sent["additionalProperties"], serde_yaml_ng::Value::Bool(false), "{sent:?}");
    for flag in ["email_verified", "phone_number_verified"] {
        assert!(sent["properties"].get(flag).is_none(), "the contract lets {flag} through");
    }
}

#[tokio::test]
async fn asking_for_codes_too_often_is_429_limit_exceeded_until_the_hour_has_passed() {
    // GIVEN the demo user, signed in, on a stopped clock
    let t = TestStack::start().await;
    t.stop_clock().await;
    let user = t.user().clone();
    let token = t.access_token(&user).await;
    // WHEN they ask for a code to their address again and again
    for i in 1..=5 {
        let sent = send_email_code(&t, &token).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "request {i}: {:?}", sent.body);
        assert_eq!(sent.body["codeDelivery"]["destination"], json!("d***@e***"), "{:?}", sent.body);
    }
    let last = t.sent_code(&user.email, "verify-email");
    let sent_before = t.stack.outbox.messages().len();
    let limited = send_email_code(&t, &token).await;
    // THEN Cognito's limit is a 429 LimitExceeded, without a Retry-After (it is minutes), and no
    // code is sent
    assert_eq!(
        (limited.status, limited.error_code()),
        (StatusCode::TOO_MANY_REQUESTS, "LimitExceeded"),
        "{:?}",
        limited.body
    );
    assert!(limited.headers.get("retry-after").is_none(), "{:?}", limited.headers);
    assert_eq!(t.stack.outbox.messages().len(), sent_before);
    // AND the last code sent still works
    assert_eq!(verify_email(&t, &token, &last).await.status, StatusCode::NO_CONTENT);
    // AND an hour later they may ask again
    t.advance_clock(Duration::from_secs(60 * 60 + 1)).await;
    assert_eq!(send_email_code(&t, &token).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn deleting_the_account_right_after_signing_in_ends_every_token_and_frees_the_address() {
    // GIVEN the demo user, just signed in
    let t = TestStack::start().await;
    let user = t.user().clone();
    let session = t.sign_in(&user).await;
    let (access, refresh) = (text(&session, "/tokens/accessToken"), text(&session, "/tokens/refreshToken"));
    let old_sub = attributes(&t, access).await["sub"].clone();
    // WHEN they delete their account
    let deleted = t.send("DELETE", "/account", Some(access), None).await;
    // THEN it is gone
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    // AND the refresh token is refused as any refused refresh token is (401 NotAuthorized)
    let refreshed = t.post("/auth/refresh", json!({ "refreshToken": refresh })).await;
    assert_eq!(
        (refreshed.status, refreshed.error_code()),
        (StatusCode::UNAUTHORIZED, "NotAuthorized"),
        "{:?}",
        refreshed.body
    );
    // AND Cognito refuses the access token: 401 Unauthorized, sign in again
    let read = account(&t, access).await;
    assert_eq!((read.status, read.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", read.body);
    // AND the password signs nobody in, and an admin finds nobody
    let signed_in = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!((signed_in.status, signed_in.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"));
    let admin = t.access_token(t.admin()).await;
    let found = t.get(&format!("/users/{}", user.email), Some(&admin)).await;
    assert_eq!((found.status, found.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"), "{:?}", found.body);
    // AND the address can sign up again, as a new account
    let up = t.post("/auth/sign-up", json!({"username": user.email, "password": "Again-passw0rd1"})).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    let code = t.sent_code(&user.email, "sign-up");
    let confirm = json!({"username": user.email, "code": code, "signIn": true, "receipt": text(&up.body, "/receipt")});
    let confirmed = t.post("/auth/confirm-sign-up", confirm).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
    let new_sub = attributes(&t, text(&confirmed.body, "/tokens/accessToken")).await["sub"].clone();
    assert_eq!(new_sub, up.body["userSub"]);
    assert_ne!(new_sub, old_sub);
}

/// Every access-token route a person (not an admin) calls, each with a body it takes.
fn access_token_routes() -> Vec<(&'static str, &'static str, Option<Value>)> {
    let mut routes = account_routes().to_vec();
    routes.extend([
        ("GET", "/mfa/preference", None),
        ("PUT", "/mfa/preference", Some(json!({"email": false}))),
        ("POST", "/mfa/totp/setup", None),
        ("POST", "/mfa/totp/verify", Some(json!({"code": "123456"}))),
        (
            "POST",
            "/password/change",
            Some(json!({"previousPassword": "Demo-passw0rd", "proposedPassword": "Other-passw0rd1"})),
        ),
        ("POST", "/auth/sign-out", None),
    ]);
    routes
}

/// THEN `token`, still signed and unexpired, is Cognito's to refuse on every access-token route:
/// each answers 401 `Unauthorized` from the function, which ran. With `cached`, the authorizer's
/// cached Allow let each through (it was not asked again); without, it was asked each time and
/// took the token.
async fn assert_every_route_refused_by_cognito(t: &TestStack, token: &str, cached: bool) {
    let gateway = &t.stack.gateway;
    for (method, path, body) in access_token_routes() {
        let (authorized, invoked) = (gateway.authorizer_invocations(), gateway.function_invocations());
        let reply = call(t, method, path, Some(token), body.as_ref()).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (StatusCode::UNAUTHORIZED, "Unauthorized"),
            "{method} {path}: {:?}",
            reply.body
        );
        let asked = usize::from(!cached);
        assert_eq!(gateway.authorizer_invocations(), authorized + asked, "{method} {path}: authorizer asked?");
        assert_eq!(gateway.function_invocations(), invoked + 1, "{method} {path}: the function answered");
    }
}

#[tokio::test]
async fn after_deleting_the_account_every_access_token_route_is_cognitos_refusal_even_through_a_cached_allow() {
    // GIVEN the demo user, signed in, whose access token the authorizer allowed (cached 300 s)
    let t = TestStack::start().await;
    let token = t.access_token(t.user()).await;
    assert_eq!(account(&t, &token).await.status, StatusCode::OK);
    // WHEN they delete their account
    let deleted = t.send("DELETE", "/account", Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    // THEN the cached Allow lets every request through, and Cognito's refusal answers it
    assert_every_route_refused_by_cognito(&t, &token, true).await;
    // AND with no cache at all the same: the authorizer takes the token, Cognito does not
    let t =
        TestStack::start_with(StackOptions { authorizer_cache_ttl: Duration::ZERO, ..StackOptions::for_tests() }).await;
    let token = t.access_token(t.user()).await;
    let deleted = t.send("DELETE", "/account", Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    assert_every_route_refused_by_cognito(&t, &token, false).await;
}

#[tokio::test]
async fn the_account_routes_take_the_access_token_and_refuse_an_id_token() {
    // GIVEN the demo user, signed in, with both tokens
    let t = TestStack::start().await;
    let user = t.user().clone();
    let session = t.sign_in(&user).await;
    let (id, access) = (text(&session, "/tokens/idToken"), text(&session, "/tokens/accessToken"));
    let gateway = &t.stack.gateway;
    for (method, path, body) in account_routes() {
        // WHEN the ID token calls an account route THEN the authorizer's policy refuses it: 403,
        // and no function runs
        let invoked = gateway.function_invocations();
        let reply = call(&t, method, path, Some(id), body.as_ref()).await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{method} {path}");
        // AND without a token, the authorizer's 401
        let anonymous = call(&t, method, path, None, body.as_ref()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {path}: {:?}", anonymous.body);
        assert_eq!(gateway.function_invocations(), invoked, "{method} {path}: a function ran");
    }
    // AND nothing was done: the account is there, unchanged, and the access token reads it
    let now = attributes(&t, access).await;
    assert_eq!((&now["email"], now.get("given_name")), (&json!(user.email), None), "{now:?}");
    assert_eq!(t.stack.outbox.latest_code(&user.email, "verify-email"), None);
}
