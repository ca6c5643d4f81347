//! Rotating refresh tokens through the API: each refresh answers the next refresh token, the one
//! sent keeps working for the grace period (two tabs, a retry), and stops after it.

use std::time::Duration;

use e2e::{TestStack, text};
use local_stack::StackOptions;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_old_refresh_token_stops_working_after_the_grace_period() {
    // GIVEN the stack's grace period (10 s, as deployed), the emulator's clock stopped, and a
    // signed-in user
    let options = StackOptions::for_tests();
    let grace = options.refresh_grace_period;
    let t = TestStack::start_with(options).await;
    t.stop_clock().await;
    let session = t.sign_in(t.user()).await;
    let old = text(&session, "/tokens/refreshToken").to_string();
    // WHEN they refresh
    let first = t.post("/auth/refresh", json!({"refreshToken": old})).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let new = text(&first.body, "/tokens/refreshToken").to_string();
    assert_ne!(new, old);
    // THEN the old token still refreshes within the grace period (a retry, another tab), to its
    // last instant ...
    let retry = t.post("/auth/refresh", json!({"refreshToken": old})).await;
    assert_eq!(retry.status, StatusCode::OK, "{:?}", retry.body);
    t.advance_clock(grace).await;
    let last = t.post("/auth/refresh", json!({"refreshToken": old})).await;
    assert_eq!(last.status, StatusCode::OK, "{:?}", last.body);
    // ... and not after it, while the new one does
    t.advance_clock(Duration::from_millis(1)).await;
    let late = t.post("/auth/refresh", json!({"refreshToken": old})).await;
    assert_eq!((late.status, late.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", late.body);
    let next = t.post("/auth/refresh", json!({"refreshToken": new})).await;
    assert_eq!(next.status, StatusCode::OK, "{:?}", next.body);
}

#[tokio::test]
async fn two_refreshes_at_once_both_succeed_and_each_answers_a_working_refresh_token() {
    // GIVEN a signed-in user with the stack's default grace period (10 s, as deployed)
    let t = TestStack::start().await;
    let session = t.sign_in(t.user()).await;
    let token = text(&session, "/tokens/refreshToken").to_string();
    // WHEN two tabs refresh with it at the same time
    let (a, b) = tokio::join!(
        t.post("/auth/refresh", json!({"refreshToken": token})),
        t.post("/auth/refresh", json!({"refreshToken": token})),
    );
    // THEN both succeed, each with a new refresh token that refreshes in turn
    for reply in [&a, &b] {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let next = text(&reply.body, "/tokens/refreshToken");
        assert_ne!(next, token);
        let again = t.post("/auth/refresh", json!({"refreshToken": next})).await;
        assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    }
}

#[tokio::test]
async fn the_admin_flows_refresh_token_rotates_like_any_other() {
    // GIVEN a sign-in through the admin flow (AdminInitiateAuth)
    let t = TestStack::start().await;
    let user = t.user().clone();
    let session = t.try_sign_in(&user.email, &user.password, Some("ADMIN_USER_PASSWORD_AUTH")).await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    // WHEN its refresh token is refreshed through the API, THEN it rotates too
    let token = text(&session.body, "/tokens/refreshToken");
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": token})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    assert_ne!(text(&refreshed.body, "/tokens/refreshToken"), token);
}
