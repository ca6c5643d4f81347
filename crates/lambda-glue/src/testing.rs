//! Test support (feature `testing`) for the functions' handler tests: API Gateway REST events
//! built from one real event (`GET /me` from a signed-in caller), read as Lambda reads them, and
//! the JSON body of a response. One copy for every function, so their tests cannot drift apart.
//!
//! The fixture's caller sent their ID token; [`access_token_event`] is the same caller on a route
//! that takes the access token (the authorizer's context for one, and the bearer it verified).

use lambda_http::{Body, Request, Response};
/// Re-exported so a handler test builds and reads events without a `serde_json` of its own.
pub use serde_json::{Value, json};

/// The request id of every event built here (`requestContext.requestId`), which a response
/// echoes as `x-request-id`.
pub const REQUEST_ID: &str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";

/// The origin every event built here comes from (its `origin` header).
pub const ORIGIN: &str = "https://app.example.com";

/// The caller every authorized event built here carries (`requestContext.authorizer.sub`).
pub const CALLER_SUB: &str = "8f1c0d2e-sub";

/// `GET /me` as API Gateway (REST) hands it to a function: from [`ORIGIN`], through the
/// authorizer, whose context names [`CALLER_SUB`] (`ann@example.com`, verified, in `admins` and
/// `staff`).
pub fn me_event() -> Value {
    serde_json::from_str(include_str!("../tests/data/apigw_rest_me_event.json")).expect("the fixture is JSON")
}

/// An authorized request to `method` `resource` (the route template, also used as the path),
/// with `body` when given, from [`me_event`]'s caller signed in just now with a password and TOTP
/// (`authTime` now, `acr` `urn:cognito:loa:4`, `amr` `pwd otp mfa`), so every route's sign-in
/// requirement is met unless a test changes them.
pub fn authorized_event(method: &str, resource: &str, body: Option<&str>) -> Value {
    let mut event = me_event();
    let context = &mut event["requestContext"]["authorizer"];
    context["authTime"] = json!(auth_domain::unix_time().to_string());
    context["acr"] = json!("urn:cognito:loa:4");
    context["amr"] = json!("pwd otp mfa");
    event["resource"] = json!(resource);
    event["path"] = json!(resource);
    event["httpMethod"] = json!(method);
    event["requestContext"]["resourcePath"] = json!(resource);
    event["requestContext"]["httpMethod"] = json!(method);
    event["requestContext"]["path"] = json!(format!("/prod{resource}"));
    event["body"] = body.map_or(Value::Null, |b| json!(b));
    event
}

/// The access token of [`CALLER_SUB`] that [`access_token_event`] carries as its bearer: what
/// the scripted Cognito is called with on the caller's behalf.
pub fn caller_bearer_token() -> String {
    auth_domain::testing::access_token_of(CALLER_SUB)
}

/// An authorized request to `method` `resource` (with `body` when given) on a route that takes
/// the access token: the authorizer verified [`caller_bearer_token`] (its context says
/// `tokenUse` `access`, and an access token carries no email), and the request carries it as
/// `Authorization: Bearer ...`.
pub fn access_token_event(method: &str, resource: &str, body: Option<&str>) -> Value {
    let mut event = authorized_event(method, resource, body);
    let context = &mut event["requestContext"]["authorizer"];
    context["tokenUse"] = json!("access");
    context["email"] = json!("");
    context["emailVerified"] = json!("false");
    with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token()))
}

/// A request to a public route (`POST` `resource` with `body`): no authorizer context.
pub fn public_event(resource: &str, body: &str) -> Value {
    let mut event = authorized_event("POST", resource, Some(body));
    if let Some(context) = event["requestContext"].as_object_mut() {
        context.remove("authorizer");
    }
    event
}

/// `event` with the header `name: value` (in `headers` and `multiValueHeaders`).
pub fn with_header(mut event: Value, name: &str, value: &str) -> Value {
    event["headers"][name] = json!(value);
    event["multiValueHeaders"][name] = json!([value]);
    event
}

/// The request a function reads from `event`, as in Lambda (`lambda_glue::serve`).
pub fn request(event: &Value) -> Request {
    crate::request_from_event(&event.to_string()).expect("a readable REST event")
}

/// The response's JSON body; panics (failing the test) when it has none.
pub fn body_json(response: &Response<Body>) -> Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
        other => panic!("expected a text body, got {other:?}"),
    }
}

/// Asserts `response` is what a caller sees of an unexpected failure upstream: 502
/// `UpstreamError` with the generic message, nothing of the failure (`leaked` strings such as the
/// scripted error's code), and the request id and CORS origin every answer carries.
pub fn assert_generic_upstream_error(response: &Response<Body>, leaked: &[&str]) {
    assert_eq!(response.status(), 502);
    let body = body_json(response);
    assert_eq!(body["error"]["code"], "UpstreamError");
    assert_eq!(body["error"]["message"], "The identity service could not complete the request.");
    let text = body.to_string();
    for secret in ["scripted"].iter().chain(leaked) {
        assert!(!text.contains(secret), "leaked {secret}: {text}");
    }
    assert_eq!(response.headers()["x-request-id"], REQUEST_ID);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
}
