//! Tokens after the authorizer: the caller's own access token as a type, and reading a claim
//! from a token Cognito just issued to us.
//!
//! Reading a claim is **not** verification: it is used only on tokens received directly from
//! Cognito over TLS, to learn the internal username, and on a bearer token the authorizer already
//! verified. Tokens from clients go through `cognito-verifier` (in the authorizer).

use api_types::{AuthorizerContext, Secret, routes::BearerTokenUse};
use base64::Engine;

use crate::{
    AuthError,
    input::{TOKEN_MAX_CHARS, check_text},
};

/// The signed-in caller's own access token, as the bearer of a route that takes it: every call
/// the API makes to Cognito *as the person* (`GetUser`, `ChangePassword`, `GlobalSignOut`,
/// `SetUserMFAPreference`...) takes one, so a route cannot act for someone without it.
///
/// Its only constructor, [`CallerAccessToken::of_caller`], proves what the type says: the
/// authorizer verified the token and named it an access token (`tokenUse` `access` in its
/// context), and the token is the bearer the request carries, whose `sub` is the caller's.
/// Cognito checks it again on each call and refuses it once revoked (sign-out, a global
/// sign-out by an admin, a disabled account): that answer, never the authorizer's cached policy,
/// decides whether the session still lives.
#[derive(Clone)]
pub struct CallerAccessToken {
    token: Secret,
    caller: AuthorizerContext,
}

impl std::fmt::Debug for CallerAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallerAccessToken").field("sub", &self.caller.sub).finish_non_exhaustive()
    }
}

impl CallerAccessToken {
    /// The caller's access token from the request's bearer token (`Authorization` without its
    /// `Bearer ` prefix) and the authorizer's context for it. Errors:
    /// [`AuthError::InvalidAccessToken`] (401) when the context is not an access token's or
    /// the bearer is missing or oversized; [`AuthError::NotYourToken`] (403) when the bearer is
    /// not the token the authorizer vouched for (its `sub` or `token_use` differ).
    pub fn of_caller(caller: &AuthorizerContext, bearer: Option<&str>) -> Result<Self, AuthError> {
        let access = BearerTokenUse::Access.claim();
        if caller.token_use != access {
            return Err(AuthError::InvalidAccessToken);
        }
        let token = bearer.filter(|t| !t.is_empty()).ok_or(AuthError::InvalidAccessToken)?;
        check_text("Authorization", token, TOKEN_MAX_CHARS).map_err(|_| AuthError::InvalidAccessToken)?;
        let claims = unverified_claims(token).ok_or(AuthError::NotYourToken)?;
        let claim = |name: &str| claims.get(name).and_then(serde_json::Value::as_str);
        if claim("sub") != Some(caller.sub.as_str()) || claim("token_use") != Some(access) {
            return Err(AuthError::NotYourToken);
        }
        Ok(Self { token: Secret::from(token.to_owned()), caller: caller.clone() })
    }

    /// The token, for the Cognito call that takes it.
    pub fn expose(&self) -> &str {
        self.token.expose()
    }

    /// The token as the secret the Cognito adapter takes.
    pub fn secret(&self) -> &Secret {
        &self.token
    }

    /// The caller as the authorizer described them (from this token's claims).
    pub fn caller(&self) -> &AuthorizerContext {
        &self.caller
    }

    /// The caller's `sub`.
    pub fn sub(&self) -> &str {
        &self.caller.sub
    }

    /// The caller's internal username (the token's `username` claim).
    pub fn username(&self) -> &str {
        &self.caller.username
    }
}

/// A JWT's payload, without verifying the signature.
fn unverified_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The string claim `name` of a JWT's payload, without verifying the signature.
pub fn unverified_claim(token: &str, name: &str) -> Option<String> {
    unverified_claims(token)?.get(name)?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> String {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")
    }

    fn context(token_use: &str) -> AuthorizerContext {
        AuthorizerContext {
            sub: "sub-1".into(),
            username: "user-1".into(),
            email: String::new(),
            email_verified: false,
            groups: String::new(),
            token_use: token_use.into(),
            client_id: "client".into(),
            auth_time: None,
            acr: String::new(),
            amr: String::new(),
        }
    }

    #[test]
    fn the_callers_access_token_is_the_bearer_the_authorizer_vouched_for() {
        let theirs = token(serde_json::json!({"sub": "sub-1", "token_use": "access"}));
        let made = CallerAccessToken::of_caller(&context("access"), Some(&theirs)).unwrap();
        assert_eq!((made.expose(), made.sub(), made.username()), (theirs.as_str(), "sub-1", "user-1"));
        assert!(!format!("{made:?}").contains(&theirs), "the token stays out of Debug");
    }

    #[test]
    fn an_id_token_context_a_missing_bearer_or_someone_elses_token_proves_nothing() {
        let theirs = token(serde_json::json!({"sub": "sub-1", "token_use": "access"}));
        let refused = |ctx: &AuthorizerContext, bearer: Option<&str>| CallerAccessToken::of_caller(ctx, bearer).err();
        // the authorizer verified an ID token: no access token was proven
        assert!(matches!(refused(&context("id"), Some(&theirs)), Some(AuthError::InvalidAccessToken)));
        assert!(matches!(refused(&context("access"), None), Some(AuthError::InvalidAccessToken)));
        assert!(matches!(refused(&context("access"), Some("")), Some(AuthError::InvalidAccessToken)));
        let huge = "a".repeat(TOKEN_MAX_CHARS + 1);
        assert!(matches!(refused(&context("access"), Some(&huge)), Some(AuthError::InvalidAccessToken)));
        // a token that is not the one the context describes: another person's, or an ID token
        for other in [
            token(serde_json::json!({"sub": "sub-2", "token_use": "access"})),
            token(serde_json::json!({"sub": "sub-1", "token_use": "id"})),
            token(serde_json::json!({"token_use": "access"})),
            "not-a-jwt".to_owned(),
        ] {
            assert!(matches!(refused(&context("access"), Some(&other)), Some(AuthError::NotYourToken)), "{other}");
        }
    }

    #[test]
    fn reads_a_string_claim() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"cognito:username":"u-1","n":1}"#);
        let token = format!("h.{payload}.s");
        assert_eq!(unverified_claim(&token, "cognito:username").as_deref(), Some("u-1"));
        assert_eq!(unverified_claim(&token, "n"), None);
        assert_eq!(unverified_claim("garbage", "n"), None);
    }
}
