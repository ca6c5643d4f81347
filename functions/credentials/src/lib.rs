//! The `credentials` function: temporary AWS credentials for the caller, from their ID token
//! through the identity pool. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{ApiError, bearer_token};
use auth_domain::credentials::{CredentialsConfig, CredentialsService, IdentityPool};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response, http::header};

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct State {
    credentials: CredentialsService,
    cors: Cors,
}

impl State {
    /// State for `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn IdentityPool>, config: &CredentialsConfig, cors: Cors) -> Self {
        Self { credentials: CredentialsService::new(pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let (method, resource) = lambda_glue::route(&req);
    let result = match (method.as_str(), resource.as_str()) {
        ("POST", "/credentials") => credentials(state, &req).await,
        _ => Err(lambda_glue::no_route(&req)),
    };
    lambda_glue::respond(&req, &state.cors, result)
}

lambda_glue::impl_handler!(State, handle);

async fn credentials(state: &State, req: &Request) -> Result<Reply, ApiError> {
    // The authorizer verified this very token: its context is the caller's.
    lambda_glue::require_caller(req)?;
    let id_token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Reply::ok(state.credentials.for_id_token(id_token).await?))
}
