//! The checks a Cognito token must pass, in this order: size and shape, `alg` = RS256, `kid`, a
//! pool whose issuer is the token's `iss`, the signature (key from that pool's JWKS only),
//! `token_use`, the audience (`aud` for ID tokens, `client_id` for access tokens), scopes
//! (access tokens, when required), `exp`, `nbf`, `iat`.
//!
//! Every check is on by default; the only choices are which clients, which token use, which
//! scopes and how much clock skew.

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{Claims, JwksCache, VerifyError, jws::Jws};

pub use crate::jws::MAX_TOKEN_BYTES;

/// The default clock leeway: Cognito's `iat` can run about a second ahead of ours.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);

/// Which tokens are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenUse {
    /// ID tokens only (`token_use` = `id`, audience in `aud`). The default.
    #[default]
    Id,
    /// Access tokens only (`token_use` = `access`, audience in `client_id`, scopes checked).
    Access,
    /// Either kind, each held to its own rules: an ID token as [`TokenUse::Id`] checks it, an
    /// access token as [`TokenUse::Access`] does. For an API whose routes each name the kind
    /// they take (the caller's [`Claims::token_use`] says which it was).
    Either,
}

/// The rules every token must pass, whichever pool issued it.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// App clients whose tokens are accepted. Must not be empty.
    pub client_ids: Vec<String>,
    /// ID or access tokens ([`TokenUse::Id`] by default).
    pub token_use: TokenUse,
    /// Access tokens must carry at least one of these scopes; empty means no scope check.
    pub required_scopes: Vec<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat` ([`DEFAULT_LEEWAY`]).
    pub leeway: Duration,
}

impl VerifierConfig {
    /// ID tokens of `client_ids`, with the default leeway.
    pub fn id_tokens(client_ids: Vec<String>) -> Self {
        Self { client_ids, token_use: TokenUse::Id, required_scopes: Vec::new(), leeway: DEFAULT_LEEWAY }
    }
}

/// A user pool whose tokens are accepted, with its keys.
pub struct UserPoolKeys {
    /// The pool id, `{region}_{id}`: the issuer is derived from it.
    pub user_pool_id: String,
    /// The pool's JWKS.
    pub jwks: Arc<JwksCache>,
}

/// The region of a pool id (`eu-west-1_AbC` -> `eu-west-1`).
pub fn pool_region(user_pool_id: &str) -> Option<&str> {
    user_pool_id.split_once('_').map(|(region, _)| region).filter(|r| !r.is_empty())
}

/// The issuers a pool's tokens may carry: the original form and the updated
/// (`issuer-cognito-idp`) form.
pub fn issuers(user_pool_id: &str) -> [String; 2] {
    let region = pool_region(user_pool_id).unwrap_or_default();
    [
        format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
        format!("https://issuer-cognito-idp.{region}.amazonaws.com/{user_pool_id}"),
    ]
}

/// The pool's JWKS URL in AWS.
pub fn jwks_url(user_pool_id: &str) -> String {
    let region = pool_region(user_pool_id).unwrap_or_default();
    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}/.well-known/jwks.json")
}

struct Pool {
    issuers: [String; 2],
    jwks: Arc<JwksCache>,
}

/// Verifies Cognito tokens of one or more user pools.
pub struct Verifier {
    config: VerifierConfig,
    pools: Vec<Pool>,
}

impl Verifier {
    /// The largest leeway accepted; larger values are capped to it.
    pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

    /// A verifier applying `config` to tokens of `pools`. The leeway is capped at
    /// [`Verifier::MAX_LEEWAY`].
    pub fn new(mut config: VerifierConfig, pools: Vec<UserPoolKeys>) -> Self {
        config.leeway = config.leeway.min(Self::MAX_LEEWAY);
        let pools = pools.into_iter().map(|p| Pool { issuers: issuers(&p.user_pool_id), jwks: p.jwks }).collect();
        Self { config, pools }
    }

    /// A verifier for one pool.
    pub fn single(config: VerifierConfig, user_pool_id: &str, jwks: Arc<JwksCache>) -> Self {
        Self::new(config, vec![UserPoolKeys { user_pool_id: user_pool_id.into(), jwks }])
    }

    /// Verifies a token and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, VerifyError> {
        let jws = Jws::parse(token)?;
        let pool = self.pools.iter().find(|p| p.issuers.contains(&jws.claims.iss)).ok_or(VerifyError::WrongIssuer)?;
        let key = pool.jwks.key(&jws.kid).await?;
        jws.verify_signature(&key)?;
        self.check_claims(&jws.claims)?;
        Ok(jws.claims)
    }

    fn check_claims(&self, claims: &Claims) -> Result<(), VerifyError> {
        let accepted = |client: &Option<String>, name: &'static str| match client {
            None => Err(VerifyError::MissingClaim(name)),
            Some(c) if self.config.client_ids.contains(c) => Ok(()),
            Some(_) => Err(VerifyError::WrongAudience),
        };
        let wanted = |kind: TokenUse| self.config.token_use == kind || self.config.token_use == TokenUse::Either;
        match claims.token_use.as_str() {
            "id" if wanted(TokenUse::Id) => accepted(&claims.aud, "aud")?,
            "access" if wanted(TokenUse::Access) => {
                accepted(&claims.client_id, "client_id")?;
                let scopes = claims.scope.as_deref().unwrap_or_default();
                let required = &self.config.required_scopes;
                if !required.is_empty() && !scopes.split(' ').any(|s| required.iter().any(|r| r == s)) {
                    return Err(VerifyError::MissingScope);
                }
            }
            _ => return Err(VerifyError::WrongTokenUse),
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let leeway = self.config.leeway.as_secs();
        if now >= claims.exp.saturating_add(leeway) {
            return Err(VerifyError::Expired);
        }
        let latest = now.saturating_add(leeway);
        if claims.nbf.is_some_and(|nbf| nbf > latest) || claims.iat.is_some_and(|iat| iat > latest) {
            return Err(VerifyError::NotYetValid);
        }
        Ok(())
    }
}
