//! The `auth` function: sign-in and `/me`. Parse, call the domain, map — nothing else lives here.

use std::sync::Arc;

use api_types::{
    ApiError,
    wire::{MeResponse, SignInRequest},
};
use auth_domain::{CognitoConfig, UserPool, sign_in::SignInService};
use lambda_glue::{Cors, Handler, Reply};
use lambda_http::{Body, Request, Response};

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct AuthState {
    sign_in: SignInService,
    cors: Cors,
}

impl AuthState {
    /// State for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn UserPool>, config: CognitoConfig, cors: Cors) -> Self {
        Self { sign_in: SignInService::new(pool, config), cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &AuthState, req: Request) -> Response<Body> {
    let (method, resource) = lambda_glue::route(&req);
    let result = match (method.as_str(), resource.as_str()) {
        ("POST", "/auth/sign-in") => sign_in(state, &req).await,
        ("GET", "/me") => me(&req),
        _ => Err(lambda_glue::no_route(&req)),
    };
    lambda_glue::respond(&req, &state.cors, result)
}

impl Handler for AuthState {
    fn handle(&self, req: Request) -> impl Future<Output = Response<Body>> + Send {
        handle(self, req)
    }
}

async fn sign_in(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: SignInRequest = lambda_glue::json_body(req)?;
    let outcome = state.sign_in.sign_in(&body).await?;
    Ok(Reply::ok(outcome))
}

fn me(req: &Request) -> Result<Reply, ApiError> {
    let caller = lambda_glue::require_caller(req)?;
    Ok(Reply::ok(MeResponse {
        groups: caller.group_list().into_iter().map(str::to_string).collect(),
        sub: caller.sub,
        username: caller.username,
        email: caller.email,
        email_verified: caller.email_verified,
    }))
}
