//! Request and response bodies, camelCase on the wire. Requests reject unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The sign-in flows a client may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SignInFlow {
    /// Secure Remote Password: the password never leaves the API (the default).
    #[default]
    #[serde(rename = "USER_SRP_AUTH")]
    UserSrpAuth,
    /// The password is sent to Cognito (over TLS).
    #[serde(rename = "USER_PASSWORD_AUTH")]
    UserPasswordAuth,
    /// The server-side admin flow (needs IAM permission, not exposed to the client's own rights).
    #[serde(rename = "ADMIN_USER_PASSWORD_AUTH")]
    AdminUserPasswordAuth,
}

/// `POST /auth/sign-in`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignInRequest {
    /// The sign-in name: email address or username.
    pub username: String,
    /// The password.
    pub password: String,
    /// The flow; `USER_SRP_AUTH` when absent.
    #[serde(default)]
    pub flow: Option<SignInFlow>,
}

/// `Debug` leaves the password out, so a request can never leak it into a log.
impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("username", &self.username)
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

/// Tokens returned by a completed sign-in or a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// The ID token: send it as `Authorization: Bearer ...` to protected routes.
    pub id_token: String,
    /// The access token: for `/password/change`, `/auth/sign-out` and MFA setup.
    pub access_token: String,
    /// The refresh token (absent on refresh responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime of the ID and access tokens, in seconds.
    pub expires_in: i32,
    /// Always `Bearer`.
    pub token_type: String,
}

/// A further step Cognito asks for before it hands out tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// The challenge name (`NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, ...).
    pub name: String,
    /// The session to send back with the answer.
    pub session: String,
    /// Challenge parameters, as Cognito gives them (minus SRP internals).
    pub parameters: BTreeMap<String, String>,
}

/// The answer to a sign-in or a challenge: tokens, or the next challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignInResponse {
    /// Signed in.
    Tokens {
        /// The tokens.
        tokens: Tokens,
        /// The pool's internal username (`cognito:username`): send it to `/auth/refresh`.
        username: String,
    },
    /// Another step is needed.
    Challenge {
        /// The challenge.
        challenge: Challenge,
        /// The pool's internal username: send it back with the answer.
        username: String,
    },
}

/// `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    /// The user's immutable id.
    pub sub: String,
    /// The pool's internal username.
    pub username: String,
    /// The email address.
    pub email: String,
    /// Whether the email address is verified.
    pub email_verified: bool,
    /// The user's groups.
    pub groups: Vec<String>,
}

/// `POST /auth/refresh`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The refresh token from the sign-in.
    pub refresh_token: String,
    /// The pool's internal username, as the sign-in returned it (not the email).
    pub username: String,
}

/// `Debug` leaves the token out.
impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshRequest").field("username", &self.username).finish_non_exhaustive()
    }
}

/// The answer to a refresh: new ID and access tokens (no new refresh token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshResponse {
    /// The tokens.
    pub tokens: Tokens,
}

/// `POST /auth/sign-out`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignOutRequest {
    /// The caller's access token.
    pub access_token: String,
    /// A refresh token to revoke as well.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// `Debug` leaves the tokens out.
impl std::fmt::Debug for SignOutRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignOutRequest").finish_non_exhaustive()
    }
}
