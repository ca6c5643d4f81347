//! Test support (feature `testing`): a [`crate::UserPool`] (every port) that records every call and answers from a
//! script, so flows and handlers are tested without AWS; and [`CapturedLog`], for tests that read
//! the log lines a subscriber writes.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use api_types::challenge::ChallengeName;
use async_trait::async_trait;

use crate::context_data::ContextData;
use crate::user_pool::{
    AccountPort, AccountRecoveryPort, AccountUser, AdminAction, AdminPort, AuthFlow, AuthParameters, AuthResult,
    ChallengeApi, CodeDeliveryDetails, CognitoError, CognitoErrorKind, IssuedTokens, MembershipChange,
    MfaPreferenceChange, NewUser, PasskeyPort, PasswordPermanence, PoolUser, RefreshPort, RegistrationPort, SignInPort,
    SignedUp, SoftwareTokenPort, TokenOwner, WebAuthnCredential,
};

/// A `std::io::Write` into a shared buffer, for a `tracing` subscriber whose lines a test reads:
/// `tracing_subscriber::fmt().with_writer(move || log.clone())`. Clones write to the same buffer.
#[derive(Debug, Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A call the flows made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `InitiateAuth` / `AdminInitiateAuth`.
    InitiateAuth(AuthFlow, AuthParameters),
    /// `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`.
    Respond {
        /// Which call.
        api: ChallengeApi,
        /// The challenge answered.
        challenge: ChallengeName,
        /// Session.
        session: Option<String>,
        /// Responses.
        responses: AuthParameters,
    },
    /// `InitiateAuth` `USER_AUTH` with a confirmation's session: parameters, session.
    InitiateAuthWithSession(AuthParameters, String),
    /// `GetTokensFromRefreshToken`: the refresh token.
    GetTokensFromRefreshToken(String),
    /// `GlobalSignOut`.
    GlobalSignOut(String),
    /// `RevokeToken`.
    RevokeToken(String),
    /// `SignUp`: username, password, attributes, secret hash.
    SignUp(String, String, Vec<(String, String)>, Option<String>),
    /// `ConfirmSignUp`: username, code, secret hash.
    ConfirmSignUp(String, String, Option<String>),
    /// `ResendConfirmationCode`: username, secret hash.
    ResendCode(String, Option<String>),
    /// `AssociateSoftwareToken`: `AccessToken` or `Session`, and its value.
    AssociateSoftwareToken(&'static str, String),
    /// `VerifySoftwareToken`: owner kind, owner, code, device name.
    VerifySoftwareToken(&'static str, String, String, Option<String>),
    /// `SetUserMFAPreference` (TOTP preferred).
    PreferTotp(String),
    /// `GetUser`: the access token.
    GetUser(String),
    /// `SetUserMFAPreference`: the access token, the change.
    SetMfaPreference(String, MfaPreferenceChange),
    /// `UpdateUserAttributes`: access token, attributes.
    UpdateUserAttributes(String, Vec<(String, String)>),
    /// `GetUserAttributeVerificationCode`: access token, attribute.
    SendAttributeCode(String, String),
    /// `VerifyUserAttribute`: access token, attribute, code.
    VerifyUserAttribute(String, String, String),
    /// `DeleteUser`: access token.
    DeleteUser(String),
    /// `ChangePassword`: access token, previous, proposed.
    ChangePassword(String, String, String),
    /// `ForgotPassword`: username, secret hash.
    ForgotPassword(String, Option<String>),
    /// `ConfirmForgotPassword`: username, code, password, secret hash.
    ConfirmForgotPassword(String, String, String, Option<String>),
    /// `AdminCreateUser`.
    AdminCreateUser(NewUser),
    /// `AdminGetUser`.
    AdminGetUser(String),
    /// `ListUsers`: limit, next, filter.
    ListUsers(i32, Option<String>, Option<String>),
    /// `AdminListGroupsForUser`.
    AdminGroups(String),
    /// `ListGroups`: the page token.
    ListGroups(Option<String>),
    /// `ListUsersInGroup`: group, page token.
    ListUsersInGroup(String, Option<String>),
    /// An [`AdminAction`] on a user.
    AdminAction(AdminAction, String),
    /// Group membership: username, group, add or remove.
    GroupMembership(String, String, MembershipChange),
    /// `AdminCreateUser` with `MessageAction` `RESEND`: the username.
    ResendInvitation(String),
    /// `AdminSetUserPassword`: username, password, temporary or permanent.
    AdminSetPassword(String, String, PasswordPermanence),
    /// `GetGroup`.
    GetGroup(String),
    /// `StartWebAuthnRegistration`: access token.
    StartWebAuthnRegistration(String),
    /// `CompleteWebAuthnRegistration`: access token, credential.
    CompleteWebAuthnRegistration(String, serde_json::Value),
    /// `ListWebAuthnCredentials`: access token, max results, next token.
    ListWebAuthnCredentials(String, u8, Option<String>),
    /// `DeleteWebAuthnCredential`: access token, credential id.
    DeleteWebAuthnCredential(String, String),
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub enum ScriptedReply {
    /// Tokens or a challenge.
    Auth(AuthResult),
    /// A `Session` (a confirmation's, for signing in at once).
    Session(String),
    /// The person's account (`GetUser`).
    Account(AccountUser),
    /// Success without a result.
    Done,
    /// `SignUp`'s answer.
    SignedUp(SignedUp),
    /// Where the codes to verify went (`UpdateUserAttributes`).
    Deliveries(Vec<CodeDeliveryDetails>),
    /// Where a code was sent.
    Delivery(Option<CodeDeliveryDetails>),
    /// A TOTP secret and the next session.
    Secret(String, Option<String>),
    /// A TOTP verification: accepted, next session.
    Verified(bool, Option<String>),
    /// A user.
    User(PoolUser),
    /// A page of users and the next token.
    Users(Vec<PoolUser>, Option<String>),
    /// Group names.
    Groups(Vec<String>),
    /// A page of names (groups, or a group's members' usernames) and the next token.
    Names(Vec<String>, Option<String>),
    /// A JSON document (`StartWebAuthnRegistration`'s creation options).
    Json(serde_json::Value),
    /// A page of passkeys and the next token.
    Passkeys(Vec<WebAuthnCredential>, Option<String>),
}

/// Answers calls in order from its script, and fails the test on a call the test did not expect:
/// a call past the end of the script, or one whose scripted reply is of another kind (a
/// [`ScriptedReply::Done`] where `ForgotPassword` answers a [`ScriptedReply::Delivery`]), panics with the call
/// and its arguments. A call made on a spawned task only fails that task, which the service may
/// turn into an error response; so the pool also panics when dropped after any such call.
///
/// It fails the test too when it is dropped with replies left in its script: a call the test
/// scripted and the code never made (a skipped last step, a refusal that came too early) would
/// otherwise pass unseen. A test that means a call not to happen scripts no reply for it.
#[derive(Default)]
pub struct ScriptedPool {
    calls: Mutex<Vec<Call>>,
    script: Mutex<VecDeque<Result<ScriptedReply, CognitoError>>>,
    unexpected: Mutex<Vec<String>>,
    /// The caller each call told Cognito about, by Cognito action.
    contexts: Mutex<Vec<(&'static str, ContextData)>>,
    /// How long each call takes to answer (a slow Cognito).
    latency: std::time::Duration,
}

impl ScriptedPool {
    /// A pool answering with `replies`, in order.
    pub fn new(replies: impl IntoIterator<Item = Result<ScriptedReply, CognitoError>>) -> Self {
        Self {
            calls: Mutex::default(),
            script: Mutex::new(replies.into_iter().collect()),
            unexpected: Mutex::default(),
            contexts: Mutex::default(),
            latency: std::time::Duration::ZERO,
        }
    }

    /// The same pool, each call of which waits `latency` before it is recorded and answered.
    pub fn with_latency(mut self, latency: std::time::Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Waits the pool's latency (each call does, first).
    async fn pause(&self) {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }

    /// The calls made so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The caller each call that takes one told Cognito about (`UserContextData` or
    /// `ContextData`), in call order, by Cognito action (`InitiateAuth`, `AdminInitiateAuth`,
    /// `SignUp`, ...).
    pub fn contexts(&self) -> Vec<(&'static str, ContextData)> {
        self.contexts.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Waits the pool's latency and records the caller `action` was told about.
    async fn begin(&self, action: &'static str, context: &ContextData) {
        self.pause().await;
        if let Ok(mut contexts) = self.contexts.lock() {
            contexts.push((action, context.clone()));
        }
    }

    /// Records `call` and answers it with the next scripted reply, which `pick` takes apart
    /// (`None`: the reply does not answer this call).
    fn answer<T>(&self, call: Call, pick: impl FnOnce(ScriptedReply) -> Option<T>) -> Result<T, CognitoError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call.clone());
        }
        let scripted = self.script.lock().ok().and_then(|mut s| s.pop_front());
        match scripted {
            None => self.fail(format!("unexpected Cognito call (the script has no reply left): {call:?}")),
            Some(Err(err)) => Err(err),
            Some(Ok(reply)) => match pick(reply.clone()) {
                Some(out) => Ok(out),
                None => self.fail(format!("the scripted reply {reply:?} does not answer the Cognito call {call:?}")),
            },
        }
    }

    fn auth(&self, call: Call) -> Result<AuthResult, CognitoError> {
        self.answer(call, |reply| match reply {
            ScriptedReply::Auth(result) => Some(result),
            _ => None,
        })
    }

    fn done(&self, call: Call) -> Result<(), CognitoError> {
        self.answer(call, |reply| matches!(reply, ScriptedReply::Done).then_some(()))
    }

    /// Fails the test: panics now, and again when the pool is dropped (see [`ScriptedPool`]).
    fn fail(&self, message: String) -> ! {
        if let Ok(mut unexpected) = self.unexpected.lock() {
            unexpected.push(message.clone());
        }
        panic!("{message}");
    }
}

impl Drop for ScriptedPool {
    fn drop(&mut self) {
        // A test that already failed says why itself; a second panic would abort the run.
        if std::thread::panicking() {
            return;
        }
        let unexpected = self.unexpected.get_mut().map(std::mem::take).unwrap_or_default();
        if !unexpected.is_empty() {
            panic!("unexpected Cognito calls: {unexpected:#?}");
        }
        let unused = self.script.get_mut().map(std::mem::take).unwrap_or_default();
        if !unused.is_empty() {
            let calls = self.calls.get_mut().map(std::mem::take).unwrap_or_default();
            panic!(
                "{} scripted Cognito replies were never used: {unused:#?}\nthe calls made: {calls:#?}",
                unused.len()
            );
        }
    }
}

fn owner(owner: TokenOwner<'_>) -> (&'static str, String) {
    match owner {
        TokenOwner::AccessToken(t) => ("AccessToken", t.expose().to_string()),
        TokenOwner::Session(s) => ("Session", s.expose().to_string()),
    }
}

/// The configuration tests use: pool `us-east-1_pool`, app client `client` with secret `secret`.
pub fn config() -> crate::CognitoConfig {
    crate::CognitoConfig {
        region: "us-east-1".into(),
        user_pool_id: "us-east-1_pool".into(),
        client_id: "client".into(),
        client_secret: Some(crate::ClientSecret::new("secret")),
        write_attributes: crate::config::WriteAttributes::default(),
    }
}

/// A caller as API Gateway describes one: address `203.0.113.7`, a browser's fingerprint.
pub fn browser_context() -> ContextData {
    ContextData {
        ip_address: Some("203.0.113.7".into()),
        server_name: "api.example.com".into(),
        server_path: "/prod/auth".into(),
        http_headers: vec![("user-agent".into(), "Firefox/140".into())],
        encoded_data: Some("fingerprint-1".into()),
    }
}

/// An unsigned token whose payload is `{"sub": sub}`: the flows only read the claim; Cognito
/// verifies tokens itself.
pub fn token_with_sub(sub: &str) -> String {
    use base64::Engine;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{sub}"}}"#));
    format!("h.{payload}.s")
}

/// An unsigned access token of the person `sub` (username `user-of-<sub>`): the claims a
/// bearer must carry to match the authorizer's context for it (`sub`, `token_use` `access`).
/// Cognito (scripted here) is what checks a token; the API only compares its claims.
pub fn access_token_of(sub: &str) -> String {
    use base64::Engine;
    let claims = serde_json::json!({"sub": sub, "token_use": "access", "username": format!("user-of-{sub}")});
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("h.{payload}.s")
}

/// The access token of the caller `sub` (username `user-of-<sub>`, no groups), as a route that
/// takes it would have proven it: the authorizer's context for an access token, and a bearer
/// whose claims match it ([`access_token_of`]).
pub fn caller_token(sub: &str) -> crate::token::CallerAccessToken {
    caller_token_in(sub, &[])
}

/// [`caller_token`] for a caller in `groups` (as the authorizer's context lists them, from the
/// token's `cognito:groups`).
pub fn caller_token_in(sub: &str, groups: &[&str]) -> crate::token::CallerAccessToken {
    let caller = api_types::AuthorizerContext {
        sub: sub.into(),
        username: format!("user-of-{sub}"),
        email: String::new(),
        email_verified: false,
        groups: groups.join(","),
        token_use: "access".into(),
        client_id: "client".into(),
        auth_time: None,
        acr: String::new(),
        amr: String::new(),
    };
    match crate::token::CallerAccessToken::of_caller(&caller, Some(&access_token_of(sub))) {
        Ok(token) => token,
        Err(err) => panic!("a caller token for {sub}: {err}"),
    }
}

/// [`caller_token`] of a person who signed in at `auth_time` (seconds since the epoch).
pub fn caller_token_at(sub: &str, auth_time: u64) -> crate::token::CallerAccessToken {
    use base64::Engine;
    let claims = serde_json::json!({
        "sub": sub, "token_use": "access", "username": format!("user-of-{sub}"), "auth_time": auth_time,
    });
    let bearer = format!("h.{}.s", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string()));
    let caller = api_types::AuthorizerContext { auth_time: Some(auth_time), ..caller_token(sub).caller().clone() };
    match crate::token::CallerAccessToken::of_caller(&caller, Some(&bearer)) {
        Ok(token) => token,
        Err(err) => panic!("a caller token for {sub}: {err}"),
    }
}

/// An error Cognito answered with this code (and a scripted message).
pub fn error(code: &str) -> CognitoError {
    error_with(code, &format!("{code} (scripted)"))
}

/// An error Cognito answered with this code and message (for the codes it shares across
/// situations, told apart by the message).
pub fn error_with(code: &str, message: &str) -> CognitoError {
    CognitoError { kind: CognitoErrorKind::Service, code: code.into(), message: message.into() }
}

#[async_trait]
impl RefreshPort for ScriptedPool {
    async fn get_tokens_from_refresh_token(&self, refresh_token: &str) -> Result<IssuedTokens, CognitoError> {
        self.pause().await;
        self.answer(Call::GetTokensFromRefreshToken(refresh_token.into()), |reply| match reply {
            ScriptedReply::Auth(AuthResult::Tokens(tokens)) => Some(tokens),
            _ => None,
        })
    }
}

#[async_trait]
impl SignInPort for ScriptedPool {
    async fn initiate_auth(
        &self,
        flow: AuthFlow,
        parameters: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        let action = if flow == AuthFlow::AdminUserPassword { "AdminInitiateAuth" } else { "InitiateAuth" };
        self.begin(action, context).await;
        self.auth(Call::InitiateAuth(flow, parameters))
    }

    async fn initiate_auth_with_session(
        &self,
        parameters: AuthParameters,
        session: &str,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        self.begin("InitiateAuth", context).await;
        self.auth(Call::InitiateAuthWithSession(parameters, session.into()))
    }

    async fn respond_to_challenge(
        &self,
        api: ChallengeApi,
        challenge: &ChallengeName,
        session: Option<&str>,
        responses: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        let action = if api == ChallengeApi::Admin { "AdminRespondToAuthChallenge" } else { "RespondToAuthChallenge" };
        self.begin(action, context).await;
        self.auth(Call::Respond { api, challenge: challenge.clone(), session: session.map(Into::into), responses })
    }
}

#[async_trait]
impl PasskeyPort for ScriptedPool {
    async fn start_web_authn_registration(&self, access_token: &str) -> Result<serde_json::Value, CognitoError> {
        self.pause().await;
        self.answer(Call::StartWebAuthnRegistration(access_token.into()), |reply| match reply {
            ScriptedReply::Json(options) => Some(options),
            _ => None,
        })
    }

    async fn complete_web_authn_registration(
        &self,
        access_token: &str,
        credential: &serde_json::Value,
    ) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::CompleteWebAuthnRegistration(access_token.into(), credential.clone()))
    }

    async fn list_web_authn_credentials(
        &self,
        access_token: &str,
        max_results: u8,
        next: Option<&str>,
    ) -> Result<(Vec<WebAuthnCredential>, Option<String>), CognitoError> {
        self.pause().await;
        let call = Call::ListWebAuthnCredentials(access_token.into(), max_results, next.map(str::to_string));
        self.answer(call, |reply| match reply {
            ScriptedReply::Passkeys(page, next) => Some((page, next)),
            _ => None,
        })
    }

    async fn delete_web_authn_credential(&self, access_token: &str, credential_id: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::DeleteWebAuthnCredential(access_token.into(), credential_id.into()))
    }
}

#[async_trait]
impl AccountPort for ScriptedPool {
    async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::GlobalSignOut(access_token.into()))
    }

    async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::RevokeToken(refresh_token.into()))
    }

    async fn prefer_totp(&self, access_token: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::PreferTotp(access_token.into()))
    }

    async fn get_user(&self, access_token: &str) -> Result<AccountUser, CognitoError> {
        self.pause().await;
        self.answer(Call::GetUser(access_token.into()), |reply| match reply {
            ScriptedReply::Account(user) => Some(user),
            _ => None,
        })
    }

    async fn set_mfa_preference(&self, access_token: &str, change: &MfaPreferenceChange) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::SetMfaPreference(access_token.into(), change.clone()))
    }

    async fn change_password(&self, access_token: &str, previous: &str, proposed: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::ChangePassword(access_token.into(), previous.into(), proposed.into()))
    }

    async fn update_user_attributes(
        &self,
        access_token: &str,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDeliveryDetails>, CognitoError> {
        self.pause().await;
        self.answer(Call::UpdateUserAttributes(access_token.into(), attributes.to_vec()), |reply| match reply {
            ScriptedReply::Deliveries(list) => Some(list),
            _ => None,
        })
    }

    async fn send_attribute_code(
        &self,
        access_token: &str,
        attribute: &str,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        self.pause().await;
        self.answer(Call::SendAttributeCode(access_token.into(), attribute.into()), |reply| match reply {
            ScriptedReply::Delivery(delivery) => Some(delivery),
            _ => None,
        })
    }

    async fn verify_user_attribute(&self, access_token: &str, attribute: &str, code: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::VerifyUserAttribute(access_token.into(), attribute.into(), code.into()))
    }

    async fn delete_user(&self, access_token: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::DeleteUser(access_token.into()))
    }
}

#[async_trait]
impl RegistrationPort for ScriptedPool {
    async fn sign_up(
        &self,
        username: &str,
        password: Option<&str>,
        attributes: &[(String, String)],
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<SignedUp, CognitoError> {
        self.begin("SignUp", context).await;
        let call = Call::SignUp(username.into(), password.unwrap_or_default().into(), attributes.to_vec(), secret_hash);
        self.answer(call, |reply| match reply {
            ScriptedReply::SignedUp(out) => Some(out),
            _ => None,
        })
    }

    async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<String>, CognitoError> {
        self.begin("ConfirmSignUp", context).await;
        self.answer(Call::ConfirmSignUp(username.into(), code.into(), secret_hash), |reply| match reply {
            ScriptedReply::Done => Some(None),
            ScriptedReply::Session(session) => Some(Some(session)),
            _ => None,
        })
    }

    async fn resend_confirmation_code(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        self.begin("ResendConfirmationCode", context).await;
        self.answer(Call::ResendCode(username.into(), secret_hash), |reply| match reply {
            ScriptedReply::Delivery(out) => Some(out),
            _ => None,
        })
    }
}

#[async_trait]
impl SoftwareTokenPort for ScriptedPool {
    async fn associate_software_token(&self, o: TokenOwner<'_>) -> Result<(String, Option<String>), CognitoError> {
        self.pause().await;
        let (kind, value) = owner(o);
        self.answer(Call::AssociateSoftwareToken(kind, value), |reply| match reply {
            ScriptedReply::Secret(secret, session) => Some((secret, session)),
            _ => None,
        })
    }

    async fn verify_software_token(
        &self,
        o: TokenOwner<'_>,
        code: &str,
        device_name: Option<&str>,
    ) -> Result<(bool, Option<String>), CognitoError> {
        self.pause().await;
        let (kind, value) = owner(o);
        self.answer(Call::VerifySoftwareToken(kind, value, code.into(), device_name.map(Into::into)), |reply| {
            match reply {
                ScriptedReply::Verified(ok, session) => Some((ok, session)),
                _ => None,
            }
        })
    }
}

#[async_trait]
impl AccountRecoveryPort for ScriptedPool {
    async fn forgot_password(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        self.begin("ForgotPassword", context).await;
        self.answer(Call::ForgotPassword(username.into(), secret_hash), |reply| match reply {
            ScriptedReply::Delivery(out) => Some(out),
            _ => None,
        })
    }

    async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<(), CognitoError> {
        self.begin("ConfirmForgotPassword", context).await;
        self.done(Call::ConfirmForgotPassword(username.into(), code.into(), password.into(), secret_hash))
    }

    async fn admin_user_global_sign_out(&self, username: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::AdminAction(AdminAction::SignOut, username.into()))
    }
}

#[async_trait]
impl AdminPort for ScriptedPool {
    async fn admin_create_user(&self, user: &NewUser) -> Result<PoolUser, CognitoError> {
        self.pause().await;
        self.answer(Call::AdminCreateUser(user.clone()), |reply| match reply {
            ScriptedReply::User(u) => Some(u),
            _ => None,
        })
    }

    async fn admin_get_user(&self, username: &str) -> Result<PoolUser, CognitoError> {
        self.pause().await;
        self.answer(Call::AdminGetUser(username.into()), |reply| match reply {
            ScriptedReply::User(u) => Some(u),
            _ => None,
        })
    }

    async fn list_users(
        &self,
        limit: i32,
        next: Option<&str>,
        filter: Option<&str>,
    ) -> Result<(Vec<PoolUser>, Option<String>), CognitoError> {
        self.pause().await;
        self.answer(Call::ListUsers(limit, next.map(Into::into), filter.map(Into::into)), |reply| match reply {
            ScriptedReply::Users(users, next) => Some((users, next)),
            _ => None,
        })
    }

    async fn admin_groups(&self, username: &str) -> Result<Vec<String>, CognitoError> {
        self.pause().await;
        self.answer(Call::AdminGroups(username.into()), |reply| match reply {
            ScriptedReply::Groups(g) => Some(g),
            _ => None,
        })
    }

    async fn list_groups(&self, next: Option<&str>) -> Result<(Vec<String>, Option<String>), CognitoError> {
        self.pause().await;
        self.answer(Call::ListGroups(next.map(Into::into)), |reply| match reply {
            ScriptedReply::Names(names, next) => Some((names, next)),
            _ => None,
        })
    }

    async fn list_users_in_group(
        &self,
        group: &str,
        next: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), CognitoError> {
        self.pause().await;
        self.answer(Call::ListUsersInGroup(group.into(), next.map(Into::into)), |reply| match reply {
            ScriptedReply::Names(names, next) => Some((names, next)),
            _ => None,
        })
    }

    async fn admin_user_action(&self, action: AdminAction, username: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::AdminAction(action, username.into()))
    }

    async fn admin_resend_invitation(&self, username: &str) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::ResendInvitation(username.into()))
    }

    async fn admin_group_membership(
        &self,
        username: &str,
        group: &str,
        change: MembershipChange,
    ) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::GroupMembership(username.into(), group.into(), change))
    }

    async fn group_exists(&self, group: &str) -> Result<bool, CognitoError> {
        self.pause().await;
        self.done(Call::GetGroup(group.into()))
            .map(|()| true)
            .or_else(|err| if crate::cognito_errors::is_resource_not_found(&err) { Ok(false) } else { Err(err) })
    }

    async fn admin_set_password(
        &self,
        username: &str,
        password: &str,
        permanence: PasswordPermanence,
    ) -> Result<(), CognitoError> {
        self.pause().await;
        self.done(Call::AdminSetPassword(username.into(), password.into(), permanence))
    }
}

/// An [`IdentityPool`](crate::identity_pool::IdentityPool) that records every call and answers
/// `GetId` and `GetCredentialsForIdentity` from its script, in order; like [`ScriptedPool`], it
/// fails the test on a call past its script and when dropped with replies never used.
#[derive(Default)]
pub struct ScriptedIdentityPool {
    script: Mutex<VecDeque<Result<IdentityReply, CognitoError>>>,
    calls: Mutex<Vec<IdentityCall>>,
}

/// A call to the identity pool: the action (`GetId`, `GetCredentialsForIdentity`), the identity
/// id (empty for `GetId`), the Logins key and the ID token.
pub type IdentityCall = (&'static str, String, String, String);

/// A scripted identity-pool answer.
#[derive(Debug, Clone)]
pub enum IdentityReply {
    /// `GetId`'s identity id.
    Identity(String),
    /// `GetCredentialsForIdentity`'s credentials.
    Credentials(crate::identity_pool::TemporaryCredentials),
}

impl ScriptedIdentityPool {
    /// A pool answering with `replies`, in order.
    pub fn new(replies: impl IntoIterator<Item = Result<IdentityReply, CognitoError>>) -> Self {
        Self { script: Mutex::new(replies.into_iter().collect()), calls: Mutex::default() }
    }

    /// The calls made so far.
    pub fn calls(&self) -> Vec<IdentityCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn answer<T>(&self, call: IdentityCall, pick: impl FnOnce(IdentityReply) -> Option<T>) -> Result<T, CognitoError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call.clone());
        }
        match self.script.lock().ok().and_then(|mut s| s.pop_front()) {
            None => panic!("unexpected identity-pool call (the script has no reply left): {call:?}"),
            Some(Err(err)) => Err(err),
            Some(Ok(reply)) => match pick(reply.clone()) {
                Some(out) => Ok(out),
                None => panic!("the scripted reply {reply:?} does not answer the identity-pool call {call:?}"),
            },
        }
    }
}

impl Drop for ScriptedIdentityPool {
    fn drop(&mut self) {
        let unused = self.script.get_mut().map(std::mem::take).unwrap_or_default();
        if !unused.is_empty() && !std::thread::panicking() {
            panic!("{} scripted identity-pool replies were never used: {unused:#?}", unused.len());
        }
    }
}

#[async_trait]
impl crate::identity_pool::IdentityPool for ScriptedIdentityPool {
    async fn get_id(&self, logins_key: &str, id_token: &str) -> Result<String, CognitoError> {
        self.answer(("GetId", String::new(), logins_key.into(), id_token.into()), |reply| match reply {
            IdentityReply::Identity(id) => Some(id),
            IdentityReply::Credentials(_) => None,
        })
    }

    async fn get_credentials(
        &self,
        identity_id: &str,
        logins_key: &str,
        id_token: &str,
    ) -> Result<crate::identity_pool::TemporaryCredentials, CognitoError> {
        let call = ("GetCredentialsForIdentity", identity_id.into(), logins_key.into(), id_token.into());
        self.answer(call, |reply| match reply {
            IdentityReply::Credentials(credentials) => Some(credentials),
            IdentityReply::Identity(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    #[should_panic(expected = r#"unexpected Cognito call (the script has no reply left): GlobalSignOut("access")"#)]
    async fn an_unscripted_call_fails_the_test_naming_the_call() {
        let _ = ScriptedPool::default().global_sign_out("access").await;
    }

    #[tokio::test]
    #[should_panic(
        expected = r#"the scripted reply Done does not answer the Cognito call ForgotPassword("ann", None)"#
    )]
    async fn a_reply_of_another_kind_fails_the_test() {
        let _ =
            ScriptedPool::new([Ok(ScriptedReply::Done)]).forgot_password("ann", None, &ContextData::default()).await;
    }

    #[tokio::test]
    #[should_panic(expected = "1 scripted Cognito replies were never used")]
    async fn a_scripted_reply_never_used_fails_the_test_when_the_pool_is_dropped() {
        // GIVEN a script of two calls, of which the code under test makes only the first
        let pool = ScriptedPool::new([Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
        pool.global_sign_out("access").await.expect("scripted");
        // WHEN the test ends, THEN the skipped second call fails it
        drop(pool);
    }

    #[tokio::test]
    async fn a_script_used_to_its_end_drops_quietly() {
        let pool = ScriptedPool::new([Ok(ScriptedReply::Done), Err(error("NotAuthorizedException"))]);
        pool.global_sign_out("access").await.expect("scripted");
        assert!(pool.revoke_token("refresh").await.is_err());
        drop(pool);
    }

    #[test]
    #[should_panic(expected = "unexpected Cognito calls")]
    fn an_unexpected_call_on_a_spawned_task_fails_the_test_when_the_pool_is_dropped() {
        // GIVEN a service-like caller that runs the call on its own task and survives its panic
        let pool = Arc::new(ScriptedPool::default());
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let task_pool = pool.clone();
        let joined =
            runtime.block_on(async { tokio::spawn(async move { task_pool.revoke_token("refresh").await }).await });
        assert!(joined.is_err(), "the task panicked");
        // WHEN the test ends, THEN dropping the pool fails it
        drop(pool);
    }
}
