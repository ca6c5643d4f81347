//! The REST API contract (`shared/api-contract.md`) as Rust types, shared by the functions, the
//! authorizer, the local gateway and the tests.
//!
//! Nothing here knows about Lambda or Cognito: it is the wire format (request and response
//! bodies, the error body), the strict JSON parsing rules every route applies, the route table
//! and the keys of the authorizer context.
#![deny(missing_docs)]

pub mod context;
pub mod error;
pub mod json;
pub mod routes;
pub mod wire;

pub use context::AuthorizerContext;
pub use error::{ApiError, ErrorCode};
pub use json::{MAX_BODY_BYTES, parse_body};
