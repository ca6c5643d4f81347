//! Choice-based sign-in (`USER_AUTH`) through the local gateway, as a frontend drives it: the
//! preferred first factor or the choice, a password (proven with SRP by the API) or an 8-digit
//! code read from the outbox, and unknown people answered like known ones.

use e2e::{ApiResponse, TestStack, text};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start(t: &TestStack, username: &str, preferred: Option<&str>) -> ApiResponse {
    let mut body = json!({"username": username, "flow": "USER_AUTH"});
    if let Some(preferred) = preferred {
        body["preferredChallenge"] = json!(preferred);
    }
    t.post("/auth/sign-in", body).await
}

fn signed_in(reply: &ApiResponse) -> &str {
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    text(&reply.body, "/tokens/idToken")
}

#[tokio::test]
async fn a_person_signs_in_with_an_eight_digit_email_code_read_from_the_outbox() {
    // GIVEN the demo user, who has a verified email address
    let t = TestStack::start().await;
    let email = t.user().email.clone();
    // WHEN they ask to sign in with a code by email
    let challenge = start(&t, &email, Some("EMAIL_OTP")).await;
    assert_eq!(challenge.status, StatusCode::OK, "{:?}", challenge.body);
    assert_eq!(text(&challenge.body, "/challenge/name"), "EMAIL_OTP");
    assert_eq!(text(&challenge.body, "/challenge/parameters/CODE_DELIVERY_DELIVERY_MEDIUM"), "EMAIL");
    // THEN the code in their mail is 8 digits, and it signs them in
    let code = t.sent_code(&email, "email-otp");
    assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let done = t.answer(&challenge, json!({"EMAIL_OTP_CODE": code})).await;
    let id_token = signed_in(&done).to_string();
    assert_eq!(t.get("/me", Some(&id_token)).await.status, StatusCode::OK);
    // AND the code is used up: a second answer is refused, never a 5xx
    let again = t.answer(&challenge, json!({"EMAIL_OTP_CODE": code})).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{:?}", again.body);
}

#[tokio::test]
async fn without_a_preference_the_person_chooses_and_a_password_is_proven_with_srp() {
    let t = TestStack::start().await;
    let user = t.user().clone();
    // WHEN the sign-in starts without a preference, THEN the answer is the choice
    let choice = start(&t, &user.email, None).await;
    assert_eq!(choice.status, StatusCode::OK, "{:?}", choice.body);
    assert_eq!(text(&choice.body, "/challenge/name"), "SELECT_CHALLENGE");
    assert_eq!(choice.body["challenge"]["availableChallenges"], json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]));
    // AND choosing PASSWORD_SRP with the password signs in (the API runs SRP: the emulator
    // checks the proof against the stored password)
    let done = t.answer(&choice, json!({"ANSWER": "PASSWORD_SRP", "PASSWORD": user.password})).await;
    signed_in(&done);
    // AND a wrong password is the usual sign-in error
    let choice = start(&t, &user.email, None).await;
    let wrong = t.answer(&choice, json!({"ANSWER": "PASSWORD_SRP", "PASSWORD": "Wrong-passw0rd"})).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", wrong.body);
    // AND so is choosing PASSWORD and sending it
    let choice = start(&t, &user.email, None).await;
    let wrong = t.answer(&choice, json!({"ANSWER": "PASSWORD", "PASSWORD": "Wrong-passw0rd"})).await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", wrong.body);
    let choice = start(&t, &user.email, None).await;
    signed_in(&t.answer(&choice, json!({"ANSWER": "PASSWORD", "PASSWORD": user.password})).await);
}

#[tokio::test]
async fn a_preferred_password_signs_in_at_once_with_or_without_srp() {
    let t = TestStack::start().await;
    let user = t.user().clone();
    for preferred in ["PASSWORD", "PASSWORD_SRP"] {
        let body = json!({"username": user.email, "password": user.password, "flow": "USER_AUTH", "preferredChallenge": preferred});
        signed_in(&t.post("/auth/sign-in", body).await);
    }
}

/// The parts of a reply that must not tell a known person from an unknown one.
fn shape(reply: &ApiResponse) -> (StatusCode, Vec<String>, Value, usize) {
    let parameters = reply.body["challenge"]["parameters"].as_object().map(|p| p.keys().cloned().collect());
    let username = reply.body["username"].as_str().map_or(0, str::len);
    (reply.status, parameters.unwrap_or_default(), reply.body["challenge"]["availableChallenges"].clone(), username)
}

#[tokio::test]
async fn an_unknown_person_gets_the_same_answers_as_a_known_one() {
    // GIVEN PreventUserExistenceErrors, a known and an unknown email address
    let t = TestStack::start().await;
    let (known, unknown) = (t.user().email.clone(), "nobody@example.com".to_string());
    // THEN the choice, the code challenge and a wrong code look the same for both
    for preferred in [None, Some("EMAIL_OTP")] {
        let (a, b) = (start(&t, &known, preferred).await, start(&t, &unknown, preferred).await);
        assert_eq!(shape(&a), shape(&b), "{preferred:?}: {:?} / {:?}", a.body, b.body);
        assert_ne!(text(&b.body, "/username"), unknown, "the username field names no typed address");
        if preferred.is_some() {
            let (wa, wb) = (
                t.answer(&a, json!({"EMAIL_OTP_CODE": "00000000"})).await,
                t.answer(&b, json!({"EMAIL_OTP_CODE": "00000000"})).await,
            );
            assert_eq!((wa.status, wa.error_code()), (wb.status, wb.error_code()), "{:?} / {:?}", wa.body, wb.body);
            assert_eq!(wa.status, StatusCode::BAD_REQUEST);
        }
    }
    // AND a password chosen for either is the same refusal
    let (a, b) = (start(&t, &known, None).await, start(&t, &unknown, None).await);
    let (pa, pb) = (
        t.answer(&a, json!({"ANSWER": "PASSWORD", "PASSWORD": "Wrong-passw0rd"})).await,
        t.answer(&b, json!({"ANSWER": "PASSWORD", "PASSWORD": "Wrong-passw0rd"})).await,
    );
    assert_eq!((pa.status, &pa.body), (pb.status, &pb.body));
}

#[tokio::test]
async fn answers_without_a_live_session_and_codes_of_the_wrong_length_are_refused() {
    let t = TestStack::start().await;
    let email = t.user().email.clone();
    let challenge = start(&t, &email, Some("EMAIL_OTP")).await;
    // A 6-digit code (an MFA code's length) is no passwordless SMS code: 400 before Cognito.
    let sms = json!({
        "username": text(&challenge.body, "/username"), "name": "SMS_OTP",
        "session": text(&challenge.body, "/challenge/session"), "responses": {"SMS_OTP_CODE": "123456"},
    });
    let short = t.post("/auth/challenge", sms).await;
    assert_eq!((short.status, short.error_field()), (StatusCode::BAD_REQUEST, "responses.SMS_OTP_CODE"));
    // A made-up session is a dead one: sign in again.
    let forged = json!({
        "username": text(&challenge.body, "/username"), "name": "EMAIL_OTP",
        "session": "a-session-nobody-opened-0123456789", "responses": {"EMAIL_OTP_CODE": t.sent_code(&email, "email-otp")},
    });
    let dead = t.post("/auth/challenge", forged).await;
    assert_eq!((dead.status, dead.error_field()), (StatusCode::UNAUTHORIZED, "session"), "{:?}", dead.body);
}

#[tokio::test]
async fn a_passwordless_sign_up_is_confirmed_and_signed_in_at_once_with_the_emailed_code() {
    // GIVEN a person signing up without a password (the pool allows email codes)
    let t = TestStack::start().await;
    let email = "new.person@example.com";
    let up = t.post("/auth/sign-up", json!({"username": email})).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    // WHEN they confirm with the code from their mail and ask to be signed in
    let code = t.sent_code(email, "sign-up");
    let confirmed = t.post("/auth/confirm-sign-up", json!({"username": email, "code": code, "signIn": true})).await;
    // THEN the confirmation answers tokens that work
    let id_token = signed_in(&confirmed).to_string();
    assert_eq!(t.get("/me", Some(&id_token)).await.status, StatusCode::OK);
    // AND later, a password chosen fails as it does for anyone who has none (the choice lists
    // every factor the pool allows, so it tells no one apart)
    let choice = start(&t, email, None).await;
    let password = t.answer(&choice, json!({"ANSWER": "PASSWORD", "PASSWORD": "Any-passw0rd"})).await;
    assert_eq!((password.status, password.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"));
}
