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
    // GIVEN a signed-in user, with their access token as the bearer
    let t = TestStack::start().await;
    let access_token = t.access_token(t.user()).await;
    let body =
        |previous: &str| json!({"previousPassword": previous, "proposedPassword": "Changed-passw0rd"}).to_string();
    // WHEN they give a wrong current password THEN 401, and nothing changes
    let wrong = t.send("POST", "/password/change", Some(&access_token), Some(&body("Wrong-passw0rd"))).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", wrong.body);
    // WHEN they give the right one THEN the new password signs them in and the old one does not
    let changed = t.send("POST", "/password/change", Some(&access_token), Some(&body(&t.user().password))).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_eq!(password_sign_in(&t, &t.user().email, "Changed-passw0rd").await, StatusCode::OK);
    assert_eq!(password_sign_in(&t, &t.user().email, &t.user().password).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_takes_the_access_token_and_a_valid_new_password() {
    let t = TestStack::start().await;
    let user = t.sign_in(t.user()).await;
    let body =
        |proposed: &str| json!({"previousPassword": t.user().password, "proposedPassword": proposed}).to_string();
    // The ID token is the other kind: 403 from the authorizer's policy, and nothing changes.
    let id =
        t.send("POST", "/password/change", Some(text(&user, "/tokens/idToken")), Some(&body("New-passw0rd1"))).await;
    assert_eq!((id.status, id.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", id.body);
    let access_token = text(&user, "/tokens/accessToken");
    let weak = t.send("POST", "/password/change", Some(access_token), Some(&body("weak"))).await;
    assert_eq!((weak.status, weak.error_code()), (StatusCode::BAD_REQUEST, "InvalidPassword"), "{:?}", weak.body);
    assert_eq!(weak.error_field(), "proposedPassword", "a weak password names the field it came in");
    let anonymous = t.send("POST", "/password/change", None, Some(&body("New-passw0rd1"))).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(password_sign_in(&t, &t.user().email, &t.user().password).await, StatusCode::OK);
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
    let access_token = t.access_token(t.user()).await;
    for (path, token, body, field) in [
        ("/password/forgot", None, r#"{}"#, "username"),
        ("/password/reset", None, r#"{"username":"a@b.c","code":"1"}"#, "newPassword"),
        ("/password/reset", None, r#"{"username":"a@b.c","code":"1 2","newPassword":"x"}"#, "code"),
        ("/password/change", Some(access_token.as_str()), r#"{"previousPassword":"b"}"#, "proposedPassword"),
        (
            "/password/change",
            Some(access_token.as_str()),
            r#"{"previousPassword":"","proposedPassword":"c"}"#,
            "previousPassword",
        ),
        // The access token is the bearer now: in the body it is an unknown field.
        (
            "/password/change",
            Some(access_token.as_str()),
            r#"{"accessToken":"a","previousPassword":"b","proposedPassword":"c"}"#,
            "accessToken",
        ),
    ] {
        let reply = t.send("POST", path, token, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{path} {body}");
    }
}
