//! What can go wrong in a flow, and the one place it is mapped to the API's error body.

use api_types::{ApiError, ErrorCode};

use crate::user_pool::{CognitoError, CognitoErrorKind};

/// A flow failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong password or unknown user: deliberately one error, so a caller cannot probe accounts.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The account exists but is not confirmed.
    #[error("user not confirmed")]
    UserNotConfirmed,
    /// The user must reset their password before signing in.
    #[error("password reset required")]
    PasswordResetRequired,
    /// The password does not meet the pool's policy (Cognito's message says how).
    #[error("password policy: {0}")]
    PasswordPolicy(String),
    /// Cognito rejected a parameter.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A code is wrong or expired.
    #[error("code mismatch or expired")]
    CodeMismatch,
    /// The username is taken.
    #[error("username exists")]
    UsernameExists,
    /// An input is valid JSON but not acceptable here.
    #[error("{field}: {message}")]
    BadInput {
        /// The field at fault (`responses.NEW_PASSWORD` for a nested one).
        field: std::borrow::Cow<'static, str>,
        /// Why.
        message: String,
    },
    /// A challenge session is unknown, expired or already used: sign in again.
    #[error("invalid session")]
    InvalidSession,
    /// Cognito refused the caller's ID token (revoked, or not trusted by the identity pool).
    #[error("invalid ID token")]
    InvalidIdToken,
    /// An admin route named a user that does not exist.
    #[error("unknown user")]
    UnknownUser,
    /// An admin route named a group that does not exist.
    #[error("unknown group")]
    UnknownGroup,
    /// A handler of an admin route was reached by a caller outside the admins group.
    #[error("not an admin")]
    NotAdmin,
    /// An admin tried to lock themself out (delete, disable, reset their password, leave the
    /// admins group).
    #[error("action on oneself")]
    SelfAction,
    /// Cognito refused an admin action given the user's state (Cognito's message says why).
    #[error("refused in this state: {0}")]
    StateConflict(String),
    /// The access token in the body is invalid, expired or revoked.
    #[error("invalid access token")]
    InvalidAccessToken,
    /// A token in the body belongs to someone other than the caller.
    #[error("token of another user")]
    NotYourToken,
    /// Cognito throttled the call.
    #[error("throttled by Cognito")]
    Throttled,
    /// Cognito failed, timed out or answered something unexpected.
    #[error("Cognito call failed")]
    Upstream(#[source] CognitoError),
}

impl AuthError {
    /// A 400 naming `field`.
    pub fn bad_input(field: impl Into<std::borrow::Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::BadInput { field: field.into(), message: message.into() }
    }
}

/// Wrong password and unknown user become one error ([`AuthError::InvalidCredentials`]), so a
/// caller cannot probe accounts.
impl From<CognitoError> for AuthError {
    fn from(err: CognitoError) -> Self {
        match err.kind {
            CognitoErrorKind::NotAuthorized | CognitoErrorKind::UserNotFound => Self::InvalidCredentials,
            CognitoErrorKind::UserNotConfirmed => Self::UserNotConfirmed,
            CognitoErrorKind::PasswordResetRequired => Self::PasswordResetRequired,
            CognitoErrorKind::InvalidPassword => Self::PasswordPolicy(err.message),
            CognitoErrorKind::InvalidParameter => Self::InvalidParameter(err.message),
            CognitoErrorKind::InvalidCode => Self::CodeMismatch,
            CognitoErrorKind::UsernameExists => Self::UsernameExists,
            CognitoErrorKind::Throttled => Self::Throttled,
            CognitoErrorKind::ResourceNotFound | CognitoErrorKind::Unreachable | CognitoErrorKind::Other => {
                Self::Upstream(err)
            }
        }
    }
}

/// Seconds a throttled client is told to wait.
const RETRY_AFTER_SECS: u32 = 1;

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::InvalidCredentials => ApiError::new(ErrorCode::NotAuthorized, "Incorrect username or password."),
            AuthError::UserNotConfirmed => ApiError::new(ErrorCode::UserNotConfirmed, "The account is not confirmed."),
            AuthError::PasswordResetRequired => {
                ApiError::new(ErrorCode::PasswordResetRequired, "The password must be reset.")
            }
            AuthError::PasswordPolicy(message) => ApiError::new(ErrorCode::InvalidPassword, message),
            AuthError::InvalidParameter(message) => ApiError::new(ErrorCode::InvalidParameter, message),
            AuthError::CodeMismatch => ApiError::new(ErrorCode::InvalidCode, "The code is wrong or has expired."),
            AuthError::UsernameExists => ApiError::new(ErrorCode::UsernameExists, "The username is taken."),
            AuthError::BadInput { field, message } => ApiError::bad_field(field, message),
            AuthError::InvalidSession => {
                ApiError::new(ErrorCode::NotAuthorized, "The session is invalid or has expired: sign in again.")
                    .with_field("session")
            }
            AuthError::InvalidIdToken => ApiError::unauthorized(),
            AuthError::UnknownUser => ApiError::new(ErrorCode::UserNotFound, "No such user."),
            AuthError::UnknownGroup => ApiError::new(ErrorCode::NotFound, "No such group."),
            AuthError::NotAdmin => ApiError::forbidden(),
            AuthError::SelfAction => ApiError::new(
                ErrorCode::Conflict,
                "Admins cannot delete, disable or demote themselves, nor reset or set their own password here (use /password/change).",
            ),
            AuthError::StateConflict(message) => ApiError::new(ErrorCode::Conflict, message),
            AuthError::InvalidAccessToken => {
                ApiError::new(ErrorCode::NotAuthorized, "The access token is invalid or has expired.")
                    .with_field("accessToken")
            }
            AuthError::NotYourToken => ApiError::new(ErrorCode::Forbidden, "The token does not belong to the caller."),
            AuthError::Throttled => ApiError {
                retry_after: Some(RETRY_AFTER_SECS),
                ..ApiError::new(ErrorCode::TooManyRequests, "Too many requests; retry later.")
            },
            AuthError::Upstream(source) => {
                tracing::error!(code = %source.code, message = %source.message, "Cognito call failed");
                ApiError::upstream()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cognito(code: &str) -> CognitoError {
        CognitoError { kind: CognitoErrorKind::from_code(code), code: code.into(), message: "detail".into() }
    }

    #[test]
    fn unknown_user_and_wrong_password_look_the_same() {
        let a = ApiError::from(AuthError::from(cognito("UserNotFoundException")));
        let b = ApiError::from(AuthError::from(cognito("NotAuthorizedException")));
        assert_eq!(a, b);
        assert_eq!(a.status(), 401);
    }

    #[test]
    fn upstream_failures_are_502_without_details() {
        let e = ApiError::from(AuthError::from(cognito("InternalErrorException")));
        assert_eq!(e.status(), 502);
        assert!(!e.message.contains("detail"));
    }

    #[test]
    fn throttling_is_429_with_retry_after() {
        let e = ApiError::from(AuthError::from(cognito("TooManyRequestsException")));
        assert_eq!(e.status(), 429);
        assert_eq!(e.retry_after, Some(1));
    }

    #[test]
    fn password_policy_message_reaches_the_client() {
        let e = ApiError::from(AuthError::from(cognito("InvalidPasswordException")));
        assert_eq!((e.status().as_u16(), e.message.as_str()), (400, "detail"));
    }
}
