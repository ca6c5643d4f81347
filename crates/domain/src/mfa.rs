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
    /// preferred and turned off, or a request naming nothing, is a 400 `BadRequest`; passkey MFA
    /// turned on while no other factor would stay on is a 400 `InvalidParameter` on `passkey`
    /// (API_WebAuthnMfaSettingsType: "The user must also have at least one other MFA method ...
    /// activated to prevent account lockout"). What Cognito refuses as an invalid parameter
    /// (email MFA the pool does not offer, an authenticator never enrolled) is a 400 with its
    /// message. Turning the last other factor off leaves passkey MFA as it is: it satisfies
    /// nothing while no MFA applies.
    pub async fn set_preference(
        &self,
        token: &CallerAccessToken,
        req: &SetMfaPreferenceRequest,
    ) -> Result<MfaPreferenceResponse, AuthError> {
        let mut change = MfaPreferenceChange {
            totp: req.totp,
            email: req.email,
            sms: req.sms,
            passkey: req.passkey,
            preferred: None,
        };
        let turned_off = |factor: MfaFactor| change.turns(factor) == Some(false);
        if req.preferred.is_some_and(turned_off) {
            return Err(AuthError::bad_input("preferred", "preferred must be a factor that stays on."));
        }
        if [req.totp, req.email, req.sms, req.passkey].iter().all(Option::is_none) && req.preferred.is_none() {
            return Err(AuthError::bad_input(
                "preferred",
                "name at least one of totp, email, sms, passkey, preferred.",
            ));
        }
        // A preferred factor is turned on, so one stays on. Otherwise Cognito takes a factor sent
        // without `PreferredMfa` as not preferred: the factor preferred now is sent as preferred
        // again, unless this request turns it off; and passkey MFA is refused when no factor would
        // stay on.
        change.preferred = match req.preferred {
            Some(factor) => Some(factor),
            None => {
                let now = self.pool.get_user(token.expose()).await.map_err(access_token_error)?.mfa;
                let stays_on = |factor: MfaFactor| {
                    change.turns(factor).unwrap_or_else(|| now.enabled.iter().any(|name| name == factor.as_str()))
                };
                if req.passkey == Some(true) && !MfaFactor::ALL.into_iter().any(stays_on) {
                    return Err(AuthError::InvalidParameter {
                        field: Some("passkey"),
                        message: "Passkey MFA needs another second factor on (totp, email or sms), so that losing the passkey does not lock the account.".into(),
                    });
                }
                now.preferred.as_deref().and_then(MfaFactor::from_name).filter(|f| !turned_off(*f))
            }
        };
        self.pool.set_mfa_preference(token.expose(), &change).await.map_err(access_token_error)?;
        self.current(token).await
    }

    async fn current(&self, token: &CallerAccessToken) -> Result<MfaPreferenceResponse, AuthError> {
        let settings = self.pool.get_user(token.expose()).await.map_err(access_token_error)?.mfa;
        Ok(settings.into())
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
    use crate::testing::{Call, ScriptedPool, ScriptedReply, caller_token, error, error_with};
    use crate::user_pool::MfaSettings;

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
        SetMfaPreferenceRequest { totp: None, email, sms: None, passkey: None, preferred }
    }

    #[tokio::test]
    async fn setting_a_preference_changes_only_the_factors_named_and_answers_the_new_state() {
        let now =
            crate::user_pool::MfaSettings { enabled: vec!["EMAIL_OTP".into()], preferred: Some("EMAIL_OTP".into()) };
        let pool = Arc::new(ScriptedPool::new([Ok(ScriptedReply::Done), account(now)]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        let out = svc.set_preference(&token, &set(Some(true), Some(MfaFactor::Email))).await.unwrap();
        assert_eq!((out.enabled, out.preferred), (vec![MfaFactor::Email], Some(MfaFactor::Email)));
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

    fn passkey(totp: Option<bool>, email: Option<bool>) -> SetMfaPreferenceRequest {
        SetMfaPreferenceRequest { totp, email, sms: None, passkey: Some(true), preferred: None }
    }

    fn totp_on() -> MfaSettings {
        MfaSettings { enabled: vec!["SOFTWARE_TOKEN_MFA".into()], preferred: Some("SOFTWARE_TOKEN_MFA".into()) }
    }

    #[tokio::test]
    async fn passkey_mfa_is_turned_on_beside_a_factor_that_stays_on_and_the_preference_is_kept() {
        // GIVEN TOTP on and preferred
        let pool = Arc::new(ScriptedPool::new([account(totp_on()), Ok(ScriptedReply::Done), account(totp_on())]));
        let svc = MfaService::new(pool.clone());
        let token = caller_token("sub-1");
        // WHEN passkey MFA is turned on
        svc.set_preference(&token, &passkey(None, None)).await.unwrap();
        // THEN Cognito gets WebAuthnMfaSettings, and TOTP stays preferred
        let change = MfaPreferenceChange {
            passkey: Some(true),
            preferred: Some(MfaFactor::SoftwareToken),
            ..Default::default()
        };
        assert_eq!(pool.calls()[1], Call::SetMfaPreference(token.expose().into(), change));
    }

    #[tokio::test]
    async fn passkey_mfa_with_no_other_factor_left_on_is_a_400_on_passkey_and_nothing_changes() {
        // GIVEN no factor at all; or TOTP the only one, turned off in the same request
        for (now, req) in [(MfaSettings::default(), passkey(None, None)), (totp_on(), passkey(Some(false), None))] {
            let pool = Arc::new(ScriptedPool::new([account(now)]));
            let svc = MfaService::new(pool.clone());
            // WHEN passkey MFA is turned on
            let out = svc.set_preference(&caller_token("sub-1"), &req).await;
            // THEN it is refused on passkey, and only GetUser was asked
            assert!(matches!(&out, Err(AuthError::InvalidParameter { field: Some("passkey"), .. })), "{out:?}");
            assert_eq!(pool.calls().len(), 1);
        }
    }

    #[tokio::test]
    async fn a_factor_turned_on_or_preferred_in_the_same_request_lets_passkey_mfa_on() {
        // GIVEN no factor on: email turned on beside passkey MFA (GetUser asked for the
        // preference), or email preferred (no need to ask)
        let none = || account(MfaSettings::default());
        let preferring = SetMfaPreferenceRequest { preferred: Some(MfaFactor::Email), ..passkey(None, None) };
        let cases = [
            (passkey(None, Some(true)), vec![none(), Ok(ScriptedReply::Done), none()], 1),
            (preferring, vec![Ok(ScriptedReply::Done), none()], 0),
        ];
        for (req, replies, at) in cases {
            let pool = Arc::new(ScriptedPool::new(replies));
            let svc = MfaService::new(pool.clone());
            // WHEN passkey MFA is turned on THEN Cognito is asked to
            svc.set_preference(&caller_token("sub-1"), &req).await.unwrap();
            assert!(matches!(&pool.calls()[at], Call::SetMfaPreference(_, c) if c.passkey == Some(true)));
        }
    }

    #[tokio::test]
    async fn passkey_mfa_is_turned_off_without_conditions() {
        // GIVEN no factor on
        let pool = Arc::new(ScriptedPool::new([
            account(MfaSettings::default()),
            Ok(ScriptedReply::Done),
            account(MfaSettings::default()),
        ]));
        let svc = MfaService::new(pool.clone());
        // WHEN passkey MFA is turned off THEN Cognito is asked to
        let req = SetMfaPreferenceRequest { passkey: Some(false), ..passkey(None, None) };
        svc.set_preference(&caller_token("sub-1"), &req).await.unwrap();
        assert!(matches!(&pool.calls()[1], Call::SetMfaPreference(_, c) if c.passkey == Some(false)));
    }

    #[tokio::test]
    async fn cognitos_refusal_of_passkey_mfa_is_a_400_with_its_message() {
        // GIVEN a pool whose passkeys are one factor: Cognito refuses passkey MFA
        let refusal = error_with("InvalidParameterException", "Passkey MFA is not enabled for this user pool.");
        let pool = Arc::new(ScriptedPool::new([account(totp_on()), Err(refusal)]));
        let out = MfaService::new(pool).set_preference(&caller_token("sub-1"), &passkey(None, None)).await;
        // THEN the caller gets a 400 with Cognito's words, not a server error
        assert!(
            matches!(&out, Err(AuthError::InvalidParameter { message, .. }) if message.contains("Passkey MFA")),
            "{out:?}"
        );
    }

    #[test]
    fn preferring_a_factor_turns_it_on_and_the_others_are_as_named() {
        let change = MfaPreferenceChange { totp: Some(false), preferred: Some(MfaFactor::Email), ..Default::default() };
        let turns = MfaFactor::ALL.map(|factor| change.turns(factor));
        assert_eq!(turns, [Some(false), Some(true), None]);
    }

    #[tokio::test]
    async fn the_answer_names_only_the_factors_the_contract_knows() {
        // GIVEN Cognito lists a factor name the catalog does not have
        let now = MfaSettings {
            enabled: vec!["SOFTWARE_TOKEN_MFA".into(), "SOMETHING_NEW".into()],
            preferred: Some("SOMETHING_NEW".into()),
        };
        let pool = Arc::new(ScriptedPool::new([account(now)]));
        let out = MfaService::new(pool).preference(&caller_token("sub-1")).await.unwrap();
        // THEN the answer stays within the contract's MfaFactor
        assert_eq!((out.enabled, out.preferred), (vec![MfaFactor::SoftwareToken], None));
    }
}
