//! The `password` handler from real API Gateway (REST) events: change, forgot and reset.

use std::sync::Arc;

use auth_domain::{
    ClientSecret, CognitoError,
    testing::{Call, ScriptedPool, ScriptedReply, access_token_of, config, error},
    user_pool::AdminAction,
};
use fn_password::{PasswordState, handle};
use lambda_glue::{
    Cors,
    testing::{
        ORIGIN, REQUEST_ID, Value, access_token_event, assert_generic_upstream_error, authorized_event, body_json,
        caller_bearer_token, json, public_event, request, with_header,
    },
};

/// The function for an app client with secret `secret` (see [`config`]) over a Cognito answering
/// `replies` in order, and that Cognito.
fn state(replies: Vec<Result<ScriptedReply, CognitoError>>) -> (PasswordState, Arc<ScriptedPool>) {
    let pool = Arc::new(ScriptedPool::new(replies));
    (PasswordState::new(pool.clone(), config(), Cors::new(ORIGIN)), pool)
}

fn hash(username: &str) -> Option<String> {
    Some(ClientSecret::new("secret").secret_hash(username, "client"))
}

/// `POST /password/change` with the caller's access token as the bearer.
fn change(body: &Value) -> Value {
    access_token_event("POST", "/password/change", Some(&body.to_string()))
}

fn passwords(previous: &str, proposed: &str) -> Value {
    json!({"previousPassword": previous, "proposedPassword": proposed})
}

fn reset(username: &str, code: &str, new_password: &str) -> Value {
    let body = json!({"username": username, "code": code, "newPassword": new_password});
    public_event("/password/reset", &body.to_string())
}

#[tokio::test]
async fn forgot_then_reset_reach_cognito_with_the_secret_hash_and_answer_202_then_204() {
    // GIVEN a Cognito that sends a code, then takes it with the new password
    let (state, pool) =
        state(vec![Ok(ScriptedReply::Delivery(None)), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
    // WHEN the person asks for a code, then resets with it
    let forgot = handle(&state, request(&public_event("/password/forgot", r#"{"username":"ann@example.com"}"#))).await;
    let done = handle(&state, request(&reset("ann@example.com", "123456", "New-passw0rd1"))).await;
    // THEN 202 with no body, then 204
    assert_eq!(forgot.status(), 202);
    assert_eq!(done.status(), 204);
    // AND Cognito got the name, code and password with SECRET_HASH over the name, and then
    // ended every session of the account (the old password's included)
    assert_eq!(
        pool.calls(),
        [
            Call::ForgotPassword("ann@example.com".into(), hash("ann@example.com")),
            Call::ConfirmForgotPassword(
                "ann@example.com".into(),
                "123456".into(),
                "New-passw0rd1".into(),
                hash("ann@example.com")
            ),
            Call::AdminAction(AdminAction::SignOut, "ann@example.com".into()),
        ]
    );
    // AND both answers carry the request id and the CORS headers for the page's origin
    for response in [&forgot, &done] {
        assert_eq!(response.headers()["x-request-id"], REQUEST_ID);
        assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    }
}

#[tokio::test]
async fn a_change_with_the_callers_access_token_is_a_204_and_ends_every_session() {
    // GIVEN a Cognito that takes the change and the sign-out
    let (state, pool) = state(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
    // WHEN the caller changes their password with their access token as the bearer
    let response = handle(&state, request(&change(&passwords("Old-passw0rd1", "New-passw0rd1")))).await;
    // THEN 204, after the change and a global sign-out, both with the bearer
    assert_eq!(response.status(), 204);
    let access = caller_bearer_token();
    assert_eq!(
        pool.calls(),
        [
            Call::ChangePassword(access.clone(), "Old-passw0rd1".into(), "New-passw0rd1".into()),
            Call::GlobalSignOut(access),
        ]
    );
}

#[tokio::test]
async fn a_changed_password_whose_sessions_could_not_be_ended_is_a_generic_502() {
    // GIVEN a Cognito that takes the change, then fails to sign the person out
    let (state, _) = state(vec![Ok(ScriptedReply::Done), Err(error("InternalErrorException"))]);
    // WHEN the caller changes their password
    let response = handle(&state, request(&change(&passwords("Old-passw0rd1", "New-passw0rd1")))).await;
    // THEN not a success: the client is told the request did not complete
    assert_generic_upstream_error(&response, &["InternalErrorException"]);
}

#[tokio::test]
async fn a_bad_body_is_a_400_naming_the_field_before_any_cognito_call() {
    let long_code = "1".repeat(auth_domain::input::CONFIRMATION_CODE_MAX_CHARS + 1);
    let long_password = "P".repeat(auth_domain::input::PASSWORD_MAX_CHARS + 1);
    for (event, field) in [
        (public_event("/password/forgot", "{}"), "username"),
        (public_event("/password/forgot", r#"{"username":" ann@example.com"}"#), "username"),
        (public_event("/password/reset", r#"{"username":"ann@example.com","code":"1"}"#), "newPassword"),
        (reset("ann@example.com", "12 34", "New-passw0rd1"), "code"),
        (reset("ann@example.com", &long_code, "New-passw0rd1"), "code"),
        (reset("ann@example.com", "123456", &long_password), "newPassword"),
        (reset("ann@example.com", "123456", " New-passw0rd1"), "newPassword"),
        (change(&json!({"previousPassword": "Old-1"})), "proposedPassword"),
        // The access token is the bearer now; a body carrying it is refused, naming it.
        (
            change(
                &json!({"accessToken": caller_bearer_token(), "previousPassword": "Old-1", "proposedPassword": "New-1"}),
            ),
            "accessToken",
        ),
    ] {
        // GIVEN a Cognito that fails the test on any call
        let (state, pool) = state(vec![]);
        // WHEN the body is posted, THEN 400 names the field
        let response = handle(&state, request(&event)).await;
        assert_eq!(response.status(), 400, "{field}");
        assert_eq!(body_json(&response)["error"]["field"], field, "{}", body_json(&response));
        assert!(pool.calls().is_empty());
    }
}

#[tokio::test]
async fn cognitos_refusals_are_mapped_to_their_statuses_naming_the_field() {
    let change_body = passwords("Wrong-pw1", "New-pw1");
    for (event, reply, status, code, field) in [
        (
            reset("ann@example.com", "000000", "New-passw0rd1"),
            "CodeMismatchException",
            400,
            "InvalidCode",
            json!("code"),
        ),
        (
            reset("nobody@example.com", "123456", "New-passw0rd1"),
            "UserNotFoundException",
            400,
            "InvalidCode",
            json!("code"),
        ),
        (
            reset("ann@example.com", "123456", "weak1"),
            "InvalidPasswordException",
            400,
            "InvalidPassword",
            json!("newPassword"),
        ),
        (change(&change_body), "NotAuthorizedException", 401, "NotAuthorized", Value::Null),
    ] {
        // GIVEN a Cognito that refuses the call with `reply`
        let (state, _) = state(vec![Err(error(reply))]);
        // WHEN the request is made, THEN the refusal's status and code, naming the field
        let response = handle(&state, request(&event)).await;
        let error = &body_json(&response)["error"];
        assert_eq!(
            (response.status().as_u16(), &error["code"], &error["field"]),
            (status, &json!(code), &field),
            "{reply}"
        );
    }
}

#[tokio::test]
async fn an_unexpected_cognito_failure_is_a_generic_502_with_nothing_of_cognitos_message() {
    let (state, _) = state(vec![Err(error("InternalErrorException"))]);
    let response = handle(&state, request(&reset("ann@example.com", "123456", "New-passw0rd1"))).await;
    assert_generic_upstream_error(&response, &["InternalErrorException"]);
}

#[tokio::test]
async fn a_change_without_a_caller_or_with_someone_elses_token_is_refused_before_cognito() {
    let body = passwords("Old-1", "New-1");
    let mut anonymous = change(&body);
    if let Some(context) = anonymous["requestContext"].as_object_mut() {
        context.remove("authorizer");
    }
    let theirs = with_header(change(&body), "Authorization", &format!("Bearer {}", access_token_of("someone-else")));
    for (event, status) in [(anonymous, 401), (theirs, 403)] {
        let (state, pool) = state(vec![]);
        let response = handle(&state, request(&event)).await;
        assert_eq!(response.status(), status);
        assert!(pool.calls().is_empty());
    }
}

#[tokio::test]
async fn a_change_with_an_id_token_is_a_401_with_the_apis_error_body_before_cognito() {
    // GIVEN the authorizer verified the caller's ID token, not their access token
    let event = authorized_event("POST", "/password/change", Some(&passwords("Old-1", "New-1").to_string()));
    let event = with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token()));
    let (state, pool) = state(vec![]);
    // WHEN they change their password
    let response = handle(&state, request(&event)).await;
    // THEN 401 with the API's error body and a Bearer challenge, and Cognito is never called
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(body_json(&response)["error"]["code"], "Unauthorized");
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    assert!(pool.calls().is_empty());
}
