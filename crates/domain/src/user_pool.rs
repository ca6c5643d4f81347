//! The ports: the Cognito user-pool operations the flows use, as traits by capability, so each
//! service asks for what it calls, the flows are tested without AWS, and the SDK stays behind one
//! adapter ([`crate::sdk::user_pool`]).
//!
//! - [`SignInPort`]: sign-in and challenge answers ([`crate::sign_in`], [`crate::challenge`]);
//! - [`RefreshPort`]: the refresh of [`crate::session`];
//! - [`AccountPort`]: the signed-in user's own account ([`crate::mfa`], sign-out in
//!   [`crate::session`], password change in [`crate::password`]);
//! - [`SoftwareTokenPort`]: TOTP enrolment, shared by the two above;
//! - [`RegistrationPort`]: sign-up ([`crate::registration`]);
//! - [`AccountRecoveryPort`]: forgotten passwords ([`crate::password`]);
//! - [`AdminPort`]: user administration ([`crate::users`]);
//! - [`UserPool`]: all of them, for wiring.

use std::collections::BTreeMap;

use api_types::{
    Secret,
    challenge::{ChallengeName, MfaFactor},
};
use async_trait::async_trait;

use crate::context_data::ContextData;

/// Which of Cognito's two challenge-answer calls: the app client's, or the admin one a session
/// of the admin flow must be answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeApi {
    /// `RespondToAuthChallenge`.
    Client,
    /// `AdminRespondToAuthChallenge`.
    Admin,
}

/// Whether a group-membership change adds or removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    /// `AdminAddUserToGroup`.
    Add,
    /// `AdminRemoveUserFromGroup`.
    Remove,
}

/// Whether a password an admin sets must be changed at the next sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPermanence {
    /// Changed at the next sign-in (`FORCE_CHANGE_PASSWORD`).
    Temporary,
    /// Kept (`CONFIRMED`).
    Permanent,
}

/// The `AuthFlow` of an `InitiateAuth` / `AdminInitiateAuth` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// `USER_PASSWORD_AUTH` (InitiateAuth).
    UserPassword,
    /// `USER_SRP_AUTH` (InitiateAuth).
    UserSrp,
    /// `ADMIN_USER_PASSWORD_AUTH` (AdminInitiateAuth).
    AdminUserPassword,
    /// `USER_AUTH` (InitiateAuth): choice-based sign-in.
    UserAuth,
}

/// The signed-in person's own account, as `GetUser` answers it (API_GetUser).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountUser {
    /// The internal username.
    pub username: String,
    /// Attributes by name (`sub`, `email`, `email_verified`, ...).
    pub attributes: std::collections::BTreeMap<String, String>,
    /// The second factors.
    pub mfa: MfaSettings,
}

/// A user's second factors, as `GetUser` answers them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaSettings {
    /// `UserMFASettingList`, as Cognito names them (an [`api_types::challenge::MfaFactor`]'s
    /// name, or one added after it).
    pub enabled: Vec<String>,
    /// `PreferredMfaSetting`, when set.
    pub preferred: Option<String>,
}

impl From<MfaSettings> for api_types::wire::MfaPreferenceResponse {
    /// The factors the contract names (`MfaFactor`): a name Cognito adds after the catalog is
    /// left out, as the contract could not carry it and no request could act on it.
    fn from(settings: MfaSettings) -> Self {
        Self {
            enabled: settings.enabled.iter().filter_map(|name| MfaFactor::from_name(name)).collect(),
            preferred: settings.preferred.as_deref().and_then(MfaFactor::from_name),
        }
    }
}

/// A change of second factors: each `Some` turns its factor on or off; `preferred` (Cognito's
/// name) is turned on and preferred.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaPreferenceChange {
    /// `SoftwareTokenMfaSettings.Enabled`.
    pub totp: Option<bool>,
    /// `EmailMfaSettings.Enabled`.
    pub email: Option<bool>,
    /// `SMSMfaSettings.Enabled`.
    pub sms: Option<bool>,
    /// `WebAuthnMfaSettings.Enabled` (passkey MFA; it has no `PreferredMfa`).
    pub passkey: Option<bool>,
    /// The preferred factor.
    pub preferred: Option<MfaFactor>,
}

impl MfaPreferenceChange {
    /// Whether the change turns `factor` on (`Some(true)`), off (`Some(false)`) or leaves it as
    /// it is (`None`). Preferring a factor turns it on.
    pub fn turns(&self, factor: MfaFactor) -> Option<bool> {
        if self.preferred == Some(factor) {
            return Some(true);
        }
        match factor {
            MfaFactor::SoftwareToken => self.totp,
            MfaFactor::Email => self.email,
            MfaFactor::Sms => self.sms,
        }
    }
}

/// Auth parameters (`USERNAME`, `PASSWORD`, `SECRET_HASH`, ...). Never logged.
pub type AuthParameters = BTreeMap<String, String>;

/// Tokens Cognito issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    /// ID token.
    pub id_token: Secret,
    /// Access token.
    pub access_token: Secret,
    /// Refresh token (absent on refresh).
    pub refresh_token: Option<Secret>,
    /// Lifetime in seconds.
    pub expires_in: i32,
    /// Token type (`Bearer`).
    pub token_type: String,
}

/// What an auth call answered: tokens, or a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResult {
    /// Signed in.
    Tokens(IssuedTokens),
    /// Another step is needed.
    Challenge {
        /// The challenge Cognito asks for.
        name: ChallengeName,
        /// Session to answer with.
        session: Secret,
        /// Challenge parameters.
        parameters: BTreeMap<String, String>,
        /// `SELECT_CHALLENGE`: the first factors to choose from (`AvailableChallenges`); empty
        /// otherwise.
        available: Vec<ChallengeName>,
    },
}

/// Where a failed call's error came from. What a Cognito error code means for the API is not
/// decided here but in one table, [`crate::cognito_errors`], by code, message and call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CognitoErrorKind {
    /// Cognito answered with an error: `code` is its exception name (`NotAuthorizedException`).
    Service,
    /// No answer: timeout, connection failure, unreadable response.
    Unreachable,
    /// Cognito answered, but not usably (no tokens, a forged SRP value, ...): our `code` says what.
    Other,
}

/// A failed Cognito call. `message` is Cognito's text: log it, show it only where the error
/// table says so (password policy, invalid parameter, a trigger's refusal).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CognitoError {
    /// What kind of failure.
    pub kind: CognitoErrorKind,
    /// Cognito's error code ([`CognitoErrorKind::Service`]), or our name for the failure.
    pub code: String,
    /// Cognito's message.
    pub message: String,
}

/// Where a code was sent (Cognito's `CodeDeliveryDetails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDeliveryDetails {
    /// The masked destination (`a***@e***`).
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// The attribute (`email`).
    pub attribute: String,
}

/// What `SignUp` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUp {
    /// Whether the account is already confirmed.
    pub user_confirmed: bool,
    /// The new user's `sub`.
    pub user_sub: String,
    /// Where the confirmation code went.
    pub code_delivery: Option<CodeDeliveryDetails>,
}

/// An admin action on one user that takes nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// `AdminDeleteUser`.
    Delete,
    /// `AdminDisableUser`.
    Disable,
    /// `AdminEnableUser`.
    Enable,
    /// `AdminResetUserPassword`.
    ResetPassword,
    /// `AdminUserGlobalSignOut`: every refresh token of the user revoked, and their access
    /// tokens refused by Cognito from then on.
    SignOut,
}

/// Whose software token: a signed-in user's, or a sign-in session's (the `MFA_SETUP` challenge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner<'a> {
    /// An access token.
    AccessToken(&'a Secret),
    /// A challenge session.
    Session(&'a Secret),
}

/// A user as Cognito's admin calls describe it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolUser {
    /// The internal username.
    pub username: String,
    /// Attributes by name (`sub`, `email`, `email_verified`, ...).
    pub attributes: std::collections::BTreeMap<String, String>,
    /// `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, `UNCONFIRMED`, `RESET_REQUIRED`, ...
    pub status: String,
    /// Whether the user may sign in.
    pub enabled: bool,
    /// Created, RFC 3339.
    pub created_at: Option<String>,
    /// Last modified, RFC 3339.
    pub updated_at: Option<String>,
}

/// `AdminCreateUser`'s options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewUser {
    /// The sign-in name.
    pub username: String,
    /// Attributes to set.
    pub attributes: Vec<(String, String)>,
    /// A temporary password; Cognito generates one when `None`.
    pub temporary_password: Option<Secret>,
    /// Whether Cognito emails the invitation.
    pub send_invite: bool,
}

/// Signing in: starting an auth flow (sign-in, the admin flow) and answering the challenges it
/// returns, TOTP enrolment during sign-in (`MFA_SETUP`) included.
#[async_trait]
pub trait SignInPort: SoftwareTokenPort {
    /// `InitiateAuth` (client-side flows) or `AdminInitiateAuth` (the admin flow) on the
    /// configured app client, telling Cognito who is calling (`UserContextData` or
    /// `ContextData`).
    async fn initiate_auth(
        &self,
        flow: AuthFlow,
        parameters: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError>;

    /// `InitiateAuth` `USER_AUTH` with the `Session` `ConfirmSignUp` answered: signs the person
    /// in without another factor.
    async fn initiate_auth_with_session(
        &self,
        parameters: AuthParameters,
        session: &str,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError>;

    /// `RespondToAuthChallenge`, or `AdminRespondToAuthChallenge` ([`ChallengeApi::Admin`]) for
    /// sessions the admin flow started, with the caller's `UserContextData` or `ContextData`.
    async fn respond_to_challenge(
        &self,
        api: ChallengeApi,
        challenge: &ChallengeName,
        session: Option<&str>,
        responses: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError>;
}

/// Refreshing tokens: apart from [`SignInPort`], so a function that only refreshes cannot start
/// the admin flow (which IAM must grant).
#[async_trait]
pub trait RefreshPort: Send + Sync {
    /// `GetTokensFromRefreshToken`: new ID and access tokens for `refresh_token`, and a new
    /// refresh token when the client rotates them. The adapter sends the client secret itself.
    async fn get_tokens_from_refresh_token(&self, refresh_token: &str) -> Result<IssuedTokens, CognitoError>;
}

/// The signed-in user's own account, authorised by the user's tokens: sign-out, revocation,
/// password change, and TOTP enrolment and preference.
#[async_trait]
pub trait AccountPort: SoftwareTokenPort {
    /// `GlobalSignOut`: invalidates the user's tokens, refresh tokens included.
    async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError>;

    /// `RevokeToken` on the configured app client.
    async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError>;

    /// `SetUserMFAPreference`: TOTP enabled and preferred.
    async fn prefer_totp(&self, access_token: &str) -> Result<(), CognitoError>;

    /// `GetUser`: the person's username, attributes and second factors. Cognito refuses a
    /// revoked or expired token (`NotAuthorizedException`), so this also says whether the
    /// session still lives.
    async fn get_user(&self, access_token: &str) -> Result<AccountUser, CognitoError>;

    /// `SetUserMFAPreference` with each factor `change` names.
    async fn set_mfa_preference(&self, access_token: &str, change: &MfaPreferenceChange) -> Result<(), CognitoError>;

    /// `ChangePassword`.
    async fn change_password(&self, access_token: &str, previous: &str, proposed: &str) -> Result<(), CognitoError>;

    /// `UpdateUserAttributes`: where the codes to verify changed addresses went.
    async fn update_user_attributes(
        &self,
        access_token: &str,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDeliveryDetails>, CognitoError>;

    /// `GetUserAttributeVerificationCode` for `attribute` (`email`, `phone_number`).
    async fn send_attribute_code(
        &self,
        access_token: &str,
        attribute: &str,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError>;

    /// `VerifyUserAttribute`.
    async fn verify_user_attribute(&self, access_token: &str, attribute: &str, code: &str) -> Result<(), CognitoError>;

    /// `DeleteUser`: the person deletes their own account.
    async fn delete_user(&self, access_token: &str) -> Result<(), CognitoError>;
}

/// Self-registration on the app client: sign-up, its confirmation, a new confirmation code.
/// Every call carries the caller's `UserContextData`.
#[async_trait]
pub trait RegistrationPort: Send + Sync {
    /// `SignUp` (without a password for a passwordless account).
    async fn sign_up(
        &self,
        username: &str,
        password: Option<&str>,
        attributes: &[(String, String)],
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<SignedUp, CognitoError>;

    /// `ConfirmSignUp`: the `Session` Cognito answers when the client allows `USER_AUTH`, for
    /// signing the person in at once ([`SignInPort::initiate_auth_with_session`]).
    async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<String>, CognitoError>;

    /// `ResendConfirmationCode`.
    async fn resend_confirmation_code(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError>;
}

/// TOTP enrolment (`AssociateSoftwareToken`, `VerifySoftwareToken`), for a sign-in session
/// ([`TokenOwner::Session`], [`SignInPort`]) or a signed-in user ([`TokenOwner::AccessToken`],
/// [`AccountPort`]): one Cognito API under either authorisation.
#[async_trait]
pub trait SoftwareTokenPort: Send + Sync {
    /// `AssociateSoftwareToken`: the TOTP secret, and the next session when `owner` is one.
    async fn associate_software_token(&self, owner: TokenOwner<'_>) -> Result<(String, Option<String>), CognitoError>;

    /// `VerifySoftwareToken`: whether the code was accepted, and the next session.
    async fn verify_software_token(
        &self,
        owner: TokenOwner<'_>,
        code: &str,
        device_name: Option<&str>,
    ) -> Result<(bool, Option<String>), CognitoError>;
}

/// Account recovery for a signed-out user: a reset code, and a new password with it. Both calls
/// carry the caller's `UserContextData`.
#[async_trait]
pub trait AccountRecoveryPort: Send + Sync {
    /// `ForgotPassword`.
    async fn forgot_password(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError>;

    /// `ConfirmForgotPassword`.
    async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<(), CognitoError>;

    /// `AdminUserGlobalSignOut`: ends every session of the user whose password was just reset
    /// (Cognito does not on `ConfirmForgotPassword`).
    async fn admin_user_global_sign_out(&self, username: &str) -> Result<(), CognitoError>;
}

/// User administration, under IAM authorisation: users, their state and their groups.
#[async_trait]
pub trait AdminPort: Send + Sync {
    /// `AdminCreateUser`.
    async fn admin_create_user(&self, user: &NewUser) -> Result<PoolUser, CognitoError>;

    /// `AdminGetUser`.
    async fn admin_get_user(&self, username: &str) -> Result<PoolUser, CognitoError>;

    /// `ListUsers`: a page of at most `limit` users, and the token of the next page.
    async fn list_users(
        &self,
        limit: i32,
        next: Option<&str>,
        filter: Option<&str>,
    ) -> Result<(Vec<PoolUser>, Option<String>), CognitoError>;

    /// `AdminListGroupsForUser` (all pages).
    async fn admin_groups(&self, username: &str) -> Result<Vec<String>, CognitoError>;

    /// `ListGroups`: one page of up to 60 group names, and the next page's token.
    async fn list_groups(&self, next: Option<&str>) -> Result<(Vec<String>, Option<String>), CognitoError>;

    /// `ListUsersInGroup`: one page of up to 60 members' usernames, and the next page's token.
    async fn list_users_in_group(
        &self,
        group: &str,
        next: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), CognitoError>;

    /// `AdminDeleteUser`, `AdminDisableUser`, `AdminEnableUser`, `AdminResetUserPassword` or
    /// `AdminUserGlobalSignOut`.
    async fn admin_user_action(&self, action: AdminAction, username: &str) -> Result<(), CognitoError>;

    /// `AdminAddUserToGroup` or `AdminRemoveUserFromGroup`, as `change` says.
    async fn admin_group_membership(
        &self,
        username: &str,
        group: &str,
        change: MembershipChange,
    ) -> Result<(), CognitoError>;

    /// `AdminCreateUser` with `MessageAction` `RESEND`: the invitation again, with a new
    /// temporary password, for a user who has not yet signed in (`FORCE_CHANGE_PASSWORD`).
    async fn admin_resend_invitation(&self, username: &str) -> Result<(), CognitoError>;

    /// `GetGroup`: whether the group exists.
    async fn group_exists(&self, group: &str) -> Result<bool, CognitoError>;

    /// `AdminSetUserPassword`.
    async fn admin_set_password(
        &self,
        username: &str,
        password: &str,
        permanence: PasswordPermanence,
    ) -> Result<(), CognitoError>;
}

/// One of the person's passkeys (`WebAuthnCredentialDescription`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAuthnCredential {
    /// `CredentialId`, base64url.
    pub credential_id: String,
    /// `FriendlyCredentialName`.
    pub friendly_name: String,
    /// `RelyingPartyId`.
    pub relying_party_id: String,
    /// `AuthenticatorAttachment`: `platform` or `cross-platform`, when known.
    pub attachment: Option<String>,
    /// `AuthenticatorTransports`.
    pub transports: Vec<String>,
    /// `CreatedAt`, RFC 3339.
    pub created_at: String,
}

/// The signed-in person's passkeys, authorised by their access token (no IAM policy is
/// evaluated for these calls). AWS: the WebAuthn calls of the Cognito API reference,
/// <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StartWebAuthnRegistration.html>.
#[async_trait]
pub trait PasskeyPort: Send + Sync {
    /// `StartWebAuthnRegistration`: the `CredentialCreationOptions`, as JSON.
    async fn start_web_authn_registration(&self, access_token: &str) -> Result<serde_json::Value, CognitoError>;

    /// `CompleteWebAuthnRegistration` with the browser's credential, whole.
    async fn complete_web_authn_registration(
        &self,
        access_token: &str,
        credential: &serde_json::Value,
    ) -> Result<(), CognitoError>;

    /// `ListWebAuthnCredentials`: a page of at most `max_results` (1-20) and the next token.
    async fn list_web_authn_credentials(
        &self,
        access_token: &str,
        max_results: u8,
        next: Option<&str>,
    ) -> Result<(Vec<WebAuthnCredential>, Option<String>), CognitoError>;

    /// `DeleteWebAuthnCredential`.
    async fn delete_web_authn_credential(&self, access_token: &str, credential_id: &str) -> Result<(), CognitoError>;
}

/// Every Cognito user-pool operation the API uses, for wiring: one adapter
/// ([`crate::sdk::SdkUserPool`], or `testing::ScriptedPool` in tests) serves all the ports, and
/// `Arc<dyn UserPool>` converts to any one of them. Services take the narrow ports they use.
pub trait UserPool:
    SignInPort + RefreshPort + AccountPort + PasskeyPort + RegistrationPort + AccountRecoveryPort + AdminPort
{
}

impl<
    T: SignInPort + RefreshPort + AccountPort + PasskeyPort + RegistrationPort + AccountRecoveryPort + AdminPort + ?Sized,
> UserPool for T
{
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_a_token_session_or_password() {
        let tokens = IssuedTokens {
            id_token: "SECRET-id".into(),
            access_token: "SECRET-access".into(),
            refresh_token: Some("SECRET-refresh".into()),
            expires_in: 3600,
            token_type: "Bearer".into(),
        };
        let shown = [
            format!("{:?}", AuthResult::Tokens(tokens)),
            format!(
                "{:?}",
                AuthResult::Challenge {
                    name: "MFA_SETUP".into(),
                    session: "SECRET".into(),
                    parameters: BTreeMap::new(),
                    available: Vec::new(),
                }
            ),
            format!("{:?}", TokenOwner::AccessToken(&"SECRET".into())),
            format!("{:?}", TokenOwner::Session(&"SECRET".into())),
            format!(
                "{:?}",
                NewUser { username: "ann".into(), temporary_password: Some("SECRET".into()), ..Default::default() }
            ),
        ];
        for debug in shown {
            assert!(!debug.contains("SECRET"), "{debug}");
        }
    }
}
