//! The compact JWS: three base64url segments, decoded once each, and the RS256 signature checked
//! with a key parsed when the JWKS was loaded.
//!
//! Only what the checks need is read from the header: `alg` (which must be RS256: the algorithm
//! is ours, never the token's), `kid` (an opaque, length-capped lookup key) and `crit`, whose
//! presence refuses the token: it lists extensions the recipient must understand, and this
//! verifier understands none (RFC 7515 section 4.1.11). `jku`, `x5u`, `jwk` and `x5c` are
//! ignored: keys come only from the configured JWKS.

use std::borrow::Cow;

use aws_lc_rs::signature::ParsedPublicKey;
use base64::Engine;
use serde::Deserialize;

use crate::{Claims, VerifyError, jwks::MAX_KID_BYTES};

/// Tokens longer than this are refused before any decoding: 10,240 bytes, API Gateway's quota
/// on a REST request's request line and headers together ("Total combined size of request line
/// and header values", API Gateway quotas), so no token API Gateway delivers is refused for its
/// size. Cognito ID tokens are 1–2 KiB, several with many groups or custom attributes.
pub const MAX_TOKEN_BYTES: usize = 10 * 1024;

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(default, borrow)]
    kid: Option<Cow<'a, str>>,
    /// Whether the header has `crit`, whatever its value (`null` included): it refuses the token.
    #[serde(default, deserialize_with = "present")]
    crit: bool,
}

/// True for a member that is there, whatever its value.
fn present<'de, D: serde::Deserializer<'de>>(member: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(member).map(|_| true)
}

/// Headers and signatures are decoded on the stack: a Cognito header is under 100 bytes, an
/// RS256 signature at most 1,024 (RSA-8192). Longer ones are malformed.
const MAX_DECODED_ON_STACK: usize = 1024;

/// A token split and decoded, its signature not yet checked.
pub(crate) struct Jws<'a> {
    signing_input: &'a str,
    signature: &'a str,
    /// The header's `kid`.
    pub kid: String,
    /// The claims, typed strictly. Read before the signature is checked only to pick the pool by
    /// issuer; nothing else is decided on them until [`Jws::verify_signature`] passed.
    pub claims: Claims,
}

fn decode(segment: &str) -> Result<Vec<u8>, VerifyError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment).map_err(|_| invalid_base64())
}

/// Decodes a short segment into `buffer`, returning the decoded bytes.
fn decode_short<'b>(segment: &str, buffer: &'b mut [u8; MAX_DECODED_ON_STACK]) -> Result<&'b [u8], VerifyError> {
    let len = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode_slice(segment, buffer)
        .map_err(|_| VerifyError::Malformed("oversized or invalid base64url segment".into()))?;
    buffer.get(..len).ok_or_else(invalid_base64)
}

fn invalid_base64() -> VerifyError {
    VerifyError::Malformed("invalid base64url".into())
}

impl<'a> Jws<'a> {
    /// Splits and decodes a token, refusing anything oversized or malformed.
    pub fn parse(token: &'a str) -> Result<Self, VerifyError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(VerifyError::TooLarge);
        }
        let mut segments = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (segments.next(), segments.next(), segments.next(), segments.next())
        else {
            return Err(VerifyError::Malformed("expected three segments".into()));
        };
        let mut buffer = [0; MAX_DECODED_ON_STACK];
        let header: Header = serde_json::from_slice(decode_short(header, &mut buffer)?)
            .map_err(|e| VerifyError::Malformed(format!("header: {e}")))?;
        if header.alg != "RS256" {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        if header.crit {
            return Err(VerifyError::CriticalHeader);
        }
        let kid = header.kid.filter(|k| !k.is_empty() && k.len() <= MAX_KID_BYTES).ok_or(VerifyError::InvalidKid)?;
        let kid = kid.into_owned();
        let claims: Claims =
            serde_json::from_slice(&decode(payload)?).map_err(|e| VerifyError::Malformed(format!("claims: {e}")))?;
        let signing_input = &token[..header_and_payload_len(token)];
        Ok(Self { signing_input, signature, kid, claims })
    }

    /// Checks the RS256 signature with `key`.
    pub fn verify_signature(&self, key: &ParsedPublicKey) -> Result<(), VerifyError> {
        let mut buffer = [0; MAX_DECODED_ON_STACK];
        let signature = decode_short(self.signature, &mut buffer)?;
        key.verify_sig(self.signing_input.as_bytes(), signature).map_err(|_| VerifyError::InvalidSignature)
    }
}

fn header_and_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}
