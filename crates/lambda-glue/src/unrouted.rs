//! The handler of a function that serves no route yet: it answers the contract's 404 body to
//! everything, so a deployed placeholder behaves like a missing route, never like a crash.

use lambda_http::{Body, Request, Response};

use crate::Cors;

/// A placeholder function's state.
#[derive(Debug, Clone, Default)]
pub struct State {
    cors: Cors,
}

impl State {
    /// State answering with `cors` headers.
    pub fn new(cors: Cors) -> Self {
        Self { cors }
    }
}

/// Answers 404 to any request.
pub async fn handle(state: &State, req: Request) -> Response<Body> {
    crate::respond(&req, &state.cors, Err(crate::no_route(&req)))
}
