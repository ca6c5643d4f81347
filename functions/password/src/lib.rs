//! The `password` function: change (signed in), forgot and reset. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{
    ApiError,
    routes::PasswordOperation,
    wire::{ChangePasswordRequest, ResetPasswordRequest, UsernameRequest},
};
use auth_domain::{AccountPort, AccountRecoveryPort, CognitoConfig, password::PasswordService};
use lambda_glue::{Cors, Reply};
use lambda_http::{Body, Request, Response};

/// The Cognito operations this function may call: the signed-in person's own account and
/// account recovery, nothing IAM must grant (a test holds `template.yaml`'s policy to what these
/// reach).
pub trait PasswordPorts: AccountPort + AccountRecoveryPort {}

impl<T: AccountPort + AccountRecoveryPort + ?Sized> PasswordPorts for T {}

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct PasswordState {
    passwords: PasswordService,
    cors: Cors,
}

impl PasswordState {
    /// The state for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn PasswordPorts>, config: CognitoConfig, cors: Cors) -> Self {
        Self { passwords: PasswordService::new(pool.clone(), pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &PasswordState, req: Request) -> Response<Body> {
    let result = dispatch(state, &req).await;
    lambda_glue::respond(&req, &state.cors, result)
}

async fn dispatch(state: &PasswordState, req: &Request) -> Result<Reply, ApiError> {
    match lambda_glue::operation(req)? {
        PasswordOperation::ChangePassword => change(state, req).await,
        PasswordOperation::ForgotPassword => forgot(state, req).await,
        PasswordOperation::ResetPassword => reset(state, req).await,
    }
}

async fn change(state: &PasswordState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    let body: ChangePasswordRequest = lambda_glue::json_body(req)?;
    state.passwords.change(&token, &body).await?;
    Ok(Reply::no_content())
}

async fn forgot(state: &PasswordState, req: &Request) -> Result<Reply, ApiError> {
    let body: UsernameRequest = lambda_glue::json_body(req)?;
    state.passwords.forgot(&body, &lambda_glue::context_data(req)?).await?;
    Ok(Reply::accepted())
}

async fn reset(state: &PasswordState, req: &Request) -> Result<Reply, ApiError> {
    let body: ResetPasswordRequest = lambda_glue::json_body(req)?;
    state.passwords.reset(&body, &lambda_glue::context_data(req)?).await?;
    Ok(Reply::no_content())
}
