//! The `refresh` handler from real API Gateway (REST) events: token refresh and sign-out.

use std::sync::Arc;

use auth_domain::{
    CognitoError,
    testing::{Call, ScriptedPool, ScriptedReply, access_token_of, error},
    user_pool::{AuthResult, IssuedTokens},
};
use fn_refresh::{RefreshState, handle};
use lambda_glue::{
    Cors,
    testing::{
        ORIGIN, REQUEST_ID, Value, access_token_event, assert_generic_upstream_error, authorized_event, body_json,
        caller_bearer_token, json, public_event, request, with_header,
    },
};

/// The function over a Cognito answering `replies` in order, and that Cognito (to read what the
/// function asked of it).
fn state(replies: Vec<Result<ScriptedReply, CognitoError>>) -> (RefreshState, Arc<ScriptedPool>) {
    let pool = Arc::new(ScriptedPool::new(replies));
    (RefreshState::new(pool.clone(), Cors::new(ORIGIN)), pool)
}

fn new_tokens() -> Result<ScriptedReply, CognitoError> {
    Ok(ScriptedReply::Auth(AuthResult::Tokens(IssuedTokens {
        id_token: "new-id-token".into(),
        access_token: "new-access-token".into(),
        refresh_token: Some("rotated-refresh-token".into()),
        expires_in: 3600,
        token_type: "Bearer".into(),
    })))
}

fn refresh(body: &str) -> Value {
    public_event("/auth/refresh", body)
}

/// `POST /auth/sign-out` with the caller's access token as the bearer, and `body` when given.
fn sign_out(body: Option<&str>) -> Value {
    access_token_event("POST", "/auth/sign-out", body)
}

#[tokio::test]
async fn a_refresh_answers_the_new_tokens_with_the_request_id_and_cors_headers() {
    // GIVEN a Cognito that takes the refresh token and issues new tokens (rotating it)
    let (state, pool) = state(vec![new_tokens()]);
    // WHEN a browser posts the refresh token
    let response = handle(&state, request(&refresh(r#"{"refreshToken":"old-refresh-token"}"#))).await;
    // THEN 200 with the new tokens, the rotated refresh token among them
    assert_eq!(response.status(), 200, "{:?}", body_json(&response));
    let tokens = &body_json(&response)["tokens"];
    assert_eq!(
        (&tokens["idToken"], &tokens["accessToken"], &tokens["refreshToken"], &tokens["expiresIn"]),
        (&json!("new-id-token"), &json!("new-access-token"), &json!("rotated-refresh-token"), &json!(3600))
    );
    // AND Cognito was asked with the token sent, once
    assert_eq!(pool.calls(), [Call::GetTokensFromRefreshToken("old-refresh-token".into())]);
    // AND the answer carries the request id and the CORS headers for the page's origin
    let headers = response.headers();
    assert_eq!(headers["x-request-id"], REQUEST_ID);
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn a_bad_refresh_body_is_a_400_naming_the_field_before_any_cognito_call() {
    let too_long = json!({"refreshToken": "r".repeat(auth_domain::input::TOKEN_MAX_CHARS + 1)}).to_string();
    for (body, field) in [
        ("{}", "refreshToken"),
        (r#"{"refreshToken":7}"#, "refreshToken"),
        (r#"{"refreshToken":"  "}"#, "refreshToken"),
        (too_long.as_str(), "refreshToken"),
        (r#"{"refreshToken":"r","username":""}"#, "username"),
        (r#"{"refreshToken":"r","extra":1}"#, "extra"),
    ] {
        // GIVEN a Cognito that fails the test on any call
        let (state, pool) = state(vec![]);
        // WHEN the body is posted, THEN 400 names the field
        let response = handle(&state, request(&refresh(body))).await;
        assert_eq!(response.status(), 400, "{body:.80}");
        let error = &body_json(&response)["error"];
        assert_eq!((&error["code"], &error["field"]), (&json!("BadRequest"), &json!(field)), "{body:.80}");
        assert!(pool.calls().is_empty());
    }
}

#[tokio::test]
async fn a_refresh_token_at_the_length_limit_reaches_cognito() {
    let token = "r".repeat(auth_domain::input::TOKEN_MAX_CHARS);
    let (state, pool) = state(vec![new_tokens()]);
    let response = handle(&state, request(&refresh(&json!({"refreshToken": token}).to_string()))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(pool.calls(), [Call::GetTokensFromRefreshToken(token)]);
}

#[tokio::test]
async fn a_revoked_refresh_token_is_a_401_saying_so() {
    // GIVEN a Cognito that refuses the refresh token (revoked, or rotated out)
    let (state, _) = state(vec![Err(error("NotAuthorizedException"))]);
    // WHEN it is used, THEN 401 NotAuthorized
    let response = handle(&state, request(&refresh(r#"{"refreshToken":"revoked"}"#))).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body_json(&response)["error"]["code"], "NotAuthorized");
    assert_eq!(response.headers()["x-request-id"], REQUEST_ID);
}

#[tokio::test]
async fn an_unexpected_cognito_failure_is_a_generic_502_with_nothing_of_cognitos_message() {
    for event in [refresh(r#"{"refreshToken":"r"}"#), sign_out(None)] {
        // GIVEN a Cognito that fails on its side ("scripted" is in its message)
        let (state, _) = state(vec![Err(error("InternalErrorException"))]);
        // WHEN the function calls it
        let response = handle(&state, request(&event)).await;
        // THEN 502 UpstreamError, a generic message, and nothing of Cognito's
        assert_generic_upstream_error(&response, &["InternalErrorException"]);
    }
}

#[tokio::test]
async fn signing_out_ends_every_session_of_the_caller_and_revokes_the_refresh_token() {
    // GIVEN the caller's access token as the bearer, and their refresh token in the body
    let (state, pool) = state(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
    // WHEN they sign out
    let response = handle(&state, request(&sign_out(Some(r#"{"refreshToken":"refresh-token"}"#)))).await;
    // THEN 204, after a global sign-out with the bearer and the revocation of the refresh token
    assert_eq!(response.status(), 204);
    assert_eq!(pool.calls(), [Call::GlobalSignOut(caller_bearer_token()), Call::RevokeToken("refresh-token".into())]);
    assert_eq!(response.headers()["x-request-id"], REQUEST_ID);
}

#[tokio::test]
async fn signing_out_without_a_body_ends_every_session_of_the_caller() {
    for body in [None, Some(""), Some("{}")] {
        // GIVEN the caller's access token as the bearer, and no refresh token
        let (state, pool) = state(vec![Ok(ScriptedReply::Done)]);
        // WHEN they sign out
        let response = handle(&state, request(&sign_out(body))).await;
        // THEN 204, after a global sign-out with the bearer, and nothing to revoke
        assert_eq!(response.status(), 204, "{body:?}: {:?}", response.body());
        assert_eq!(pool.calls(), [Call::GlobalSignOut(caller_bearer_token())], "{body:?}");
    }
}

#[tokio::test]
async fn signing_out_with_an_id_token_is_a_401_with_the_apis_error_body_before_cognito() {
    // GIVEN the authorizer verified the caller's ID token, not their access token
    let event = authorized_event("POST", "/auth/sign-out", None);
    let event = with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token()));
    let (state, pool) = state(vec![]);
    // WHEN they sign out
    let response = handle(&state, request(&event)).await;
    // THEN 401 with the API's error body and a Bearer challenge, and Cognito is never called
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(response.headers()["content-type"], "application/json");
    let error = &body_json(&response)["error"];
    assert_eq!(error["code"], "Unauthorized", "{error}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{error}");
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn signing_out_with_someone_elses_token_without_a_caller_or_with_a_bad_body_is_refused_before_cognito() {
    // GIVEN another person's access token as the bearer, a request that bypassed the
    // authorizer, and bodies the route does not take (the access token no longer goes there)
    let theirs = with_header(sign_out(None), "Authorization", &format!("Bearer {}", access_token_of("someone-else")));
    let mut anonymous = sign_out(None);
    if let Some(context) = anonymous["requestContext"].as_object_mut() {
        context.remove("authorizer");
    }
    let old_body = json!({"accessToken": caller_bearer_token()}).to_string();
    for (event, status, code) in [
        (theirs, 403, "Forbidden"),
        (anonymous, 401, "Unauthorized"),
        (sign_out(Some(&old_body)), 400, "BadRequest"),
        (sign_out(Some("{not json")), 400, "BadRequest"),
    ] {
        let (state, pool) = state(vec![]);
        // WHEN they are posted, THEN each is refused, and Cognito is never called
        let response = handle(&state, request(&event)).await;
        assert_eq!((response.status().as_u16(), &body_json(&response)["error"]["code"]), (status, &json!(code)));
        assert!(pool.calls().is_empty());
    }
}
