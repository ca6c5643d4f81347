//! What can go wrong in a flow, and the one place it is mapped to the API's error body.
//!
//! Cognito's errors become [`AuthError`]s in [`crate::cognito_errors`] (one table, by code,
//! message and call); here each [`AuthError`] becomes the API's status, `ErrorCode` and message.
//! Both conversions are pure: the detail behind a 502 travels in [`ApiError::cause`] and is
//! logged once, where the response is written (`lambda-glue`).

use api_types::{ApiError, ErrorCode};

use crate::user_pool::CognitoError;

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
    /// The invitation's temporary password expired: an admin must send it again (403).
    #[error("temporary password expired")]
    TemporaryPasswordExpired,
    /// The password does not meet the pool's policy (Cognito's message says how).
    #[error("password policy: {field}: {message}")]
    PasswordPolicy {
        /// The request's field that carried the password (`password`, `newPassword`,
        /// `proposedPassword`, `temporaryPassword`, `responses.NEW_PASSWORD`).
        field: std::borrow::Cow<'static, str>,
        /// Cognito's message: what the policy wants.
        message: String,
    },
    /// Cognito rejected a parameter.
    #[error("invalid parameter: {message}")]
    InvalidParameter {
        /// The request's field it was, when Cognito's message says so (see
        /// [`crate::cognito_errors`]).
        field: Option<&'static str>,
        /// Cognito's message.
        message: String,
    },
    /// A code is wrong or expired.
    #[error("code mismatch or expired: {field}")]
    CodeMismatch {
        /// The request's field that carried the code (`code`, `responses.SOFTWARE_TOKEN_MFA_CODE`).
        field: std::borrow::Cow<'static, str>,
    },
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
    /// Cognito refused a `WEB_AUTHN` answer: the passkey is not one of the person's (deleted,
    /// or of another account), its proof failed, or the sign-in's session ended.
    #[error("passkey not accepted")]
    PasskeyNotAccepted,
    /// The person holds no passkey with the id given.
    #[error("unknown passkey")]
    UnknownPasskey,
    /// A handler of an admin route was reached by a caller outside the admins group.
    #[error("not an admin")]
    NotAdmin,
    /// An admin tried to lock themself out (delete, disable, reset their password, leave the
    /// admins group).
    #[error("action on oneself")]
    SelfAction,
    /// An admin tried to take over or remove another admin (set or reset their password, disable,
    /// delete, remove them from the admins group): refused through the API, so no admin can take
    /// another's account; demoting an admin is done in the AWS console or CLI.
    #[error("action on another admin")]
    OtherAdmin,
    /// Cognito refused an admin action given the user's state (Cognito's message says why).
    #[error("refused in this state: {0}")]
    StateConflict(String),
    /// The caller's access token (the bearer) is invalid, expired or revoked (a sign-out, a
    /// password change, an admin's action): Cognito refused it.
    #[error("invalid access token")]
    InvalidAccessToken,
    /// A bearer token that is not the one the authorizer vouched for (someone else's).
    #[error("token of another user")]
    NotYourToken,
    /// Another account already signs in with the address the person asked for (409).
    #[error("address used by another account")]
    AliasExists,
    /// The sign-in behind the token is weaker or older than the route allows: RFC 9470's
    /// `insufficient_user_authentication` (401), naming what the route asks for
    /// ([`crate::step_up`]).
    #[error("sign-in too weak or too old for the route")]
    InsufficientUserAuthentication {
        /// The levels that would do (`acr` names, space-separated, the highest first), when the
        /// route needs a level.
        acr_values: Option<String>,
        /// How recent the sign-in must be, in seconds, when the route has a window.
        max_age: Option<u32>,
    },
    /// Cognito throttled the call (request rate): a short back-off helps.
    #[error("throttled by Cognito")]
    Throttled,
    /// The account hit Cognito's hourly limit on codes (forgot password, resend, verification)
    /// or attempts (`LimitExceededException`): retrying soon does not help.
    #[error("limit exceeded")]
    LimitExceeded,
    /// Too many failed attempts at an action, such as a code (`TooManyFailedAttemptsException`).
    #[error("too many failed attempts")]
    TooManyFailedAttempts,
    /// Cognito's lockout after repeated failed sign-ins ("Password attempts exceeded").
    #[error("password attempts exceeded")]
    PasswordAttemptsExceeded,
    /// The app client may not write an attribute the request set (its `WriteAttributes`).
    #[error("attribute not writable: {attribute:?}")]
    AttributeNotWritable {
        /// The request's field (`attributes.phone_number`), when known.
        field: Option<String>,
        /// The attribute, when Cognito named it.
        attribute: Option<String>,
    },
    /// A Lambda trigger of the pool refused the request; its own text.
    #[error("refused by a trigger: {0}")]
    TriggerRefused(String),
    /// Cognito failed, timed out or answered something unexpected.
    #[error("Cognito call failed")]
    Upstream(#[source] CognitoError),
}

impl AuthError {
    /// A 400 naming `field`.
    pub fn bad_input(field: impl Into<std::borrow::Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::BadInput { field: field.into(), message: message.into() }
    }

    /// A wrong or expired code in `field`.
    pub fn code_mismatch(field: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::CodeMismatch { field: field.into() }
    }

    /// The same error, naming `field` when it is a refused password or code: for the calls whose
    /// Cognito call alone does not say which field of the request carried it (an admin's
    /// `temporaryPassword` or `password`, a challenge's code). Other errors pass unchanged.
    pub fn in_field(self, field: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        match self {
            Self::PasswordPolicy { message, .. } => Self::PasswordPolicy { field: field.into(), message },
            Self::CodeMismatch { .. } => Self::CodeMismatch { field: field.into() },
            other => other,
        }
    }
}

/// Seconds a throttled client is told to wait: Cognito's request-rate throttling clears within
/// a second or so, and the SDK itself retries with a back-off of that order.
const RETRY_AFTER_SECS: u32 = 1;

/// The answer for each [`AuthError`]. Pure: an upstream failure's detail goes into
/// [`ApiError::cause`] for the response writer to log, never into the body.
///
/// The 429s other than rate throttling carry no `Retry-After`:
/// - [`AuthError::PasswordAttemptsExceeded`]: Cognito's lockout (after five failed passwords,
///   or five failed MFA codes) starts at a second, doubles with each further failure up to about
///   15 minutes, and Cognito does not say how long is left
///   (<https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior>).
///   A value would be a guess that clients' retry logic would act on: too short and they are
///   refused again, too long and they wait for nothing; and an automatic retry that then fails
///   doubles the next lockout. The message tells the person to wait a few minutes. The answer
///   reveals no more about the account than Cognito does:
///   Cognito counts attempts per username, and with `PreventUserExistenceErrors` it locks an
///   unknown username out the same way, so the answer does not tell an account from none.
/// - [`AuthError::LimitExceeded`]: an hourly per-account limit; Cognito does not say when it
///   resets, so the message says "an hour" and no header invites an automatic retry.
/// - [`AuthError::TooManyFailedAttempts`]: likewise, how long is Cognito's business.
impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::InvalidCredentials => ApiError::new(ErrorCode::NotAuthorized, "Incorrect username or password."),
            AuthError::UserNotConfirmed => ApiError::new(ErrorCode::UserNotConfirmed, "The account is not confirmed."),
            AuthError::TemporaryPasswordExpired => ApiError::new(
                ErrorCode::PasswordResetRequired,
                "The temporary password has expired: ask an administrator to send the invitation again.",
            ),
            AuthError::PasswordResetRequired => {
                ApiError::new(ErrorCode::PasswordResetRequired, "The password must be reset.")
            }
            AuthError::PasswordPolicy { field, message } => {
                ApiError::new(ErrorCode::InvalidPassword, message).with_field(field)
            }
            AuthError::InvalidParameter { field, message } => {
                let err = ApiError::new(ErrorCode::InvalidParameter, message);
                match field {
                    Some(field) => err.with_field(field),
                    None => err,
                }
            }
            AuthError::CodeMismatch { field } => {
                ApiError::new(ErrorCode::InvalidCode, "The code is wrong or has expired.").with_field(field)
            }
            AuthError::UsernameExists => ApiError::new(ErrorCode::UsernameExists, "The username is taken."),
            AuthError::BadInput { field, message } => ApiError::bad_field(field, message),
            AuthError::InvalidSession => {
                ApiError::new(ErrorCode::NotAuthorized, "The session is invalid or has expired: sign in again.")
                    .with_field("session")
            }
            AuthError::PasskeyNotAccepted => ApiError::new(
                ErrorCode::NotAuthorized,
                "The passkey was not accepted (it may have been deleted, or the sign-in took too long): sign in again.",
            )
            .with_field("responses.CREDENTIAL"),
            AuthError::InvalidIdToken => ApiError::unauthorized(),
            AuthError::UnknownUser => ApiError::new(ErrorCode::UserNotFound, "No such user."),
            AuthError::UnknownGroup => ApiError::new(ErrorCode::NotFound, "No such group."),
            AuthError::UnknownPasskey => {
                ApiError::new(ErrorCode::NotFound, "No such passkey.").with_field("credentialId")
            }
            AuthError::NotAdmin => ApiError::forbidden(),
            AuthError::SelfAction => ApiError::new(
                ErrorCode::Conflict,
                "Admins cannot delete, disable, demote or sign out themselves here, nor reset or set their own password (use /password/change and /auth/sign-out).",
            ),
            AuthError::OtherAdmin => ApiError::new(
                ErrorCode::Forbidden,
                "Admins cannot delete, disable, reset or set the password of, or remove from the admins group, another admin.",
            ),
            AuthError::StateConflict(message) => ApiError::new(ErrorCode::Conflict, message),
            AuthError::InvalidAccessToken => ApiError::new(
                ErrorCode::Unauthorized,
                "The access token is invalid, expired or revoked: sign in again.",
            ),
            AuthError::AliasExists => ApiError::new(ErrorCode::Conflict, "Another account already uses this address."),
            AuthError::InsufficientUserAuthentication { acr_values, max_age } => {
                ApiError::insufficient_user_authentication(acr_values, max_age)
            }
            AuthError::NotYourToken => ApiError::new(ErrorCode::Forbidden, "The token does not belong to the caller."),
            AuthError::Throttled => ApiError::new(ErrorCode::TooManyRequests, "Too many requests; retry later.")
                .with_retry_after(RETRY_AFTER_SECS),
            AuthError::LimitExceeded => ApiError::new(
                ErrorCode::LimitExceeded,
                "The limit on codes and attempts for this account was reached; try again in an hour.",
            ),
            AuthError::TooManyFailedAttempts => ApiError::new(
                ErrorCode::TooManyFailedAttempts,
                "Too many failed attempts; wait a while before trying again.",
            ),
            AuthError::PasswordAttemptsExceeded => ApiError::new(
                ErrorCode::PasswordAttemptsExceeded,
                "Too many failed sign-in attempts; wait a few minutes (up to 15) before trying again.",
            ),
            AuthError::AttributeNotWritable { field, attribute } => {
                let message = match &attribute {
                    Some(name) => format!("The app client may not set the attribute {name}."),
                    None => "The app client may not set one of the attributes given.".to_string(),
                };
                let err = ApiError::new(ErrorCode::InvalidParameter, message);
                match field {
                    Some(field) => err.with_field(field),
                    None => err,
                }
            }
            AuthError::TriggerRefused(message) => ApiError::new(ErrorCode::Refused, message),
            AuthError::Upstream(source) => ApiError::upstream().with_cause(source.code, source.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        cognito_errors::CognitoCall,
        testing::{error, error_with},
    };

    fn cognito(code: &str) -> CognitoError {
        error_with(code, "detail")
    }

    #[test]
    fn unknown_user_and_wrong_password_look_the_same() {
        let a = ApiError::from(AuthError::from_cognito(CognitoCall::SignIn, cognito("UserNotFoundException")));
        let b = ApiError::from(AuthError::from_cognito(CognitoCall::SignIn, cognito("NotAuthorizedException")));
        assert_eq!(a, b);
        assert_eq!(a.status(), 401);
    }

    #[test]
    fn upstream_failures_are_502_without_details_which_are_kept_for_the_log() {
        let e = ApiError::from(AuthError::from_cognito(CognitoCall::SignIn, cognito("InternalErrorException")));
        assert_eq!(e.status(), 502);
        assert!(!e.message.contains("detail") && !e.body().to_string().contains("detail"));
        let cause = e.cause.expect("kept for the log");
        assert_eq!((cause.code.as_str(), cause.message.as_str()), ("InternalErrorException", "detail"));
    }

    #[test]
    fn throttling_is_429_with_retry_after() {
        let e = ApiError::from(AuthError::from_cognito(CognitoCall::SignIn, error("TooManyRequestsException")));
        assert_eq!(e.status(), 429);
        assert_eq!(e.retry_after, Some(1));
    }

    #[test]
    fn password_policy_message_reaches_the_client_naming_the_field() {
        let e = ApiError::from(AuthError::from_cognito(CognitoCall::SignUp, cognito("InvalidPasswordException")));
        assert_eq!((e.status().as_u16(), e.message.as_str(), e.field.as_deref()), (400, "detail", Some("password")));
    }

    #[test]
    fn a_refused_password_or_code_names_the_field_that_carried_it() {
        let weak = AuthError::from_cognito(CognitoCall::Admin, cognito("InvalidPasswordException"));
        let e = ApiError::from(weak.in_field("temporaryPassword"));
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidPassword, Some("temporaryPassword")));
        let wrong = AuthError::from_cognito(CognitoCall::ChallengeAnswer, cognito("CodeMismatchException"));
        let e = ApiError::from(wrong.in_field("responses.SMS_MFA_CODE"));
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidCode, Some("responses.SMS_MFA_CODE")));
        // Other errors keep what they had.
        let e = ApiError::from(AuthError::InvalidCredentials.in_field("password"));
        assert_eq!(e.field, None);
    }

    #[test]
    fn only_upstream_failures_carry_a_cause() {
        let answers = [
            AuthError::InvalidCredentials,
            AuthError::Throttled,
            AuthError::LimitExceeded,
            AuthError::TooManyFailedAttempts,
            AuthError::PasswordAttemptsExceeded,
            AuthError::AttributeNotWritable { field: None, attribute: None },
            AuthError::TriggerRefused("no".into()),
            AuthError::StateConflict("state".into()),
        ];
        for err in answers {
            let api = ApiError::from(err);
            assert!(api.cause.is_none() && api.status().is_client_error(), "{api:?}");
        }
    }
}
