//! Reading a JWT's header and claims **without verifying anything**, for display only: `decode`
//! prints them labelled UNVERIFIED, `verify` prints them after `cognito-verifier` accepted the
//! token, and the other commands use `exp` to warn about expired tokens. No decision is ever
//! taken on what this returns.

use base64::Engine;
use serde_json::Value;

/// A JWT's header and claims, as JSON, unverified.
#[derive(Debug, Clone, PartialEq)]
pub struct Unverified {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
}

/// Why a token could not even be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtDecodeError {
    /// Not `header.payload.signature`.
    #[error("not a JWT (expected three dot-separated parts; a refresh token is encrypted and cannot be decoded)")]
    NotThreeParts,
    /// A part is not base64url.
    #[error("the {0} is not base64url")]
    NotBase64(&'static str),
    /// A part is not a JSON object.
    #[error("the {0} is not a JSON object")]
    NotJson(&'static str),
}

/// Decodes `token`'s header and claims. This is **not** verification.
pub fn decode_unverified(token: &str) -> Result<Unverified, JwtDecodeError> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(claims), Some(_signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtDecodeError::NotThreeParts);
    };
    Ok(Unverified { header: part(header, "header")?, claims: part(claims, "payload")? })
}

fn part(segment: &str, name: &'static str) -> Result<Value, JwtDecodeError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(segment.trim_end_matches('='))
        .map_err(|_| JwtDecodeError::NotBase64(name))?;
    match serde_json::from_slice(&bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(JwtDecodeError::NotJson(name)),
    }
}

impl Unverified {
    /// The claim `name` as text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.claims.get(name)?.as_str()
    }

    /// The `exp` claim, in seconds since the epoch.
    pub fn expires_at(&self) -> Option<u64> {
        self.claims.get("exp")?.as_u64()
    }
}

/// `at` relative to `now`, for a person: `in 59m 58s`, `3h 2m ago`.
pub fn relative(at: u64, now: u64) -> String {
    let (span, future) = if at >= now { (at - now, true) } else { (now - at, false) };
    let (h, m, s) = (span / 3600, span % 3600 / 60, span % 60);
    let text = match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m"),
    };
    if future { format!("in {text}") } else { format!("{text} ago") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn decodes_header_and_claims_of_a_well_formed_token() {
        let token = format!("{}.{}.sig", b64(r#"{"alg":"RS256","kid":"k1"}"#), b64(r#"{"sub":"s","exp":10}"#));
        let out = decode_unverified(&token).unwrap();
        assert_eq!(out.header["kid"], "k1");
        assert_eq!((out.text("sub"), out.expires_at()), (Some("s"), Some(10)));
    }

    #[test]
    fn says_why_a_token_cannot_be_decoded() {
        assert_eq!(decode_unverified("abc"), Err(JwtDecodeError::NotThreeParts));
        assert_eq!(decode_unverified("a.b.c.d.e"), Err(JwtDecodeError::NotThreeParts));
        assert_eq!(decode_unverified("!!.e30.s"), Err(JwtDecodeError::NotBase64("header")));
        assert_eq!(decode_unverified(&format!("e30.{}.s", b64("[1]"))), Err(JwtDecodeError::NotJson("payload")));
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(100, 100), "in 0s");
        assert_eq!(relative(100 + 3598, 100), "in 59m 58s");
        assert_eq!(relative(100, 100 + 3 * 3600 + 120), "3h 2m ago");
    }
}
