//! The `password` function: change, forgot and reset password. It serves no route yet: every request gets the
//! contract's 404 body.

pub use lambda_glue::unrouted::{State, handle};
