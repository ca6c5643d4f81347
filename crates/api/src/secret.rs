//! [`Secret`]: a string that must not reach a log. Every field that holds a password, a token,
//! a challenge session, a one-time code, a TOTP secret, a client secret or an AWS secret key is
//! a `Secret`, so a `#[derive(Debug)]` on the type around it is safe and no type redacts its
//! fields by hand.

use serde::{Deserialize, Serialize};

/// A secret string: a password, a token (ID, access, refresh), a challenge session, a
/// confirmation or MFA code, a TOTP secret, a client secret, a temporary password, an AWS
/// secret key or session token.
///
/// - `Debug` prints `Secret(..)`, never the value; there is no `Display`, so `{}` does not
///   compile and `{:?}` of any type holding one is safe to log.
/// - On the wire it is the plain JSON string (`#[serde(transparent)]`): wire formats and
///   `openapi.yaml` do not change.
/// - The value is reached only through [`Secret::expose`] (or [`Secret::into_exposed`]), so
///   every place that uses it reads as such.
///
/// Why not the `secrecy` crate: its `SecretString` serializes only behind an opt-in marker
/// trait, has no `PartialEq`/`Eq` (our wire types compare in tests and derive `Eq`), and its
/// zeroize-on-drop buys little here, where the same values pass through serde_json, the AWS
/// SDK and HTTP buffers that are not zeroized. What we need is the type-level "never printed"
/// mark, which is these few lines. Equality is the ordinary (not constant-time) comparison:
/// nothing compares a secret against an attacker's guess through it.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the call that needs it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value, by move, for the call that needs it. Never log it.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Compares with a plain string (tests, and checks against a known constant).
impl PartialEq<str> for Secret {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// Compares with a plain string (tests, and checks against a known constant).
impl PartialEq<&str> for Secret {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::from("SECRET-MARK");
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert_eq!(format!("{:?}", Some(secret)), "Some(Secret(..))");
    }

    #[test]
    fn serializes_as_the_plain_string() {
        let secret: Secret = serde_json::from_str(r#""abc""#).unwrap_or_default();
        assert_eq!(secret.expose(), "abc");
        assert_eq!(serde_json::to_string(&secret).ok().as_deref(), Some(r#""abc""#));
        assert!(serde_json::from_str::<Secret>("1").is_err());
    }
}
