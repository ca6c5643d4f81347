//! The `users` handler from real API Gateway (REST) events: defence in depth behind the
//! authorizer.

use std::sync::Arc;

use auth_domain::testing::ScriptedPool;
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

fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
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
    let state = fn_users::State::new(pool.clone(), "admins", Cors::default());
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
    let state = fn_users::State::new(Arc::new(ScriptedPool::default()), "admins", Cors::default());
    let mut anonymous = event("GET", "/users", "/users", "admins");
    anonymous["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let response = fn_users::handle(&state, request(&anonymous)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}
