//! Refresh and sign-out through the local gateway, as a frontend does them, and the tokens
//! they carry, however large.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Signs in with the default flow (SRP) and the email address; returns the response body.
async fn sign_in(t: &TestStack, admin: bool) -> Value {
    let user = if admin { t.admin() } else { t.user() };
    let reply = t.post("/auth/sign-in", json!({"username": user.email, "password": user.password})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_refresh_returns_working_tokens_and_the_next_refresh_token() {
    // GIVEN a user signed in with their email, through a client with a secret that rotates
    // refresh tokens
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    // WHEN they refresh with the username the sign-in returned
    let refreshed = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": text(&session, "/username")}),
        )
        .await;
    // THEN new tokens come back with a new refresh token, and the new ID token works
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    assert_ne!(text(&refreshed.body, "/tokens/refreshToken"), text(&session, "/tokens/refreshToken"));
    let me = t.get("/me", Some(text(&refreshed.body, "/tokens/idToken"))).await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_needs_no_username_and_ignores_an_alias() {
    // GetTokensFromRefreshToken takes the client secret itself: the old alias mistake (a
    // SECRET_HASH over the typed email) cannot happen, and old clients sending a username work.
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let first = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": t.user().email}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let second = t.post("/auth/refresh", json!({"refreshToken": text(&first.body, "/tokens/refreshToken")})).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
}

#[tokio::test]
async fn a_disabled_users_refresh_gets_the_sign_in_error() {
    // GIVEN a signed-in user whom an admin then disables
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let admin = sign_in(&t, true).await;
    let disabled = t
        .send(
            "POST",
            &format!("/users/{}/disable", text(&session, "/username")),
            Some(text(&admin, "/tokens/accessToken")),
            None,
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
    // WHEN they refresh
    let reply = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": text(&session, "/username")}),
        )
        .await;
    // THEN Cognito's "User is disabled." is the same 401 as a wrong password
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "NotAuthorized");
    assert_eq!(reply.body["error"]["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn an_unknown_refresh_token_gets_the_sign_in_error() {
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let reply =
        t.post("/auth/refresh", json!({"refreshToken": "not-a-token", "username": text(&session, "/username")})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "NotAuthorized");
}

#[tokio::test]
async fn sign_out_makes_the_refresh_token_useless() {
    // GIVEN a signed-in user
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let (access_token, refresh_token) = (text(&session, "/tokens/accessToken"), text(&session, "/tokens/refreshToken"));
    // WHEN they sign out with their access token, revoking their refresh token
    let body = json!({"refreshToken": refresh_token}).to_string();
    let out = t.send("POST", "/auth/sign-out", Some(access_token), Some(&body)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the refresh token no longer refreshes
    let refreshed =
        t.post("/auth/refresh", json!({"refreshToken": refresh_token, "username": text(&session, "/username")})).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{:?}", refreshed.body);
    // AND signing out again with the dead access token is Cognito's refusal, though the
    // authorizer still takes the token (signed, unexpired)
    let again = t.send("POST", "/auth/sign-out", Some(access_token), Some(&body)).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", again.body);
}

#[tokio::test]
async fn sign_out_without_a_body_ends_every_session_of_the_person() {
    // GIVEN a user signed in twice (two devices)
    let t = TestStack::start().await;
    let phone = sign_in(&t, false).await;
    let laptop = sign_in(&t, false).await;
    // WHEN they sign out on the phone, sending no body
    let out = t.send("POST", "/auth/sign-out", Some(text(&phone, "/tokens/accessToken")), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the laptop's refresh token is refused too (GlobalSignOut), and its access token
    for session in [&phone, &laptop] {
        let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(session, "/tokens/refreshToken")})).await;
        assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{:?}", refreshed.body);
    }
    let read = t.get("/mfa/preference", Some(text(&laptop, "/tokens/accessToken"))).await;
    assert_eq!((read.status, read.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", read.body);
    // AND an ID token, which nothing asks Cognito about, still answers /me until it expires
    // (the identity pool refuses it: credentials.rs)
    assert_eq!(t.get("/me", Some(text(&laptop, "/tokens/idToken"))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_takes_the_access_token_and_ends_only_its_holders_sessions() {
    let t = TestStack::start().await;
    let user = sign_in(&t, false).await;
    let admin = sign_in(&t, true).await;
    // Without a token: the authorizer answers 401.
    assert_eq!(t.send("POST", "/auth/sign-out", None, None).await.status, StatusCode::UNAUTHORIZED);
    // With the user's ID token: 403 (the route takes the access token), and nothing is signed out.
    let reply = t.send("POST", "/auth/sign-out", Some(text(&user, "/tokens/idToken")), None).await;
    assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", reply.body);
    // With the admin's access token: the admin is signed out everywhere, and the user is not.
    let out = t.send("POST", "/auth/sign-out", Some(text(&admin, "/tokens/accessToken")), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&user, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    let admins = t.post("/auth/refresh", json!({"refreshToken": text(&admin, "/tokens/refreshToken")})).await;
    assert_eq!(admins.status, StatusCode::UNAUTHORIZED, "{:?}", admins.body);
}

#[tokio::test]
async fn bad_refresh_and_sign_out_bodies_get_400_naming_the_field() {
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let access_token = text(&session, "/tokens/accessToken");
    for (path, token, body, field) in [
        ("/auth/refresh", None, r#"{"username":"u"}"#, "refreshToken"),
        ("/auth/refresh", None, r#"{"refreshToken":"","username":"u"}"#, "refreshToken"),
        ("/auth/refresh", None, r#"{"refreshToken":"r","username":"u","extra":1}"#, "extra"),
        // The access token is the bearer now: in the body it is an unknown field.
        ("/auth/sign-out", Some(access_token), r#"{"accessToken":"a"}"#, "accessToken"),
        ("/auth/sign-out", Some(access_token), r#"{"refreshToken":5}"#, "refreshToken"),
        ("/auth/sign-out", Some(access_token), r#"{"refreshToken":[]}"#, "refreshToken"),
    ] {
        let reply = t.send("POST", path, token, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{path} {body}");
    }
    // AND none of them signed the person out
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&session, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
}

#[tokio::test]
async fn an_id_token_over_8_kib_of_a_person_in_many_groups_is_verified_and_served() {
    // GIVEN the demo user in 50 groups with long names (Cognito allows 128 characters)
    let t = TestStack::start().await;
    let cognito = t.cognito().await;
    let pool = &t.stack.pool.pool_id;
    let groups: Vec<String> = (0..50).map(|i| format!("group-{i:02}-{}", "x".repeat(100))).collect();
    for group in &groups {
        cognito.create_group().user_pool_id(pool).group_name(group).send().await.expect("group");
        cognito
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .username(&t.user().email)
            .group_name(group)
            .send()
            .await
            .expect("member");
    }
    // WHEN they sign in: their ID token is over 8 KiB, within what API Gateway lets a request
    // carry in its headers (10,240 bytes with the request line)
    let session = sign_in(&t, false).await;
    let id_token = text(&session, "/tokens/idToken");
    assert!((8 * 1024..10 * 1024 - 200).contains(&id_token.len()), "{} bytes", id_token.len());
    // THEN the authorizer verifies it and the API answers with every group
    let me = t.get("/me", Some(id_token)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["groups"].as_array().map(Vec::len), Some(50), "{:?}", me.body);
}
