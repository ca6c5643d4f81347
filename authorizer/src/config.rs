//! The authorizer's configuration, read once at cold start.

use std::{sync::Arc, time::Duration};

use cognito_verifier::{JwksCache, JwksSource, Verifier, VerifierConfig, verifier::DEFAULT_LEEWAY};

use crate::Authorizer;

/// A configuration variable is missing or malformed: the cold start fails naming it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("environment variable {name} {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

fn missing(name: &'static str) -> ConfigError {
    ConfigError { name, reason: "is required".into() }
}

/// What the authorizer needs to know.
#[derive(Debug, Clone)]
pub struct AuthorizerConfig {
    /// Issuer, audience and leeway rules.
    pub verifier: VerifierConfig,
    /// Where the keys come from: `JWKS_JSON`, else `JWKS_FILE`, else `JWKS_URL`, else the pool's
    /// Cognito JWKS URL.
    pub jwks: JwksSource,
    /// `ADMIN_GROUP` (default `admins`): the group allowed on the admin routes.
    pub admin_group: String,
}

impl AuthorizerConfig {
    /// Reads `AWS_REGION`, `USER_POOL_ID`, `APP_CLIENT_IDS`, `ADMIN_GROUP`, `JWKS_JSON`,
    /// `JWKS_FILE`, `JWKS_URL` and `TOKEN_LEEWAY_SECONDS` (default 5).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let region = get("AWS_REGION").ok_or_else(|| missing("AWS_REGION"))?;
        let user_pool_id = get("USER_POOL_ID").ok_or_else(|| missing("USER_POOL_ID"))?;
        let client_ids: Vec<String> = get("APP_CLIENT_IDS")
            .ok_or_else(|| missing("APP_CLIENT_IDS"))?
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if client_ids.is_empty() {
            return Err(missing("APP_CLIENT_IDS"));
        }
        let leeway = match get("TOKEN_LEEWAY_SECONDS") {
            None => DEFAULT_LEEWAY,
            Some(v) => Duration::from_secs(v.parse::<u64>().ok().filter(|s| *s <= 300).ok_or(ConfigError {
                name: "TOKEN_LEEWAY_SECONDS",
                reason: "must be a whole number of seconds from 0 to 300".into(),
            })?),
        };
        let verifier = VerifierConfig { region, user_pool_id, client_ids, leeway };
        let jwks = if let Some(json) = get("JWKS_JSON") {
            JwksSource::Static(json)
        } else if let Some(path) = get("JWKS_FILE") {
            let json = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError { name: "JWKS_FILE", reason: format!("cannot be read: {e}") })?;
            JwksSource::Static(json)
        } else {
            JwksSource::Url(get("JWKS_URL").unwrap_or_else(|| verifier.jwks_url()))
        };
        Ok(Self { verifier, jwks, admin_group: get("ADMIN_GROUP").unwrap_or_else(|| "admins".into()) })
    }

    /// Builds the authorizer and loads the keys. A JWKS endpoint that is down does not stop the
    /// cold start: tokens are refused until the keys can be fetched.
    pub async fn build(self) -> Result<Authorizer, cognito_verifier::jwks::JwksError> {
        let jwks = Arc::new(JwksCache::new(self.jwks)?);
        match jwks.load().await {
            Ok(count) => tracing::info!(keys = count, "JWKS loaded"),
            Err(err) => tracing::error!(error = %err, "JWKS not loaded at cold start; tokens refused until it is"),
        }
        Ok(Authorizer::new(Arc::new(Verifier::new(self.verifier, jwks)), self.admin_group))
    }
}
