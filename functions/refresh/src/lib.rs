//! The `refresh` function: token refresh and sign-out. It serves no route yet: every request gets the
//! contract's 404 body.

pub use lambda_glue::unrouted::{State, handle};
