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

    /// A key of its own for one `purpose` (`b"sign-up-receipt"`), derived from the secret
    /// (HMAC-SHA256 of the purpose under the secret): what one purpose signs, no other accepts,
    /// and none of them is a `SECRET_HASH`.
    pub fn derived_key(&self, purpose: &[u8]) -> hmac::Key {
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, self.0.expose().as_bytes()), purpose);
        hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref())
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
    fn a_derived_key_is_the_hmac_of_its_purpose_under_the_secret_and_each_purpose_has_its_own() {
        // Python: k = hmac.new(b"secret", b"purpose", sha256).digest();
        // base64.b64encode(hmac.new(k, b"message", sha256).digest())
        let secret = ClientSecret::new("secret");
        let signed = hmac::sign(&secret.derived_key(b"purpose"), b"message");
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(signed.as_ref()),
            "nlWxqNiyci539lZ8Ep1gEmlcysag5jNDwDixjBzPuQY="
        );
        let other = hmac::sign(&secret.derived_key(b"other"), b"message");
        assert_ne!(signed.as_ref(), other.as_ref());
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", ClientSecret::new("topsecret")).contains("topsecret"));
    }
}
