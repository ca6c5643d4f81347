//! The app client secret and `SECRET_HASH`.
//!
//! `SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id))`.
//! Which username matters: after an alias (email) sign-in, challenge answers and refresh must hash
//! the pool's internal username (`USER_ID_FOR_SRP` / `cognito:username`), not the alias.

use api_types::Secret;
use aws_lc_rs::hmac;
use base64::Engine;

/// An app client secret: a [`Secret`] that also computes `SECRET_HASH`. Its `Debug` never shows
/// the value, so it cannot leak into a log.
#[derive(Debug, Clone)]
pub struct ClientSecret(Secret);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(Secret::new(secret))
    }

    /// The secret itself, for the one call that takes it (`RevokeToken`). Never log it.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The `SECRET_HASH` for `username` on app client `client_id`.
    pub fn secret_hash(&self, username: &str, client_id: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.expose().as_bytes());
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(username.as_bytes());
        ctx.update(client_id.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(ctx.sign().as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // Computed with Python: base64.b64encode(hmac.new(b"secret", b"alice" + b"client",
        // hashlib.sha256).digest())
        let hash = ClientSecret::new("secret").secret_hash("alice", "client");
        assert_eq!(hash, "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0=");
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", ClientSecret::new("topsecret")).contains("topsecret"));
    }
}
