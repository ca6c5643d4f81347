//! Why a token was refused. Every variant means "401": the variants exist for the decision log
//! and for tests, never for the client, which only ever hears `Unauthorized`.

/// A token failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The token is longer than [`crate::jws::MAX_TOKEN_BYTES`]; refused before decoding.
    #[error("token too large")]
    TooLarge,
    /// Not three base64url segments of JSON, or a header/claim of the wrong type.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header's `alg` is not RS256.
    #[error("algorithm not allowed")]
    AlgorithmNotAllowed,
    /// The header has `crit`: extensions the recipient must understand, and this verifier
    /// understands none (RFC 7515 section 4.1.11).
    #[error("critical header extension")]
    CriticalHeader,
    /// The header has no usable `kid`.
    #[error("missing or invalid kid")]
    InvalidKid,
    /// No key with this `kid` in the JWKS, even after a refetch (or within the penalty box).
    #[error("unknown kid")]
    UnknownKid,
    /// No keys could be loaded at all: every token is refused until they can.
    #[error("no keys available")]
    NoKeys,
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// `exp` is in the past.
    #[error("token expired")]
    Expired,
    /// `nbf` or `iat` is in the future beyond the leeway.
    #[error("token not yet valid")]
    NotYetValid,
    /// `iss` is not the pool's issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// `aud` (ID token) or `client_id` (access token) is not an accepted client.
    #[error("wrong audience")]
    WrongAudience,
    /// `token_use` is not the expected one (an access token used as an ID token, say).
    #[error("wrong token use")]
    WrongTokenUse,
    /// An access token without any of the required scopes.
    #[error("missing scope")]
    MissingScope,
    /// A required claim is missing.
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
}
