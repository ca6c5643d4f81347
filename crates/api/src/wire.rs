//! Request and response bodies, camelCase on the wire. Requests reject unknown fields.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Secret;
pub use crate::challenge::{ChallengeName, MfaFactor, PreferredChallenge, UnknownChallengeName};

/// An optional request field that, when sent, holds a value: `null` is refused like any other
/// wrong type (a 400 naming the field), since the contract declares no request field nullable;
/// a field left out is `None`. For `#[serde(default, deserialize_with = "present")]`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::invalid_type(serde::de::Unexpected::Other("null"), &"a value (or no field)")),
    }
}

/// An optional count of seconds, 0 to `u32::MAX`, as [`present`]: JSON Schema's `integer` is
/// any number whose fractional part is zero (JSON Schema 2020-12 validation, section 6.1), so
/// `900.0` is taken as `900`; a fraction, a negative or a larger number is refused.
fn present_seconds<'de, D>(deserializer: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let Some(number) = present::<D, serde_json::Number>(deserializer)? else { return Ok(None) };
    let whole = match (number.as_u64(), number.as_f64()) {
        (Some(n), _) => u32::try_from(n).ok(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => Some(f as u32),
        _ => None,
    };
    whole.map(Some).ok_or_else(|| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Other(&number.to_string()),
            &"a whole number of seconds from 0 to 4294967295",
        )
    })
}

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
    /// Choice-based sign-in: the person signs in with a password or a one-time code, as
    /// `preferredChallenge` says or as they choose from the methods Cognito offers them
    /// (`AuthFlow` `USER_AUTH`, "Choice-based authentication" in the Cognito developer guide).
    #[serde(rename = "USER_AUTH")]
    UserAuth,
}

/// `POST /auth/sign-in`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignInRequest {
    /// The sign-in name: email address or username.
    pub username: String,
    /// The password: required, except for `USER_AUTH` without a password factor.
    #[serde(default, deserialize_with = "present")]
    pub password: Option<Secret>,
    /// The flow; `USER_SRP_AUTH` when absent.
    #[serde(default, deserialize_with = "present")]
    pub flow: Option<SignInFlow>,
    /// `USER_AUTH` only: the first factor to start with.
    #[serde(default, deserialize_with = "present")]
    pub preferred_challenge: Option<PreferredChallenge>,
    /// `USER_AUTH` only, a step-up (RFC 9470): the person's access token, whose sign-in's factors
    /// count (Cognito's `ACCESS_TOKEN`); only the missing ones are asked for. Needs `acrValues`.
    #[serde(default, deserialize_with = "present")]
    pub access_token: Option<Secret>,
    /// `USER_AUTH` only: the authentication levels to reach (`acr` names, space-separated, the
    /// highest priority first: the `acr_values` of a step-up challenge, as it came), Cognito's
    /// `TARGET_ACR_VALUES`.
    #[serde(default, deserialize_with = "present")]
    pub acr_values: Option<String>,
    /// `USER_AUTH` only: the longest time, in seconds, since the access token's sign-in for its
    /// factors to count (the `max_age` of a step-up challenge), Cognito's `MAX_AGE`; an older
    /// sign-in starts from scratch.
    #[serde(default, deserialize_with = "present_seconds")]
    pub max_age: Option<u32>,
}

/// Tokens returned by a completed sign-in or a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// The ID token: the bearer of the routes that answer from who the person is (`/me`,
    /// `/credentials`).
    pub id_token: Secret,
    /// The access token: the bearer of the routes that act as the person towards Cognito (MFA,
    /// password change, sign-out) and of the admin routes.
    pub access_token: Secret,
    /// The refresh token (on refresh responses, only when it was rotated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Lifetime of the ID and access tokens, in seconds.
    pub expires_in: i32,
    /// Always `Bearer`.
    pub token_type: String,
}

/// A further step Cognito asks for before it hands out tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    /// The challenge (`NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, ...): Cognito's, passed on
    /// as Cognito named it, whether or not the API answers it.
    pub name: ChallengeName,
    /// The session to send back with the answer.
    pub session: Secret,
    /// Challenge parameters, as Cognito gives them (minus SRP internals). Values are secrets:
    /// `MFA_SETUP` carries the TOTP secret here (`secretCode`, `otpauthUri`).
    pub parameters: BTreeMap<String, Secret>,
    /// `SELECT_CHALLENGE`: the first factors the person may choose from (`PASSWORD`,
    /// `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`), by the names of the challenges they
    /// lead to; absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub available_challenges: Vec<ChallengeName>,
    /// `WEB_AUTHN`: the options for the browser's `navigator.credentials.get` (W3C
    /// `PublicKeyCredentialRequestOptionsJSON`, ready for
    /// `PublicKeyCredential.parseRequestOptionsFromJSON`), which Cognito sends as the string
    /// `CREDENTIAL_REQUEST_OPTIONS`; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_request_options: Option<serde_json::Value>,
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshRequest {
    /// The refresh token from the sign-in (or from the last refresh, when the client rotates
    /// them).
    pub refresh_token: Secret,
    /// No longer needed (the refresh goes through `GetTokensFromRefreshToken`, which takes the
    /// client secret itself, not a `SECRET_HASH` over a username); accepted and ignored.
    #[serde(default, deserialize_with = "present")]
    pub username: Option<String>,
}

/// The answer to a refresh: new ID and access tokens, and a new refresh token when the app
/// client rotates them (keep it: the one sent stops working after the grace period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshResponse {
    /// The tokens.
    pub tokens: Tokens,
}

/// `POST /auth/sign-out`, with the caller's access token as the bearer; the body is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignOutRequest {
    /// A refresh token to revoke as well.
    #[serde(default, deserialize_with = "present")]
    pub refresh_token: Option<Secret>,
}

/// `POST /auth/challenge`: the answer to a challenge a sign-in returned.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChallengeRequest {
    /// The `username` the sign-in response gave.
    pub username: String,
    /// The challenge name (`NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, `SMS_MFA`,
    /// `SELECT_MFA_TYPE`, `MFA_SETUP`; of choice-based sign-in, `SELECT_CHALLENGE`, `PASSWORD`,
    /// `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`). Another name, known to Cognito or not, is a 400
    /// naming `name`.
    pub name: ChallengeName,
    /// The challenge's session.
    pub session: Secret,
    /// The answers: `NEW_PASSWORD` (and `userAttributes.<name>` for required attributes),
    /// `SOFTWARE_TOKEN_MFA_CODE`, `SMS_MFA_CODE`, `ANSWER`; for `MFA_SETUP`, none to get the
    /// secret, then `SOFTWARE_TOKEN_MFA_CODE` (and `DEVICE_NAME`); for `SELECT_CHALLENGE`,
    /// `ANSWER` (and `PASSWORD` with `PASSWORD` or `PASSWORD_SRP`: the API runs SRP itself); for
    /// `PASSWORD` and `PASSWORD_SRP`, `PASSWORD`; `EMAIL_OTP_CODE`; `SMS_OTP_CODE`.
    /// Values are secrets (a new password, a code).
    #[serde(default)]
    pub responses: BTreeMap<String, Secret>,
}

/// `POST /auth/sign-up`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignUpRequest {
    /// The sign-in name (an email address for this pool).
    pub username: String,
    /// The password; absent for a passwordless account (the pool must allow a passwordless first
    /// factor, such as `EMAIL_OTP`).
    #[serde(default, deserialize_with = "present")]
    pub password: Option<Secret>,
    /// User attributes (`{"name": "Ann"}`).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Where a confirmation code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDelivery {
    /// The masked destination.
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: String,
    /// The attribute (`email`).
    pub attribute_name: String,
}

/// The answer to a sign-up (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpResponse {
    /// Whether the account is already confirmed.
    pub user_confirmed: bool,
    /// The new user's id.
    pub user_sub: String,
    /// Where the confirmation code went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery: Option<CodeDelivery>,
    /// Proof that this caller made this sign-up: send it with the confirmation to be signed in
    /// at once (`signIn: true`). Bound to the username, good for 24 hours (as long as the
    /// confirmation code). Absent when the app client has no secret to sign it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Secret>,
}

/// `POST /auth/confirm-sign-up`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfirmSignUpRequest {
    /// The sign-in name used at sign-up.
    pub username: String,
    /// The code that was sent.
    pub code: Secret,
    /// Sign the person in at once with the session Cognito answers the confirmation with (the
    /// app client must allow `USER_AUTH`): the answer is then a sign-in's (tokens), not a 204.
    /// Only with the sign-up's `receipt`: without it the account is confirmed and the answer is
    /// 204, so confirming someone else's sign-up of one's address (with a password they keep)
    /// never signs one into it.
    #[serde(default)]
    pub sign_in: bool,
    /// The `receipt` the sign-up answered.
    #[serde(default, deserialize_with = "present")]
    pub receipt: Option<Secret>,
}

/// `POST /auth/resend-code` (and, later, `/password/forgot`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UsernameRequest {
    /// The sign-in name.
    pub username: String,
}

/// The answer to a TOTP setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TotpSetupResponse {
    /// The shared secret (base32), for authenticator apps that take it typed.
    pub secret_code: Secret,
    /// `otpauth://totp/...`, for a QR code.
    pub otpauth_uri: Secret,
}

/// `POST /mfa/totp/verify`, with the caller's access token as the bearer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TotpVerifyRequest {
    /// The 6-digit code from the authenticator app.
    pub code: Secret,
    /// A name for the authenticator.
    #[serde(default, deserialize_with = "present")]
    pub device_name: Option<String>,
}

/// `PUT /mfa/preference`, with the caller's access token as the bearer: each factor given is
/// turned on (`true`) or off (`false`); the others stay as they are. `preferred` is turned on and
/// preferred.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetMfaPreferenceRequest {
    /// The authenticator app (enrol it first with `/mfa/totp/setup` and `/mfa/totp/verify`).
    #[serde(default, deserialize_with = "present")]
    pub totp: Option<bool>,
    /// Codes by email (the pool must send email through SES; the account needs an email address,
    /// which the first code that arrives verifies).
    #[serde(default, deserialize_with = "present")]
    pub email: Option<bool>,
    /// Codes by SMS (a verified phone number).
    #[serde(default, deserialize_with = "present")]
    pub sms: Option<bool>,
    /// Passkey MFA (`WebAuthnMfaSettings.Enabled`, API_WebAuthnMfaSettingsType): on, a passkey
    /// sign-in with user verification satisfies MFA, so no code follows it. Only where the pool's
    /// `FactorConfiguration` is `MULTI_FACTOR_WITH_USER_VERIFICATION` (Cognito refuses it
    /// otherwise), and only with another factor on (a 400 `InvalidParameter` on `passkey`
    /// otherwise: Cognito asks for one, so that losing the passkey does not lock the person out).
    /// Never `preferred`: it applies only when the passkey is the first factor. Cognito does not
    /// report it back (`GetUser` lists no passkey MFA).
    #[serde(default, deserialize_with = "present")]
    pub passkey: Option<bool>,
    /// The factor sign-in asks for when several are on.
    #[serde(default, deserialize_with = "present")]
    pub preferred: Option<MfaFactor>,
}

/// The caller's second factors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaPreferenceResponse {
    /// The factors turned on (`SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`, `SMS_MFA`; `GetUser`'s
    /// `UserMFASettingList`, which does not report passkey MFA).
    pub enabled: Vec<MfaFactor>,
    /// The one sign-in asks for; absent when none is chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<MfaFactor>,
}

/// An address a person proves with a code: the `{attribute}` of
/// `/account/attributes/{attribute}/...` (Cognito's `AttributeName` for
/// `GetUserAttributeVerificationCode` and `VerifyUserAttribute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifiableAttribute {
    /// `email`.
    #[serde(rename = "email")]
    Email,
    /// `phone_number`.
    #[serde(rename = "phone_number")]
    PhoneNumber,
}

impl VerifiableAttribute {
    /// Every one of them.
    pub const ALL: [Self; 2] = [Self::Email, Self::PhoneNumber];

    /// Cognito's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::PhoneNumber => "phone_number",
        }
    }

    /// The attribute named exactly so (a path segment); `None` for any other name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// `GET /account`: the person as Cognito knows them (`GetUser`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The pool's internal username.
    pub username: String,
    /// Every attribute the person has, by name (`sub`, `email`, `email_verified`, ...).
    pub attributes: BTreeMap<String, String>,
    /// The second factors set up, and the preferred one.
    pub mfa: MfaPreferenceResponse,
}

/// `PATCH /account`, with the caller's access token as the bearer: attributes to set (an empty
/// value removes one). `email_verified` and `phone_number_verified` are set by verifying.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateAccountRequest {
    /// The attributes, by name.
    pub attributes: BTreeMap<String, String>,
}

/// The answer to `PATCH /account`: where codes went to verify a changed address. Until it is
/// verified the old, verified address stays the person's (the pool's
/// `AttributesRequireVerificationBeforeUpdate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAccountResponse {
    /// One per address to verify; empty when nothing needs verifying.
    pub code_deliveries: Vec<CodeDelivery>,
}

/// The answer to `POST /account/attributes/{attribute}/code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendAttributeCodeResponse {
    /// Where the code went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_delivery: Option<CodeDelivery>,
}

/// `POST /account/attributes/{attribute}/verify`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyAttributeRequest {
    /// The code that was sent.
    pub code: Secret,
}

/// `POST /password/change`, with the caller's access token as the bearer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    /// The current password.
    pub previous_password: Secret,
    /// The new password.
    pub proposed_password: Secret,
}

/// `POST /password/reset`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResetPasswordRequest {
    /// The sign-in name.
    pub username: String,
    /// The code `/password/forgot` sent.
    pub code: Secret,
    /// The new password.
    pub new_password: Secret,
}

/// `POST /users` (admins).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateUserRequest {
    /// The sign-in name (an email address for this pool).
    pub username: String,
    /// The email address (defaults to the username when that is an email address).
    #[serde(default, deserialize_with = "present")]
    pub email: Option<String>,
    /// Mark the email as verified.
    #[serde(default, deserialize_with = "present")]
    pub email_verified: Option<bool>,
    /// A temporary password; Cognito generates one when absent.
    #[serde(default, deserialize_with = "present")]
    pub temporary_password: Option<Secret>,
    /// Other attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Groups to add the user to.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Whether Cognito emails the invitation (default true).
    #[serde(default, deserialize_with = "present")]
    pub send_invite: Option<bool>,
}

/// `PUT /users/{username}/password` (admins).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetPasswordRequest {
    /// The password.
    pub password: Secret,
    /// Permanent, or temporary (changed at next sign-in; the default).
    #[serde(default)]
    pub permanent: bool,
}

/// A user, as the admin routes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The internal username.
    pub username: String,
    /// The immutable id.
    pub sub: String,
    /// The email address.
    pub email: String,
    /// Whether it is verified.
    pub email_verified: bool,
    /// Cognito's status (`CONFIRMED`, `FORCE_CHANGE_PASSWORD`, ...).
    pub status: String,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// Created, RFC 3339.
    pub created_at: Option<String>,
    /// Last modified, RFC 3339.
    pub updated_at: Option<String>,
    /// Groups.
    pub groups: Vec<String>,
    /// All attributes.
    pub attributes: BTreeMap<String, String>,
}

/// `GET /users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserList {
    /// This page.
    pub users: Vec<User>,
    /// The `next` of the following page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `GET /users` query: `limit` (1-60), `next`, and one of `email` / `status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Page size.
    pub limit: Option<String>,
    /// Page token.
    pub next: Option<String>,
    /// Exact email address.
    pub email: Option<String>,
    /// Cognito status.
    pub status: Option<String>,
}

/// `POST /credentials`: temporary AWS credentials for the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsResponse {
    /// The caller's identity in the identity pool.
    pub identity_id: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Session token.
    pub session_token: Secret,
    /// Expiry, RFC 3339.
    pub expiration: String,
}

/// `POST /passkeys/registration`'s answer: the options for the browser's
/// `navigator.credentials.create`, as Cognito made them (`StartWebAuthnRegistration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyRegistrationOptions {
    /// W3C `PublicKeyCredentialCreationOptionsJSON` (WebAuthn Level 3, section 5.4): the relying
    /// party, the person, a fresh `challenge`, the algorithms (`-7` ES256, `-257` RS256),
    /// `excludeCredentials` (the person's passkeys) and `authenticatorSelection`; binary members in
    /// base64url. Ready for `PublicKeyCredential.parseCreationOptionsFromJSON`.
    pub credential_creation_options: serde_json::Value,
}

/// `POST /passkeys`: the new passkey.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CompletePasskeyRegistrationRequest {
    /// The browser's `PublicKeyCredential.toJSON()` of the credential `navigator.credentials.create`
    /// made (W3C `RegistrationResponseJSON`), whole: Cognito refuses one missing members
    /// (`authenticatorData`, `transports`, `publicKeyAlgorithm`, `publicKey`).
    pub credential: serde_json::Value,
}

/// One of the person's passkeys (Cognito's `WebAuthnCredentialDescription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    /// The credential id, base64url: what `DELETE /passkeys/{credentialId}` takes.
    pub credential_id: String,
    /// Its name, as Cognito gave it (`FriendlyCredentialName`).
    pub name: String,
    /// The relying party it was made for (the site's host name).
    pub relying_party_id: String,
    /// How the browser reaches the authenticator (`internal`, `hybrid`, `usb`, `nfc`, `ble`).
    pub transports: Vec<String>,
    /// `platform` (built into the device) or `cross-platform` (a security key, a phone); absent
    /// when the browser did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
    /// Registered, RFC 3339.
    pub created_at: String,
}

/// `GET /passkeys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasskeyList {
    /// This page.
    pub passkeys: Vec<Passkey>,
    /// The `next` of the following page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `GET /passkeys` query: `limit` (1-20) and `next`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasskeyListQuery {
    /// Page size.
    pub limit: Option<String>,
    /// Page token.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;

    /// `Debug` of `json` read as `T`, which must hold a secret marked `SECRET-MARK`.
    fn debug_of<T: DeserializeOwned + std::fmt::Debug>(json: serde_json::Value) -> String {
        let value: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"));
        format!("{value:?}")
    }

    #[test]
    fn debug_output_never_shows_a_password_token_session_code_or_key() {
        let tokens = serde_json::json!({
            "idToken": "SECRET-MARK-id", "accessToken": "SECRET-MARK-access", "refreshToken": "SECRET-MARK-refresh",
            "expiresIn": 3600, "tokenType": "Bearer"
        });
        let challenge =
            serde_json::json!({"name": "SOFTWARE_TOKEN_MFA", "session": "SECRET-MARK-session", "parameters": {}});
        let shown = [
            debug_of::<SignInRequest>(serde_json::json!({"username": "ann", "password": "SECRET-MARK"})),
            debug_of::<RefreshRequest>(serde_json::json!({"refreshToken": "SECRET-MARK", "username": "ann"})),
            debug_of::<SignOutRequest>(serde_json::json!({"refreshToken": "SECRET-MARK"})),
            debug_of::<ChallengeRequest>(serde_json::json!({
                "username": "ann", "name": "SOFTWARE_TOKEN_MFA", "session": "SECRET-MARK",
                "responses": {"SOFTWARE_TOKEN_MFA_CODE": "SECRET-MARK"}
            })),
            debug_of::<SignUpRequest>(serde_json::json!({"username": "ann", "password": "SECRET-MARK"})),
            debug_of::<ConfirmSignUpRequest>(serde_json::json!({"username": "ann", "code": "SECRET-MARK"})),
            debug_of::<TotpVerifyRequest>(serde_json::json!({"code": "SECRET-MARK"})),
            debug_of::<ChangePasswordRequest>(serde_json::json!({
                "previousPassword": "SECRET-MARK", "proposedPassword": "SECRET-MARK"
            })),
            debug_of::<ResetPasswordRequest>(
                serde_json::json!({"username": "ann", "code": "SECRET-MARK", "newPassword": "SECRET-MARK"}),
            ),
            debug_of::<CreateUserRequest>(serde_json::json!({"username": "ann", "temporaryPassword": "SECRET-MARK"})),
            debug_of::<SetPasswordRequest>(serde_json::json!({"password": "SECRET-MARK"})),
            debug_of::<Tokens>(tokens.clone()),
            debug_of::<Challenge>(challenge.clone()),
            debug_of::<SignInResponse>(serde_json::json!({"tokens": tokens, "username": "ann"})),
            debug_of::<SignInResponse>(serde_json::json!({"challenge": challenge, "username": "ann"})),
            debug_of::<Challenge>(serde_json::json!({
                "name": "MFA_SETUP", "session": "SECRET-MARK",
                "parameters": {"secretCode": "SECRET-MARK", "otpauthUri": "otpauth://totp/SECRET-MARK"}
            })),
            debug_of::<RefreshResponse>(serde_json::json!({"tokens": tokens})),
            debug_of::<TotpSetupResponse>(
                serde_json::json!({"secretCode": "SECRET-MARK", "otpauthUri": "otpauth://SECRET-MARK"}),
            ),
            debug_of::<CredentialsResponse>(serde_json::json!({
                "identityId": "us-east-1:id", "accessKeyId": "ASIA-not-a-secret", "secretAccessKey": "SECRET-MARK",
                "sessionToken": "SECRET-MARK", "expiration": "2026-11-22T00:00:00Z"
            })),
        ];
        for debug in shown {
            assert!(!debug.contains("SECRET-MARK"), "{debug}");
        }
    }

    #[test]
    fn a_null_optional_field_is_a_400_naming_it_and_an_absent_one_is_none() {
        // GIVEN optional fields sent as null, as the contract allows none to be
        let refused = [
            (r#"{"username":"ann","sendInvite":null}"#, "sendInvite"),
            (r#"{"username":"ann","email":null}"#, "email"),
            (r#"{"username":"ann","temporaryPassword":null}"#, "temporaryPassword"),
        ];
        for (body, field) in refused {
            // WHEN the body is read THEN it is a 400 naming the field
            let err = crate::parse_body::<CreateUserRequest>(body.as_bytes()).unwrap_err();
            assert_eq!((err.status().as_u16(), err.field.as_deref()), (400, Some(field)), "{body}");
        }
        let err = crate::parse_body::<SignInRequest>(br#"{"username":"ann","preferredChallenge":null}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("preferredChallenge"), "{err:?}");
        let err = crate::parse_body::<SetMfaPreferenceRequest>(br#"{"totp":null}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("totp"));
        // AND a field left out is simply absent
        let req: CreateUserRequest = crate::parse_body(br#"{"username":"ann","sendInvite":false}"#).unwrap();
        assert_eq!((req.send_invite, req.email), (Some(false), None));
    }

    #[test]
    fn challenge_names_are_cognitos_spellings_both_ways_and_an_unknown_one_is_kept_as_it_came() {
        // GIVEN every name Cognito documents
        for name in ChallengeName::KNOWN {
            // WHEN it is written and read back THEN it is Cognito's spelling and the same name
            let json = serde_json::to_value(name).unwrap();
            assert_eq!(json, serde_json::json!(name.as_str()));
            assert_eq!(serde_json::from_value::<ChallengeName>(json).ok().as_ref(), Some(name));
            assert!(!matches!(ChallengeName::from(name.as_str()), ChallengeName::Unknown(_)), "{name}");
        }
        assert_eq!(ChallengeName::SoftwareTokenMfa.as_str(), "SOFTWARE_TOKEN_MFA");
        // AND a name it does not know, or spelled otherwise, is kept as it came
        for other in ["FUTURE_CHALLENGE", "software_token_mfa", " SMS_MFA", ""] {
            let name: ChallengeName = serde_json::from_value(serde_json::json!(other)).unwrap();
            assert!(matches!(&name, ChallengeName::Unknown(unknown) if unknown.as_str() == other), "{other:?}");
            assert_eq!(serde_json::to_value(&name).unwrap(), serde_json::json!(other));
        }
        // AND a name that is no string is a 400 naming the field
        let err = crate::parse_body::<ChallengeRequest>(br#"{"username":"ann","name":5,"session":"s"}"#).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("name"), "{err:?}");
    }

    #[test]
    fn secrets_are_plain_strings_on_the_wire() {
        let json = serde_json::json!({
            "idToken": "id", "accessToken": "access", "refreshToken": "refresh", "expiresIn": 3600,
            "tokenType": "Bearer"
        });
        let tokens: Tokens = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens.id_token.expose(), "id");
        assert_eq!(serde_json::to_value(&tokens).ok(), Some(json));
    }
}
