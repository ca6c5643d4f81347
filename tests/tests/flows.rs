//! The sign-in flows beyond the password: challenges, TOTP and registration, through the local
//! gateway as a frontend drives them.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

async fn sign_in(t: &TestStack, email: &str, password: &str) -> e2e::ApiResponse {
    t.try_sign_in(email, password, None).await
}

#[tokio::test]
async fn an_admin_created_user_sets_a_new_password_on_first_sign_in() {
    // GIVEN a user an admin created with a temporary password
    let t = TestStack::start().await;
    let email = "invited@example.com";
    t.invited_with_sdk(email, "Temp-passw0rd1").await;
    // WHEN they sign in, THEN Cognito asks for a new password
    let first = sign_in(&t, email, "Temp-passw0rd1").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(text(&first.body, "/challenge/name"), "NEW_PASSWORD_REQUIRED");
    let answer = |password: &str| {
        json!({
            "username": text(&first.body, "/username"),
            "name": "NEW_PASSWORD_REQUIRED",
            "session": text(&first.body, "/challenge/session"),
            "responses": {"NEW_PASSWORD": password},
        })
    };
    // A password the policy refuses is a 400 with the policy's message...
    let weak = t.post("/auth/challenge", answer("short")).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST, "{:?}", weak.body);
    assert_eq!((weak.error_code(), weak.error_field()), ("InvalidPassword", "responses.NEW_PASSWORD"));
    // ... a good one signs them in, and the new password works from then on.
    let done = t.post("/auth/challenge", answer("Chosen-passw0rd2")).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["tokens"]["idToken"].is_string());
    assert_eq!(sign_in(&t, email, "Chosen-passw0rd2").await.status, StatusCode::OK);
}

#[tokio::test]
async fn after_totp_enrolment_sign_in_asks_for_a_code() {
    // GIVEN the demo user, signed in
    let t = TestStack::start().await;
    let session = sign_in(&t, &t.user().email, &t.user().password).await.body;
    let access_token = text(&session, "/tokens/accessToken");
    // WHEN they enrol an authenticator app, with their access token as the bearer
    let setup = t.send("POST", "/mfa/totp/setup", Some(access_token), None).await;
    assert_eq!(setup.status, StatusCode::OK, "{:?}", setup.body);
    assert!(!text(&setup.body, "/secretCode").is_empty());
    assert!(text(&setup.body, "/otpauthUri").starts_with("otpauth://totp/"));
    let code = e2e::totp_now(text(&setup.body, "/secretCode"));
    let verify = json!({"code": code, "deviceName": "phone"}).to_string();
    let verified = t.send("POST", "/mfa/totp/verify", Some(access_token), Some(&verify)).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT, "{:?}", verified.body);
    // THEN the next sign-in stops at SOFTWARE_TOKEN_MFA, and the code completes it
    let next = sign_in(&t, &t.user().email, &t.user().password).await;
    assert_eq!(text(&next.body, "/challenge/name"), "SOFTWARE_TOKEN_MFA", "{:?}", next.body);
    let code = json!({
        "username": text(&next.body, "/username"),
        "name": "SOFTWARE_TOKEN_MFA",
        "session": text(&next.body, "/challenge/session"),
        "responses": {"SOFTWARE_TOKEN_MFA_CODE": e2e::totp_now(text(&setup.body, "/secretCode"))},
    });
    let done = t.post("/auth/challenge", code).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["tokens"]["idToken"].is_string());
}

#[tokio::test]
async fn a_wrong_code_when_enrolling_an_authenticator_is_a_400_and_enrols_nothing() {
    // GIVEN the demo user, signed in, with a new authenticator secret
    let t = TestStack::start().await;
    let session = sign_in(&t, &t.user().email, &t.user().password).await.body;
    let access_token = text(&session, "/tokens/accessToken");
    let setup = t.send("POST", "/mfa/totp/setup", Some(access_token), None).await;
    let secret = text(&setup.body, "/secretCode");
    // WHEN they type a code that is not the app's (Cognito: EnableSoftwareTokenMFAException)
    let wrong = json!({"code": e2e::totp_wrong(secret)}).to_string();
    let reply = t.send("POST", "/mfa/totp/verify", Some(access_token), Some(&wrong)).await;
    // THEN it is a 400 saying the code is wrong, and the next sign-in asks for no code
    assert_eq!((reply.status, reply.error_code()), (StatusCode::BAD_REQUEST, "InvalidCode"), "{:?}", reply.body);
    let next = sign_in(&t, &t.user().email, &t.user().password).await;
    assert!(next.body["tokens"]["idToken"].is_string(), "{:?}", next.body);
    // ... and the app's code still enrols it
    let right = json!({"code": e2e::totp_now(secret)}).to_string();
    let verified = t.send("POST", "/mfa/totp/verify", Some(access_token), Some(&right)).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT, "{:?}", verified.body);
}

#[tokio::test]
async fn a_new_user_signs_up_confirms_and_signs_in() {
    let t = TestStack::start().await;
    let body = json!({"username": "new@example.com", "password": "New-passw0rd1", "attributes": {"name": "New"}});
    let created = t.post("/auth/sign-up", body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["userConfirmed"], false);
    assert!(!text(&created.body, "/userSub").is_empty());
    // Not confirmed yet: sign-in says so (one of the outcomes that reveal an account).
    let early = sign_in(&t, "new@example.com", "New-passw0rd1").await;
    assert_eq!((early.status, early.error_code()), (StatusCode::FORBIDDEN, "UserNotConfirmed"));
    // The same username again is a conflict.
    let again = t.post("/auth/sign-up", body).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::CONFLICT, "UsernameExists"));
    // The code can be sent again; for an unknown account the answer is the same.
    for username in ["new@example.com", "nobody@example.com"] {
        let resent = t.post("/auth/resend-code", json!({ "username": username })).await;
        assert_eq!(resent.status, StatusCode::ACCEPTED, "{username}: {:?}", resent.body);
    }
    // Confirm, then sign in.
    let code = t.sent_code("new@example.com", "sign-up");
    let confirmed = t.post("/auth/confirm-sign-up", json!({"username": "new@example.com", "code": code})).await;
    assert_eq!(confirmed.status, StatusCode::NO_CONTENT, "{:?}", confirmed.body);
    let session = sign_in(&t, "new@example.com", "New-passw0rd1").await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    let me = t.get("/me", Some(text(&session.body, "/tokens/idToken"))).await;
    assert_eq!(me.body["email"], "new@example.com");
}

#[tokio::test]
async fn sign_up_refuses_weak_passwords_and_self_verified_attributes() {
    let t = TestStack::start().await;
    let weak = t.post("/auth/sign-up", json!({"username": "w@example.com", "password": "weak"})).await;
    assert_eq!(
        (weak.status, weak.error_code(), weak.error_field()),
        (StatusCode::BAD_REQUEST, "InvalidPassword", "password")
    );
    let sneaky = t
        .post(
            "/auth/sign-up",
            json!({"username": "s@example.com", "password": "New-passw0rd1", "attributes": {"email_verified": "true"}}),
        )
        .await;
    assert_eq!((sneaky.status, sneaky.error_field()), (StatusCode::BAD_REQUEST, "attributes.email_verified"));
}

#[tokio::test]
async fn bad_input_on_every_auth_route_gets_400_naming_the_field() {
    let t = TestStack::start().await;
    let access_token = t.access_token(t.user()).await;
    let cases: &[(&str, bool, &str, &str)] = &[
        ("/auth/challenge", false, r#"{"name":"NEW_PASSWORD_REQUIRED","session":"s","responses":{}}"#, "username"),
        (
            "/auth/challenge",
            false,
            r#"{"username":"u","name":"NEW_PASSWORD_REQUIRED","session":"s","responses":{}}"#,
            "responses.NEW_PASSWORD",
        ),
        ("/auth/challenge", false, r#"{"username":"u","name":"BOGUS","session":"s"}"#, "name"),
        (
            "/auth/challenge",
            false,
            r#"{"username":"u","name":"SMS_MFA","session":"s","responses":{"SMS_MFA_CODE":1}}"#,
            "responses.SMS_MFA_CODE",
        ),
        ("/auth/sign-up", false, r#"{"username":"a@b.c","password":" "}"#, "password"),
        ("/auth/sign-up", false, r#"{"username":"a@b.c","password":"x","attributes":["name"]}"#, "attributes"),
        ("/auth/confirm-sign-up", false, r#"{"username":"a@b.c"}"#, "code"),
        ("/auth/confirm-sign-up", false, r#"{"username":"a@b.c","code":""}"#, "code"),
        ("/auth/resend-code", false, r#"{}"#, "username"),
        ("/auth/resend-code", false, r#"{"username":""}"#, "username"),
        ("/mfa/totp/verify", true, r#"{}"#, "code"),
        ("/mfa/totp/verify", true, r#"{"code":"12"}"#, "code"),
        // The access token is the bearer now: in the body it is an unknown field.
        ("/mfa/totp/verify", true, r#"{"accessToken":"a","code":"123456"}"#, "accessToken"),
    ];
    for (path, protected, body, field) in cases {
        let token = protected.then_some(access_token.as_str());
        let reply = t.send("POST", path, token, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", reply.body);
        assert_eq!(reply.error_field(), *field, "{path} {body}: {:?}", reply.body);
    }
}

#[tokio::test]
async fn usernames_outside_latin_1_are_answered_like_any_other() {
    let t = TestStack::start().await;
    for flow in ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"] {
        let reply = t
            .post("/auth/sign-in", json!({"username": "名前@example.com", "password": "Some-passw0rd", "flow": flow}))
            .await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{flow}");
    }
}

#[tokio::test]
async fn a_made_up_challenge_session_is_a_401_not_a_5xx() {
    let t = TestStack::start().await;
    let answer = |session: &str| {
        let responses = json!({"SOFTWARE_TOKEN_MFA_CODE": "123456"});
        json!({"username": "u", "name": "SOFTWARE_TOKEN_MFA", "session": session, "responses": responses})
    };
    // A session of the length Cognito's have (20 to 4096), that no sign-in opened: sign in again.
    let reply = t.post("/auth/challenge", answer("a-made-up-session-no-sign-in-opened")).await;
    assert_eq!((reply.status, reply.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", reply.body);
    // One shorter than any Cognito issues fails Cognito's own validation: still a client error.
    let reply = t.post("/auth/challenge", answer("made-up")).await;
    assert_eq!((reply.status, reply.error_code()), (StatusCode::BAD_REQUEST, "InvalidParameter"), "{:?}", reply.body);
}

#[tokio::test]
async fn with_mfa_required_the_first_sign_in_enrols_an_authenticator() {
    // GIVEN a pool that requires MFA, and a user without it
    let t = TestStack::start().await;
    t.cognito()
        .await
        .set_user_pool_mfa_config()
        .user_pool_id(&t.stack.pool.pool_id)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::On)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    // WHEN they sign in, THEN Cognito asks to set MFA up
    let first = sign_in(&t, &t.user().email, &t.user().password).await;
    assert_eq!(text(&first.body, "/challenge/name"), "MFA_SETUP", "{:?}", first.body);
    let username = text(&first.body, "/username");
    // Step 1: no answer yet -> the secret to put in the authenticator app
    let secret = t
        .post(
            "/auth/challenge",
            json!({"username": username, "name": "MFA_SETUP", "session": text(&first.body, "/challenge/session")}),
        )
        .await;
    assert_eq!(secret.status, StatusCode::OK, "{:?}", secret.body);
    assert!(!text(&secret.body, "/challenge/parameters/secretCode").is_empty());
    assert!(text(&secret.body, "/challenge/parameters/otpauthUri").starts_with("otpauth://totp/"));
    let secret_code = text(&secret.body, "/challenge/parameters/secretCode");
    let answer = |code: String| {
        json!({
            "username": username, "name": "MFA_SETUP", "session": text(&secret.body, "/challenge/session"),
            "responses": {"SOFTWARE_TOKEN_MFA_CODE": code, "DEVICE_NAME": "phone"},
        })
    };
    // Step 2 mistyped: a code that is not the app's is a 400, and the sign-in can go on
    let wrong = t.post("/auth/challenge", answer(e2e::totp_wrong(secret_code))).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::BAD_REQUEST, "InvalidCode"), "{:?}", wrong.body);
    // Step 2: its first code -> signed in
    let done = t.post("/auth/challenge", answer(e2e::totp_now(secret_code))).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["tokens"]["idToken"].is_string());
}
