//! Step-up (RFC 9470) through the local gateway: how strongly and how recently an admin signed in
//! decides what they may do. The routes' requirements are the template's defaults (administration
//! at level 3, its changes within 15 minutes of the sign-in); the emulator issues `acr` and `amr`
//! by Cognito's level table and steps up through `USER_AUTH`.

use std::time::Duration;

use auth_domain::step_up::SignInRequirements;
use e2e::{ApiResponse, TestStack, text};
use local_stack::{StackOptions, moto::AcrClaims};
use reqwest::StatusCode;
use serde_json::{Value, json};

const LEVEL_4_OR_3: &str = "urn:cognito:loa:4 urn:cognito:loa:3";

/// A stack with the template's default requirements, administration's level included.
async fn strict_stack(acr_claims: AcrClaims) -> TestStack {
    TestStack::start_with(StackOptions {
        sign_in_requirements: SignInRequirements::default(),
        acr_claims,
        ..StackOptions::for_tests()
    })
    .await
}

/// The admin's tokens of a password sign-in (level 1), TOTP not yet asked for.
async fn password_sign_in(t: &TestStack) -> Value {
    t.sign_in(&t.admin().clone()).await
}

/// Enrols an authenticator app for the holder of `access_token`; its secret.
async fn enrol_totp(t: &TestStack, access_token: &str) -> String {
    let setup = t.send("POST", "/mfa/totp/setup", Some(access_token), None).await;
    assert_eq!(setup.status, StatusCode::OK, "{:?}", setup.body);
    let secret = text(&setup.body, "/secretCode").to_string();
    let verify = json!({"code": e2e::totp_now(&secret)}).to_string();
    let verified = t.send("POST", "/mfa/totp/verify", Some(access_token), Some(&verify)).await;
    assert_eq!(verified.status, StatusCode::NO_CONTENT, "{:?}", verified.body);
    secret
}

/// The admin signs in with a password and the app's code `steps` 30-second steps from now (level
/// 4); the tokens.
async fn password_and_totp(t: &TestStack, secret: &str, steps: i64) -> Value {
    let admin = t.admin().clone();
    let first = t.try_sign_in(&admin.email, &admin.password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&first.body, "/challenge/name"), "SOFTWARE_TOKEN_MFA", "{:?}", first.body);
    let done = t.answer(&first, json!({"SOFTWARE_TOKEN_MFA_CODE": e2e::totp_at(secret, steps)})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    done.body
}

/// Asserts RFC 9470's challenge with `acr_values` and, when given, `max_age`, and the body naming
/// the same.
fn assert_step_up_challenge(reply: &ApiResponse, acr_values: &str, max_age: Option<u32>) {
    assert_eq!(
        (reply.status, reply.error_code()),
        (StatusCode::UNAUTHORIZED, "InsufficientUserAuthentication"),
        "{:?}",
        reply.body
    );
    let challenge = reply.headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(challenge.starts_with("Bearer error=\"insufficient_user_authentication\""), "{challenge}");
    assert!(challenge.contains(&format!("acr_values=\"{acr_values}\"")), "{challenge}");
    assert_eq!(reply.body["error"]["acrValues"], acr_values);
    match max_age {
        Some(max_age) => {
            assert!(challenge.ends_with(&format!("max_age=\"{max_age}\"")), "{challenge}");
            assert_eq!(reply.body["error"]["maxAge"], max_age);
        }
        None => assert!(!challenge.contains("max_age"), "{challenge}"),
    }
}

#[tokio::test]
async fn an_admin_signed_in_by_emailed_code_or_password_alone_is_refused_steps_up_with_totp_and_is_served() {
    // GIVEN the admin, no second factor yet, and the template's requirements
    let t = strict_stack(AcrClaims::Issued).await;
    t.stop_clock().await;
    let admin = t.admin().clone();
    // WHEN they sign in with one emailed code (level 2)
    let started = t
        .post("/auth/sign-in", json!({"username": admin.email, "flow": "USER_AUTH", "preferredChallenge": "EMAIL_OTP"}))
        .await;
    assert_eq!(text(&started.body, "/challenge/name"), "EMAIL_OTP", "{:?}", started.body);
    let by_code = t.answer(&started, json!({"EMAIL_OTP_CODE": t.sent_code(&admin.email, "email-otp")})).await;
    assert_eq!(by_code.status, StatusCode::OK, "{:?}", by_code.body);
    // THEN /users refuses them with the challenge naming the levels that would do
    let refused = t.get("/users", Some(text(&by_code.body, "/tokens/accessToken"))).await;
    assert_step_up_challenge(&refused, LEVEL_4_OR_3, None);
    // AND /me, which asks nothing, still serves them
    assert_eq!(t.get("/me", Some(text(&by_code.body, "/tokens/idToken"))).await.status, StatusCode::OK);

    // WHEN they sign in with a password alone (level 1): refused the same; they enrol TOTP
    let by_password = password_sign_in(&t).await;
    let access_token = text(&by_password, "/tokens/accessToken").to_string();
    assert_step_up_challenge(&t.get("/users", Some(&access_token)).await, LEVEL_4_OR_3, None);
    let secret = enrol_totp(&t, &access_token).await;
    // AND step up from that token with the challenge's acr_values: only the app's code is asked
    t.advance_clock(Duration::from_secs(30)).await;
    let acr_values = refused.body["error"]["acrValues"].as_str().unwrap_or_default().to_string();
    let step_up = t
        .post(
            "/auth/sign-in",
            json!({"username": admin.email, "flow": "USER_AUTH", "accessToken": access_token, "acrValues": acr_values}),
        )
        .await;
    assert_eq!(text(&step_up.body, "/challenge/name"), "SOFTWARE_TOKEN_MFA", "{:?}", step_up.body);
    let stepped_up = t.answer(&step_up, json!({"SOFTWARE_TOKEN_MFA_CODE": e2e::totp_at(&secret, 1)})).await;
    assert_eq!(stepped_up.status, StatusCode::OK, "{:?}", stepped_up.body);
    // THEN the new tokens are served: reading, and a change
    let access_token = text(&stepped_up.body, "/tokens/accessToken").to_string();
    let listed = t.get("/users", Some(&access_token)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let user = t.user().email.clone();
    let disabled = t.send("POST", &format!("/users/{user}/disable"), Some(&access_token), None).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
    // AND a step-up from a token already at the level is Cognito's refusal, a 400, never a 5xx
    let again = t
        .post(
            "/auth/sign-in",
            json!({"username": admin.email, "flow": "USER_AUTH", "accessToken": access_token, "acrValues": acr_values}),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{:?}", again.body);
}

#[tokio::test]
async fn an_admin_sign_in_older_than_the_window_is_refused_a_change_even_refreshed_and_a_fresh_one_is_served() {
    // GIVEN the admin, signed in with a password and TOTP (level 4), on a stopped clock
    let t = strict_stack(AcrClaims::Issued).await;
    t.stop_clock().await;
    let by_password = password_sign_in(&t).await;
    let secret = enrol_totp(&t, text(&by_password, "/tokens/accessToken")).await;
    t.advance_clock(Duration::from_secs(30)).await;
    let signed_in = password_and_totp(&t, &secret, 1).await;
    // WHEN 16 minutes pass (the emulator's clock) and they refresh a minute ago, as it were
    t.advance_clock(Duration::from_secs(16 * 60)).await;
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&signed_in, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    let access_token = text(&refreshed.body, "/tokens/accessToken").to_string();
    // THEN a change is refused with the challenge asking for a sign-in within 15 minutes: the
    // refresh kept auth_time
    let user = t.user().email.clone();
    let disable = format!("/users/{user}/disable");
    let refused = t.send("POST", &disable, Some(&access_token), None).await;
    assert_step_up_challenge(&refused, LEVEL_4_OR_3, Some(900));
    // AND reading, which asks for the level only, is served
    assert_eq!(t.get("/users", Some(&access_token)).await.status, StatusCode::OK);
    // AND after a fresh sign-in the change is made
    let fresh = password_and_totp(&t, &secret, 1 + 32).await;
    let disabled = t.send("POST", &disable, Some(text(&fresh, "/tokens/accessToken")), None).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
}

#[tokio::test]
async fn where_the_claims_have_not_rolled_out_routes_without_a_requirement_work_and_the_admin_routes_ask_to_step_up() {
    // GIVEN a pool whose tokens carry no acr yet, and the admin signed in with a password and TOTP
    let t = strict_stack(AcrClaims::NotRolledOut).await;
    t.stop_clock().await;
    let by_password = password_sign_in(&t).await;
    let secret = enrol_totp(&t, text(&by_password, "/tokens/accessToken")).await;
    t.advance_clock(Duration::from_secs(30)).await;
    let signed_in = password_and_totp(&t, &secret, 1).await;
    // THEN the routes that ask nothing serve them
    assert_eq!(t.get("/me", Some(text(&signed_in, "/tokens/idToken"))).await.status, StatusCode::OK);
    let account = t.get("/account", Some(text(&signed_in, "/tokens/accessToken"))).await;
    assert_eq!(account.status, StatusCode::OK, "{:?}", account.body);
    // AND the admin routes fail closed, with the challenge a client can act on
    let refused = t.get("/users", Some(text(&signed_in, "/tokens/accessToken"))).await;
    assert_step_up_challenge(&refused, LEVEL_4_OR_3, None);
}

#[tokio::test]
async fn deleting_the_account_after_refreshing_an_old_sign_in_is_refused_and_a_fresh_sign_in_deletes_it() {
    // GIVEN the demo user, signed in, on a stopped clock; six minutes pass and they refresh
    let t = TestStack::start().await;
    t.stop_clock().await;
    let user = t.user().clone();
    let signed_in = t.sign_in(&user).await;
    t.advance_clock(Duration::from_secs(6 * 60)).await;
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&signed_in, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    // WHEN they delete their account with the refreshed token
    let refused = t.send("DELETE", "/account", Some(text(&refreshed.body, "/tokens/accessToken")), None).await;
    // THEN it is the challenge for a sign-in within 5 minutes, and no level
    assert_eq!((refused.status, refused.error_code()), (StatusCode::UNAUTHORIZED, "InsufficientUserAuthentication"));
    let challenge = refused.headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(challenge.ends_with("max_age=\"300\"") && !challenge.contains("acr_values"), "{challenge}");
    // AND the account is still there: a fresh sign-in deletes it
    let fresh = t.sign_in(&user).await;
    let deleted = t.send("DELETE", "/account", Some(text(&fresh, "/tokens/accessToken")), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
}
