//! Path parameters, decoded in one place.
//!
//! API Gateway REST (proxy integration, payload v1) hands a function `path` and `pathParameters`
//! **still percent-encoded** as the client sent them: `GET /users/pat%2Btag%40example.com`
//! arrives with `pathParameters.username = "pat%2Btag%40example.com"` (HTTP APIs decode, REST
//! APIs do not; query strings arrive decoded in both). Every function reads its path parameters
//! through [`path_param`], so none can look a user up by the encoded spelling.

use api_types::ApiError;
use lambda_http::{Request, RequestExt};

/// Why a path segment is not a percent-encoded UTF-8 string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecodeError {
    /// A `%` not followed by two hex digits (`%E0%A4%A`, `%zz`, a trailing `%`).
    #[error("has a malformed percent-escape")]
    MalformedEscape,
    /// The decoded bytes are not UTF-8 (`%FF`, a truncated multi-byte sequence).
    #[error("is not percent-encoded UTF-8")]
    NotUtf8,
}

/// The path parameter `name`, percent-decoded (`pat%2Btag%40example.com` →
/// `pat+tag@example.com`; a `+` stays a `+`, as in any path).
///
/// A missing parameter, a malformed escape or bytes that are not UTF-8 are a 400 naming the
/// parameter: the client's spelling is at fault, never the function.
pub fn path_param(req: &Request, name: &str) -> Result<String, ApiError> {
    let raw = req
        .path_parameters_ref()
        .and_then(|p| p.first(name))
        .ok_or_else(|| ApiError::bad_field(name, format!("{name} is required in the path.")))?;
    percent_decode(raw).map_err(|err| ApiError::bad_field(name, format!("{name} in the path {err}.")))
}

/// Strict percent-decoding of one path segment: every `%` must start a two-hex-digit escape, and
/// the result must be UTF-8. Nothing else is translated (`+` is not a space in a path).
pub(crate) fn percent_decode(raw: &str) -> Result<String, DecodeError> {
    let mut bytes = raw.bytes();
    let mut out = Vec::with_capacity(raw.len());
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let high = bytes.next().and_then(hex_digit);
            let low = bytes.next().and_then(hex_digit);
            match (high, low) {
                (Some(high), Some(low)) => out.push(high << 4 | low),
                _ => return Err(DecodeError::MalformedEscape),
            }
        } else {
            out.push(byte);
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::NotUtf8)
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_everything_else() {
        // GIVEN segments as a client percent-encodes them (or does not)
        for (raw, decoded) in [
            ("pat%2Btag%40example.com", "pat+tag@example.com"),
            ("pat+tag@example.com", "pat+tag@example.com"),
            ("a%2fb", "a/b"),
            ("%E0%A4%A8", "\u{928}"),
            ("caf%C3%A9", "café"),
            ("100%25", "100%"),
            ("plain", "plain"),
            ("", ""),
        ] {
            // WHEN decoded, THEN each escape is one byte and nothing else changes
            assert_eq!(percent_decode(raw).as_deref(), Ok(decoded), "{raw}");
        }
    }

    #[test]
    fn refuses_malformed_escapes() {
        for raw in ["%E0%A4%A", "%", "%4", "abc%", "%zz", "%+1", "%-1", "% 1"] {
            assert_eq!(percent_decode(raw), Err(DecodeError::MalformedEscape), "{raw}");
        }
    }

    #[test]
    fn refuses_bytes_that_are_not_utf8() {
        for raw in ["%FF", "%E0%A4", "%C3", "%C3%28"] {
            assert_eq!(percent_decode(raw), Err(DecodeError::NotUtf8), "{raw}");
        }
    }
}
