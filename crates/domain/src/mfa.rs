//! TOTP for signed-in users: enrol an authenticator app, verify its first code, and make TOTP
//! the preferred second factor.

use std::sync::Arc;

use api_types::wire::{
    MfaFactor, MfaPreferenceRequest, MfaPreferenceResponse, SetMfaPreferenceRequest, TotpSetupRequest,
    TotpSetupResponse, TotpVerifyRequest,
};

use crate::{
    AccountPort, AuthError,
    cognito_errors::CognitoCall,
    input::{DEVICE_NAME_MAX_CHARS, TOKEN_MAX_CHARS, check_one_time_password, check_text},
    token::ensure_owned_by,
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

    /// Starts enrolment: the secret and an `otpauth://` URI labelled with `account` (the
    /// caller's email, or username). The access token must be the caller's (`caller_sub`).
    pub async fn setup(
        &self,
        caller_sub: &str,
        account: &str,
        req: &TotpSetupRequest,
    ) -> Result<TotpSetupResponse, AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        let (secret, _) = self
            .pool
            .associate_software_token(TokenOwner::AccessToken(&req.access_token))
            .await
            .map_err(access_token_error)?;
        Ok(TotpSetupResponse {
            otpauth_uri: otpauth_uri(TOTP_ISSUER, account, &secret).into(),
            secret_code: secret.into(),
        })
    }

    /// Verifies the first code and makes TOTP the preferred MFA. A wrong code is
    /// [`AuthError::CodeMismatch`].
    pub async fn verify(&self, caller_sub: &str, req: &TotpVerifyRequest) -> Result<(), AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
        check_one_time_password("code", req.code.expose())?;
        if let Some(name) = &req.device_name {
            check_text("deviceName", name, DEVICE_NAME_MAX_CHARS)?;
        }
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        let owner = TokenOwner::AccessToken(&req.access_token);
        let (accepted, _) = self
            .pool
            .verify_software_token(owner, req.code.expose(), req.device_name.as_deref())
            .await
            .map_err(access_token_error)?;
        if !accepted {
            return Err(AuthError::code_mismatch("code"));
        }
        self.pool.prefer_totp(req.access_token.expose()).await.map_err(access_token_error)
    }

    /// The caller's second factors and the preferred one (`GetUser`). The access token must be
    /// the caller's.
    pub async fn preference(
        &self,
        caller_sub: &str,
        req: &MfaPreferenceRequest,
    ) -> Result<MfaPreferenceResponse, AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        self.current(req.access_token.expose()).await
    }

    /// Turns the factors the request names on or off and sets the preferred one
    /// (`SetUserMFAPreference`), then answers the factors as they now are. A factor both
    /// preferred and turned off, or a request naming nothing, is a 400; what Cognito refuses
    /// (email MFA the pool does not offer, an authenticator never enrolled) is a 400 with its
    /// message.
    pub async fn set_preference(
        &self,
        caller_sub: &str,
        req: &SetMfaPreferenceRequest,
    ) -> Result<MfaPreferenceResponse, AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
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
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        // Cognito takes a factor sent without `PreferredMfa` as not preferred: the factor that is
        // preferred now is sent as preferred again, unless this request prefers another or turns
        // it off.
        let preferred = match req.preferred {
            Some(factor) => Some(factor),
            None => {
                let now = self.pool.mfa_settings(req.access_token.expose()).await.map_err(access_token_error)?;
                [MfaFactor::SoftwareToken, MfaFactor::Email, MfaFactor::Sms]
                    .into_iter()
                    .find(|f| now.preferred.as_deref() == Some(f.as_str()) && !turned_off(*f))
            }
        };
        let change = MfaPreferenceChange {
            totp: req.totp,
            email: req.email,
            sms: req.sms,
            preferred: preferred.map(MfaFactor::as_str),
        };
        self.pool.set_mfa_preference(req.access_token.expose(), &change).await.map_err(access_token_error)?;
        self.current(req.access_token.expose()).await
    }

    async fn current(&self, access_token: &str) -> Result<MfaPreferenceResponse, AuthError> {
        let settings = self.pool.mfa_settings(access_token).await.map_err(access_token_error)?;
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
    use crate::testing::{Call, ScriptedPool, ScriptedReply, error};

    fn token(sub: &str) -> String {
        crate::testing::token_with_sub(sub)
    }

    #[tokio::test]
    async fn setup_returns_the_secret_and_an_otpauth_uri_for_the_account() {
        let pool = Arc::new(ScriptedPool::new([Ok(ScriptedReply::Secret("SECRET".into(), None))]));
        let svc = MfaService::new(pool.clone());
        let out = svc
            .setup("sub-1", "ann@example.com", &TotpSetupRequest { access_token: token("sub-1").into() })
            .await
            .unwrap();
        assert_eq!(out.secret_code, "SECRET");
        assert_eq!(out.otpauth_uri, "otpauth://totp/Cognito:ann%40example%2Ecom?secret=SECRET&issuer=Cognito");
        assert_eq!(pool.calls(), vec![Call::AssociateSoftwareToken("AccessToken", token("sub-1"))]);
    }

    #[tokio::test]
    async fn verify_makes_totp_preferred_only_after_an_accepted_code() {
        let pool = Arc::new(ScriptedPool::new([
            Ok(ScriptedReply::Verified(true, None)),
            Ok(ScriptedReply::Done),
            Ok(ScriptedReply::Verified(false, None)),
        ]));
        let svc = MfaService::new(pool.clone());
        let req = TotpVerifyRequest { access_token: token("sub-1").into(), code: "123456".into(), device_name: None };
        svc.verify("sub-1", &req).await.unwrap();
        assert_eq!(pool.calls()[1], Call::PreferTotp(token("sub-1")));
        assert!(matches!(svc.verify("sub-1", &req).await, Err(AuthError::CodeMismatch { field }) if field == "code"));
        assert_eq!(pool.calls().len(), 3, "no preference set after a refused code");
    }

    #[tokio::test]
    async fn another_users_token_or_a_dead_one_is_refused() {
        let pool = Arc::new(ScriptedPool::new([Err(error("NotAuthorizedException"))]));
        let svc = MfaService::new(pool.clone());
        let theirs = TotpSetupRequest { access_token: token("sub-2").into() };
        assert!(matches!(svc.setup("sub-1", "a", &theirs).await, Err(AuthError::NotYourToken)));
        let dead = TotpSetupRequest { access_token: token("sub-1").into() };
        assert!(matches!(svc.setup("sub-1", "a", &dead).await, Err(AuthError::InvalidAccessToken)));
    }

    fn set(access_token: String, email: Option<bool>, preferred: Option<MfaFactor>) -> SetMfaPreferenceRequest {
        SetMfaPreferenceRequest { access_token: access_token.into(), totp: None, email, sms: None, preferred }
    }

    #[tokio::test]
    async fn setting_a_preference_changes_only_the_factors_named_and_answers_the_new_state() {
        let now =
            crate::user_pool::MfaSettings { enabled: vec!["EMAIL_OTP".into()], preferred: Some("EMAIL_OTP".into()) };
        let pool = Arc::new(ScriptedPool::new([Ok(ScriptedReply::Done), Ok(ScriptedReply::Mfa(now))]));
        let svc = MfaService::new(pool.clone());
        let out = svc.set_preference("sub-1", &set(token("sub-1"), Some(true), Some(MfaFactor::Email))).await.unwrap();
        assert_eq!((out.enabled, out.preferred.as_deref()), (vec!["EMAIL_OTP".to_string()], Some("EMAIL_OTP")));
        let change = MfaPreferenceChange { email: Some(true), preferred: Some("EMAIL_OTP"), ..Default::default() };
        assert_eq!(
            pool.calls(),
            vec![Call::SetMfaPreference(token("sub-1"), change), Call::MfaSettings(token("sub-1"))]
        );
    }

    #[tokio::test]
    async fn preference_requests_are_checked_before_cognito() {
        let pool = Arc::new(ScriptedPool::new([]));
        let svc = MfaService::new(pool.clone());
        let cases = [
            (set(token("sub-1"), Some(false), Some(MfaFactor::Email)), "preferred"),
            (set(token("sub-1"), None, None), "preferred"),
        ];
        for (req, field) in cases {
            let out = svc.set_preference("sub-1", &req).await;
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if f == field), "{out:?}");
        }
        // Another person's access token: refused, as for TOTP.
        let theirs = svc.set_preference("sub-1", &set(token("sub-2"), Some(true), None)).await;
        assert!(matches!(theirs, Err(AuthError::NotYourToken)));
        let read = svc.preference("sub-1", &MfaPreferenceRequest { access_token: token("sub-2").into() }).await;
        assert!(matches!(read, Err(AuthError::NotYourToken)));
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_change_that_names_no_preference_keeps_the_current_one() {
        // GIVEN TOTP preferred, and a request turning email on without a preference
        let now = crate::user_pool::MfaSettings {
            enabled: vec!["SOFTWARE_TOKEN_MFA".into()],
            preferred: Some("SOFTWARE_TOKEN_MFA".into()),
        };
        let pool = Arc::new(ScriptedPool::new([
            Ok(ScriptedReply::Mfa(now.clone())),
            Ok(ScriptedReply::Done),
            Ok(ScriptedReply::Mfa(now)),
        ]));
        let svc = MfaService::new(pool.clone());
        svc.set_preference("sub-1", &set(token("sub-1"), Some(true), None)).await.unwrap();
        // THEN TOTP is sent as preferred again, so Cognito does not drop it
        let change =
            MfaPreferenceChange { email: Some(true), preferred: Some("SOFTWARE_TOKEN_MFA"), ..Default::default() };
        assert_eq!(pool.calls()[1], Call::SetMfaPreference(token("sub-1"), change));
    }
}
