//! The claims of a verified Cognito token.

use serde::{Deserialize, Deserializer};

/// Claims of a Cognito ID (or access) token, after verification. Unknown claims are ignored;
/// known claims with the wrong type make the token malformed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The user's immutable id.
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// `id` or `access`.
    pub token_use: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<u64>,
    /// Not before, seconds since the epoch.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Audience: the app client (ID tokens).
    #[serde(default)]
    pub aud: Option<String>,
    /// The app client (access tokens).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Space-separated scopes (access tokens).
    #[serde(default)]
    pub scope: Option<String>,
    /// Internal username (ID tokens).
    #[serde(default, rename = "cognito:username")]
    pub cognito_username: Option<String>,
    /// Internal username (access tokens).
    #[serde(default)]
    pub username: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the email is verified (Cognito sends a boolean; some pools a string).
    #[serde(default, deserialize_with = "bool_or_string")]
    pub email_verified: bool,
    /// Groups.
    #[serde(default, rename = "cognito:groups")]
    pub groups: Vec<String>,
    /// When the person signed in, seconds since the epoch (OpenID Connect Core 1.0, section 2);
    /// a refresh keeps it.
    #[serde(default)]
    pub auth_time: Option<u64>,
    /// How strongly they signed in: Cognito's level (`urn:cognito:loa:1` to `:4`, or the pool's
    /// names for them); absent from tokens of pools where Cognito does not issue it. AWS:
    /// "Authentication levels with ACR and AMR claims".
    #[serde(default)]
    pub acr: Option<String>,
    /// How they signed in: the methods (`pwd`, `otp`, `sms`, `email_otp`, `swk`, `hwk`, `mfa`;
    /// RFC 8176), empty when absent.
    #[serde(default)]
    pub amr: Vec<String>,
}

impl Claims {
    /// The pool's internal username, from whichever claim the token type carries.
    pub fn internal_username(&self) -> &str {
        self.cognito_username.as_deref().or(self.username.as_deref()).unwrap_or(&self.sub)
    }

    /// The app client the token was issued to.
    pub fn client(&self) -> &str {
        self.aud.as_deref().or(self.client_id.as_deref()).unwrap_or_default()
    }
}

fn bool_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Flag::deserialize(de)? {
        Flag::Bool(b) => Ok(b),
        Flag::Text(t) if t == "true" => Ok(true),
        Flag::Text(t) if t == "false" => Ok(false),
        Flag::Text(_) => Err(serde::de::Error::custom("email_verified must be a boolean")),
    }
}
