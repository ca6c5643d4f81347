//! The `refresh` function: token refresh and sign-out. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{
    ApiError,
    routes::RefreshOperation,
    wire::{RefreshRequest, SignOutRequest},
};
use auth_domain::{CognitoConfig, UserPool, session::SessionService};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response};

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct RefreshState {
    sessions: SessionService,
    cors: Cors,
}

impl RefreshState {
    /// The state for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn UserPool>, config: CognitoConfig, cors: Cors) -> Self {
        Self { sessions: SessionService::new(pool.clone(), pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &RefreshState, req: Request) -> Response<Body> {
    let result = dispatch(state, &req).await;
    lambda_glue::respond(&req, &state.cors, result)
}

async fn dispatch(state: &RefreshState, req: &Request) -> Result<Reply, ApiError> {
    match lambda_glue::operation(req)? {
        RefreshOperation::Refresh => refresh(state, req).await,
        RefreshOperation::SignOut => sign_out(state, req).await,
    }
}

async fn refresh(state: &RefreshState, req: &Request) -> Result<Reply, ApiError> {
    let body: RefreshRequest = lambda_glue::json_body(req)?;
    Ok(Reply::ok(state.sessions.refresh(&body, &lambda_glue::context_data(req)?).await?))
}

async fn sign_out(state: &RefreshState, req: &Request) -> Result<Reply, ApiError> {
    let caller = lambda_glue::require_caller(req)?;
    let body: SignOutRequest = lambda_glue::json_body(req)?;
    state.sessions.sign_out(&caller.sub, &body).await?;
    Ok(Reply::no_content())
}
