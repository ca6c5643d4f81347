//! The checks a Cognito ID token must pass, in order: size, shape, algorithm, `kid`, signature
//! (key from the JWKS only), `exp`, `nbf`, `iss`, `aud`, `token_use`, `iat`.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use jsonwebtoken::{Algorithm, Validation, errors::ErrorKind};

use crate::{Claims, JwksCache, VerifyError, jwks::MAX_KID_BYTES};

/// Tokens longer than this are refused before any decoding. Cognito ID tokens are 1–2 KiB,
/// larger with many groups or custom attributes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The default clock leeway: Cognito's `iat` can run about a second ahead of ours.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// What a token must match.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The pool's region.
    pub region: String,
    /// The pool id; the issuer is derived from it and the region.
    pub user_pool_id: String,
    /// App clients whose ID tokens are accepted (`aud`). Must not be empty.
    pub client_ids: Vec<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat` ([`DEFAULT_LEEWAY`]).
    pub leeway: Duration,
}

impl VerifierConfig {
    /// The issuers a token of this pool may carry: the original form and the updated
    /// (`issuer-cognito-idp`) form.
    pub fn issuers(&self) -> [String; 2] {
        [
            format!("https://cognito-idp.{}.amazonaws.com/{}", self.region, self.user_pool_id),
            format!("https://issuer-cognito-idp.{}.amazonaws.com/{}", self.region, self.user_pool_id),
        ]
    }

    /// The pool's JWKS URL in AWS.
    pub fn jwks_url(&self) -> String {
        format!("https://cognito-idp.{}.amazonaws.com/{}/.well-known/jwks.json", self.region, self.user_pool_id)
    }
}

/// Verifies Cognito ID tokens.
pub struct Verifier {
    config: VerifierConfig,
    jwks: Arc<JwksCache>,
    validation: Validation,
}

impl Verifier {
    /// A verifier for `config`, taking keys from `jwks`.
    pub fn new(config: VerifierConfig, jwks: Arc<JwksCache>) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&config.issuers());
        // `token_use` is checked before the audience (so an access token is refused as such),
        // and the audience after it, by us: see `verify`.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = config.leeway.as_secs();
        validation.validate_nbf = true;
        Self { config, jwks, validation }
    }

    /// The JWKS cache.
    pub fn jwks(&self) -> &JwksCache {
        &self.jwks
    }

    /// Verifies an ID token and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(VerifyError::TooLarge);
        }
        if token.split('.').count() != 3 {
            return Err(VerifyError::Malformed("expected three segments".into()));
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(VerifyError::AlgorithmNotAllowed);
        }
        let kid = header.kid.filter(|k| !k.is_empty() && k.len() <= MAX_KID_BYTES).ok_or(VerifyError::InvalidKid)?;
        let key = self.jwks.key(&kid).await?;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &self.validation).map_err(map_error)?.claims;
        if claims.token_use != "id" {
            return Err(VerifyError::WrongTokenUse);
        }
        match &claims.aud {
            None => return Err(VerifyError::MissingClaim("aud")),
            Some(aud) if !self.config.client_ids.contains(aud) => return Err(VerifyError::WrongAudience),
            Some(_) => {}
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        if claims.iat.is_some_and(|iat| iat > now + self.config.leeway.as_secs()) {
            return Err(VerifyError::NotYetValid);
        }
        Ok(claims)
    }
}

fn map_error(err: jsonwebtoken::errors::Error) -> VerifyError {
    match err.kind() {
        ErrorKind::InvalidSignature => VerifyError::InvalidSignature,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => VerifyError::AlgorithmNotAllowed,
        ErrorKind::ExpiredSignature => VerifyError::Expired,
        ErrorKind::ImmatureSignature => VerifyError::NotYetValid,
        ErrorKind::InvalidIssuer => VerifyError::WrongIssuer,
        ErrorKind::InvalidAudience => VerifyError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) => VerifyError::MissingClaim(match claim.as_str() {
            "exp" => "exp",
            "iss" => "iss",
            _ => "sub",
        }),
        other => VerifyError::Malformed(format!("{other:?}")),
    }
}
