//! The `refresh` function: token refresh and sign-out. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{
    ApiError,
    wire::{RefreshRequest, SignOutRequest},
};
use auth_domain::{CognitoConfig, UserPool, session::SessionService};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response};

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct State {
    sessions: SessionService,
    cors: Cors,
}

impl State {
    /// State for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn UserPool>, config: CognitoConfig, cors: Cors) -> Self {
        Self { sessions: SessionService::new(pool.clone(), pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let (method, resource) = lambda_glue::route(&req);
    let result = match (method.as_str(), resource.as_str()) {
        ("POST", "/auth/refresh") => refresh(state, &req).await,
        ("POST", "/auth/sign-out") => sign_out(state, &req).await,
        _ => Err(lambda_glue::no_route(&req)),
    };
    lambda_glue::respond(&req, &state.cors, result)
}

lambda_glue::impl_handler!(State, handle);

async fn refresh(state: &State, req: &Request) -> Result<Reply, ApiError> {
    let body: RefreshRequest = lambda_glue::json_body(req)?;
    Ok(Reply::ok(state.sessions.refresh(&body).await?))
}

async fn sign_out(state: &State, req: &Request) -> Result<Reply, ApiError> {
    let caller = lambda_glue::require_caller(req)?;
    let body: SignOutRequest = lambda_glue::json_body(req)?;
    state.sessions.sign_out(&caller.sub, &body).await?;
    Ok(Reply::no_content())
}
