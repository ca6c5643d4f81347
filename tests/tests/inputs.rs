//! Inputs held to Cognito's rules through the API: what the API refuses itself (a 400 naming
//! the field, before any Cognito call) and what it leaves to Cognito, which the local Cognito
//! answers as Cognito does (docs/cognito-conformance.md, "Inputs").

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

/// A user an admin creates through the API with `temporary` as the temporary password.
async fn invite(t: &TestStack, email: &str, temporary: &str) {
    let admin = t.access_token(t.admin()).await;
    let body = json!({"username": email, "temporaryPassword": temporary, "sendInvite": false});
    let created = t.send("POST", "/users", Some(&admin), Some(&body.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
}

#[tokio::test]
async fn a_stray_space_around_a_username_is_a_400_naming_it_on_every_public_route() {
    // GIVEN the demo user's email with a space pasted before or after it
    let t = TestStack::start().await;
    let (email, password) = (t.user().email.clone(), t.user().password.clone());
    for name in [format!(" {email}"), format!("{email} "), format!("{email}\u{200b}")] {
        // WHEN it is sent to the routes that take a username
        let requests = [
            ("/auth/sign-in", json!({"username": name, "password": password, "flow": "USER_PASSWORD_AUTH"})),
            ("/auth/sign-up", json!({"username": name, "password": "New-passw0rd1"})),
            ("/auth/confirm-sign-up", json!({"username": name, "code": "123456"})),
            ("/auth/resend-code", json!({"username": name})),
            ("/password/forgot", json!({"username": name})),
            ("/password/reset", json!({"username": name, "code": "123456", "newPassword": "New-passw0rd1"})),
            (
                "/auth/challenge",
                json!({"username": name, "name": "SOFTWARE_TOKEN_MFA", "session": "a-session-of-a-sign-in-0123456789",
                       "responses": {"SOFTWARE_TOKEN_MFA_CODE": "123456"}}),
            ),
        ];
        for (path, body) in requests {
            let reply = t.post(path, body).await;
            // THEN each answers a 400 naming the username: never trimmed, never a "wrong password"
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {name:?}: {:?}", reply.body);
            assert_eq!(reply.error_field(), "username", "{path} {name:?}: {:?}", reply.body);
        }
    }
    // ... and the name as it is still signs in.
    assert_eq!(t.try_sign_in(&email, &password, Some("USER_PASSWORD_AUTH")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_password_may_hold_spaces_and_any_letters_but_not_begin_or_end_with_a_space() {
    let t = TestStack::start().await;
    // GIVEN passwords with whitespace at an end: refused by the API, naming the field
    for password in [" New-passw0rd1", "New-passw0rd1 ", "New-passw0rd1\t"] {
        let reply = t.post("/auth/sign-up", json!({"username": "pat@example.com", "password": password})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{password:?}: {:?}", reply.body);
        assert_eq!(reply.error_field(), "password");
    }
    // GIVEN a password whose only uppercase letter is not Basic Latin: Cognito's policy refuses it
    let reply = t.post("/auth/sign-up", json!({"username": "pat@example.com", "password": "Élan-passw0rd"})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!((reply.error_code(), reply.error_field()), ("InvalidPassword", "password"), "{:?}", reply.body);
    // WHEN the only special character is a space inside, and letters are accented
    for (email, password) in [("phrase@example.com", "Correct horse 1"), ("accents@example.com", "Pässwörd-Élan1")] {
        let created = t.post("/auth/sign-up", json!({"username": email, "password": password})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{password:?}: {:?}", created.body);
        let confirmed =
            t.post("/auth/confirm-sign-up", json!({"username": email, "code": t.sent_code(email, "sign-up")})).await;
        assert!(confirmed.status.is_success(), "{:?}", confirmed.body);
        // THEN the person signs in with exactly that password
        assert_eq!(t.try_sign_in(email, password, Some("USER_PASSWORD_AUTH")).await.status, StatusCode::OK);
        if password.contains(' ') {
            let without = password.replace(' ', "");
            let reply = t.try_sign_in(email, &without, Some("USER_PASSWORD_AUTH")).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
        }
    }
}

#[tokio::test]
async fn a_temporary_password_signs_in_once_and_a_second_answer_with_it_is_refused() {
    // GIVEN an invited user who starts two sign-ins with the temporary password (two tabs)
    let t = TestStack::start().await;
    let email = "invited@example.com";
    invite(&t, email, "Temp-passw0rd1").await;
    let first = t.try_sign_in(email, "Temp-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    let second = t.try_sign_in(email, "Temp-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    for started in [&first, &second] {
        assert_eq!(text(&started.body, "/challenge/name"), "NEW_PASSWORD_REQUIRED", "{:?}", started.body);
    }
    // WHEN one tab sets a new password
    let done = t.answer(&first, json!({"NEW_PASSWORD": "Chosen-passw0rd2"})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    // THEN the other tab cannot set another one with the same temporary password
    let again = t.answer(&second, json!({"NEW_PASSWORD": "Other-passw0rd3"})).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{:?}", again.body);
    // ... the temporary password no longer signs in, and the new one does
    let temporary = t.try_sign_in(email, "Temp-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(temporary.status, StatusCode::UNAUTHORIZED, "{:?}", temporary.body);
    assert_eq!(t.try_sign_in(email, "Chosen-passw0rd2", Some("USER_PASSWORD_AUTH")).await.status, StatusCode::OK);
    assert_eq!(
        t.try_sign_in(email, "Other-passw0rd3", Some("USER_PASSWORD_AUTH")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_new_password_may_be_the_temporary_one_and_then_it_is_permanent() {
    // GIVEN an invited user (a pool without password history, as the template's)
    let t = TestStack::start().await;
    let email = "same@example.com";
    invite(&t, email, "Temp-passw0rd1").await;
    let started = t.try_sign_in(email, "Temp-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    // WHEN they choose the temporary password as their password
    let done = t.answer(&started, json!({"NEW_PASSWORD": "Temp-passw0rd1"})).await;
    // THEN Cognito takes it, and from then on it signs in without a challenge
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let next = t.try_sign_in(email, "Temp-passw0rd1", Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(next.status, StatusCode::OK, "{:?}", next.body);
    assert!(next.body["tokens"]["idToken"].is_string(), "{:?}", next.body);
}

#[tokio::test]
async fn attributes_are_held_to_their_formats_by_the_api_and_to_the_pools_schema_by_cognito() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let create = |body: serde_json::Value| {
        let (t, admin) = (&t, &admin);
        async move { t.send("POST", "/users", Some(admin), Some(&body.to_string())).await }
    };
    // GIVEN attributes Cognito refuses the format of: the API answers 400 naming each
    let refused = [
        (json!({"phone_number": "+1 425 555 1212"}), "attributes.phone_number"),
        (json!({"phone_number": "4255551212"}), "attributes.phone_number"),
        (json!({"favourite_colour": "blue"}), "attributes.favourite_colour"),
        (json!({"name": "x".repeat(2049)}), "attributes.name"),
    ];
    for (attributes, field) in refused {
        let reply = create(json!({"username": "pat@example.com", "attributes": attributes})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{:?}", reply.body);
    }
    let reply = create(json!({"username": "pat", "email": "not-an-address"})).await;
    assert_eq!((reply.status, reply.error_field()), (StatusCode::BAD_REQUEST, "email"), "{:?}", reply.body);
    // ... a username with two `@` is no address either, and the 400 names the field it came in
    let reply = create(json!({"username": "pat@@example.com"})).await;
    assert_eq!((reply.status, reply.error_field()), (StatusCode::BAD_REQUEST, "username"), "{:?}", reply.body);
    // WHEN a custom attribute the pool does not declare is sent (the API cannot know the schema)
    let reply = create(json!({"username": "pat@example.com", "attributes": {"custom:plan": "pro"}})).await;
    // THEN Cognito refuses it, a 400 with its message, and nothing is created
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "InvalidParameter", "{:?}", reply.body);
    assert!(reply.body["error"]["message"].as_str().unwrap_or("").contains("custom:plan"), "{:?}", reply.body);
    // ... an empty phone number is refused like any other that is not E.164, an empty email
    // likewise (the local Cognito refuses both too: emulator test_attributes.py)
    for (attributes, field) in [
        (json!({"username": "pat", "attributes": {"phone_number": ""}}), "attributes.phone_number"),
        (json!({"username": "pat", "email": ""}), "email"),
    ] {
        let reply = create(attributes).await;
        assert_eq!((reply.status, reply.error_field()), (StatusCode::BAD_REQUEST, field), "{:?}", reply.body);
    }
    // ... while a number in E.164 and any script are taken as they are, and an empty name too
    let reply = create(json!({"username": "pat@example.com", "attributes": {"phone_number": "+14325551212", "name": "Pât Ö'Brien 名前"}})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let reply = create(json!({"username": "sam@example.com", "attributes": {"name": ""}})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}
