//! The layer in front of an axum router, driven with tokens we sign ourselves.

use std::sync::Arc;

use axum::{
    Extension, Router,
    body::Body,
    http::{Request, StatusCode},
    routing::get,
};
use cognito_auth_layer::CognitoAuthLayer;
use cognito_verifier::{
    Claims, JwksCache, JwksSource, Verifier, VerifierConfig,
    testing::{TestKey, id_token_claims},
};
use serde_json::json;
use tower::ServiceExt;

const POOL: &str = "eu-west-1_TestPool";
const CLIENT: &str = "client-1";

fn app(key: &TestKey) -> Router {
    let jwks = Arc::new(JwksCache::new(JwksSource::Static(TestKey::jwks(&[key]).to_string())).unwrap());
    let verifier = Arc::new(Verifier::single(VerifierConfig::id_tokens(vec![CLIENT.into()]), POOL, jwks));
    Router::new()
        .route("/me", get(|Extension(claims): Extension<Claims>| async move { claims.sub }))
        .route_layer(CognitoAuthLayer::new(verifier.clone()))
        .merge(
            Router::new()
                .route("/admin", get(|| async { "admin" }))
                .route_layer(CognitoAuthLayer::new(verifier).require_group("admins")),
        )
        .route("/open", get(|| async { "open" }))
}

async fn call(app: Router, path: &str, token: Option<&str>) -> (StatusCode, String, Option<String>) {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let www = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap(), www)
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler_with_its_claims() {
    let key = TestKey::new("k1");
    let token = key.sign(&id_token_claims("eu-west-1", POOL, CLIENT));
    assert_eq!(call(app(&key), "/me", Some(&token)).await, (StatusCode::OK, "8f1c0d2e-sub".into(), None));
}

#[tokio::test]
async fn a_missing_or_invalid_token_gets_401_with_the_error_body() {
    let key = TestKey::new("k1");
    let foreign = TestKey::new("k1").sign(&id_token_claims("eu-west-1", POOL, CLIENT));
    for token in [None, Some("garbage"), Some(foreign.as_str())] {
        let (status, body, www) = call(app(&key), "/me", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["error"]["code"], "Unauthorized");
        assert_eq!(www.as_deref(), Some("Bearer"));
    }
}

#[tokio::test]
async fn a_required_group_is_enforced_with_403() {
    let key = TestKey::new("k1");
    let mut claims = id_token_claims("eu-west-1", POOL, CLIENT);
    let admin = key.sign(&claims);
    claims["cognito:groups"] = json!(["readers"]);
    let reader = key.sign(&claims);
    assert_eq!(call(app(&key), "/admin", Some(&admin)).await.0, StatusCode::OK);
    assert_eq!(call(app(&key), "/admin", Some(&reader)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(app(&key), "/open", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn two_authorization_headers_get_401_even_when_both_tokens_are_valid() {
    // GIVEN two valid tokens of different users, sent as two Authorization headers
    let key = TestKey::new("k1");
    let mut claims = id_token_claims("eu-west-1", POOL, CLIENT);
    let admin = key.sign(&claims);
    claims["sub"] = json!("someone-else");
    claims["cognito:groups"] = json!(["readers"]);
    let reader = key.sign(&claims);
    for (first, second) in [(&admin, &reader), (&reader, &admin), (&admin, &admin)] {
        let request = Request::get("/admin")
            .header("authorization", format!("Bearer {first}"))
            .header("authorization", format!("Bearer {second}"))
            .body(Body::empty())
            .unwrap();
        // WHEN the request reaches the layer
        let response = app(&key).oneshot(request).await.unwrap();
        // THEN it is refused as unauthenticated: neither token is chosen
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
}
