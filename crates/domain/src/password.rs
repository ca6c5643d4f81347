//! Passwords: change (signed in), forgot and reset (signed out).
//!
//! `forgot` answers the same whether or not the account exists, and `reset` fails for an unknown
//! account exactly as for a wrong code.

use std::sync::Arc;

use api_types::wire::{ChangePasswordRequest, ResetPasswordRequest, UsernameRequest};

use crate::{
    AccountPort, AccountRecoveryPort, AuthError, CognitoConfig, ContextData,
    cognito_errors::{CognitoCall, Outcome, outcome},
    input::{TOKEN_MAX_CHARS, check_confirmation_code, check_password, check_text, check_username},
    token::ensure_owned_by,
};

/// Password flows for one app client.
#[derive(Clone)]
pub struct PasswordService {
    account: Arc<dyn AccountPort>,
    recovery: Arc<dyn AccountRecoveryPort>,
    config: CognitoConfig,
}

impl PasswordService {
    /// A service for the app client in `config`: password change through `account`, forgotten
    /// passwords through `recovery` (both usually the same adapter).
    pub fn new(account: Arc<dyn AccountPort>, recovery: Arc<dyn AccountRecoveryPort>, config: CognitoConfig) -> Self {
        Self { account, recovery, config }
    }

    /// `ChangePassword` with the caller's own access token. A wrong previous password (or a dead
    /// token) is [`AuthError::InvalidCredentials`].
    pub async fn change(&self, caller_sub: &str, req: &ChangePasswordRequest) -> Result<(), AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
        check_password("previousPassword", req.previous_password.expose())?;
        check_password("proposedPassword", req.proposed_password.expose())?;
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        self.account
            .change_password(req.access_token.expose(), req.previous_password.expose(), req.proposed_password.expose())
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ChangePassword, err))
    }

    /// `ForgotPassword`: the same answer for every account, existing or not.
    pub async fn forgot(&self, req: &UsernameRequest, context: &ContextData) -> Result<(), AuthError> {
        check_username("username", &req.username)?;
        let hash = self.config.secret_hash(&req.username);
        let Err(err) = self.recovery.forgot_password(&req.username, hash, context).await else {
            return Ok(());
        };
        match outcome(CognitoCall::ForgotPassword, err) {
            Outcome::AnswerAsSuccess(err) => {
                tracing::warn!(code = %err.code, "forgot-password refused by Cognito; answered 202");
                Ok(())
            }
            Outcome::Fail(err) => Err(err),
        }
    }

    /// `ConfirmForgotPassword`. A wrong or expired code and an unknown account fail alike, as
    /// [`AuthError::CodeMismatch`]; a new password the policy refuses is `PasswordPolicy`.
    pub async fn reset(&self, req: &ResetPasswordRequest, context: &ContextData) -> Result<(), AuthError> {
        check_username("username", &req.username)?;
        check_confirmation_code(req.code.expose())?;
        check_password("newPassword", req.new_password.expose())?;
        let hash = self.config.secret_hash(&req.username);
        self.recovery
            .confirm_forgot_password(&req.username, req.code.expose(), req.new_password.expose(), hash, context)
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ConfirmForgotPassword, err))
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::{
        ClientSecret,
        testing::{Call, ScriptedPool, ScriptedReply, error},
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (PasswordService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (PasswordService::new(pool.clone(), pool.clone(), crate::testing::config()), pool)
    }

    fn token(sub: &str) -> String {
        crate::testing::token_with_sub(sub)
    }

    fn change(sub: &str) -> ChangePasswordRequest {
        ChangePasswordRequest {
            access_token: token(sub).into(),
            previous_password: "Old-pw1".into(),
            proposed_password: "New-pw1".into(),
        }
    }

    #[tokio::test]
    async fn change_uses_the_callers_own_token_only() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done)]);
        assert!(matches!(svc.change("sub-1", &change("sub-2")).await, Err(AuthError::NotYourToken)));
        svc.change("sub-1", &change("sub-1")).await.unwrap();
        assert_eq!(pool.calls(), vec![Call::ChangePassword(token("sub-1"), "Old-pw1".into(), "New-pw1".into())]);
    }

    #[tokio::test]
    async fn a_wrong_previous_password_or_a_weak_new_one_is_reported() {
        let (svc, _) = service(vec![Err(error("NotAuthorizedException")), Err(error("InvalidPasswordException"))]);
        assert!(matches!(svc.change("sub-1", &change("sub-1")).await, Err(AuthError::InvalidCredentials)));
        assert!(matches!(
            svc.change("sub-1", &change("sub-1")).await,
            Err(AuthError::PasswordPolicy { field, .. }) if field == "proposedPassword"
        ));
    }

    #[tokio::test]
    async fn forgot_answers_the_same_for_every_account() {
        let (svc, pool) = service(vec![
            Ok(ScriptedReply::Delivery(None)),
            Err(error("UserNotFoundException")),
            Err(error("ResourceNotFoundException")),
            Err(error("InvalidParameterException")),
            Err(error("LimitExceededException")),
        ]);
        let req = UsernameRequest { username: "who@example.com".into() };
        for _ in 0..4 {
            assert!(svc.forgot(&req, &ContextData::default()).await.is_ok());
        }
        // The hourly limit on codes is its own answer now (429 without a 1 s Retry-After).
        assert!(matches!(svc.forgot(&req, &ContextData::default()).await, Err(AuthError::LimitExceeded)));
        let hash = ClientSecret::new("secret").secret_hash("who@example.com", "client");
        assert_eq!(pool.calls()[0], Call::ForgotPassword("who@example.com".into(), Some(hash)));
    }

    #[tokio::test]
    async fn reset_fails_alike_for_a_wrong_code_and_an_unknown_account() {
        let (svc, _) = service(vec![
            Err(error("CodeMismatchException")),
            Err(error("ExpiredCodeException")),
            Err(error("UserNotFoundException")),
            Err(error("ResourceNotFoundException")),
            Err(error("InvalidPasswordException")),
        ]);
        let req = ResetPasswordRequest {
            username: "a@example.com".into(),
            code: "123456".into(),
            new_password: "N3w-pw!".into(),
        };
        for _ in 0..4 {
            assert!(
                matches!(svc.reset(&req, &ContextData::default()).await, Err(AuthError::CodeMismatch { field }) if field == "code")
            );
        }
        assert!(matches!(
            svc.reset(&req, &ContextData::default()).await,
            Err(AuthError::PasswordPolicy { field, .. }) if field == "newPassword"
        ));
    }

    #[tokio::test]
    async fn forgot_and_reset_tell_cognito_the_caller() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Delivery(None)), Ok(ScriptedReply::Done)]);
        svc.forgot(&UsernameRequest { username: "a@example.com".into() }, &crate::testing::browser_context())
            .await
            .unwrap();
        let reset = ResetPasswordRequest {
            username: "a@example.com".into(),
            code: "123456".into(),
            new_password: "N3w-pw!".into(),
        };
        svc.reset(&reset, &crate::testing::browser_context()).await.unwrap();
        let contexts = pool.contexts();
        assert_eq!(
            contexts,
            [
                ("ForgotPassword", crate::testing::browser_context()),
                ("ConfirmForgotPassword", crate::testing::browser_context())
            ]
        );
    }
}
