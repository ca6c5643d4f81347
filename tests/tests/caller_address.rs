//! Cognito sees the person, not the function: every public call and every admin-flow call tells
//! Cognito the address API Gateway saw (`requestContext.identity.sourceIp`), never what
//! `X-Forwarded-For` claims. Shown through the local stack: its pool runs threat protection in
//! audit mode, so Cognito's own auth-event log (`AdminListUserAuthEvents`) says which address
//! each sign-in, sign-up and code request was attributed to. The browser calls from 127.0.0.2;
//! the functions reach Cognito from 127.0.0.1 (Linux answers on all of 127.0.0.0/8; macOS needs
//! `sudo ifconfig lo0 alias 127.0.0.2` first).

use aws_sdk_cognitoidentityprovider::types::{AdvancedSecurityModeType, AuthEventType};
use e2e::TestStack;
use local_stack::StackOptions;
use reqwest::StatusCode;
use serde_json::json;

const BROWSER: &str = "127.0.0.2";

async fn browser_stack() -> TestStack {
    let options = StackOptions { threat_protection: AdvancedSecurityModeType::Audit, ..StackOptions::for_tests() };
    TestStack::start_with(options).await.calling_from(
        BROWSER.parse().expect("an address"),
        &[("x-forwarded-for", "198.51.100.1"), ("x-cognito-encoded-data", "fingerprint-1")],
    )
}

/// Cognito's auth events for `username`, oldest first, as (type, response, address).
async fn auth_events(t: &TestStack, username: &str) -> Vec<(String, String, String)> {
    let out = t
        .cognito()
        .await
        .admin_list_user_auth_events()
        .user_pool_id(&t.stack.pool.pool_id)
        .username(username)
        .send()
        .await
        .expect("AdminListUserAuthEvents");
    let describe = |e: &AuthEventType| {
        (
            e.event_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
            e.event_response().map(|r| r.as_str().to_string()).unwrap_or_default(),
            e.event_context_data().and_then(|c| c.ip_address()).unwrap_or_default().to_string(),
        )
    };
    out.auth_events().iter().rev().map(describe).collect()
}

#[tokio::test]
async fn every_sign_in_flow_is_attributed_to_the_caller_never_to_x_forwarded_for() {
    // GIVEN a browser at 127.0.0.2 whose requests claim X-Forwarded-For: 198.51.100.1
    let t = browser_stack().await;
    let user = t.user().clone();
    // WHEN it signs in with SRP (the default), the password flow and the admin flow
    for flow in [None, Some("USER_PASSWORD_AUTH"), Some("ADMIN_USER_PASSWORD_AUTH")] {
        let reply = t.try_sign_in(&user.email, &user.password, flow).await;
        assert_eq!(reply.status, StatusCode::OK, "{flow:?}: {}", reply.body);
    }
    // AND once with a wrong password
    let wrong = t.try_sign_in(&user.email, "Wrong-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    // THEN Cognito logged four sign-ins, each from the browser's address
    let pass = |flow_count: usize| vec![("SignIn".to_string(), "Pass".to_string(), BROWSER.to_string()); flow_count];
    let mut expected = pass(3);
    expected.push(("SignIn".into(), "Fail".into(), BROWSER.into()));
    assert_eq!(auth_events(&t, &user.email).await, expected);
}

#[tokio::test]
async fn sign_up_new_codes_and_reset_codes_are_attributed_to_the_caller() {
    let t = browser_stack().await;
    // WHEN the browser signs someone up, asks for a new confirmation code, and a reset code for the demo user
    let new = "new.user@example.com";
    let signed_up = t.post("/auth/sign-up", json!({"username": new, "password": "Fresh-passw0rd1"})).await;
    assert_eq!(signed_up.status, StatusCode::CREATED, "{}", signed_up.body);
    assert_eq!(t.post("/auth/resend-code", json!({"username": new})).await.status, StatusCode::ACCEPTED);
    let user = t.user().email.clone();
    assert_eq!(t.post("/password/forgot", json!({"username": user})).await.status, StatusCode::ACCEPTED);
    // THEN each is logged from the browser's address
    let from_browser = |kind: &str| (kind.to_string(), "Pass".to_string(), BROWSER.to_string());
    assert_eq!(auth_events(&t, new).await, [from_browser("SignUp"), from_browser("ResendCode")]);
    assert_eq!(auth_events(&t, &user).await, [from_browser("ForgotPassword")]);
}
