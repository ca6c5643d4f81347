//! The walking skeleton's flow, through the local gateway: sign in, call `/me` with the ID
//! token, and every way a token can be refused.

use base64::Engine;
use e2e::TestStack;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

fn claims(token: &str) -> Value {
    e2e::decode_segment(token, 1)
}

#[tokio::test]
async fn sign_in_returns_tokens_and_the_internal_username() {
    // GIVEN the seeded stack
    let t = TestStack::start().await;
    // WHEN the demo user signs in with their email
    let body = t.sign_in(t.user()).await;
    // THEN tokens come back, and `username` is the pool's internal username, not the email
    let tokens = &body["tokens"];
    for field in ["idToken", "accessToken", "refreshToken"] {
        assert!(tokens[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {body}");
    }
    assert_eq!(tokens["tokenType"], "Bearer");
    assert!(tokens["expiresIn"].as_i64().is_some_and(|v| v > 0));
    let id_claims = claims(tokens["idToken"].as_str().unwrap());
    assert_eq!(body["username"], id_claims["cognito:username"]);
    assert_ne!(body["username"], json!(t.user().email));
}

#[tokio::test]
async fn me_answers_from_the_id_token() {
    let t = TestStack::start().await;
    let user_token = t.id_token(t.user()).await;
    let admin_token = t.id_token(t.admin()).await;

    let me = t.get("/me", Some(&user_token)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    let id_claims = claims(&user_token);
    assert_eq!(me.body["sub"], id_claims["sub"]);
    assert_eq!(me.body["username"], id_claims["cognito:username"]);
    assert_eq!(me.body["email"], json!(t.user().email));
    assert_eq!(me.body["emailVerified"], json!(true));
    assert_eq!(me.body["groups"], json!([]));
    assert!(me.headers.contains_key("x-request-id"));

    let admin = t.get("/me", Some(&admin_token)).await;
    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(admin.body["groups"], json!(["admins"]));
    assert_eq!(admin.body["email"], json!(t.admin().email));
}

#[tokio::test]
async fn me_accepts_the_bare_token_too() {
    let t = TestStack::start().await;
    let token = t.id_token(t.user()).await;
    let reply = t.http_get_raw("/me", &token).await;
    assert_eq!(reply, StatusCode::OK);
}

fn assert_unauthorized(reply: &e2e::ApiResponse, why: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{why}: {:?}", reply.body);
    assert_eq!(reply.error_code(), "Unauthorized", "{why}");
    assert!(reply.body["error"]["message"].is_string(), "{why}");
    assert_eq!(reply.headers.get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"), "{why}");
}

#[tokio::test]
async fn me_without_a_token_is_401() {
    let t = TestStack::start().await;
    assert_unauthorized(&t.get("/me", None).await, "no Authorization header");
    assert_unauthorized(&t.send("GET", "/me", Some(""), None).await, "empty bearer");
    assert_unauthorized(&t.get("/me", Some("not-a-jwt")).await, "garbage");
}

#[tokio::test]
async fn me_with_a_tampered_token_is_401() {
    let t = TestStack::start().await;
    let token = t.id_token(t.user()).await;
    let [header, payload, signature]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();

    // Payload: join the admins group, keep the signature.
    let mut forged = claims(&token);
    forged["cognito:groups"] = json!(["admins"]);
    let forged_payload = b64(forged.to_string().as_bytes());
    assert_unauthorized(&t.get("/me", Some(&format!("{header}.{forged_payload}.{signature}"))).await, "payload");

    // Signature: flip one byte.
    let mut sig = unb64(signature);
    sig[10] ^= 0x01;
    assert_unauthorized(&t.get("/me", Some(&format!("{header}.{payload}.{}", b64(&sig)))).await, "signature");

    // Header: alg none, no signature.
    let none = b64(br#"{"alg":"none","typ":"JWT","kid":"dummy"}"#);
    assert_unauthorized(&t.get("/me", Some(&format!("{none}.{payload}."))).await, "alg none");

    // Header: another kid.
    let other_kid = b64(br#"{"alg":"RS256","typ":"JWT","kid":"other"}"#);
    assert_unauthorized(&t.get("/me", Some(&format!("{other_kid}.{payload}.{signature}"))).await, "kid");
}

#[tokio::test]
async fn me_with_an_access_token_is_403_the_route_takes_the_id_token() {
    // GIVEN a valid access token of a signed-in user
    let t = TestStack::start().await;
    let body = t.sign_in(t.user()).await;
    let access = body["tokens"]["accessToken"].as_str().unwrap();
    // WHEN it calls /me, whose bearer is the ID token
    let reply = t.get("/me", Some(access)).await;
    // THEN the authorizer's policy denies it: 403, not 401 (the token itself is good)
    assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", reply.body);
    // AND the same token is taken where the access token is the bearer
    assert_eq!(t.get("/mfa/preference", Some(access)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn me_with_a_token_from_another_client_is_401() {
    // GIVEN a second app client in the same pool, and a user signed in through it
    let t = TestStack::start().await;
    let cognito = t.cognito().await;
    let other = cognito
        .create_user_pool_client()
        .user_pool_id(&t.stack.pool.pool_id)
        .client_name("another-app")
        .explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let other_id = other.user_pool_client.unwrap().client_id.unwrap();
    let auth = cognito
        .initiate_auth()
        .client_id(&other_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", &t.user().email)
        .auth_parameters("PASSWORD", &t.user().password)
        .send()
        .await
        .unwrap();
    let tokens = auth.authentication_result.unwrap();
    let foreign = tokens.id_token.unwrap();
    // WHEN that client's ID token calls our API, THEN it is refused
    assert_eq!(claims(&foreign)["aud"], json!(other_id));
    assert_unauthorized(&t.get("/me", Some(&foreign)).await, "other client");
    // AND so is its access token (its client_id is not ours), on a route that takes one
    let foreign_access = tokens.access_token.unwrap();
    assert_eq!(claims(&foreign_access)["client_id"], json!(other_id));
    assert_unauthorized(&t.get("/mfa/preference", Some(&foreign_access)).await, "other client's access token");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let t = TestStack::start().await;
    let wrong = t
        .post(
            "/auth/sign-in",
            json!({"username": t.user().email, "password": "Wrong-passw0rd", "flow": "USER_PASSWORD_AUTH"}),
        )
        .await;
    let unknown = t
        .post(
            "/auth/sign-in",
            json!({"username": "nobody@example.com", "password": "Wrong-passw0rd", "flow": "USER_PASSWORD_AUTH"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error_code(), "NotAuthorized");
    assert_eq!((wrong.status, &wrong.body), (unknown.status, &unknown.body));
}

#[tokio::test]
async fn bad_sign_in_bodies_get_400_naming_the_field() {
    let t = TestStack::start().await;
    let cases: &[(&str, &str)] = &[
        (r#"{"password":"x","flow":"USER_PASSWORD_AUTH"}"#, "username"),
        (r#"{"username":"a@b.c","flow":"USER_PASSWORD_AUTH"}"#, "password"),
        (r#"{"username":7,"password":"x"}"#, "username"),
        (r#"{"username":"a@b.c","password":"x","flow":"MAGIC"}"#, "flow"),
        (r#"{"username":"a@b.c","password":"x","admin":true}"#, "admin"),
        (r#"{"username":"","password":"x","flow":"USER_PASSWORD_AUTH"}"#, "username"),
    ];
    for (body, field) in cases {
        let reply = t.send("POST", "/auth/sign-in", None, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {:?}", reply.body);
        assert_eq!(reply.error_code(), "BadRequest", "{body}");
        assert_eq!(reply.error_field(), *field, "{body}");
    }
    for body in ["", "not json", "[]", "{\"username\":"] {
        let reply = t.send("POST", "/auth/sign-in", None, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body:?}: {:?}", reply.body);
        assert_eq!(reply.error_code(), "BadRequest");
    }
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let t = TestStack::start().await;
    let body = json!({"username": "a".repeat(70 * 1024), "password": "x"}).to_string();
    let reply = t.send("POST", "/auth/sign-in", None, Some(&body)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "PayloadTooLarge");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_404_json() {
    let t = TestStack::start().await;
    for (method, path) in
        [("GET", "/nope"), ("GET", "/auth/sign-in"), ("DELETE", "/me"), ("GET", "//me"), ("GET", "/me/")]
    {
        let reply = t.send(method, path, None, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(reply.error_code(), "NotFound");
    }
}

#[tokio::test]
async fn preflight_succeeds_on_protected_routes_without_a_token() {
    let t = TestStack::start().await;
    let origin = [("origin", "http://localhost:5173".to_string())];
    let reply = t.send_with_headers("OPTIONS", "/me", &origin).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.headers["access-control-allow-origin"], "http://localhost:5173");
    assert!(reply.headers.contains_key("access-control-allow-headers"));
}

#[tokio::test]
async fn by_default_the_local_stack_answers_pages_of_this_machine_only() {
    // GIVEN the local stack with make dev's defaults
    let t = TestStack::start().await;
    // WHEN a page elsewhere asks, THEN the browser gets no CORS permission (preflight and call)
    let elsewhere = [("origin", "https://evil.example.com".to_string())];
    for method in ["OPTIONS", "POST"] {
        let reply = t.send_with_headers(method, "/auth/sign-in", &elsewhere).await;
        assert!(!reply.headers.contains_key("access-control-allow-origin"), "{method}: {:?}", reply.headers);
    }
    // and a page of this machine does
    let local = [("origin", "http://127.0.0.1:8080".to_string())];
    let reply = t.send_with_headers("POST", "/auth/sign-in", &local).await;
    assert_eq!(reply.headers["access-control-allow-origin"], "http://127.0.0.1:8080");
}

#[tokio::test]
async fn hostile_host_and_forwarding_headers_get_a_normal_answer() {
    // The client's Host and X-Forwarded-Proto never reach the handler: API Gateway sets its own.
    let t = TestStack::start().await;
    let token = t.id_token(t.user()).await;
    for (name, value) in [("host", "a b"), ("host", "x:99999"), ("x-forwarded-proto", "1"), ("x-forwarded-proto", "")] {
        let status = t.get_with_header("/me", &token, name, value).await;
        assert_eq!(status, StatusCode::OK, "{name}: {value:?}");
    }
}

#[tokio::test]
async fn srp_is_the_default_flow_and_signs_in_through_the_api() {
    // The round trip and the answer's shape; the local stack checks the proof as Cognito does
    // (a wrong password: strict_cognito::a_wrong_password_is_refused_in_every_flow_srp_included).
    let t = TestStack::start().await;
    let reply = t.post("/auth/sign-in", json!({"username": t.user().email, "password": t.user().password})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let id_token = reply.body["tokens"]["idToken"].as_str().unwrap();
    assert_eq!(reply.body["username"], claims(id_token)["cognito:username"]);
    let me = t.get("/me", Some(id_token)).await;
    assert_eq!(me.body["email"], json!(t.user().email));
}
