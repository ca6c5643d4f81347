//! A tower layer that guards an axum (or any tower) service with Cognito tokens: the Rust
//! counterpart of a `login_required` decorator, over the same verifier the Lambda authorizer
//! uses, with the same rules.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Extension, Router, routing::get};
//! use cognito_auth_layer::CognitoAuthLayer;
//! use cognito_verifier::{Claims, JwksCache, JwksSource, Verifier, VerifierConfig, verifier::jwks_url};
//!
//! # async fn app() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = "eu-west-1_AbCdEf";
//! let jwks = Arc::new(JwksCache::new(JwksSource::Url(jwks_url(pool)))?);
//! jwks.load().await?;
//! let verifier = Arc::new(Verifier::single(VerifierConfig::id_tokens(vec!["my-client-id".into()]), pool, jwks));
//!
//! async fn me(Extension(claims): Extension<Claims>) -> String {
//!     format!("hello {}", claims.internal_username())
//! }
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route_layer(CognitoAuthLayer::new(verifier.clone()));
//! let admin: Router = Router::new()
//!     .route("/admin", get(|| async { "admins only" }))
//!     .route_layer(CognitoAuthLayer::new(verifier).require_group("admins"));
//! # Ok(()) }
//! ```
//!
//! Requests without a valid token (or with more than one `Authorization` header) get 401 with
//! `WWW-Authenticate: Bearer` and the API's error body; a valid token outside the required group
//! gets 403. Handlers read the verified [`Claims`] with `Extension<Claims>`.
#![deny(missing_docs)]

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use api_types::ApiError;
use axum::{
    body::Body,
    http::{Request, Response, header},
};
use cognito_verifier::{Claims, Verifier, bearer_token};
use tower::{Layer, Service};

/// Verifies the `Authorization` token of every request before the inner service sees it.
#[derive(Clone)]
pub struct CognitoAuthLayer {
    verifier: Arc<Verifier>,
    required_group: Option<Arc<str>>,
}

impl CognitoAuthLayer {
    /// A layer accepting any token `verifier` accepts.
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Self { verifier, required_group: None }
    }

    /// Also requires membership of `group` (403 otherwise).
    pub fn require_group(mut self, group: impl Into<Arc<str>>) -> Self {
        self.required_group = Some(group.into());
        self
    }
}

impl<S> Layer<S> for CognitoAuthLayer {
    type Service = CognitoAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CognitoAuth { inner, layer: self.clone() }
    }
}

/// The service [`CognitoAuthLayer`] wraps around another.
#[derive(Clone)]
pub struct CognitoAuth<S> {
    inner: S,
    layer: CognitoAuthLayer,
}

impl<S> Service<Request<Body>> for CognitoAuth<S>
where
    S: Service<Request<Body>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The clone that was driven to readiness serves this request; the fresh one stays.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        let authorization = single_authorization(request.headers());
        Box::pin(async move {
            match layer.check(authorization.as_deref()).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(refusal) => Ok(refusal),
            }
        })
    }
}

impl CognitoAuthLayer {
    async fn check(&self, authorization: Option<&str>) -> Result<Claims, Response<Body>> {
        let token = authorization.and_then(bearer_token).ok_or_else(|| refuse(ApiError::unauthorized()))?;
        let claims = self.verifier.verify(token).await.map_err(|err| {
            tracing::info!(decision = "unauthorized", reason = %err, "token refused");
            refuse(ApiError::unauthorized())
        })?;
        if let Some(group) = &self.required_group
            && !claims.groups.iter().any(|g| **g == **group)
        {
            tracing::info!(decision = "deny", sub = %claims.sub, group = %group, "not in the required group");
            return Err(refuse(ApiError::forbidden()));
        }
        Ok(claims)
    }
}

/// The `Authorization` header, or `None` (hence 401) when there is none, it is not text, or
/// there is more than one: with two, which one the token was verified from and which one the
/// service reads could differ, the same rule as the API's gateway and functions.
fn single_authorization(headers: &axum::http::HeaderMap) -> Option<String> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let first = values.next()?;
    if values.next().is_some() {
        tracing::info!(decision = "unauthorized", reason = "more than one Authorization header", "token refused");
        return None;
    }
    first.to_str().ok().map(str::to_string)
}

/// The API's error response (`api_types::ApiError::to_response`, as the functions and the
/// gateway answer it).
fn refuse(error: ApiError) -> Response<Body> {
    error.to_response().map(Body::from)
}
