//! The signed-in person's second factors through the API: read them, turn email MFA on and make
//! it preferred, then sign in with the password and the 6-digit code read from the outbox.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn email_mfa_turned_on_through_the_api_asks_for_a_mailed_code_at_sign_in() {
    // GIVEN the demo user, signed in, with no second factor
    let t = TestStack::start().await;
    let user = t.user().clone();
    let access_token = t.access_token(&user).await;
    let set = |body: serde_json::Value| {
        let (t, access_token) = (&t, access_token.as_str());
        async move { t.send("PUT", "/mfa/preference", Some(access_token), Some(&body.to_string())).await }
    };
    let before = t.get("/mfa/preference", Some(&access_token)).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    assert_eq!(before.body, json!({"enabled": []}));
    // WHEN they turn email MFA on and prefer it
    let on = set(json!({"email": true, "preferred": "EMAIL_OTP"})).await;
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    assert_eq!(on.body, json!({"enabled": ["EMAIL_OTP"], "preferred": "EMAIL_OTP"}));
    // THEN the next sign-in asks for the code mailed to them, 6 digits, and it completes it
    let next = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&next.body, "/challenge/name"), "EMAIL_OTP", "{:?}", next.body);
    let code = t.sent_code(&user.email, "email-mfa");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let done = t.answer(&next, json!({"EMAIL_OTP_CODE": code})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["tokens"]["idToken"].is_string());
    // AND turning it off again signs in with the password alone
    let off = set(json!({"email": false})).await;
    assert_eq!(off.body, json!({"enabled": []}), "{:?}", off.body);
    let plain = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert!(plain.body["tokens"]["idToken"].is_string(), "{:?}", plain.body);
}

#[tokio::test]
async fn the_preference_takes_the_callers_access_token_as_the_bearer() {
    let t = TestStack::start().await;
    let user = t.sign_in(&t.user().clone()).await;
    let body = json!({"email": true}).to_string();
    // The ID token is the other kind: 403 from the authorizer's policy, on both methods
    let id_token = text(&user, "/tokens/idToken");
    let put = t.send("PUT", "/mfa/preference", Some(id_token), Some(&body)).await;
    assert_eq!((put.status, put.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", put.body);
    assert_eq!(t.get("/mfa/preference", Some(id_token)).await.status, StatusCode::FORBIDDEN);
    // Without a token: the authorizer's 401
    assert_eq!(t.get("/mfa/preference", None).await.status, StatusCode::UNAUTHORIZED);
    // Preferring a factor turned off in the same request: 400 naming the field
    let access_token = text(&user, "/tokens/accessToken");
    let both = json!({"email": false, "preferred": "EMAIL_OTP"}).to_string();
    let bad = t.send("PUT", "/mfa/preference", Some(access_token), Some(&both)).await;
    assert_eq!((bad.status, bad.error_field()), (StatusCode::BAD_REQUEST, "preferred"), "{:?}", bad.body);
    // AND nothing was turned on
    assert_eq!(t.get("/mfa/preference", Some(access_token)).await.body, json!({"enabled": []}));
}
