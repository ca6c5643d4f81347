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
pub use jwks::{JwksCache, JwksSource};
pub use verifier::{TokenUse, UserPoolKeys, Verifier, VerifierConfig};

/// The token of an `Authorization` value: `Bearer <token>` (scheme in any case) or the bare
/// token. `None` for another scheme, no token, or a "token" with whitespace inside.
pub fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        // A scheme with no token after it.
        None if value.eq_ignore_ascii_case("bearer") => return None,
        None => value,
    };
    (!token.is_empty() && !token.contains(char::is_whitespace)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_token_takes_the_scheme_in_any_case_or_a_bare_token() {
        for raw in ["Bearer abc", "bearer abc", "BEARER abc", "abc", "  Bearer   abc "] {
            assert_eq!(bearer_token(raw), Some("abc"), "{raw}");
        }
        for raw in ["", " ", "Bearer", "Bearer ", "Basic abc", "Bearer a b"] {
            assert_eq!(bearer_token(raw), None, "{raw}");
        }
    }
}
