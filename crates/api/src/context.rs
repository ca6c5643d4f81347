//! The authorizer `context`: what the authorizer tells the handlers about the caller.
//!
//! API Gateway only passes strings, numbers and booleans, so groups travel comma-joined.
//! Handlers read it from `requestContext.authorizer`, and never call Cognito to learn who the
//! caller is.

use serde::{Deserialize, Serialize};

/// The caller, as the authorizer established it from a verified ID token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerContext {
    /// The user's immutable id (`sub`).
    pub sub: String,
    /// The pool's internal username (`cognito:username`).
    pub username: String,
    /// The email address, empty when the token has none.
    #[serde(default)]
    pub email: String,
    /// Whether the email address is verified.
    #[serde(default)]
    pub email_verified: bool,
    /// Group names, comma-joined.
    #[serde(default)]
    pub groups: String,
    /// `id` or `access`.
    pub token_use: String,
    /// The app client the token was issued to.
    pub client_id: String,
    /// When the person signed in (`auth_time`, seconds since the epoch); absent when the token
    /// has none. Refreshing keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<u64>,
    /// The token's `acr` (`urn:cognito:loa:1` to `:4`, or the pool's names), empty when absent.
    #[serde(default)]
    pub acr: String,
    /// The token's `amr`, space-joined (`pwd otp mfa`), empty when absent.
    #[serde(default)]
    pub amr: String,
}

impl AuthorizerContext {
    /// The groups as a list.
    pub fn group_list(&self) -> Vec<&str> {
        self.groups.split(',').filter(|g| !g.is_empty()).collect()
    }

    /// The `amr` methods as a list.
    pub fn amr_list(&self) -> Vec<&str> {
        self.amr.split(' ').filter(|m| !m.is_empty()).collect()
    }

    /// Whether the caller is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.group_list().contains(&group)
    }

    /// Reads the context from the JSON object API Gateway puts at `requestContext.authorizer`.
    /// API Gateway turns every value into a string on the way, so booleans may arrive as
    /// `"true"`; both forms are accepted.
    pub fn from_gateway(value: &serde_json::Value) -> Option<Self> {
        let obj = value.as_object()?;
        let text = |key: &str| -> Option<String> {
            match obj.get(key)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        Some(Self {
            sub: text("sub")?,
            username: text("username")?,
            email: text("email").unwrap_or_default(),
            email_verified: text("emailVerified").is_some_and(|v| v == "true"),
            groups: text("groups").unwrap_or_default(),
            token_use: text("tokenUse")?,
            client_id: text("clientId")?,
            auth_time: text("authTime").and_then(|t| t.parse().ok()),
            acr: text("acr").unwrap_or_default(),
            amr: text("amr").unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_context_with_stringified_values() {
        let ctx = AuthorizerContext::from_gateway(&serde_json::json!({
            "sub": "s", "username": "u", "email": "e@x", "emailVerified": "true",
            "groups": "admins,staff", "tokenUse": "id", "clientId": "c", "principalId": "s"
        }))
        .unwrap();
        assert!(ctx.email_verified);
        assert_eq!(ctx.group_list(), vec!["admins", "staff"]);
        assert_eq!((ctx.auth_time, ctx.acr.as_str(), ctx.amr_list()), (None, "", vec![]));
        assert!(ctx.in_group("admins"));
        assert!(!ctx.in_group("admin"));
    }

    #[test]
    fn reads_how_and_when_the_caller_signed_in() {
        let ctx = AuthorizerContext::from_gateway(&serde_json::json!({
            "sub": "s", "username": "u", "tokenUse": "access", "clientId": "c",
            "authTime": "1796673822", "acr": "urn:cognito:loa:4", "amr": "pwd otp mfa"
        }))
        .unwrap();
        assert_eq!(ctx.auth_time, Some(1_796_673_822));
        assert_eq!((ctx.acr.as_str(), ctx.amr_list()), ("urn:cognito:loa:4", vec!["pwd", "otp", "mfa"]));
    }

    #[test]
    fn missing_identity_is_no_context() {
        assert_eq!(AuthorizerContext::from_gateway(&serde_json::json!({"username": "u"})), None);
        assert_eq!(AuthorizerContext::from_gateway(&serde_json::json!(null)), None);
    }
}
