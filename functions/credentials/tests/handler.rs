//! The `credentials` handler from real API Gateway (REST) events: temporary AWS credentials for
//! the caller's ID token.

use std::sync::Arc;

use auth_domain::{
    CognitoError,
    credentials::{CredentialsConfig, TemporaryCredentials},
    testing::{IdentityReply, ScriptedIdentityPool, config, error},
};
use fn_credentials::{CredentialsState, handle};
use lambda_glue::{
    Cors,
    testing::{
        ORIGIN, REQUEST_ID, Value, assert_generic_upstream_error, authorized_event, body_json, json, request,
        with_header,
    },
};

const LOGINS_KEY: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_pool";

/// The function over an identity pool answering `replies` in order, and that pool.
fn state(replies: Vec<Result<IdentityReply, CognitoError>>) -> (CredentialsState, Arc<ScriptedIdentityPool>) {
    let pool = Arc::new(ScriptedIdentityPool::new(replies));
    let config = CredentialsConfig::new("us-east-1:identity-pool", &config());
    (CredentialsState::new(pool.clone(), &config, Cors::new(ORIGIN)), pool)
}

/// `POST /credentials` from the signed-in caller, with `authorization` as its header.
fn credentials(authorization: Option<&str>) -> Value {
    let event = authorized_event("POST", "/credentials", None);
    match authorization {
        Some(value) => with_header(event, "Authorization", value),
        None => event,
    }
}

fn issued() -> Vec<Result<IdentityReply, CognitoError>> {
    vec![
        Ok(IdentityReply::Identity("us-east-1:identity-1".into())),
        Ok(IdentityReply::Credentials(TemporaryCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "secret-key".into(),
            session_token: "session-token".into(),
            expiration: "2026-11-22T01:00:00Z".into(),
        })),
    ]
}

#[tokio::test]
async fn the_callers_id_token_is_exchanged_for_temporary_credentials() {
    // GIVEN an identity pool that knows the caller's ID token
    let (state, pool) = state(issued());
    // WHEN the caller asks for credentials with it
    let response = handle(&state, request(&credentials(Some("Bearer id.token.sig")))).await;
    // THEN 200 with the identity and its credentials
    assert_eq!(response.status(), 200);
    assert_eq!(
        body_json(&response),
        json!({"identityId": "us-east-1:identity-1", "accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "secret-key",
               "sessionToken": "session-token", "expiration": "2026-11-22T01:00:00Z"})
    );
    // AND both identity-pool calls carried that token under the user pool's Logins key
    assert_eq!(
        pool.calls(),
        [
            ("GetId", String::new(), LOGINS_KEY.into(), "id.token.sig".into()),
            ("GetCredentialsForIdentity", "us-east-1:identity-1".into(), LOGINS_KEY.into(), "id.token.sig".into()),
        ]
    );
    // AND the answer carries the request id and the CORS headers for the page's origin
    assert_eq!(response.headers()["x-request-id"], REQUEST_ID);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
}

#[tokio::test]
async fn a_request_without_a_bearer_token_or_a_caller_is_a_401_before_any_cognito_call() {
    // The route takes no body: what it reads is the Authorization header and the authorizer's
    // context, and a request missing either is refused.
    let mut anonymous = credentials(Some("Bearer id.token.sig"));
    if let Some(context) = anonymous["requestContext"].as_object_mut() {
        context.remove("authorizer");
    }
    for (name, event) in [
        ("no header", credentials(None)),
        ("not a bearer token", credentials(Some("Basic dXNlcjpwYXNz"))),
        ("an empty bearer token", credentials(Some("Bearer "))),
        ("no authorizer context", anonymous),
    ] {
        let (state, pool) = state(vec![]);
        let response = handle(&state, request(&event)).await;
        assert_eq!(response.status(), 401, "{name}");
        assert_eq!(body_json(&response)["error"]["code"], "Unauthorized", "{name}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{name}");
        assert!(pool.calls().is_empty(), "{name}");
    }
}

#[tokio::test]
async fn a_token_the_identity_pool_refuses_is_a_401() {
    let (state, pool) = state(vec![Err(error("NotAuthorizedException"))]);
    let response = handle(&state, request(&credentials(Some("Bearer id.token.sig")))).await;
    assert_eq!(response.status(), 401);
    assert_eq!(body_json(&response)["error"]["code"], "Unauthorized");
    assert_eq!(pool.calls().len(), 1, "no credentials asked for after GetId failed");
}

#[tokio::test]
async fn an_unexpected_identity_pool_failure_is_a_generic_502_with_nothing_of_its_message() {
    // GIVEN an identity pool that issues the identity, then fails on its side
    let (state, _) =
        state(vec![Ok(IdentityReply::Identity("us-east-1:identity-1".into())), Err(error("InternalErrorException"))]);
    let response = handle(&state, request(&credentials(Some("Bearer id.token.sig")))).await;
    assert_generic_upstream_error(&response, &["InternalErrorException"]);
}
