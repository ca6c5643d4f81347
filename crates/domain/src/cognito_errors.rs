//! The one table from Cognito's errors to the API's: (exception code, optional message pattern,
//! the call it failed on) → an [`Answer`], which names the [`AuthError`] variant (and from there,
//! in [`crate::error`], the API's status and `ErrorCode`).
//!
//! Cognito shares codes across situations (`NotAuthorizedException` is a wrong password, a
//! lockout, a disabled user, a dead session, an attribute the client may not write ...), and the
//! same situation means different things on different calls (an unknown user is "wrong username
//! or password" on sign-in, "wrong code" on a confirmation, a 404 for admins). So a row names the
//! code, the message that tells the situations apart where one must, and the [`CognitoCall`]s
//! it applies to; the most specific matching row wins (see [`TABLE`]). Services call
//! [`AuthError::from_cognito`] (or [`outcome`] for the two flows that answer some failures as
//! success) and never match on codes themselves.
//!
//! Everything here is pure: no logging, no I/O, so every row is unit-tested. The errors each
//! call can return are listed on its API reference page, under "Errors", e.g.
//! <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors>.

use crate::{
    AuthError,
    input::looks_like_attribute_name,
    user_pool::{CognitoError, CognitoErrorKind},
};

/// The Cognito call (or family of calls) a failure came from: the granularity at which the
/// existing flows give one code different meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CognitoCall {
    /// `InitiateAuth` / `AdminInitiateAuth` with a password or SRP, and the SRP
    /// `PASSWORD_VERIFIER` answer
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors>).
    SignIn,
    /// `RespondToAuthChallenge` / `AdminRespondToAuthChallenge` for the challenges a client
    /// answers, and `AssociateSoftwareToken` / `VerifySoftwareToken` with a sign-in session
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html#API_RespondToAuthChallenge_Errors>).
    ChallengeAnswer,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`.
    Refresh,
    /// Calls authorised by the caller's access token: `GlobalSignOut`, and
    /// `AssociateSoftwareToken`, `VerifySoftwareToken`, `SetUserMFAPreference` for TOTP
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html#API_GlobalSignOut_Errors>).
    AccessToken,
    /// `ChangePassword`: authorised by the access token *and* the previous password
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ChangePassword.html#API_ChangePassword_Errors>).
    ChangePassword,
    /// `SignUp` (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html#API_SignUp_Errors>).
    SignUp,
    /// `ConfirmSignUp` (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmSignUp.html#API_ConfirmSignUp_Errors>).
    ConfirmSignUp,
    /// `ResendConfirmationCode` (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResendConfirmationCode.html#API_ResendConfirmationCode_Errors>).
    ResendCode,
    /// `ForgotPassword` (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html#API_ForgotPassword_Errors>).
    ForgotPassword,
    /// `ConfirmForgotPassword` (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmForgotPassword.html#API_ConfirmForgotPassword_Errors>).
    ConfirmForgotPassword,
    /// The admin routes' calls: `AdminCreateUser`, `AdminGetUser`, `ListUsers` (first page),
    /// `AdminListGroupsForUser`, `AdminDeleteUser` / `Disable` / `Enable` / `ResetUserPassword`,
    /// `AdminAddUserToGroup` / `RemoveUserFromGroup`, `GetGroup`, `AdminSetUserPassword`
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html#API_AdminResetUserPassword_Errors>).
    Admin,
    /// `ListUsers` with the client's page token (`next`): a refused parameter is that token
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html#API_ListUsers_Errors>).
    ListUsersPage,
    /// The passkey calls, authorised by the caller's access token: `StartWebAuthnRegistration`,
    /// `CompleteWebAuthnRegistration`, `ListWebAuthnCredentials`, `DeleteWebAuthnCredential`
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CompleteWebAuthnRegistration.html#API_CompleteWebAuthnRegistration_Errors>).
    Passkeys,
    /// The identity pool's `GetId` and `GetCredentialsForIdentity`, with the caller's ID token
    /// (<https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html#API_GetId_Errors>).
    IdentityPool,
}

impl CognitoCall {
    /// Every call family, for tests and for printing the table.
    pub const ALL: [CognitoCall; 14] = [
        Self::SignIn,
        Self::ChallengeAnswer,
        Self::Refresh,
        Self::AccessToken,
        Self::ChangePassword,
        Self::SignUp,
        Self::ConfirmSignUp,
        Self::ResendCode,
        Self::ForgotPassword,
        Self::ConfirmForgotPassword,
        Self::Admin,
        Self::ListUsersPage,
        Self::Passkeys,
        Self::IdentityPool,
    ];
}

/// What a row maps a Cognito error to: an [`AuthError`] variant (its data taken from the error
/// where it has any), or success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// [`AuthError::InvalidCredentials`]: 401, the one body for a wrong password and an unknown user.
    InvalidCredentials,
    /// [`AuthError::UserNotConfirmed`].
    UserNotConfirmed,
    /// [`AuthError::PasswordResetRequired`].
    PasswordResetRequired,
    /// [`AuthError::TemporaryPasswordExpired`].
    TemporaryPasswordExpired,
    /// [`AuthError::PasswordPolicy`] with Cognito's message (it says what the policy wants).
    PasswordPolicy,
    /// [`AuthError::InvalidParameter`] with Cognito's message.
    InvalidParameter,
    /// [`AuthError::CodeMismatch`].
    CodeMismatch,
    /// [`AuthError::UsernameExists`].
    UsernameExists,
    /// [`AuthError::InvalidSession`].
    InvalidSession,
    /// [`AuthError::InvalidIdToken`].
    InvalidIdToken,
    /// [`AuthError::InvalidAccessToken`].
    InvalidAccessToken,
    /// [`AuthError::UnknownUser`].
    UnknownUser,
    /// [`AuthError::UnknownGroup`].
    UnknownGroup,
    /// [`AuthError::StateConflict`]: the pool has passkeys off.
    PasskeysNotEnabled,
    /// [`AuthError::InvalidParameter`] on `credential`, saying which of Cognito's checks of a
    /// passkey ceremony failed ([`passkey_refusal`]).
    PasskeyRefused,
    /// [`AuthError::StateConflict`] with Cognito's message.
    StateConflict,
    /// [`AuthError::InvalidParameter`] on `acrValues`: the pool's feature plan has no step-up.
    StepUpUnavailable,
    /// [`AuthError::BadInput`] on `next`: the page token is not one of ours.
    BadPageToken,
    /// [`AuthError::Throttled`]: request-rate throttling.
    Throttled,
    /// [`AuthError::LimitExceeded`]: the account's hourly limit.
    LimitExceeded,
    /// [`AuthError::TooManyFailedAttempts`].
    TooManyFailedAttempts,
    /// [`AuthError::PasswordAttemptsExceeded`]: Cognito's sign-in lockout.
    PasswordAttemptsExceeded,
    /// [`AuthError::AttributeNotWritable`], naming the attribute when Cognito's message does.
    AttributeNotWritable,
    /// [`AuthError::TriggerRefused`] with the trigger's own text.
    TriggerRefused,
    /// [`AuthError::AliasExists`]: another account signs in with the address.
    AliasExists,
    /// Answered as success ([`Outcome::AnswerAsSuccess`]), so the answer cannot tell whether
    /// the account exists.
    AnswerAsSuccess,
    /// [`AuthError::Upstream`]: 502, details only in the logs.
    Upstream,
}

/// The calls a row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// Every call: the code's default meaning.
    Any,
    /// Only these calls: overrides the code's default for them.
    Only(&'static [CognitoCall]),
}

impl On {
    /// Whether the row applies to `call`.
    pub fn includes(self, call: CognitoCall) -> bool {
        match self {
            Self::Any => true,
            Self::Only(calls) => calls.contains(&call),
        }
    }
}

/// One row of [`TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Cognito's exception code (`NotAuthorizedException`).
    pub code: &'static str,
    /// Text Cognito's message must contain for the row to apply; `None`: any message.
    pub message: Option<&'static str>,
    /// The calls it applies to.
    pub on: On,
    /// What the error means there.
    pub answer: Answer,
}

impl Row {
    /// How specific the row is: a message pattern beats none, a list of calls beats [`On::Any`].
    /// Of the rows matching an error, the most specific wins; a test checks there is never a
    /// tie.
    pub fn specificity(&self) -> u8 {
        u8::from(self.message.is_some()) * 2 + u8::from(matches!(self.on, On::Only(_)))
    }
}

use Answer as A;
use CognitoCall as C;

const fn row(code: &'static str, on: On, answer: Answer) -> Row {
    Row { code, message: None, on, answer }
}

const fn when(code: &'static str, message: &'static str, on: On, answer: Answer) -> Row {
    Row { code, message: Some(message), on, answer }
}

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const USER_NOT_FOUND: &str = "UserNotFoundException";
const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";
const INVALID_PARAMETER: &str = "InvalidParameterException";

/// Cognito's text for the lockout after repeated failed sign-ins.
pub const PASSWORD_ATTEMPTS_EXCEEDED: &str = "Password attempts exceeded";
/// Cognito's text for an attribute the app client may not write.
pub const UNAUTHORIZED_ATTRIBUTE: &str = "A client attempted to write unauthorized attribute";
/// Cognito's text for a disabled user.
pub const USER_DISABLED: &str = "User is disabled.";
/// Cognito's text for a wrong password or an unknown user.
pub const INCORRECT_CREDENTIALS: &str = "Incorrect username or password.";
/// The end of Cognito's texts for an invitation whose temporary password expired ("Temporary
/// password has expired and must be reset by an administrator.", formerly "User account has
/// expired, it must be reset by an administrator.").
pub const RESET_BY_AN_ADMINISTRATOR: &str = "must be reset by an administrator";
/// What Cognito's texts for a revoked or expired access token start with ("Access Token has
/// been revoked", "Access Token has expired").
pub const ACCESS_TOKEN_REFUSED: &str = "Access Token";

/// The calls whose users can run into a Lambda trigger and should read its refusal: sign-in
/// (pre authentication, pre token generation, ...), challenge answers, refresh (pre token
/// generation), sign-up (pre sign-up), the confirmations (post confirmation) and admin creation.
/// Not `ForgotPassword` / `ResendConfirmationCode`: their custom-message trigger runs only for
/// existing accounts, so its refusal would tell which accounts exist; those stay the generic 502.
const TRIGGERED: On = On::Only(&[
    C::SignIn,
    C::ChallengeAnswer,
    C::Refresh,
    C::SignUp,
    C::ConfirmSignUp,
    C::ConfirmForgotPassword,
    C::Admin,
]);

/// The admin calls, the page-token variant of `ListUsers` included.
const ADMIN: On = On::Only(&[C::Admin, C::ListUsersPage]);

/// The table. Of the rows matching an error's code, message and call, the most specific
/// ([`Row::specificity`]) wins; no row at all means [`Answer::Upstream`] (a 502 whose detail
/// goes to the logs only), as does any failure that is not an answer of Cognito's (timeouts,
/// unreadable answers).
///
/// Sources: each call's "Errors" section in the Cognito API reference
/// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_Operations.html>)
/// and, for the messages that tell apart errors sharing a code, the "Cognito's errors" section of
/// the README and `docs/cognito-conformance.md`.
pub const TABLE: &[Row] = &[
    // ---- Defaults: what a code means on any call.
    // A wrong password and an unknown user: one answer, so accounts cannot be probed
    // (PreventUserExistenceErrors already makes Cognito answer NotAuthorized for both).
    row(NOT_AUTHORIZED, On::Any, A::InvalidCredentials),
    row(USER_NOT_FOUND, On::Any, A::InvalidCredentials),
    row("UserNotConfirmedException", On::Any, A::UserNotConfirmed),
    row("PasswordResetRequiredException", On::Any, A::PasswordResetRequired),
    row("InvalidPasswordException", On::Any, A::PasswordPolicy),
    row(INVALID_PARAMETER, On::Any, A::InvalidParameter),
    // A TOTP answer where the user or pool has no software token is a client mistake too.
    row("SoftwareTokenMFANotFoundException", On::Any, A::InvalidParameter),
    row("CodeMismatchException", On::Any, A::CodeMismatch),
    row("ExpiredCodeException", On::Any, A::CodeMismatch),
    // A wrong first TOTP code.
    row("EnableSoftwareTokenMFAException", On::Any, A::CodeMismatch),
    row("UsernameExistsException", On::Any, A::UsernameExists),
    // Request-rate throttling: a short back-off helps (Retry-After: 1).
    row("TooManyRequestsException", On::Any, A::Throttled),
    // The per-account hourly limit on codes and attempts: a short back-off does not help.
    row("LimitExceededException", On::Any, A::LimitExceeded),
    row("TooManyFailedAttemptsException", On::Any, A::TooManyFailedAttempts),
    // A wrong pool or client id: our configuration, not the caller's doing.
    row(RESOURCE_NOT_FOUND, On::Any, A::Upstream),
    row("InternalErrorException", On::Any, A::Upstream),
    // A Lambda trigger refused: its text is meant for the person.
    row("UserLambdaValidationException", TRIGGERED, A::TriggerRefused),
    // ---- The lockout: after five failed passwords (sign-in, the SRP verifier answer) or five
    // failed MFA codes (challenge answers); not refresh, which takes no password.
    // https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html#authentication-flow-lockout-behavior
    when(
        NOT_AUTHORIZED,
        PASSWORD_ATTEMPTS_EXCEEDED,
        On::Only(&[C::SignIn, C::ChallengeAnswer]),
        A::PasswordAttemptsExceeded,
    ),
    // Disabled: the same answer as a wrong password, on sign-in and refresh alike, so neither
    // tells a disabled account from a wrong password or a revoked token.
    when(NOT_AUTHORIZED, USER_DISABLED, On::Only(&[C::SignIn, C::Refresh]), A::InvalidCredentials),
    // ---- Attribute writes (sign-up, new-password answers): the app client's WriteAttributes.
    when(
        NOT_AUTHORIZED,
        UNAUTHORIZED_ATTRIBUTE,
        On::Only(&[C::SignUp, C::ChallengeAnswer, C::AccessToken]),
        A::AttributeNotWritable,
    ),
    // ---- The person's own account: an address another account signs in with
    // (API_UpdateUserAttributes, API_VerifyUserAttribute: AliasExistsException).
    row("AliasExistsException", On::Only(&[C::AccessToken]), A::AliasExists),
    // ---- Challenge answers: a refused or unknown session is dead; sign in again. A password
    // given as the answer (choice-based sign-in's PASSWORD) is refused like a sign-in's.
    row(NOT_AUTHORIZED, On::Only(&[C::ChallengeAnswer]), A::InvalidSession),
    when(NOT_AUTHORIZED, INCORRECT_CREDENTIALS, On::Only(&[C::ChallengeAnswer]), A::InvalidCredentials),
    row(RESOURCE_NOT_FOUND, On::Only(&[C::ChallengeAnswer]), A::InvalidSession),
    // ---- Step-up (USER_AUTH with TARGET_ACR_VALUES) on a pool whose feature plan lacks it
    // (Lite): the level the client asked for cannot be reached here (API_InitiateAuth, Errors).
    // Said in the API's words: the client can still sign in afresh with the factors it needs.
    row("FeatureUnavailableInTierException", On::Only(&[C::SignIn]), A::StepUpUnavailable),
    // ---- Refresh: a token that rotation replaced, after its grace period (API_GetTokensFromRefreshToken).
    row("RefreshTokenReuseException", On::Only(&[C::Refresh]), A::InvalidCredentials),
    // ---- Access-token calls: NotAuthorized is the token (expired, revoked, signed out).
    row(NOT_AUTHORIZED, On::Only(&[C::AccessToken]), A::InvalidAccessToken),
    // A password change whose token Cognito refuses: the session, not the password (which the
    // same code and another message say is wrong).
    when(NOT_AUTHORIZED, ACCESS_TOKEN_REFUSED, On::Only(&[C::ChangePassword]), A::InvalidAccessToken),
    // An invitation's temporary password that expired: said only after the right password
    // (API_AdminCreateUser, TemporaryPasswordValidityDays), so telling it reveals nothing more.
    when(
        NOT_AUTHORIZED,
        RESET_BY_AN_ADMINISTRATOR,
        On::Only(&[C::SignIn, C::ChallengeAnswer]),
        A::TemporaryPasswordExpired,
    ),
    // The person was deleted since the token was issued.
    row(USER_NOT_FOUND, On::Only(&[C::AccessToken, C::ChangePassword]), A::InvalidAccessToken),
    // ---- Passkeys: the access token, the pool's settings, and Cognito's checks of the ceremony
    // (the challenge, the relying party, the origin, the app client, the authenticator).
    row(NOT_AUTHORIZED, On::Only(&[C::Passkeys]), A::InvalidAccessToken),
    row(USER_NOT_FOUND, On::Only(&[C::Passkeys]), A::InvalidAccessToken),
    // (ResourceNotFound is the deployment's pool or client here, a 502 as everywhere; only
    // DeleteWebAuthnCredential's is the passkey's id, which the passkey service tells apart.)
    row("WebAuthnNotEnabledException", On::Only(&[C::Passkeys]), A::PasskeysNotEnabled),
    // Passkeys on and no relying party: the deployment's mistake (the template sets both, under
    // PasskeysOn), not the caller's.
    row("WebAuthnConfigurationMissingException", On::Only(&[C::Passkeys]), A::Upstream),
    row("WebAuthnChallengeNotFoundException", On::Only(&[C::Passkeys]), A::PasskeyRefused),
    row("WebAuthnRelyingPartyMismatchException", On::Only(&[C::Passkeys]), A::PasskeyRefused),
    row("WebAuthnOriginNotAllowedException", On::Only(&[C::Passkeys]), A::PasskeyRefused),
    row("WebAuthnClientMismatchException", On::Only(&[C::Passkeys]), A::PasskeyRefused),
    row("WebAuthnCredentialNotSupportedException", On::Only(&[C::Passkeys]), A::PasskeyRefused),
    // ---- Identity pool: NotAuthorized is the ID token (revoked, or not trusted by the pool).
    row(NOT_AUTHORIZED, On::Only(&[C::IdentityPool]), A::InvalidIdToken),
    // GetId's LimitExceeded is the identity pool's identity quota: our deployment's problem.
    row("LimitExceededException", On::Only(&[C::IdentityPool]), A::Upstream),
    // ---- Confirmations: an unknown account fails exactly like a wrong code.
    row(USER_NOT_FOUND, On::Only(&[C::ConfirmSignUp, C::ConfirmForgotPassword]), A::CodeMismatch),
    row(NOT_AUTHORIZED, On::Only(&[C::ConfirmSignUp, C::ConfirmForgotPassword]), A::CodeMismatch),
    row(RESOURCE_NOT_FOUND, On::Only(&[C::ConfirmForgotPassword]), A::CodeMismatch),
    // ---- New codes: answered as success for unknown, waiting and confirmed accounts alike
    // (and for FORCE_CHANGE_PASSWORD users' "cannot be reset in the current state").
    row(USER_NOT_FOUND, On::Only(&[C::ResendCode, C::ForgotPassword]), A::AnswerAsSuccess),
    row(INVALID_PARAMETER, On::Only(&[C::ResendCode, C::ForgotPassword]), A::AnswerAsSuccess),
    row(NOT_AUTHORIZED, On::Only(&[C::ResendCode, C::ForgotPassword]), A::AnswerAsSuccess),
    row(RESOURCE_NOT_FOUND, On::Only(&[C::ForgotPassword]), A::AnswerAsSuccess),
    // ---- Admin routes: no privacy to keep from admins.
    row(USER_NOT_FOUND, ADMIN, A::UnknownUser),
    row(RESOURCE_NOT_FOUND, ADMIN, A::UnknownGroup),
    // The target's state (resetting the password of a user who never set one, say), not the
    // admin's credentials.
    row(NOT_AUTHORIZED, ADMIN, A::StateConflict),
    // A `next` that is not one of ours (moto answers InvalidToken).
    row(INVALID_PARAMETER, On::Only(&[C::ListUsersPage]), A::BadPageToken),
    row("InvalidToken", On::Only(&[C::ListUsersPage]), A::BadPageToken),
];

/// The row that decides what `code` with `message` means on `call`, if any.
pub fn row_for(call: CognitoCall, code: &str, message: &str) -> Option<&'static Row> {
    TABLE
        .iter()
        .filter(|r| r.code == code && r.on.includes(call) && r.message.is_none_or(|p| message.contains(p)))
        .max_by_key(|r| r.specificity())
}

/// What a failed call comes to.
#[derive(Debug)]
pub enum Outcome {
    /// The request fails with this error.
    Fail(AuthError),
    /// The request is answered as if it had succeeded (only `ForgotPassword` and
    /// `ResendConfirmationCode`, for account privacy); the error is kept for the logs.
    AnswerAsSuccess(CognitoError),
}

/// What `err` on `call` comes to, by [`TABLE`].
pub fn outcome(call: CognitoCall, err: CognitoError) -> Outcome {
    let answer = match err.kind {
        CognitoErrorKind::Service => row_for(call, &err.code, &err.message).map_or(A::Upstream, |r| r.answer),
        CognitoErrorKind::Unreachable | CognitoErrorKind::Other => A::Upstream,
    };
    Outcome::Fail(match answer {
        A::InvalidCredentials => AuthError::InvalidCredentials,
        A::UserNotConfirmed => AuthError::UserNotConfirmed,
        A::PasswordResetRequired => AuthError::PasswordResetRequired,
        A::TemporaryPasswordExpired => AuthError::TemporaryPasswordExpired,
        A::PasswordPolicy => AuthError::PasswordPolicy { field: password_field(call).into(), message: err.message },
        A::InvalidParameter => {
            AuthError::InvalidParameter { field: invalid_parameter_field(call, &err.message), message: err.message }
        }
        A::CodeMismatch => AuthError::code_mismatch(code_field(call)),
        A::UsernameExists => AuthError::UsernameExists,
        A::InvalidSession => AuthError::InvalidSession,
        A::InvalidIdToken => AuthError::InvalidIdToken,
        A::InvalidAccessToken => AuthError::InvalidAccessToken,
        A::AliasExists => AuthError::AliasExists,
        A::UnknownUser => AuthError::UnknownUser,
        A::UnknownGroup => AuthError::UnknownGroup,
        A::PasskeysNotEnabled => AuthError::StateConflict("Passkeys are not turned on for this user pool.".into()),
        A::PasskeyRefused => {
            AuthError::InvalidParameter { field: Some("credential"), message: passkey_refusal(&err.code).into() }
        }
        A::StateConflict => AuthError::StateConflict(err.message),
        A::StepUpUnavailable => AuthError::InvalidParameter {
            field: Some("acrValues"),
            message: "This user pool's feature plan has no step-up: sign in again with the factors the route asks for."
                .into(),
        },
        // Well formed, but no page token Cognito issued: its refusal, as for any other parameter.
        A::BadPageToken => {
            AuthError::InvalidParameter { field: Some("next"), message: "next is not a valid page token.".into() }
        }
        A::Throttled => AuthError::Throttled,
        A::LimitExceeded => AuthError::LimitExceeded,
        A::TooManyFailedAttempts => AuthError::TooManyFailedAttempts,
        A::PasswordAttemptsExceeded => AuthError::PasswordAttemptsExceeded,
        A::AttributeNotWritable => {
            let attribute = unauthorized_attribute(&err.message);
            let field = match (call, &attribute) {
                (C::SignUp, Some(name)) => Some(format!("attributes.{name}")),
                (C::SignUp, None) => Some("attributes".to_string()),
                (C::ChallengeAnswer, Some(name)) => Some(format!("responses.userAttributes.{name}")),
                (C::ChallengeAnswer, None) => Some("responses".to_string()),
                _ => None,
            };
            AuthError::AttributeNotWritable { field, attribute }
        }
        A::TriggerRefused => AuthError::TriggerRefused(trigger_text(&err.message)),
        A::AnswerAsSuccess => return Outcome::AnswerAsSuccess(err),
        A::Upstream => AuthError::Upstream(err),
    })
}

/// What a refused passkey ceremony's exception `code` tells the person (the `WebAuthn*`
/// exceptions of `CompleteWebAuthnRegistration`'s "Errors").
pub fn passkey_refusal(code: &str) -> &'static str {
    match code {
        "WebAuthnChallengeNotFoundException" => {
            "The passkey registration expired, was already used or was replaced by a newer one: start it again."
        }
        "WebAuthnRelyingPartyMismatchException" => "The passkey was made for another site (relying party).",
        "WebAuthnOriginNotAllowedException" => "The passkey ceremony ran on a page this user pool does not allow.",
        "WebAuthnClientMismatchException" => "The passkey registration was started by another app client.",
        "WebAuthnCredentialNotSupportedException" => "This passkey's device or provider is not supported.",
        _ => "The passkey was refused.",
    }
}

impl AuthError {
    /// The one mapping of a failed Cognito call: what `err` on `call` means for the API, by
    /// [`TABLE`]. For the calls that answer some failures as success (`ForgotPassword`,
    /// `ResendConfirmationCode`), use [`outcome`]; here such a row would be an upstream failure
    /// (a test checks no other call has one).
    pub fn from_cognito(call: CognitoCall, err: CognitoError) -> Self {
        match outcome(call, err) {
            Outcome::Fail(err) => err,
            Outcome::AnswerAsSuccess(err) => Self::Upstream(err),
        }
    }
}

/// The field of the request that carries the password a call sets, for a refused one: each
/// call's request names it so. The admin calls set a `temporaryPassword` (`POST /users`) or a
/// `password` (`PUT /users/{username}/password`): the service says which
/// ([`AuthError::in_field`]).
fn password_field(call: CognitoCall) -> &'static str {
    match call {
        C::ConfirmForgotPassword => "newPassword",
        C::ChangePassword => "proposedPassword",
        C::ChallengeAnswer => "responses.NEW_PASSWORD",
        _ => "password",
    }
}

/// The request's field a Cognito `InvalidParameterException` is about, from its message: the
/// member a validation error names (`Value at 'session' failed to satisfy constraint`), the
/// username, or the attributes (`Invalid phone number format.`, `Type for attribute
/// {custom:team} could not be determined`); `None` when the message names nothing the request
/// sent.
fn invalid_parameter_field(call: CognitoCall, message: &str) -> Option<&'static str> {
    let member = message.split_once("Value at '").and_then(|(_, rest)| rest.split_once('\'')).map(|(m, _)| m);
    let attributes = match call {
        C::ChallengeAnswer => "responses",
        _ => "attributes",
    };
    match member {
        Some("session") => return Some("session"),
        Some("username") => return Some("username"),
        Some("password") => return Some(password_field(call)),
        Some("confirmationCode") => return Some("code"),
        Some("accessToken") => return Some("accessToken"),
        Some(m) if m.starts_with("userAttributes") => return Some(attributes),
        _ => {}
    }
    let lower = message.to_ascii_lowercase();
    if call == C::ListUsersPage {
        Some("next")
    } else if lower.contains("username") {
        Some("username")
    } else if lower.contains("attribute") || lower.contains("phone number") || lower.contains("email") {
        Some(attributes)
    } else {
        None
    }
}

/// The field of the request that carries the code a call checks. A challenge's code has the
/// challenge's own key (`responses.SMS_MFA_CODE`, ...): the service says which
/// ([`AuthError::in_field`]).
fn code_field(call: CognitoCall) -> &'static str {
    match call {
        C::ChallengeAnswer => "responses",
        _ => "code",
    }
}

/// Whether Cognito said the resource (group, session, pool) does not exist: for the adapters'
/// existence checks (`GetGroup`), which are answers, not errors.
pub fn is_resource_not_found(err: &CognitoError) -> bool {
    err.kind == CognitoErrorKind::Service && err.code == RESOURCE_NOT_FOUND
}

/// The attribute Cognito's "unauthorized attribute" message names, when it names one (usually
/// it does not); only a valid attribute name is taken, so no other text of the message is echoed.
fn unauthorized_attribute(message: &str) -> Option<String> {
    let rest = &message[message.find(UNAUTHORIZED_ATTRIBUTE)? + UNAUTHORIZED_ATTRIBUTE.len()..];
    let rest = rest.strip_prefix('s').unwrap_or(rest);
    let name = rest
        .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
        .trim_matches(|c: char| matches!(c, '.' | '\'' | '"' | '`' | '[' | ']') || c.is_whitespace());
    looks_like_attribute_name(name).then(|| name.to_string())
}

/// The longest trigger text passed on.
const MAX_TRIGGER_TEXT: usize = 300;

/// The trigger's own text from Cognito's `UserLambdaValidationException` message, which wraps
/// it as `PreSignUp failed with error <text>.`: without the prefix and the extra period, control
/// characters removed, at most [`MAX_TRIGGER_TEXT`] characters.
fn trigger_text(message: &str) -> String {
    const WRAPPER: &str = " failed with error ";
    let text = match message.split_once(WRAPPER) {
        Some((trigger, text)) if !trigger.contains(char::is_whitespace) => text,
        _ => message,
    };
    let text = text.trim();
    let text = text.strip_suffix("..").map_or(text.to_string(), |t| format!("{t}."));
    let text: String = text.chars().filter(|c| !c.is_control()).take(MAX_TRIGGER_TEXT).collect();
    if text.trim().is_empty() { "The request was refused.".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use api_types::{ApiError, ErrorCode};

    use super::*;
    use crate::testing::{error, error_with};

    /// What the client sees for `code`/`message` on `call`: status, code, message, field,
    /// Retry-After; `None` when answered as success.
    fn seen(call: CognitoCall, code: &str, message: &str) -> Option<ApiError> {
        match outcome(call, error_with(code, message)) {
            Outcome::Fail(err) => Some(ApiError::from(err)),
            Outcome::AnswerAsSuccess(_) => None,
        }
    }

    fn status(call: CognitoCall, code: &str, message: &str) -> (u16, Option<ErrorCode>) {
        seen(call, code, message).map_or((202, None), |e| (e.status().as_u16(), Some(e.code)))
    }

    // ---- The new rows.

    #[test]
    fn lockout_is_429_telling_to_wait() {
        // GIVEN Cognito's lockout after repeated failed sign-ins
        let message = "Password attempts exceeded";
        for call in [C::SignIn, C::ChallengeAnswer] {
            // WHEN a sign-in or the SRP verifier answer meets it
            let e = seen(call, NOT_AUTHORIZED, message).unwrap();
            // THEN 429 PasswordAttemptsExceeded, telling to wait, with no Retry-After to retry on
            assert_eq!((e.status().as_u16(), e.code), (429, ErrorCode::PasswordAttemptsExceeded), "{call:?}");
            assert!(e.message.contains("wait"), "{}", e.message);
            assert_eq!(e.retry_after, None);
        }
    }

    #[test]
    fn lockout_message_on_refresh_or_password_change_keeps_the_old_answer() {
        assert_eq!(
            status(C::Refresh, NOT_AUTHORIZED, "Password attempts exceeded"),
            (401, Some(ErrorCode::NotAuthorized))
        );
        assert_eq!(
            status(C::ChangePassword, NOT_AUTHORIZED, "Password attempts exceeded"),
            (401, Some(ErrorCode::NotAuthorized))
        );
    }

    #[test]
    fn unauthorized_attribute_write_is_400_naming_the_attribute() {
        // Cognito's usual message names no attribute: the field is the attributes as a whole.
        let e = seen(C::SignUp, NOT_AUTHORIZED, "A client attempted to write unauthorized attribute").unwrap();
        assert_eq!(
            (e.status().as_u16(), e.code, e.field.as_deref()),
            (400, ErrorCode::InvalidParameter, Some("attributes"))
        );
        // When it names one, the answer does too, as the request named it.
        let named = "A client attempted to write unauthorized attribute: phone_number";
        let e = seen(C::SignUp, NOT_AUTHORIZED, named).unwrap();
        assert_eq!(e.field.as_deref(), Some("attributes.phone_number"));
        assert!(e.message.contains("phone_number"), "{}", e.message);
        let e = seen(C::ChallengeAnswer, NOT_AUTHORIZED, named).unwrap();
        assert_eq!((e.status().as_u16(), e.field.as_deref()), (400, Some("responses.userAttributes.phone_number")));
        // Text that is not an attribute name is never echoed.
        let odd = "A client attempted to write unauthorized attribute <script>";
        let e = seen(C::SignUp, NOT_AUTHORIZED, odd).unwrap();
        assert!(!e.message.contains("script") && e.field.as_deref() == Some("attributes"), "{e:?}");
    }

    #[test]
    fn trigger_refusal_is_400_with_the_triggers_text() {
        let message = "PreSignUp failed with error Registration from this domain is not allowed..";
        let e = seen(C::SignUp, "UserLambdaValidationException", message).unwrap();
        assert_eq!((e.status().as_u16(), e.code), (400, ErrorCode::Refused));
        assert_eq!(e.message, "Registration from this domain is not allowed.");
        let e = seen(C::SignIn, "UserLambdaValidationException", "PreAuthentication failed with error Closed\nnow.")
            .unwrap();
        assert_eq!(e.message, "Closednow.");
        let e = seen(C::Admin, "UserLambdaValidationException", "").unwrap();
        assert_eq!(e.message, "The request was refused.");
        let long = format!("PreSignUp failed with error {}", "x".repeat(1000));
        assert_eq!(seen(C::SignUp, "UserLambdaValidationException", &long).unwrap().message.len(), MAX_TRIGGER_TEXT);
    }

    #[test]
    fn trigger_refusal_on_forgot_password_or_resend_stays_a_generic_502() {
        // Their trigger runs for existing accounts only: its text would reveal the account.
        for call in [C::ForgotPassword, C::ResendCode] {
            let e = seen(call, "UserLambdaValidationException", "CustomMessage failed with error no.").unwrap();
            assert_eq!(e.status().as_u16(), 502);
            assert!(!e.message.contains("no."));
        }
    }

    #[test]
    fn a_disabled_user_looks_like_a_wrong_password_on_sign_in_and_refresh() {
        let wrong = seen(C::SignIn, NOT_AUTHORIZED, "Incorrect username or password.").unwrap();
        for call in [C::SignIn, C::Refresh] {
            assert_eq!(seen(call, NOT_AUTHORIZED, "User is disabled.").unwrap(), wrong, "{call:?}");
        }
    }

    #[test]
    fn rate_throttling_keeps_retry_after_1_and_the_limits_get_none() {
        let rate = seen(C::SignIn, "TooManyRequestsException", "Rate exceeded").unwrap();
        assert_eq!((rate.status().as_u16(), rate.code, rate.retry_after), (429, ErrorCode::TooManyRequests, Some(1)));
        let limit =
            seen(C::ForgotPassword, "LimitExceededException", "Attempt limit exceeded, please try after some time.");
        let limit = limit.unwrap();
        assert_eq!((limit.status().as_u16(), limit.code, limit.retry_after), (429, ErrorCode::LimitExceeded, None));
        assert!(limit.message.contains("limit") && limit.message.contains("hour"), "{}", limit.message);
        let failed = seen(C::ConfirmSignUp, "TooManyFailedAttemptsException", "Too many failed attempts.").unwrap();
        assert_eq!(
            (failed.status().as_u16(), failed.code, failed.retry_after),
            (429, ErrorCode::TooManyFailedAttempts, None)
        );
    }

    #[test]
    fn the_identity_pools_limit_is_ours_not_the_callers() {
        assert_eq!(
            status(C::IdentityPool, "LimitExceededException", "identities"),
            (502, Some(ErrorCode::UpstreamError))
        );
    }

    // ---- The rows that were remaps in the services: each call site's previous behaviour.

    #[test]
    fn sign_in_unknown_user_and_wrong_password_look_the_same() {
        let a = seen(C::SignIn, USER_NOT_FOUND, "User does not exist.");
        let b = seen(C::SignIn, NOT_AUTHORIZED, "Incorrect username or password.");
        assert_eq!(a, b);
        assert_eq!(a.map(|e| e.status().as_u16()), Some(401));
        assert_eq!(status(C::SignIn, "UserNotConfirmedException", ""), (403, Some(ErrorCode::UserNotConfirmed)));
        assert_eq!(
            status(C::SignIn, "PasswordResetRequiredException", ""),
            (403, Some(ErrorCode::PasswordResetRequired))
        );
    }

    #[test]
    fn challenge_answers_with_a_dead_session_say_sign_in_again() {
        for code in [NOT_AUTHORIZED, RESOURCE_NOT_FOUND] {
            let e = seen(C::ChallengeAnswer, code, "Invalid session for the user.").unwrap();
            assert_eq!((e.status().as_u16(), e.field.as_deref()), (401, Some("session")), "{code}");
        }
        assert_eq!(status(C::ChallengeAnswer, "CodeMismatchException", ""), (400, Some(ErrorCode::InvalidCode)));
        assert_eq!(
            status(C::ChallengeAnswer, "EnableSoftwareTokenMFAException", ""),
            (400, Some(ErrorCode::InvalidCode))
        );
        assert_eq!(status(C::ChallengeAnswer, "InvalidPasswordException", ""), (400, Some(ErrorCode::InvalidPassword)));
    }

    #[test]
    fn a_rotated_out_refresh_token_is_the_sign_in_error_not_a_502() {
        assert_eq!(
            status(C::Refresh, "RefreshTokenReuseException", "The refresh token has been rotated."),
            status(C::Refresh, NOT_AUTHORIZED, "Invalid Refresh Token")
        );
    }

    #[test]
    fn a_wrong_password_given_as_a_challenge_answer_is_the_sign_in_error_not_a_dead_session() {
        // Choice-based sign-in: SELECT_CHALLENGE with ANSWER=PASSWORD, or the PASSWORD challenge.
        assert_eq!(
            status(C::ChallengeAnswer, NOT_AUTHORIZED, INCORRECT_CREDENTIALS),
            status(C::SignIn, NOT_AUTHORIZED, INCORRECT_CREDENTIALS)
        );
    }

    #[test]
    fn refresh_with_a_revoked_token_is_invalid_credentials() {
        let e = seen(C::Refresh, NOT_AUTHORIZED, "Refresh Token has been revoked").unwrap();
        assert_eq!((e.status().as_u16(), e.code), (401, ErrorCode::NotAuthorized));
    }

    #[test]
    fn access_token_calls_with_a_dead_token_are_a_401_about_the_bearer_not_a_body_field() {
        // The access token is the request's bearer now, so the 401 names no field of the body.
        let e = seen(C::AccessToken, NOT_AUTHORIZED, "Access Token has been revoked").unwrap();
        assert_eq!((e.status().as_u16(), e.code, e.field.as_deref()), (401, ErrorCode::Unauthorized, None));
        assert_eq!(status(C::AccessToken, "CodeMismatchException", ""), (400, Some(ErrorCode::InvalidCode)));
    }

    #[test]
    fn an_access_token_of_a_deleted_person_is_a_dead_token_not_a_wrong_password() {
        assert_eq!(
            status(C::AccessToken, USER_NOT_FOUND, "User does not exist."),
            status(C::AccessToken, NOT_AUTHORIZED, "Access Token has been revoked")
        );
    }

    #[test]
    fn a_wrong_code_enrolling_an_authenticator_is_400_invalid_code_with_a_token_or_a_session() {
        // VerifySoftwareToken's own error for a wrong code, with the access token (POST
        // /mfa/totp/verify) or a sign-in's MFA_SETUP session (POST /auth/challenge).
        for call in [C::AccessToken, C::ChallengeAnswer] {
            let seen =
                status(call, "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA");
            assert_eq!(seen, (400, Some(ErrorCode::InvalidCode)), "{call:?}");
        }
    }

    #[test]
    fn an_expired_invitation_says_to_ask_for_a_new_one_not_that_the_password_is_wrong() {
        for message in [
            "Temporary password has expired and must be reset by an administrator.",
            "User account has expired, it must be reset by an administrator.",
        ] {
            for call in [C::SignIn, C::ChallengeAnswer] {
                assert_eq!(status(call, NOT_AUTHORIZED, message), (403, Some(ErrorCode::PasswordResetRequired)));
            }
        }
        let e =
            seen(C::SignIn, NOT_AUTHORIZED, "Temporary password has expired and must be reset by an administrator.");
        assert!(e.unwrap().message.contains("invitation"));
    }

    #[test]
    fn change_password_with_a_wrong_previous_password_is_invalid_credentials() {
        assert_eq!(
            status(C::ChangePassword, NOT_AUTHORIZED, "Incorrect username or password."),
            (401, Some(ErrorCode::NotAuthorized))
        );
        assert_eq!(status(C::ChangePassword, "InvalidPasswordException", ""), (400, Some(ErrorCode::InvalidPassword)));
        // AND a session that ended is told apart from a wrong password: sign in again
        for message in ["Access Token has been revoked", "Access Token has expired"] {
            assert_eq!(status(C::ChangePassword, NOT_AUTHORIZED, message), (401, Some(ErrorCode::Unauthorized)));
        }
        // AND so is the token of a person deleted since
        assert_eq!(
            status(C::ChangePassword, USER_NOT_FOUND, "User does not exist."),
            (401, Some(ErrorCode::Unauthorized))
        );
    }

    #[test]
    fn sign_up_reports_a_taken_username_and_the_policy() {
        assert_eq!(status(C::SignUp, "UsernameExistsException", ""), (409, Some(ErrorCode::UsernameExists)));
        let e = seen(C::SignUp, "InvalidPasswordException", "Password not long enough").unwrap();
        assert_eq!((e.status().as_u16(), e.message.as_str()), (400, "Password not long enough"));
    }

    #[test]
    fn confirmations_fail_for_an_unknown_account_exactly_like_a_wrong_code() {
        for call in [C::ConfirmSignUp, C::ConfirmForgotPassword] {
            let wrong = seen(call, "CodeMismatchException", "Invalid code provided").unwrap();
            for code in [USER_NOT_FOUND, NOT_AUTHORIZED, "ExpiredCodeException"] {
                assert_eq!(seen(call, code, "x").unwrap(), wrong, "{call:?} {code}");
            }
        }
        let wrong = seen(C::ConfirmForgotPassword, "CodeMismatchException", "").unwrap();
        assert_eq!(seen(C::ConfirmForgotPassword, RESOURCE_NOT_FOUND, "").unwrap(), wrong);
        // Confirming sign-up with a wrong pool or client stays visible as a 502.
        assert_eq!(status(C::ConfirmSignUp, RESOURCE_NOT_FOUND, ""), (502, Some(ErrorCode::UpstreamError)));
    }

    #[test]
    fn forgot_password_and_resend_hide_whether_the_account_exists() {
        for call in [C::ForgotPassword, C::ResendCode] {
            for code in [USER_NOT_FOUND, INVALID_PARAMETER, NOT_AUTHORIZED] {
                assert!(
                    seen(call, code, "User password cannot be reset in the current state.").is_none(),
                    "{call:?} {code}"
                );
            }
            assert_eq!(status(call, "TooManyRequestsException", ""), (429, Some(ErrorCode::TooManyRequests)));
        }
        assert!(seen(C::ForgotPassword, RESOURCE_NOT_FOUND, "").is_none());
        assert_eq!(status(C::ResendCode, RESOURCE_NOT_FOUND, ""), (502, Some(ErrorCode::UpstreamError)));
    }

    #[test]
    fn admin_calls_name_unknown_users_and_groups_and_state_conflicts() {
        for call in [C::Admin, C::ListUsersPage] {
            assert_eq!(status(call, USER_NOT_FOUND, ""), (404, Some(ErrorCode::UserNotFound)));
            assert_eq!(status(call, RESOURCE_NOT_FOUND, ""), (404, Some(ErrorCode::NotFound)));
            let e = seen(call, NOT_AUTHORIZED, "User password cannot be reset in the current state.").unwrap();
            assert_eq!(
                (e.status().as_u16(), e.message.as_str()),
                (409, "User password cannot be reset in the current state.")
            );
        }
        assert_eq!(status(C::Admin, INVALID_PARAMETER, "bad filter"), (400, Some(ErrorCode::InvalidParameter)));
    }

    #[test]
    fn a_foreign_page_token_is_a_400_naming_next() {
        for code in [INVALID_PARAMETER, "InvalidToken"] {
            let e = seen(C::ListUsersPage, code, "Invalid pagination token").unwrap();
            assert_eq!((e.status().as_u16(), e.field.as_deref()), (400, Some("next")), "{code}");
        }
        assert_eq!(status(C::Admin, "InvalidToken", ""), (502, Some(ErrorCode::UpstreamError)));
    }

    #[test]
    fn a_token_the_identity_pool_refuses_is_a_401() {
        assert_eq!(
            status(C::IdentityPool, NOT_AUTHORIZED, "Invalid login token."),
            (401, Some(ErrorCode::Unauthorized))
        );
    }

    #[test]
    fn failures_that_are_not_cognitos_answers_are_502_whatever_their_code() {
        for kind in [CognitoErrorKind::Unreachable, CognitoErrorKind::Other] {
            // Even a code that names a row: only Cognito's own answers are looked up.
            let err = CognitoError { kind, code: NOT_AUTHORIZED.into(), message: "detail".into() };
            let Outcome::Fail(AuthError::Upstream(_)) = outcome(C::SignIn, err) else { panic!("{kind:?}") };
        }
        for call in CognitoCall::ALL {
            assert_eq!(status(call, "InternalErrorException", "detail"), (502, Some(ErrorCode::UpstreamError)));
            assert_eq!(status(call, "SomethingNewException", "detail"), (502, Some(ErrorCode::UpstreamError)));
        }
    }

    // ---- The table itself.

    #[test]
    fn no_two_rows_can_decide_the_same_error() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                let same_match = a.code == b.code && a.message == b.message && a.specificity() == b.specificity();
                let overlap = CognitoCall::ALL.iter().any(|c| a.on.includes(*c) && b.on.includes(*c));
                assert!(!(same_match && overlap), "rows conflict: {a:?} and {b:?}");
            }
            // Two different patterns for one code must not both match one message.
            for b in TABLE.iter().filter(|b| b.code == a.code && b.message != a.message) {
                if let (Some(p), Some(q)) = (a.message, b.message) {
                    assert!(!p.contains(q) && !q.contains(p), "{p:?} / {q:?}");
                }
            }
        }
    }

    #[test]
    fn only_forgot_password_and_resend_answer_failures_as_success() {
        for row in TABLE.iter().filter(|r| r.answer == A::AnswerAsSuccess) {
            for call in CognitoCall::ALL.iter().filter(|c| row.on.includes(**c)) {
                assert!(matches!(call, C::ForgotPassword | C::ResendCode), "{row:?} on {call:?}");
            }
        }
        // And from_cognito never turns such a failure into success.
        assert!(matches!(AuthError::from_cognito(C::ForgotPassword, error(USER_NOT_FOUND)), AuthError::Upstream(_)));
    }

    #[test]
    fn every_row_decides_some_call() {
        // GIVEN each row, THEN some call with its code and pattern is decided by that very row.
        for row in TABLE {
            let message = row.message.unwrap_or("");
            let decides = CognitoCall::ALL.iter().any(|c| row_for(*c, row.code, message) == Some(row));
            assert!(decides, "row never wins: {row:?}");
        }
    }

    /// `cargo test -p auth-domain print_the_table -- --nocapture` prints what the table answers.
    #[test]
    fn print_the_table() {
        for row in TABLE {
            let calls = match row.on {
                On::Any => "any".to_string(),
                On::Only(calls) => calls.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(","),
            };
            let message = row.message.unwrap_or("");
            let Some(call) = CognitoCall::ALL.into_iter().find(|c| row_for(*c, row.code, message) == Some(row)) else {
                panic!("row never wins: {row:?}")
            };
            let answer = seen(call, row.code, message);
            let answer = answer.map_or("202 (as success)".to_string(), |e| {
                let retry = e.retry_after.map(|s| format!(" Retry-After: {s}")).unwrap_or_default();
                format!("{} {:?}{retry}", e.status().as_u16(), e.code)
            });
            println!(
                "{:<34} {:<32} {:<60} {:<26} {}",
                row.code,
                row.message.unwrap_or("*"),
                calls,
                format!("{:?}", row.answer),
                answer
            );
        }
    }
}
