//! The `credentials` function: temporary AWS credentials for the caller, from their ID token
//! through the identity pool. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{ApiError, bearer_token, routes::CredentialsOperation};
use auth_domain::credentials::{CredentialsConfig, CredentialsService, IdentityPool};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response, http::header};

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct CredentialsState {
    credentials: CredentialsService,
    cors: Cors,
}

impl CredentialsState {
    /// The state for `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn IdentityPool>, config: &CredentialsConfig, cors: Cors) -> Self {
        Self { credentials: CredentialsService::new(pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &CredentialsState, req: Request) -> Response<Body> {
    let result = match lambda_glue::operation(&req) {
        Ok(CredentialsOperation::Credentials) => credentials(state, &req).await,
        Err(no_route) => Err(no_route),
    };
    lambda_glue::respond(&req, &state.cors, result)
}

async fn credentials(state: &CredentialsState, req: &Request) -> Result<Reply, ApiError> {
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
