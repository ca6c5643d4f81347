//! Test support (feature `testing`): RSA keys that sign Cognito-shaped tokens and publish
//! themselves as JWKs, so tests of the verifier and its users need no network and no fixtures.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::KeySize,
    signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair},
};
use base64::Engine;
use serde_json::{Value, json};

/// base64url without padding, as JWTs use it.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// An RSA-2048 signing key with a `kid`.
pub struct TestKey {
    /// The key id it publishes and signs with.
    pub kid: String,
    pair: RsaKeyPair,
}

impl TestKey {
    /// A fresh key.
    pub fn new(kid: &str) -> Self {
        Self { kid: kid.into(), pair: RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation") }
    }

    /// The public key as a JWK (`kty` RSA, `alg` RS256, `use` sig).
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
            "n": b64(public.modulus().big_endian_without_leading_zero()),
            "e": b64(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// A JWKS holding these keys.
    pub fn jwks(keys: &[&TestKey]) -> Value {
        json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
    }

    /// A token with any header and claims, signed RS256 by this key.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        self.sign_raw(&header.to_string(), &claims.to_string())
    }

    /// A token whose header and payload are exactly these texts (duplicate keys, odd types),
    /// signed RS256 by this key.
    pub fn sign_raw(&self, header: &str, payload: &str) -> String {
        let message = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message.as_bytes(), &mut signature)
            .expect("RSA signing");
        format!("{message}.{}", b64(&signature))
    }

    /// A token with these claims, signed with this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(&json!({"alg": "RS256", "typ": "JWT", "kid": self.kid}), claims)
    }
}

/// The claims of a Cognito ID token for `client_id` of `pool_id` in `region`, valid for an hour.
pub fn id_token_claims(region: &str, pool_id: &str, client_id: &str) -> Value {
    let now = now();
    json!({
        "sub": "8f1c0d2e-sub", "iss": format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
        "aud": client_id, "token_use": "id", "cognito:username": "8f1c0d2e-sub",
        "email": "ann@example.com", "email_verified": true, "cognito:groups": ["admins"],
        "iat": now, "auth_time": now, "exp": now + 3600, "jti": "j-1", "origin_jti": "o-1",
    })
}

/// The claims of a Cognito access token for `client_id` of `pool_id` in `region`, valid for an
/// hour, for the same person as [`id_token_claims`]: the app client in `client_id`, the username
/// in `username`, the scope Cognito's own sign-in grants.
pub fn access_token_claims(region: &str, pool_id: &str, client_id: &str) -> Value {
    let now = now();
    json!({
        "sub": "8f1c0d2e-sub", "iss": format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
        "client_id": client_id, "token_use": "access", "username": "8f1c0d2e-sub",
        "scope": "aws.cognito.signin.user.admin", "cognito:groups": ["admins"],
        "iat": now, "auth_time": now, "exp": now + 3600, "jti": "j-2", "origin_jti": "o-1",
    })
}
