//! What the local stack proves only because its Cognito is strict (docs/cognito-conformance.md):
//! each test goes through the local gateway as a frontend would, against the strict emulator.

use e2e::{ApiResponse, TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

async fn sign_in(t: &TestStack, username: &str, password: &str, flow: Option<&str>) -> ApiResponse {
    t.try_sign_in(username, password, flow).await
}

const FLOWS: [Option<&str>; 3] = [None, Some("USER_PASSWORD_AUTH"), Some("ADMIN_USER_PASSWORD_AUTH")];

#[tokio::test]
async fn a_wrong_password_is_refused_in_every_flow_srp_included() {
    let t = TestStack::start().await;
    for flow in FLOWS {
        let reply = sign_in(&t, &t.user().email, "Wrong-passw0rd1", flow).await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{flow:?}");
        let right = sign_in(&t, &t.user().email, &t.user().password, flow).await;
        assert_eq!(right.status, StatusCode::OK, "{flow:?}: {:?}", right.body);
    }
}

#[tokio::test]
async fn the_readmes_first_example_refreshes_whichever_username_it_sends() {
    // GIVEN the README's first example: a USER_PASSWORD_AUTH sign-in with the email
    let t = TestStack::start().await;
    let session = sign_in(&t, &t.user().email, &t.user().password, Some("USER_PASSWORD_AUTH")).await.body;
    let refresh =
        |username: &str| json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": username});
    // WHEN it refreshes with the username the sign-in returned (the internal one), THEN 200
    let ok = t.post("/auth/refresh", refresh(text(&session, "/username"))).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_ne!(text(&session, "/username"), t.user().email);
    // and with the email too: the refresh goes through GetTokensFromRefreshToken, which takes
    // the client secret, not a SECRET_HASH over a name (the token sent is still within its grace
    // period after the first refresh rotated it)
    let alias = t.post("/auth/refresh", refresh(&t.user().email)).await;
    assert_eq!(alias.status, StatusCode::OK, "{:?}", alias.body);
}

#[tokio::test]
async fn usernames_are_case_insensitive_for_sign_in_and_sign_up() {
    let t = TestStack::start().await;
    for flow in FLOWS {
        let reply = sign_in(&t, &t.user().email.to_uppercase(), &t.user().password, flow).await;
        assert_eq!(reply.status, StatusCode::OK, "{flow:?}: {:?}", reply.body);
    }
    let twin = t.post("/auth/sign-up", json!({"username": "Demo@Example.com", "password": "Twin-passw0rd1"})).await;
    assert_eq!((twin.status, twin.error_code()), (StatusCode::CONFLICT, "UsernameExists"), "{:?}", twin.body);
}

#[tokio::test]
async fn after_an_admin_reset_the_old_password_no_longer_signs_in_until_the_emailed_code_sets_a_new_one() {
    // GIVEN an admin resets the demo user's password
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let email = t.user().email.clone();
    let reset = t.send("POST", &format!("/users/{email}/reset-password"), Some(&admin), None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    // THEN every flow answers "password reset required", the old password included
    for flow in FLOWS {
        let reply = sign_in(&t, &email, &t.user().password, flow).await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "PasswordResetRequired"), "{flow:?}");
    }
    // WHEN the user sets a new password with the code Cognito emailed them
    let code = t.sent_code(&email, "reset-password");
    let done =
        t.post("/password/reset", json!({"username": email, "code": code, "newPassword": "After-reset1!"})).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    // THEN the new password signs in, in every flow
    for flow in FLOWS {
        assert_eq!(sign_in(&t, &email, "After-reset1!", flow).await.status, StatusCode::OK, "{flow:?}");
    }
}

#[tokio::test]
async fn a_disabled_user_can_neither_sign_in_nor_refresh_nor_use_their_access_token() {
    let t = TestStack::start().await;
    let session = sign_in(&t, &t.user().email, &t.user().password, None).await.body;
    let admin = t.access_token(t.admin()).await;
    let disabled = t.send("POST", &format!("/users/{}/disable", t.user().email), Some(&admin), None).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
    for flow in FLOWS {
        assert_eq!(sign_in(&t, &t.user().email, &t.user().password, flow).await.status, StatusCode::UNAUTHORIZED);
    }
    let refreshed = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": text(&session, "/username")}),
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{:?}", refreshed.body);
    // AdminDisableUser revokes the access tokens: signing out with one is refused
    let signed_out = t.send("POST", "/auth/sign-out", Some(text(&session, "/tokens/accessToken")), None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED, "{:?}", signed_out.body);
}

#[tokio::test]
async fn an_unconfirmed_account_is_revealed_only_to_its_password() {
    let t = TestStack::start().await;
    let created = t.post("/auth/sign-up", json!({"username": "new@example.com", "password": "New-passw0rd1"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    for flow in FLOWS {
        let wrong = sign_in(&t, "new@example.com", "Wrong-passw0rd1", flow).await;
        assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{flow:?}");
        let right = sign_in(&t, "new@example.com", "New-passw0rd1", flow).await;
        assert_eq!((right.status, right.error_code()), (StatusCode::FORBIDDEN, "UserNotConfirmed"), "{flow:?}");
    }
}

#[tokio::test]
async fn only_the_code_sent_confirms_a_sign_up() {
    let t = TestStack::start().await;
    t.post("/auth/sign-up", json!({"username": "new@example.com", "password": "New-passw0rd1"})).await;
    let code = t.sent_code("new@example.com", "sign-up");
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = t.post("/auth/confirm-sign-up", json!({"username": "new@example.com", "code": wrong_code})).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::BAD_REQUEST, "InvalidCode"), "{:?}", wrong.body);
    let right = t.post("/auth/confirm-sign-up", json!({"username": "new@example.com", "code": code})).await;
    assert_eq!(right.status, StatusCode::NO_CONTENT, "{:?}", right.body);
}

#[tokio::test]
async fn sms_mfa_texts_a_code_and_with_two_factors_the_person_chooses_one() {
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, SmsMfaSettingsType, SoftwareTokenMfaSettingsType};
    // GIVEN the demo user with a phone number and SMS MFA on
    let t = TestStack::start().await;
    let (email, password) = (t.user().email.clone(), t.user().password.clone());
    let cognito = t.cognito().await;
    let pool_id = t.stack.pool.pool_id.clone();
    let phone = "+15555550100";
    cognito
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username(&email)
        .user_attributes(AttributeType::builder().name("phone_number").value(phone).build().unwrap())
        .user_attributes(AttributeType::builder().name("phone_number_verified").value("true").build().unwrap())
        .send()
        .await
        .unwrap();
    let sms = |preferred: bool| SmsMfaSettingsType::builder().enabled(true).preferred_mfa(preferred).build();
    cognito
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username(&email)
        .sms_mfa_settings(sms(true))
        .send()
        .await
        .unwrap();
    // WHEN they sign in, THEN Cognito texts a code, and only that code completes the sign-in
    let challenge = sign_in(&t, &email, &password, None).await;
    assert_eq!(text(&challenge.body, "/challenge/name"), "SMS_MFA", "{:?}", challenge.body);
    let code = t.sent_code(phone, "sms-mfa");
    let wrong = t.answer(&challenge, json!({"SMS_MFA_CODE": if code == "000000" { "111111" } else { "000000" }})).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::BAD_REQUEST, "InvalidCode"), "{:?}", wrong.body);
    let done = t.answer(&challenge, json!({"SMS_MFA_CODE": code})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);

    // GIVEN an authenticator app as well, and no preferred factor
    let access_token = text(&done.body, "/tokens/accessToken");
    let setup = t.send("POST", "/mfa/totp/setup", Some(access_token), None).await;
    let totp = json!({"code": e2e::totp_now(text(&setup.body, "/secretCode"))});
    assert_eq!(
        t.send("POST", "/mfa/totp/verify", Some(access_token), Some(&totp.to_string())).await.status,
        StatusCode::NO_CONTENT
    );
    cognito
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool_id)
        .username(&email)
        .sms_mfa_settings(sms(false))
        .software_token_mfa_settings(SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(false).build())
        .send()
        .await
        .unwrap();
    // WHEN they sign in, THEN they choose a factor, and the chosen one is asked for
    let choose = sign_in(&t, &email, &password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&choose.body, "/challenge/name"), "SELECT_MFA_TYPE", "{:?}", choose.body);
    let chosen = t.answer(&choose, json!({"ANSWER": "SMS_MFA"})).await;
    assert_eq!(text(&chosen.body, "/challenge/name"), "SMS_MFA", "{:?}", chosen.body);
    let done = t.answer(&chosen, json!({"SMS_MFA_CODE": t.sent_code(phone, "sms-mfa")})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn after_five_wrong_passwords_the_api_says_to_wait_even_for_the_right_one() {
    // GIVEN Cognito's lockout (one second at first), on an emulator clock stopped so that a slow
    // machine cannot outrun it
    let t = TestStack::start().await;
    t.stop_clock().await;
    // WHEN five sign-ins fail (SRP, the default flow)
    for _ in 0..5 {
        let wrong = sign_in(&t, &t.user().email, "Wrong-passw0rd1", None).await;
        assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"));
    }
    // THEN every flow answers 429 PasswordAttemptsExceeded, the right password included, with no
    // Retry-After (a retry inside the lockout would lengthen it)
    for flow in FLOWS {
        let locked = sign_in(&t, &t.user().email, &t.user().password, flow).await;
        assert_eq!(
            (locked.status, locked.error_code()),
            (StatusCode::TOO_MANY_REQUESTS, "PasswordAttemptsExceeded"),
            "{flow:?}: {:?}",
            locked.body
        );
        assert!(locked.headers.get("retry-after").is_none());
    }
    // and another account is not affected
    assert_eq!(sign_in(&t, &t.admin().email, &t.admin().password, None).await.status, StatusCode::OK);
    // WHEN the lockout is over, THEN the right password signs in
    t.advance_clock(std::time::Duration::from_secs(1)).await;
    assert_eq!(sign_in(&t, &t.user().email, &t.user().password, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_attribute_the_app_client_may_not_write_is_a_400_naming_it() {
    let t = TestStack::start().await;
    let body = json!({"username": "new@example.com", "password": "New-passw0rd1", "attributes": {"phone_number": "+15555550100"}});
    let reply = t.post("/auth/sign-up", body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.error_field(), "attributes.phone_number");
    assert!(t.stack.outbox.latest_code("new@example.com", "sign-up").is_none(), "no account was created");
}

#[tokio::test]
async fn the_local_pool_keeps_a_new_email_waiting_for_its_code_as_the_deployed_one_does() {
    // GIVEN the local pool, seeded with template.yaml's UserAttributeUpdateSettings, and the demo
    // user signed in through the API
    let t = TestStack::start().await;
    let session = sign_in(&t, &t.user().email, &t.user().password, Some("USER_PASSWORD_AUTH")).await.body;
    let cognito = t.cognito().await;
    // WHEN they change their email with their access token (Cognito's UpdateUserAttributes)
    let new_email = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
        .name("email")
        .value("moved@example.com")
        .build()
        .unwrap();
    let updated = cognito
        .update_user_attributes()
        .access_token(text(&session, "/tokens/accessToken"))
        .user_attributes(new_email)
        .send()
        .await
        .expect("UpdateUserAttributes");
    // THEN a code goes to the new address, and until it comes back the old address still signs
    // in and the new one does not
    assert_eq!(updated.code_delivery_details_list().len(), 1, "{updated:?}");
    t.sent_code("moved@example.com", "verify-email");
    let old = sign_in(&t, &t.user().email, &t.user().password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(old.status, StatusCode::OK, "{:?}", old.body);
    let new = sign_in(&t, "moved@example.com", &t.user().password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!((new.status, new.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", new.body);
}
