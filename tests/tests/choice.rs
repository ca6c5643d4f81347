//! Choice-based sign-in (`USER_AUTH`) through the local gateway, as a frontend drives it: the
//! preferred first factor or the choice, a password (proven with SRP by the API) or an 8-digit
//! code read from the outbox, and unknown people answered like known ones. A confirmation signs
//! in only with its sign-up's receipt, so confirming a sign-up someone else made of one's address
//! never hands one a session in an account whose password they know.

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
    assert_eq!(
        choice.body["challenge"]["availableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"])
    );
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
    // WHEN they confirm with the code from their mail and ask to be signed in, with the receipt
    // their sign-up answered
    let code = t.sent_code(email, "sign-up");
    let receipt = text(&up.body, "/receipt");
    let confirmed = t
        .post("/auth/confirm-sign-up", json!({"username": email, "code": code, "signIn": true, "receipt": receipt}))
        .await;
    // THEN the confirmation answers tokens that work
    let id_token = signed_in(&confirmed).to_string();
    assert_eq!(t.get("/me", Some(&id_token)).await.status, StatusCode::OK);
    // AND later, a password chosen fails as it does for anyone who has none (the choice lists
    // every factor the pool allows, so it tells no one apart)
    let choice = start(&t, email, None).await;
    let password = t.answer(&choice, json!({"ANSWER": "PASSWORD", "PASSWORD": "Any-passw0rd"})).await;
    assert_eq!((password.status, password.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"));
}

/// `POST /auth/confirm-sign-up` with `signIn` and, if any, `receipt`.
async fn confirm_and_sign_in(t: &TestStack, username: &str, receipt: Option<&str>) -> ApiResponse {
    let code = t.sent_code(username, "sign-up");
    let mut body = json!({"username": username, "code": code, "signIn": true});
    if let Some(receipt) = receipt {
        body["receipt"] = json!(receipt);
    }
    t.post("/auth/confirm-sign-up", body).await
}

#[tokio::test]
async fn confirming_with_sign_in_signs_in_only_with_the_sign_ups_own_receipt() {
    // GIVEN three people who signed up with a password, each answered a receipt
    let t = TestStack::start().await;
    let password = "Sign-up-passw0rd1";
    let (ann, bob, cy) = ("ann@example.com", "bob@example.com", "cy@example.com");
    let mut receipts = Vec::new();
    for email in [ann, bob, cy] {
        let up = t.post("/auth/sign-up", json!({"username": email, "password": password})).await;
        assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
        receipts.push(text(&up.body, "/receipt").to_string());
    }
    // WHEN ann confirms with her own receipt THEN the confirmation signs her in
    let own = confirm_and_sign_in(&t, ann, Some(&receipts[0])).await;
    let id_token = signed_in(&own).to_string();
    assert_eq!(t.get("/me", Some(&id_token)).await.body["email"], json!(ann));
    // WHEN bob confirms without a receipt, and cy with ann's
    for (email, receipt) in [(bob, None), (cy, Some(receipts[0].as_str()))] {
        let confirmed = confirm_and_sign_in(&t, email, receipt).await;
        // THEN the account is confirmed, and the answer holds no tokens: 204
        assert_eq!((confirmed.status, &confirmed.body), (StatusCode::NO_CONTENT, &Value::Null), "{email}");
        // AND the password signs in: the account is confirmed
        let password_sign_in = t.try_sign_in(email, password, Some("USER_PASSWORD_AUTH")).await;
        assert_eq!(password_sign_in.status, StatusCode::OK, "{email}: {:?}", password_sign_in.body);
    }
}

#[tokio::test]
async fn confirming_a_sign_up_someone_else_made_of_ones_address_signs_nobody_in_and_a_reset_locks_them_out() {
    // GIVEN an attacker who signed up the victim's address with a password of their own, keeping
    // the receipt (the pre-hijacking of an account)
    let t = TestStack::start().await;
    let victim = "victim@example.com";
    let theirs = "Attacker-passw0rd1";
    let up = t.post("/auth/sign-up", json!({"username": victim, "password": theirs})).await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    // WHEN the victim, mailed a code for a sign-up they did not make, confirms it and asks to be
    // signed in
    let confirmed = confirm_and_sign_in(&t, victim, None).await;
    // THEN the account is confirmed, but the confirmation hands the victim no session in an
    // account whose password someone else knows: 204, no tokens
    assert_eq!((confirmed.status, &confirmed.body), (StatusCode::NO_CONTENT, &Value::Null));
    // (and the attacker's password signs in, as it would anywhere: only a reset ends that)
    let attacker = t.try_sign_in(victim, theirs, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(attacker.status, StatusCode::OK, "{:?}", attacker.body);
    // WHEN the victim resets the password with the code mailed to them
    assert_eq!(t.post("/password/forgot", json!({"username": victim})).await.status, StatusCode::ACCEPTED);
    let code = t.sent_code(victim, "reset-password");
    let reset =
        t.post("/password/reset", json!({"username": victim, "code": code, "newPassword": "Victim-passw0rd1"})).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    // THEN the attacker's password no longer signs in, and the attacker's session is over
    let again = t.try_sign_in(victim, theirs, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", again.body);
    let refresh = json!({"refreshToken": text(&attacker.body, "/tokens/refreshToken")});
    let refreshed = t.post("/auth/refresh", refresh).await;
    assert_eq!((refreshed.status, refreshed.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"));
    let read = t.get("/account", Some(text(&attacker.body, "/tokens/accessToken"))).await;
    assert_eq!((read.status, read.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", read.body);
    // AND the victim signs in with their own password
    let own = t.try_sign_in(victim, "Victim-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
}
