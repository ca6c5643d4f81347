//! The `auth` handler from real API Gateway (REST) events.

use std::sync::Arc;

use auth_domain::{
    CognitoConfig,
    testing::{Call, ScriptedPool, ScriptedReply, error},
    user_pool::{AccountUser, MfaSettings},
};
use fn_auth::{AuthState, handle};
use lambda_glue::{
    Cors,
    testing::{
        Value, access_token_event, authorized_event, body_json, caller_bearer_token, json, me_event, public_event,
        request, with_header,
    },
};

fn state() -> AuthState {
    let config = CognitoConfig {
        region: "eu-west-1".into(),
        user_pool_id: "eu-west-1_pool".into(),
        client_id: "client-1".into(),
        client_secret: None,
        write_attributes: Default::default(),
    };
    // Nothing scripted: any Cognito call fails. `/me` answers from the authorizer context alone.
    AuthState::new(Arc::new(ScriptedPool::default()), config, Cors::new("https://app.example.com"))
}

#[tokio::test]
async fn me_answers_from_the_authorizer_context_without_calling_cognito() {
    let response = handle(&state(), request(&me_event())).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        body_json(&response),
        json!({"sub": "8f1c0d2e-sub", "username": "8f1c0d2e-sub", "email": "ann@example.com",
               "emailVerified": true, "groups": ["admins", "staff"]})
    );
    let headers = response.headers();
    assert_eq!(headers["x-request-id"], "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
}

#[tokio::test]
async fn me_reads_email_verified_as_the_authorizer_passes_it_a_string() {
    // API Gateway turns the authorizer's booleans into strings: "false" must read as false, not
    // as "some text, so true"; a real boolean reads as itself.
    for (given, shown) in [(json!("true"), true), (json!("false"), false), (json!(false), false), (json!(true), true)] {
        let mut event = me_event();
        event["requestContext"]["authorizer"]["emailVerified"] = given.clone();
        let response = handle(&state(), request(&event)).await;
        assert_eq!(response.status(), 200, "{given}");
        assert_eq!(body_json(&response)["emailVerified"], json!(shown), "{given}");
    }
}

#[tokio::test]
async fn me_without_an_authorizer_context_is_401() {
    // Defence in depth: a request that bypassed the authorizer gets no identity.
    let mut event = me_event();
    event["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let response = handle(&state(), request(&event)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body_json(&response)["error"]["code"], "Unauthorized");
}

#[tokio::test]
async fn sign_in_maps_an_upstream_failure_to_a_generic_502() {
    let mut event = me_event();
    event["resource"] = json!("/auth/sign-in");
    event["httpMethod"] = json!("POST");
    event["requestContext"]["resourcePath"] = json!("/auth/sign-in");
    event["requestContext"]["httpMethod"] = json!("POST");
    event["body"] = json!(r#"{"username":"ann@example.com","password":"pw","flow":"USER_PASSWORD_AUTH"}"#);
    // Cognito fails on its side; "scripted" is in the error's message, which must not reach the body.
    let state = state_answering(vec![Err(error("InternalErrorException"))]);
    let response = handle(&state, request(&event)).await;
    assert_eq!(response.status(), 502);
    let body = body_json(&response);
    assert_eq!(body["error"]["code"], "UpstreamError");
    assert!(!body.to_string().contains("scripted"), "upstream detail leaked: {body}");
}

#[tokio::test]
async fn unknown_resource_is_404() {
    let mut event = me_event();
    event["resource"] = json!("/elsewhere");
    event["requestContext"]["resourcePath"] = json!("/elsewhere");
    let response = handle(&state(), request(&event)).await;
    assert_eq!(response.status(), 404);
}

fn post(path: &str, body: &str) -> Value {
    public_event(path, body)
}

fn state_answering(replies: Vec<Result<ScriptedReply, auth_domain::CognitoError>>) -> AuthState {
    let config = CognitoConfig {
        region: "eu-west-1".into(),
        user_pool_id: "eu-west-1_pool".into(),
        client_id: "client-1".into(),
        client_secret: None,
        write_attributes: Default::default(),
    };
    AuthState::new(Arc::new(ScriptedPool::new(replies)), config, Cors::default())
}

/// State over a pool answering `replies`, for an app client with a secret, and the pool (to read
/// what the function told Cognito).
fn state_recording(replies: Vec<ScriptedReply>) -> (AuthState, Arc<ScriptedPool>) {
    let pool = Arc::new(ScriptedPool::new(replies.into_iter().map(Ok)));
    (AuthState::new(pool.clone(), auth_domain::testing::config(), Cors::default()), pool)
}

#[tokio::test]
async fn resend_code_answers_202_whether_or_not_the_account_exists() {
    // moto lacks ResendConfirmationCode, so this runs the real handler on a scripted pool.
    let state = state_answering(vec![
        Ok(ScriptedReply::Delivery(None)),
        Err(error("UserNotFoundException")),
        Err(error("InvalidParameterException")),
    ]);
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let response = handle(&state, request(&post("/auth/resend-code", r#"{"username":"who@example.com"}"#))).await;
        assert_eq!(response.status(), 202);
        bodies.push(format!("{:?}", response.body()));
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "same answer every time: {bodies:?}");
}

#[tokio::test]
async fn throttling_is_429_with_retry_after() {
    let state = state_answering(vec![Err(error("TooManyRequestsException"))]);
    let response = handle(&state, request(&post("/auth/resend-code", r#"{"username":"who@example.com"}"#))).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(body_json(&response)["error"]["code"], "TooManyRequests");
}

#[tokio::test]
async fn a_locked_out_sign_in_is_429_telling_to_wait_without_retry_after() {
    // GIVEN Cognito's lockout after repeated failed sign-ins
    let state = state_answering(vec![Err(auth_domain::testing::error_with(
        "NotAuthorizedException",
        "Password attempts exceeded",
    ))]);
    // WHEN the person tries again
    let body = r#"{"username":"ann@example.com","password":"pw","flow":"USER_PASSWORD_AUTH"}"#;
    let response = handle(&state, request(&post("/auth/sign-in", body))).await;
    // THEN 429 PasswordAttemptsExceeded, and no Retry-After for a client to hammer on
    assert_eq!(response.status(), 429);
    assert!(!response.headers().contains_key("retry-after"));
    assert_eq!(body_json(&response)["error"]["code"], "PasswordAttemptsExceeded");
}

#[tokio::test]
async fn sign_up_with_an_attribute_the_client_may_not_write_is_400_naming_it() {
    let state = state_answering(vec![]);
    let body =
        r#"{"username":"new@example.com","password":"New-passw0rd1","attributes":{"phone_number":"+15555550100"}}"#;
    let response = handle(&state, request(&post("/auth/sign-up", body))).await;
    assert_eq!(response.status(), 400);
    assert_eq!(body_json(&response)["error"]["field"], "attributes.phone_number");
}

#[tokio::test]
async fn an_answer_to_a_challenge_the_api_does_not_answer_is_400_naming_name() {
    // GIVEN answers naming a challenge nobody knows, none, one Cognito knows that the API does
    // not answer, and Cognito's spelling in the wrong case
    let state = state_answering(vec![]);
    for (name, says) in [
        ("CUSTOM_THING", "CUSTOM_THING is not a challenge this API answers"),
        ("", "name is required"),
        ("DEVICE_SRP_AUTH", "DEVICE_SRP_AUTH is not a challenge this API answers"),
        ("software_token_mfa", "software_token_mfa is not a challenge this API answers"),
    ] {
        let body = json!({"username": "ann", "name": name, "session": "s", "responses": {}}).to_string();
        // WHEN they are posted
        let response = handle(&state, request(&post("/auth/challenge", &body))).await;
        // THEN each is a 400 naming `name` that says why and lists what the API answers
        assert_eq!(response.status(), 400, "{name}");
        let error = &body_json(&response)["error"];
        assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("BadRequest"), Some("name")), "{error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.starts_with(says) && message.contains("NEW_PASSWORD_REQUIRED"), "{message}");
    }
    // AND a name that is no string is a 400 naming it too
    let body = r#"{"username":"ann","name":7,"session":"s","responses":{}}"#;
    let response = handle(&state, request(&post("/auth/challenge", body))).await;
    assert_eq!((response.status().as_u16(), body_json(&response)["error"]["field"].clone()), (400, json!("name")));
}

#[tokio::test]
async fn a_challenge_the_api_does_not_answer_is_passed_on_as_cognito_named_it() {
    // GIVEN a pool whose sign-in asks for a challenge the API does not answer (a custom trigger's)
    let custom = ScriptedReply::Auth(auth_domain::user_pool::AuthResult::Challenge {
        name: "CUSTOM_CHALLENGE".into(),
        session: "cognito-session".into(),
        parameters: Default::default(),
        available: Vec::new(),
    });
    let state = state_answering(vec![Ok(custom)]);
    // WHEN a person signs in
    let body = r#"{"username":"ann@example.com","password":"pw","flow":"USER_PASSWORD_AUTH"}"#;
    let response = handle(&state, request(&post("/auth/sign-in", body))).await;
    // THEN the client sees the challenge Cognito named, as it named it
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response)["challenge"]["name"], "CUSTOM_CHALLENGE");
}

/// The headers of a browser request that claims another address (`X-Forwarded-For` is written
/// by the client) and carries the fingerprint of Cognito's context-data script.
fn from_browser(mut event: Value) -> Value {
    let headers = json!({
        "X-Forwarded-For": "198.51.100.1", "User-Agent": "Firefox/140", "Cookie": "theme=dark",
        "X-Cognito-Encoded-Data": "fingerprint-1",
    });
    for (name, value) in headers.as_object().unwrap() {
        event = with_header(event, name, value.as_str().unwrap());
    }
    event
}

fn tokens() -> ScriptedReply {
    ScriptedReply::Auth(auth_domain::user_pool::AuthResult::Tokens(auth_domain::user_pool::IssuedTokens {
        id_token: "h.e30.s".into(),
        access_token: "h.e30.s".into(),
        refresh_token: None,
        expires_in: 3600,
        token_type: "Bearer".into(),
    }))
}

#[tokio::test]
async fn every_public_call_tells_cognito_the_callers_address_and_fingerprint() {
    let mfa = ScriptedReply::Auth(auth_domain::user_pool::AuthResult::Challenge {
        name: "SOFTWARE_TOKEN_MFA".into(),
        session: "cognito-session".into(),
        parameters: Default::default(),
        available: Vec::new(),
    });
    let signed_up = ScriptedReply::SignedUp(auth_domain::user_pool::SignedUp {
        user_confirmed: false,
        user_sub: "sub-1".into(),
        code_delivery: None,
    });
    let answer = r#"{"username":"ann","name":"SOFTWARE_TOKEN_MFA","session":"cognito-session","responses":{"SOFTWARE_TOKEN_MFA_CODE":"123456"}}"#;
    for (path, body, reply, action) in [
        (
            "/auth/sign-in",
            r#"{"username":"ann@example.com","password":"Passw0rd!","flow":"USER_PASSWORD_AUTH"}"#,
            mfa,
            "InitiateAuth",
        ),
        ("/auth/challenge", answer, tokens(), "RespondToAuthChallenge"),
        ("/auth/sign-up", r#"{"username":"ann@example.com","password":"Passw0rd!"}"#, signed_up, "SignUp"),
        (
            "/auth/confirm-sign-up",
            r#"{"username":"ann@example.com","code":"123456"}"#,
            ScriptedReply::Done,
            "ConfirmSignUp",
        ),
        (
            "/auth/resend-code",
            r#"{"username":"ann@example.com"}"#,
            ScriptedReply::Delivery(None),
            "ResendConfirmationCode",
        ),
    ] {
        // GIVEN a browser's request through API Gateway from 203.0.113.7 (the fixture's sourceIp)
        let (state, pool) = state_recording(vec![reply]);
        // WHEN the function serves it
        let response = handle(&state, request(&from_browser(post(path, body)))).await;
        assert!(response.status().is_success(), "{path}: {}", response.status());
        // THEN the Cognito call carries API Gateway's address, never X-Forwarded-For's, and the fingerprint
        let contexts = pool.contexts();
        assert_eq!(contexts.len(), 1, "{path}");
        let (called, context) = &contexts[0];
        assert_eq!(*called, action, "{path}");
        assert_eq!(context.ip_address.as_deref(), Some("203.0.113.7"), "{path}");
        assert_eq!(context.encoded_data.as_deref(), Some("fingerprint-1"), "{path}");
    }
}

#[tokio::test]
async fn the_admin_flow_tells_cognito_the_caller_with_server_path_and_device_headers_only() {
    // GIVEN an admin-flow sign-in that asks for MFA, then its answer
    let mfa = ScriptedReply::Auth(auth_domain::user_pool::AuthResult::Challenge {
        name: "SOFTWARE_TOKEN_MFA".into(),
        session: "cognito-session".into(),
        parameters: Default::default(),
        available: Vec::new(),
    });
    let (state, pool) = state_recording(vec![mfa, tokens()]);
    let sign_in = r#"{"username":"ann@example.com","password":"Passw0rd!","flow":"ADMIN_USER_PASSWORD_AUTH"}"#;
    let response = handle(&state, request(&from_browser(post("/auth/sign-in", sign_in)))).await;
    let session = body_json(&response)["challenge"]["session"].as_str().unwrap().to_string();
    let answer = json!({"username": "ann", "name": "SOFTWARE_TOKEN_MFA", "session": session,
                        "responses": {"SOFTWARE_TOKEN_MFA_CODE": "123456"}});
    let response = handle(&state, request(&from_browser(post("/auth/challenge", &answer.to_string())))).await;
    assert_eq!(response.status(), 200);
    // THEN both admin calls carry ContextData: address, server, path, device headers, fingerprint
    let contexts = pool.contexts();
    let actions: Vec<&str> = contexts.iter().map(|(action, _)| *action).collect();
    assert_eq!(actions, ["AdminInitiateAuth", "AdminRespondToAuthChallenge"]);
    for ((_, context), path) in contexts.iter().zip(["/prod/auth/sign-in", "/prod/auth/challenge"]) {
        assert_eq!(context.ip_address.as_deref(), Some("203.0.113.7"));
        assert_eq!(context.server_name, "abc123.execute-api.eu-west-1.amazonaws.com");
        assert_eq!(context.server_path, path);
        let names: Vec<&str> = context.http_headers.iter().map(|(name, _)| name.as_str()).collect();
        assert!(names.contains(&"user-agent"), "{names:?}");
        assert!(!names.iter().any(|n| ["cookie", "x-forwarded-for", "authorization"].contains(n)), "{names:?}");
        assert_eq!(context.encoded_data.as_deref(), Some("fingerprint-1"));
    }
}

#[tokio::test]
async fn a_fingerprint_too_long_is_a_400_before_any_cognito_call() {
    let mut event = post("/auth/sign-in", r#"{"username":"ann@example.com","password":"Passw0rd!"}"#);
    event["headers"]["X-Cognito-Encoded-Data"] = json!("x".repeat(8193));
    event["multiValueHeaders"]["X-Cognito-Encoded-Data"] = json!(["x".repeat(8193)]);
    // Nothing scripted: a Cognito call would fail the test.
    let response = handle(&state(), request(&event)).await;
    assert_eq!(response.status(), 400);
    assert!(body_json(&response).to_string().contains("x-cognito-encoded-data"));
}

/// `GetUser`'s answer for the caller: `ann`, with her email, TOTP on and preferred.
fn ann() -> ScriptedReply {
    ScriptedReply::Account(AccountUser {
        username: "ann".into(),
        attributes: [("email".to_string(), "ann@example.com".to_string())].into_iter().collect(),
        mfa: MfaSettings { enabled: vec!["SOFTWARE_TOKEN_MFA".into()], preferred: Some("SOFTWARE_TOKEN_MFA".into()) },
    })
}

#[tokio::test]
async fn the_mfa_preference_is_read_with_the_callers_access_token() {
    // GIVEN a Cognito that knows the caller's factors
    let (state, pool) = state_recording(vec![ann()]);
    // WHEN the caller reads their preference, with their access token as the bearer
    let response = handle(&state, request(&access_token_event("GET", "/mfa/preference", None))).await;
    // THEN 200 with the factors, from GetUser called with the bearer
    assert_eq!(response.status(), 200, "{:?}", response.body());
    assert_eq!(body_json(&response), json!({"enabled": ["SOFTWARE_TOKEN_MFA"], "preferred": "SOFTWARE_TOKEN_MFA"}));
    assert_eq!(pool.calls(), [Call::GetUser(caller_bearer_token())]);
}

#[tokio::test]
async fn an_authenticator_is_set_up_for_the_email_cognito_holds_not_one_the_token_lacks() {
    // GIVEN a Cognito that knows the caller's email (an access token carries none)
    let (state, pool) = state_recording(vec![ann(), ScriptedReply::Secret("SECRET".into(), None)]);
    // WHEN the caller starts setting up an authenticator app, with no body
    let response = handle(&state, request(&access_token_event("POST", "/mfa/totp/setup", None))).await;
    // THEN the secret, and an otpauth URI labelled with that email
    assert_eq!(response.status(), 200, "{:?}", response.body());
    let body = body_json(&response);
    assert_eq!(body["secretCode"], "SECRET");
    assert_eq!(body["otpauthUri"], "otpauth://totp/Cognito:ann%40example%2Ecom?secret=SECRET&issuer=Cognito");
    assert_eq!(
        pool.calls(),
        [Call::GetUser(caller_bearer_token()), Call::AssociateSoftwareToken("AccessToken", caller_bearer_token())]
    );
}

#[tokio::test]
async fn an_mfa_route_called_with_an_id_token_is_a_401_with_the_apis_error_body_before_cognito() {
    for (method, resource, body) in [
        ("POST", "/mfa/totp/setup", None),
        ("POST", "/mfa/totp/verify", Some(r#"{"code":"123456"}"#)),
        ("GET", "/mfa/preference", None),
        ("PUT", "/mfa/preference", Some(r#"{"totp":true}"#)),
    ] {
        // GIVEN a request the authorizer let in with the caller's ID token
        let event = authorized_event(method, resource, body);
        let event = with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token()));
        let (state, pool) = state_recording(vec![]);
        // WHEN it reaches the handler
        let response = handle(&state, request(&event)).await;
        // THEN 401 with the API's error body and a Bearer challenge, and Cognito is never called
        assert_eq!(response.status(), 401, "{method} {resource}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{method} {resource}");
        assert_eq!(body_json(&response)["error"]["code"], "Unauthorized", "{method} {resource}");
        assert!(pool.calls().is_empty(), "{method} {resource}");
    }
}

/// An access-token request to `/account/attributes/{attribute}/<action>` for `attribute`.
fn attribute_event(attribute: &str, action: &str, body: Option<&str>) -> Value {
    let mut event = access_token_event("POST", &format!("/account/attributes/{{attribute}}/{action}"), body);
    event["path"] = json!(format!("/account/attributes/{attribute}/{action}"));
    event["pathParameters"] = json!({ "attribute": attribute });
    event
}

#[tokio::test]
async fn the_account_is_read_changed_and_its_addresses_proven_with_the_callers_access_token() {
    // GIVEN a Cognito that knows the caller and sends codes
    let delivery = auth_domain::user_pool::CodeDeliveryDetails {
        destination: "a***@e***".into(),
        medium: "EMAIL".into(),
        attribute: "email".into(),
    };
    let (state, pool) = state_recording(vec![
        ann(),
        ScriptedReply::Deliveries(vec![delivery.clone()]),
        ScriptedReply::Delivery(Some(delivery)),
        ScriptedReply::Done,
    ]);
    // WHEN the caller reads the account, changes the email, asks for a code and proves it
    let read = handle(&state, request(&access_token_event("GET", "/account", None))).await;
    let change = r#"{"attributes":{"email":"ann.new@example.com"}}"#;
    let changed = handle(&state, request(&access_token_event("PATCH", "/account", Some(change)))).await;
    let sent = handle(&state, request(&attribute_event("email", "code", None))).await;
    let proven = handle(&state, request(&attribute_event("email", "verify", Some(r#"{"code":"123456"}"#)))).await;
    // THEN each answers as the contract says, every call made with the bearer
    assert_eq!(read.status(), 200, "{:?}", read.body());
    assert_eq!(body_json(&read)["attributes"]["email"], "ann@example.com");
    assert_eq!(body_json(&read)["mfa"]["preferred"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(changed.status(), 200, "{:?}", changed.body());
    assert_eq!(body_json(&changed)["codeDeliveries"][0]["attributeName"], "email");
    assert_eq!(sent.status(), 202, "{:?}", sent.body());
    assert_eq!(body_json(&sent)["codeDelivery"]["deliveryMedium"], "EMAIL");
    assert_eq!(proven.status(), 204, "{:?}", proven.body());
    let token = caller_bearer_token();
    assert_eq!(
        pool.calls(),
        [
            Call::GetUser(token.clone()),
            Call::UpdateUserAttributes(token.clone(), vec![("email".into(), "ann.new@example.com".into())]),
            Call::SendAttributeCode(token.clone(), "email".into()),
            Call::VerifyUserAttribute(token, "email".into(), "123456".into()),
        ]
    );
}

#[tokio::test]
async fn an_address_that_cannot_be_proven_is_a_400_naming_the_attribute_before_cognito() {
    let (state, pool) = state_recording(vec![]);
    for attribute in ["name", "Email", "email_verified"] {
        let response = handle(&state, request(&attribute_event(attribute, "code", None))).await;
        assert_eq!(response.status(), 400, "{attribute}");
        assert_eq!(body_json(&response)["error"]["field"], "attribute", "{attribute}");
    }
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn deleting_the_account_with_an_old_sign_in_is_rfc_9470s_challenge_and_deletes_nothing() {
    // GIVEN callers signed in six minutes ago (at level 4: the level does not count here), and
    // one whose authorizer context carries no `authTime` (a token without `auth_time`)
    let (state, pool) = state_recording(vec![]);
    for auth_time in [Some(auth_domain::unix_time() - 6 * 60), None] {
        let mut event = access_token_event("DELETE", "/account", None);
        let context = event["requestContext"]["authorizer"].as_object_mut().unwrap();
        context.remove("authTime");
        if let Some(auth_time) = auth_time {
            context.insert("authTime".into(), json!(auth_time.to_string()));
        }
        // WHEN they delete their account
        let response = handle(&state, request(&event)).await;
        // THEN 401 asking for a sign-in within five minutes, and Cognito is never asked
        assert_eq!(response.status(), 401, "{:?}", response.body());
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"insufficient_user_authentication\", \
             error_description=\"A more recent sign-in is required\", max_age=\"300\""
        );
        assert_eq!(body_json(&response)["error"]["code"], "InsufficientUserAuthentication");
    }
    assert!(pool.calls().is_empty());
}
