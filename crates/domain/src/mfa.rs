//! TOTP for signed-in users: enrol an authenticator app, verify its first code, and make TOTP
//! the preferred second factor.

use std::sync::Arc;

use api_types::wire::{
    MfaFactor, MfaPreferenceResponse, SetMfaPreferenceRequest, TotpSetupResponse, TotpVerifyRequest,
};

use crate::{
    AccountPort, AuthError,
    cognito_errors::CognitoCall,
    input::{DEVICE_NAME_MAX_CHARS, check_one_time_password, check_text},
    token::CallerAccessToken,
    user_pool::{MfaPreferenceChange, TokenOwner},
};

/// Every call here is authorised by the caller's access token.
fn access_token_error(err: crate::CognitoError) -> AuthError {
    AuthError::from_cognito(CognitoCall::AccessToken, err)
}

/// TOTP enrolment for signed-in users.
#[derive(Clone)]
pub struct MfaService {
    pool: Arc<dyn AccountPort>,
}

impl MfaService {
    /// A service calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn AccountPort>) -> Self {
        Self { pool }
    }

    /// Starts enrolment with the caller's access token: the secret and an `otpauth://` URI
    /// labelled with the account authenticator apps show next to it, the person's email address
    /// or else their username. An access token carries no email, so `GetUser` is asked first
    /// (which also refuses a revoked token before anything is enrolled).
    pub async fn setup(&self, token: &CallerAccessToken) -> Result<TotpSetupResponse, AuthError> {
        let user = self.pool.get_user(token.expose()).await.map_err(access_token_error)?;
        let account = user.attributes.get("email").filter(|e| !e.is_empty()).unwrap_or(&user.username);
        let (secret, _) = self
            .pool
            .associate_software_token(TokenOwner::AccessToken(token.secret()))
            .await
            .map_err(access_token_error)?;
        Ok(TotpSetupResponse {
            otpauth_uri: otpauth_uri(TOTP_ISSUER, account, &secret).into(),
            secret_code: secret.into(),
        })
    }

    /// Verifies the first code and makes TOTP the preferred MFA. A wrong code is
    /// [`AuthError::CodeMismatch`].
    pub async fn verify(&self, token: &CallerAccessToken, req: &TotpVerifyRequest) -> Result<(), AuthError> {
        check_one_time_password("code", req.code.expose())?;
        if let Some(name) = &req.device_name {
            check_text("deviceName", name, DEVICE_NAME_MAX_CHARS)?;
        }
        let owner = TokenOwner::AccessToken(token.secret());
        let (accepted, _) = self
            .pool
            .verify_software_token(owner, req.code.expose(), req.device_name.as_deref())
            .await
            .map_err(access_token_error)?;
        if !accepted {
            return Err(AuthError::code_mismatch("code"));
        }
        self.pool.prefer_totp(token.expose()).await.map_err(access_token_error)
    }

    /// The caller's second factors and the preferred one (`GetUser`).
    pub async fn preference(&self, token: &CallerAccessToken) -> Result<MfaPreferenceResponse, AuthError> {
        self.current(token).await
    }

    /// Turns the factors the request names on or off and sets the preferred one
    /// (`SetUserMFAPreference`), then answers the factors as they now are. A factor both
    /// preferred and turned off, or a request naming nothing, is a 400; what Cognito refuses
    /// (email MFA the pool does not offer, an authenticator never enrolled) is a 400 with its
    /// message.
    pub async fn set_preference(
        &self,
        token: &CallerAccessToken,
        req: &SetMfaPreferenceRequest,
    ) -> Result<MfaPreferenceResponse, AuthError> {
        let turned_off = |factor: MfaFactor| match factor {
            MfaFactor::SoftwareToken => req.totp == Some(false),
            MfaFactor::Email => req.email == Some(false),
            MfaFactor::Sms => req.sms == Some(false),
        };
        if req.preferred.is_some_and(turned_off) {
            return Err(AuthError::bad_input("preferred", "preferred must be a factor that stays on."));
        }
        if req.totp.is_none() && req.email.is_none() && req.sms.is_none() && req.preferred.is_none() {
            return Err(AuthError::bad_input("preferred", "name at least one of totp, email, sms, preferred."));
        }
        // Cognito takes a factor sent without `PreferredMfa` as not preferred: the factor that is
        // preferred now is sent as preferred again, unless this request prefers another or turns
        // it off.
        let preferred = match req.preferred {
            Some(factor) => Some(factor),
            None => {
                let now = self.pool.get_user(token.expose()).await.map_err(access_token_error)?.mfa;
                now.preferred.as_deref().and_then(MfaFactor::from_name).filter(|f| !turned_off(*f))
            }
        };
        let change = MfaPreferenceChange { totp: req.totp, email: req.email, sms: req.sms, preferred };
        self.pool.set_mfa_preference(token.expose(), &change).await.map_err(access_token_error)?;
        self.current(token).await
    }

    async fn current(&self, token: &CallerAccessToken) -> Result<MfaPreferenceResponse, AuthError> {
        let settings = self.pool.get_user(token.expose()).await.map_err(access_token_error)?.mfa;
        Ok(MfaPreferenceResponse { enabled: settings.enabled, preferred: settings.preferred })
    }
}

/// The issuer authenticator apps show next to the account.
pub(crate) const TOTP_ISSUER: &str = "Cognito";

/// The `otpauth://` URI authenticator apps read from a QR code (Key Uri Format: issuer and
/// account percent-encoded, the base32 secret as Cognito gave it).
pub(crate) fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let (issuer, account) =
        (utf8_percent_encode(issuer, NON_ALPHANUMERIC), utf8_percent_encode(account, NON_ALPHANUMERIC));
    format!("otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}")
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::testing::{Call, ScriptedPool, ScriptedReply, caller_token, error};

    fn account(mfa: crate::user_pool::MfaSettings) -> Result<ScriptedReply, crate::CognitoError> {
        Ok(ScriptedReply::Account(crate::user_pool::AccountUser { mfa, ..Default::default() }))
    }

    fn person(email: Option<&str>) -> Result<ScriptedReply, crate::CognitoError> {
        let attributes = email.map(|e| ("email".to_owned(), e.to_owned())).into_iter().collect();
        Ok(ScriptedReply::Account(crate::user_pool::AccountUser {
            username: "u-1".into(),
            attributes,
            ..Default::default()
        }))
    }

    #[tokio::test]
    async fn setup_returns_the_secret_and_an_otpauth_uri_for_the_persons_email_or_username() {
        let pool = Arc::new(ScriptedPool::new([
            person(Some("ann@example.com")),
            Ok(ScriptedReply::Secret("SECRET".into(), None)),
            person(None),
            Ok(ScriptedReply::Secret("SECRET".into(), None)),
        ]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        let out = svc.setup(&token).await.unwrap();
        assert_eq!(out.secret_code, "SECRET");
        assert_eq!(out.otpauth_uri, "otpauth://totp/Cognito:ann%40example%2Ecom?secret=SECRET&issuer=Cognito");
        let access = token.expose().to_owned();
        assert_eq!(
            pool.calls()[..2],
            [Call::GetUser(access.clone()), Call::AssociateSoftwareToken("AccessToken", access)]
        );
        let out = svc.setup(&token).await.unwrap();
        assert_eq!(out.otpauth_uri, "otpauth://totp/Cognito:u%2D1?secret=SECRET&issuer=Cognito");
    }

    #[tokio::test]
    async fn verify_makes_totp_preferred_only_after_an_accepted_code() {
        let pool = Arc::new(ScriptedPool::new([
            Ok(ScriptedReply::Verified(true, None)),
            Ok(ScriptedReply::Done),
            Ok(ScriptedReply::Verified(false, None)),
        ]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        let req = TotpVerifyRequest { code: "123456".into(), device_name: None };
        svc.verify(&token, &req).await.unwrap();
        assert_eq!(pool.calls()[1], Call::PreferTotp(token.expose().into()));
        assert!(matches!(svc.verify(&token, &req).await, Err(AuthError::CodeMismatch { field }) if field == "code"));
        assert_eq!(pool.calls().len(), 3, "no preference set after a refused code");
    }

    #[tokio::test]
    async fn a_revoked_access_token_is_a_401_not_a_server_error() {
        let pool = Arc::new(ScriptedPool::new([Err(error("NotAuthorizedException"))]));
        let svc = MfaService::new(pool.clone());
        assert!(matches!(svc.setup(&caller_token("sub-1")).await, Err(AuthError::InvalidAccessToken)));
    }

    fn set(email: Option<bool>, preferred: Option<MfaFactor>) -> SetMfaPreferenceRequest {
        SetMfaPreferenceRequest { totp: None, email, sms: None, preferred }
    }

    #[tokio::test]
    async fn setting_a_preference_changes_only_the_factors_named_and_answers_the_new_state() {
        let now =
            crate::user_pool::MfaSettings { enabled: vec!["EMAIL_OTP".into()], preferred: Some("EMAIL_OTP".into()) };
        let pool = Arc::new(ScriptedPool::new([Ok(ScriptedReply::Done), account(now)]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        let out = svc.set_preference(&token, &set(Some(true), Some(MfaFactor::Email))).await.unwrap();
        assert_eq!((out.enabled, out.preferred.as_deref()), (vec!["EMAIL_OTP".to_string()], Some("EMAIL_OTP")));
        let change = MfaPreferenceChange { email: Some(true), preferred: Some(MfaFactor::Email), ..Default::default() };
        assert_eq!(
            pool.calls(),
            vec![Call::SetMfaPreference(token.expose().into(), change), Call::GetUser(token.expose().into())]
        );
    }

    #[tokio::test]
    async fn preference_requests_are_checked_before_cognito() {
        let pool = Arc::new(ScriptedPool::new([]));
        let svc = MfaService::new(pool.clone());
        let cases = [(set(Some(false), Some(MfaFactor::Email)), "preferred"), (set(None, None), "preferred")];
        for (req, field) in cases {
            let out = svc.set_preference(&caller_token("sub-1"), &req).await;
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if f == field), "{out:?}");
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_change_that_names_no_preference_keeps_the_current_one() {
        // GIVEN TOTP preferred, and a request turning email on without a preference
        let now = crate::user_pool::MfaSettings {
            enabled: vec!["SOFTWARE_TOKEN_MFA".into()],
            preferred: Some("SOFTWARE_TOKEN_MFA".into()),
        };
        let pool = Arc::new(ScriptedPool::new([account(now.clone()), Ok(ScriptedReply::Done), account(now)]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        svc.set_preference(&token, &set(Some(true), None)).await.unwrap();
        // THEN TOTP is sent as preferred again, so Cognito does not drop it
        let change =
            MfaPreferenceChange { email: Some(true), preferred: Some(MfaFactor::SoftwareToken), ..Default::default() };
        assert_eq!(pool.calls()[1], Call::SetMfaPreference(token.expose().into(), change));
    }
}
