//! The `password` function: change, forgot and reset password. It serves no route yet: every request gets the
//! contract's 404 body.

use lambda_glue::Cors;
use lambda_http::{Body, Request, Response};

/// Everything the handler needs, built once at init.
#[derive(Clone, Default)]
pub struct State {
    cors: Cors,
}

impl State {
    /// State answering with `cors` headers.
    pub fn new(cors: Cors) -> Self {
        Self { cors }
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    let result = Err(lambda_glue::no_route(&req));
    lambda_glue::respond(&req, &state.cors, result)
}
