//! The `refresh` function: token refresh and sign-out. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{
    ApiError,
    routes::RefreshOperation,
    wire::{RefreshRequest, SignOutRequest},
};
use auth_domain::{AccountPort, RefreshPort, session::SessionService};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response};

/// The Cognito operations this function may call: refreshing and the signed-in person's own
/// account, nothing IAM must grant (a test holds `template.yaml`'s policy to what these reach).
pub trait RefreshPorts: RefreshPort + AccountPort {}

impl<T: RefreshPort + AccountPort + ?Sized> RefreshPorts for T {}

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct RefreshState {
    sessions: SessionService,
    cors: Cors,
}

impl RefreshState {
    /// The state for the app client `pool` calls Cognito as.
    pub fn new(pool: Arc<dyn RefreshPorts>, cors: Cors) -> Self {
        Self { sessions: SessionService::new(pool.clone(), pool), cors }
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
    Ok(Reply::ok(state.sessions.refresh(&body).await?))
}

async fn sign_out(state: &RefreshState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    let body: SignOutRequest = lambda_glue::optional_json_body(req)?;
    state.sessions.sign_out(&token, &body).await?;
    Ok(Reply::no_content())
}
