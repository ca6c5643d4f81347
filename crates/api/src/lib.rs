//! The REST API contract (`openapi.yaml` at the repository's root) as Rust types, shared by the
//! functions, the authorizer, the local gateway and the tests.
//!
//! Nothing here knows about Lambda or Cognito: it is the wire format (request and response
//! bodies, the error body), the strict JSON parsing rules every route applies, the route table
//! and the keys of the authorizer context.
#![deny(missing_docs)]

pub mod challenge;
pub mod context;
pub mod error;
pub mod json;
pub mod routes;
pub mod secret;
pub mod wire;

pub use context::AuthorizerContext;
pub use error::{ApiError, ErrorCode};
pub use json::{MAX_BODY_BYTES, parse_body};
pub use secret::Secret;

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
    (!token.is_empty() && !has_whitespace(token)).then_some(token)
}

/// Whether `text` contains Unicode whitespace. Tokens are ASCII: `char::is_whitespace` on ASCII
/// is exactly six bytes, all at or below the space, so a branch-free scan for such bytes (which
/// the compiler vectorises) settles almost every token; anything else is checked by character.
fn has_whitespace(text: &str) -> bool {
    let low_byte = |chunk: &[u8]| chunk.iter().fold(false, |found, &b| found | (b <= b' '));
    if text.is_ascii() && !text.as_bytes().chunks(64).any(low_byte) {
        return false;
    }
    text.contains(char::is_whitespace)
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

    #[test]
    fn whitespace_inside_a_token_is_found_as_char_is_whitespace_finds_it() {
        for byte in 0..=127u8 {
            let text = format!("a{}b", byte as char);
            assert_eq!(super::has_whitespace(&text), (byte as char).is_whitespace(), "{byte}");
        }
        assert!(super::has_whitespace("a\u{a0}b") && super::has_whitespace("\u{e9}\u{2003}"));
        assert!(!super::has_whitespace("\u{e9}t"));
    }
}
