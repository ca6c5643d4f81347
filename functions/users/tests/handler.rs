//! The `users` handler from real API Gateway (REST) events: defence in depth behind the
//! authorizer.

use std::sync::Arc;

use auth_domain::{
    testing::{Call, ScriptedPool, ScriptedReply},
    user_pool::PoolUser,
};
use lambda_glue::Cors;
use lambda_http::{Body, Request};
use serde_json::{Value, json};

fn event(method: &str, resource: &str, path: &str, groups: &str) -> Value {
    let mut event: Value = serde_json::from_str(include_str!("../../auth/tests/fixtures/apigw-me.json")).unwrap();
    event["resource"] = json!(resource);
    event["path"] = json!(path);
    event["httpMethod"] = json!(method);
    event["pathParameters"] = json!({"username": "someone@example.com"});
    event["requestContext"]["resourcePath"] = json!(resource);
    event["requestContext"]["httpMethod"] = json!(method);
    event["requestContext"]["authorizer"]["groups"] = json!(groups);
    event
}

/// The request the function reads from `event`, as in Lambda (`lambda_glue::serve`).
fn request(event: &Value) -> Request {
    lambda_glue::request_from_event(&event.to_string()).unwrap()
}

fn body(response: &lambda_http::Response<Body>) -> Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        other => panic!("expected a text body, got {other:?}"),
    }
}

#[tokio::test]
async fn a_handler_reached_without_the_admins_group_answers_403_before_any_cognito_call() {
    // GIVEN a request that got past the gateway without the admins group (a misconfigured
    // authorizer, say), and a Cognito that fails any call
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    for (method, resource, path) in [
        ("DELETE", "/users/{username}", "/users/someone@example.com"),
        ("GET", "/users", "/users"),
        ("POST", "/users/{username}/disable", "/users/someone@example.com/disable"),
    ] {
        // WHEN it reaches the handler, THEN it is refused with 403, and Cognito is never called
        let response = fn_users::handle(&state, request(&event(method, resource, path, "staff,admins-readonly"))).await;
        assert_eq!(response.status(), 403, "{method} {path}");
        assert_eq!(body(&response)["error"]["code"], "Forbidden");
    }
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn a_request_without_any_caller_answers_401() {
    let state = fn_users::UsersState::new(Arc::new(ScriptedPool::default()), "admins", Cors::default());
    let mut anonymous = event("GET", "/users", "/users", "admins");
    anonymous["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let response = fn_users::handle(&state, request(&anonymous)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

/// `GET /users/pat%2Btag%40example.com` exactly as API Gateway REST delivers it: `path` and
/// `pathParameters` still percent-encoded.
fn encoded_get_user() -> Value {
    serde_json::from_str(include_str!("fixtures/apigw-get-user-encoded.json")).unwrap()
}

#[tokio::test]
async fn a_percent_encoded_username_is_decoded_before_the_lookup() {
    // GIVEN the REST event for GET /users/pat%2Btag%40example.com from an admin, and a pool that
    // knows pat+tag@example.com
    let event = encoded_get_user();
    assert_eq!(event["pathParameters"]["username"], "pat%2Btag%40example.com");
    let user = PoolUser {
        username: "pat+tag@example.com".into(),
        attributes: [("sub".to_string(), "sub-pat".to_string()), ("email".into(), "pat+tag@example.com".into())]
            .into_iter()
            .collect(),
        status: "CONFIRMED".into(),
        enabled: true,
        ..PoolUser::default()
    };
    // The live admin check comes first: the caller still exists, is enabled, is an admin.
    let caller = PoolUser { enabled: true, ..PoolUser::default() };
    let pool = Arc::new(ScriptedPool::new([
        Ok(ScriptedReply::User(caller)),
        Ok(ScriptedReply::Groups(vec!["admins".into()])),
        Ok(ScriptedReply::User(user)),
        Ok(ScriptedReply::Groups(vec![])),
    ]));
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());

    // WHEN the function handles it
    let response = fn_users::handle(&state, request(&event)).await;

    // THEN it looked the user up by the decoded name, and answers 200 with that user
    assert_eq!(pool.calls().get(2), Some(&Call::AdminGetUser("pat+tag@example.com".into())));
    assert_eq!(response.status(), 200, "{:?}", body(&response));
    assert_eq!(body(&response)["username"], "pat+tag@example.com");
    assert_eq!(body(&response)["email"], "pat+tag@example.com");
}

#[tokio::test]
async fn a_malformed_or_non_utf8_username_in_the_path_answers_400_naming_it() {
    for (raw, message) in [
        ("%E0%A4%A", "username in the path has a malformed percent-escape."),
        ("pat%zz", "username in the path has a malformed percent-escape."),
        ("%FF", "username in the path is not percent-encoded UTF-8."),
    ] {
        // GIVEN an admin's request whose username segment does not decode
        let pool = Arc::new(ScriptedPool::default());
        let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
        let mut event = encoded_get_user();
        event["path"] = json!(format!("/users/{raw}"));
        event["requestContext"]["path"] = json!(format!("/prod/users/{raw}"));
        event["pathParameters"]["username"] = json!(raw);

        // WHEN the function handles it
        let response = fn_users::handle(&state, request(&event)).await;

        // THEN 400 names the parameter (not a 500), and Cognito is never called
        assert_eq!(response.status(), 400, "{raw}");
        let body = body(&response);
        assert_eq!(body["error"]["code"], "BadRequest", "{raw}");
        assert_eq!(body["error"]["field"], "username", "{raw}");
        assert_eq!(body["error"]["message"], message, "{raw}");
        assert!(pool.calls().is_empty(), "{raw}");
    }
}

#[tokio::test]
async fn a_request_with_two_authorization_values_answers_401_before_any_cognito_call() {
    // GIVEN an admin's event whose multiValueHeaders carry two Authorization values (`headers`
    // keeps the last, as API Gateway does), whichever of them the authorizer was handed
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    let mut event = encoded_get_user();
    event["multiValueHeaders"]["Authorization"] = json!(["Bearer first.token.sig", "Bearer second.token.sig"]);
    event["headers"]["Authorization"] = json!("Bearer second.token.sig");

    // WHEN the function handles it
    let response = fn_users::handle(&state, request(&event)).await;

    // THEN it is refused as unauthenticated, and Cognito is never called
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(body(&response)["error"]["code"], "Unauthorized");
    assert!(pool.calls().is_empty());
}
