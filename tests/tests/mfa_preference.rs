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
    let session = t.sign_in(&user).await;
    let (id_token, access_token) = (text(&session, "/tokens/idToken"), text(&session, "/tokens/accessToken"));
    let t = &t;
    let call = |method: &'static str, body: serde_json::Value| async move {
        t.send(method, "/mfa/preference", Some(id_token), Some(&body.to_string())).await
    };
    let before = call("POST", json!({"accessToken": access_token})).await;
    assert_eq!(before.status, StatusCode::OK, "{:?}", before.body);
    assert_eq!(before.body, json!({"enabled": []}));
    // WHEN they turn email MFA on and prefer it
    let set = call("PUT", json!({"accessToken": access_token, "email": true, "preferred": "EMAIL_OTP"})).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(set.body, json!({"enabled": ["EMAIL_OTP"], "preferred": "EMAIL_OTP"}));
    // THEN the next sign-in asks for the code mailed to them, 6 digits, and it completes it
    let next = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&next.body, "/challenge/name"), "EMAIL_OTP", "{:?}", next.body);
    let code = t.sent_code(&user.email, "email-mfa");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let done = t.answer(&next, json!({"EMAIL_OTP_CODE": code})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["tokens"]["idToken"].is_string());
    // AND turning it off again signs in with the password alone
    let off = call("PUT", json!({"accessToken": access_token, "email": false})).await;
    assert_eq!(off.body, json!({"enabled": []}), "{:?}", off.body);
    let plain = t.try_sign_in(&user.email, &user.password, Some("USER_PASSWORD_AUTH")).await;
    assert!(plain.body["tokens"]["idToken"].is_string(), "{:?}", plain.body);
}

#[tokio::test]
async fn the_preference_needs_the_callers_own_access_token() {
    let t = TestStack::start().await;
    let (user, admin) = (t.sign_in(&t.user().clone()).await, t.sign_in(&t.admin().clone()).await);
    // The admin's ID token with the user's access token: 403, as for /mfa/totp/*
    let body = json!({"accessToken": text(&user, "/tokens/accessToken"), "email": true}).to_string();
    let reply = t.send("PUT", "/mfa/preference", Some(text(&admin, "/tokens/idToken")), Some(&body)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    // Without an ID token: the authorizer's 401
    assert_eq!(t.send("POST", "/mfa/preference", None, Some(&body)).await.status, StatusCode::UNAUTHORIZED);
    // Preferring a factor turned off in the same request: 400 naming the field
    let both = json!({"accessToken": text(&user, "/tokens/accessToken"), "email": false, "preferred": "EMAIL_OTP"});
    let bad = t.send("PUT", "/mfa/preference", Some(text(&user, "/tokens/idToken")), Some(&both.to_string())).await;
    assert_eq!((bad.status, bad.error_field()), (StatusCode::BAD_REQUEST, "preferred"), "{:?}", bad.body);
}
