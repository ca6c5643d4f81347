//! Verifies Cognito JWTs locally against the user pool's JWKS, secure by default.
//!
//! - [`jwks`]: the key cache — keys parsed once, refetched only for an unknown `kid`, at most
//!   once per [`jwks::PENALTY`], with one fetch in flight;
//! - [`jws`]: splitting and decoding the token, and its RS256 signature;
//! - [`verifier`]: the checks, in order, each with its own [`VerifyError`];
//! - [`claims`]: the claims a verified token yields;
//! - [`error`]: why a token was refused.
//!
//! The algorithm is pinned to RS256 by us, never taken from the token; keys come only from the
//! configured JWKS (`jku`, `x5u`, `jwk` and `x5c` headers are ignored).
#![deny(missing_docs)]

pub mod claims;
pub mod error;
pub mod jwks;
pub mod jws;
pub mod verifier;

#[cfg(feature = "testing")]
pub mod testing;

pub use claims::Claims;

pub use error::VerifyError;
pub use jwks::{FetchTimeouts, JwksCache, JwksSource};
pub use verifier::{TokenUse, UserPoolKeys, Verifier, VerifierConfig};

/// The token of an `Authorization` value (see [`api_types::bearer_token`]).
pub use api_types::bearer_token;
