//! Changing, forgetting and resetting passwords through the local gateway.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

/// A sign-in with the default flow (SRP; the local stack checks the proof as Cognito does).
async fn password_sign_in(t: &TestStack, email: &str, password: &str) -> StatusCode {
    t.try_sign_in(email, password, None).await.status
}

#[tokio::test]
async fn a_signed_in_user_changes_their_password() {
    let t = TestStack::start().await;
    let session = t.sign_in(t.user()).await;
    let id_token = text(&session, "/tokens/idToken");
    let body = |previous: &str| {
        json!({"accessToken": text(&session, "/tokens/accessToken"), "previousPassword": previous, "proposedPassword": "Changed-passw0rd"})
            .to_string()
    };
    let wrong = t.send("POST", "/password/change", Some(id_token), Some(&body("Wrong-passw0rd"))).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", wrong.body);
    let changed = t.send("POST", "/password/change", Some(id_token), Some(&body(&t.user().password))).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_eq!(password_sign_in(&t, &t.user().email, "Changed-passw0rd").await, StatusCode::OK);
    assert_eq!(password_sign_in(&t, &t.user().email, &t.user().password).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_needs_the_callers_own_token_and_a_valid_new_password() {
    let t = TestStack::start().await;
    let user = t.sign_in(t.user()).await;
    let admin = t.sign_in(t.admin()).await;
    let body = |token: &str, proposed: &str| {
        json!({"accessToken": token, "previousPassword": t.user().password, "proposedPassword": proposed}).to_string()
    };
    let theirs = t
        .send(
            "POST",
            "/password/change",
            Some(text(&admin, "/tokens/idToken")),
            Some(&body(text(&user, "/tokens/accessToken"), "New-passw0rd1")),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{:?}", theirs.body);
    let weak = t
        .send(
            "POST",
            "/password/change",
            Some(text(&user, "/tokens/idToken")),
            Some(&body(text(&user, "/tokens/accessToken"), "weak")),
        )
        .await;
    assert_eq!((weak.status, weak.error_code()), (StatusCode::BAD_REQUEST, "InvalidPassword"), "{:?}", weak.body);
    assert_eq!(weak.error_field(), "proposedPassword", "a weak password names the field it came in");
    let anonymous = t.send("POST", "/password/change", None, Some(&body("a", "b"))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forgot_answers_the_same_for_known_and_unknown_accounts() {
    let t = TestStack::start().await;
    let known = t.post("/password/forgot", json!({"username": t.user().email})).await;
    let unknown = t.post("/password/forgot", json!({"username": "nobody@example.com"})).await;
    assert_eq!(known.status, StatusCode::ACCEPTED, "{:?}", known.body);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
}

#[tokio::test]
async fn forgot_then_reset_with_the_code_from_the_outbox() {
    // GIVEN a user who forgot their password, and the code the emulator sent them
    let t = TestStack::start().await;
    assert_eq!(t.post("/password/forgot", json!({"username": t.user().email})).await.status, StatusCode::ACCEPTED);
    let code = t.sent_code(&t.user().email, "reset-password");
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let reset =
        |code: &str, username: &str| json!({"username": username, "code": code, "newPassword": "Reset-passw0rd1"});
    // A wrong code, and an unknown account, fail alike
    let wrong = t.post("/password/reset", reset(wrong_code, &t.user().email)).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::BAD_REQUEST, "InvalidCode"), "{:?}", wrong.body);
    let nobody = t.post("/password/reset", reset(&code, "nobody@example.com")).await;
    assert_eq!((nobody.status, &nobody.body), (wrong.status, &wrong.body));
    // WHEN they reset with the right code, THEN the new password signs them in
    let done = t.post("/password/reset", reset(&code, &t.user().email)).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert_eq!(password_sign_in(&t, &t.user().email, "Reset-passw0rd1").await, StatusCode::OK);
}

#[tokio::test]
async fn bad_password_bodies_get_400_naming_the_field() {
    let t = TestStack::start().await;
    let id_token = t.id_token(t.user()).await;
    for (path, token, body, field) in [
        ("/password/forgot", None, r#"{}"#, "username"),
        ("/password/reset", None, r#"{"username":"a@b.c","code":"1"}"#, "newPassword"),
        ("/password/reset", None, r#"{"username":"a@b.c","code":"1 2","newPassword":"x"}"#, "code"),
        (
            "/password/change",
            Some(id_token.as_str()),
            r#"{"accessToken":"a","previousPassword":"b"}"#,
            "proposedPassword",
        ),
        (
            "/password/change",
            Some(id_token.as_str()),
            r#"{"accessToken":"a","previousPassword":"","proposedPassword":"c"}"#,
            "previousPassword",
        ),
    ] {
        let reply = t.send("POST", path, token, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{path} {body}");
    }
}
