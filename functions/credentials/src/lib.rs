//! The `credentials` function: temporary AWS credentials from the identity pool. It serves no route yet: every request gets the
//! contract's 404 body.

pub use lambda_glue::unrouted::{State, handle};
