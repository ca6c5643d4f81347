//! Passwords: change (signed in), forgot and reset (signed out).
//!
//! `forgot` answers the same whether or not the account exists, and `reset` fails for an unknown
//! account exactly as for a wrong code.
//!
//! A new password ends every session of the person: Cognito keeps refresh tokens alive through
//! `ChangePassword` and `ConfirmForgotPassword`, so a stolen one would keep refreshing for its
//! whole life after the victim changed or reset their password. After a change the API calls
//! `GlobalSignOut` with the caller's token; after a reset, `AdminUserGlobalSignOut` (API pages of
//! both: they "invalidate the identity, access, and refresh tokens that Amazon Cognito issued to
//! a user").

use std::sync::Arc;

use api_types::wire::{ChangePasswordRequest, ResetPasswordRequest, UsernameRequest};

use crate::{
    AccountPort, AccountRecoveryPort, AuthError, CognitoConfig, ContextData,
    cognito_errors::{CognitoCall, Outcome, outcome},
    input::{check_confirmation_code, check_password, check_username},
    token::CallerAccessToken,
};

/// The password changed but the sessions could not be ended: logged, and answered as the
/// upstream failure it is (502), so the client knows to sign out everywhere again.
fn sessions_not_ended(err: crate::CognitoError) -> AuthError {
    tracing::error!(code = %err.code, "password changed, but the global sign-out after it failed");
    AuthError::Upstream(err)
}

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

    /// `ChangePassword` with the caller's own access token, then `GlobalSignOut` with it: every
    /// session of the person ends, this one included (sign in again with the new password). A
    /// wrong previous password is [`AuthError::InvalidCredentials`]; a token Cognito refuses,
    /// [`AuthError::InvalidAccessToken`]; a sign-out that fails after the change, a 502
    /// ([`AuthError::Upstream`]).
    pub async fn change(&self, token: &CallerAccessToken, req: &ChangePasswordRequest) -> Result<(), AuthError> {
        check_password("previousPassword", req.previous_password.expose())?;
        check_password("proposedPassword", req.proposed_password.expose())?;
        self.account
            .change_password(token.expose(), req.previous_password.expose(), req.proposed_password.expose())
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ChangePassword, err))?;
        self.account.global_sign_out(token.expose()).await.map_err(sessions_not_ended)
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

    /// `ConfirmForgotPassword`, then `AdminUserGlobalSignOut`: every session of the person ends.
    /// A wrong or expired code and an unknown account fail alike, as
    /// [`AuthError::CodeMismatch`]; a new password the policy refuses is `PasswordPolicy`.
    pub async fn reset(&self, req: &ResetPasswordRequest, context: &ContextData) -> Result<(), AuthError> {
        check_username("username", &req.username)?;
        check_confirmation_code(req.code.expose())?;
        check_password("newPassword", req.new_password.expose())?;
        let hash = self.config.secret_hash(&req.username);
        self.recovery
            .confirm_forgot_password(&req.username, req.code.expose(), req.new_password.expose(), hash, context)
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ConfirmForgotPassword, err))?;
        self.recovery.admin_user_global_sign_out(&req.username).await.map_err(sessions_not_ended)
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::{
        ClientSecret,
        testing::{Call, ScriptedPool, ScriptedReply, caller_token, error},
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (PasswordService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (PasswordService::new(pool.clone(), pool.clone(), crate::testing::config()), pool)
    }

    fn change() -> ChangePasswordRequest {
        ChangePasswordRequest { previous_password: "Old-pw1".into(), proposed_password: "New-pw1".into() }
    }

    #[tokio::test]
    async fn a_password_change_ends_every_session_with_the_callers_own_token() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
        let token = caller_token("sub-1");
        svc.change(&token, &change()).await.unwrap();
        let access = token.expose().to_owned();
        assert_eq!(
            pool.calls(),
            vec![Call::ChangePassword(access.clone(), "Old-pw1".into(), "New-pw1".into()), Call::GlobalSignOut(access)]
        );
    }

    #[tokio::test]
    async fn a_wrong_previous_password_or_a_weak_new_one_is_reported_and_signs_nobody_out() {
        let (svc, pool) = service(vec![Err(error("NotAuthorizedException")), Err(error("InvalidPasswordException"))]);
        let token = caller_token("sub-1");
        assert!(matches!(svc.change(&token, &change()).await, Err(AuthError::InvalidCredentials)));
        assert!(matches!(
            svc.change(&token, &change()).await,
            Err(AuthError::PasswordPolicy { field, .. }) if field == "proposedPassword"
        ));
        assert!(pool.calls().iter().all(|c| matches!(c, Call::ChangePassword(..))));
    }

    #[tokio::test]
    async fn a_sign_out_that_fails_after_the_change_is_an_upstream_failure_not_a_success() {
        let (svc, _) = service(vec![Ok(ScriptedReply::Done), Err(error("InternalErrorException"))]);
        assert!(matches!(svc.change(&caller_token("sub-1"), &change()).await, Err(AuthError::Upstream(_))));
    }

    #[tokio::test]
    async fn a_reset_ends_every_session_of_the_account_and_a_failed_one_ends_none() {
        // GIVEN a reset Cognito accepts, then one it refuses
        let (svc, pool) =
            service(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done), Err(error("CodeMismatchException"))]);
        let req = ResetPasswordRequest {
            username: "a@example.com".into(),
            code: "123456".into(),
            new_password: "N3w-pw!".into(),
        };
        // WHEN each is sent
        svc.reset(&req, &ContextData::default()).await.unwrap();
        assert!(svc.reset(&req, &ContextData::default()).await.is_err());
        // THEN the accepted one signed the account out everywhere, the refused one did not
        let sign_outs: Vec<_> = pool.calls().into_iter().filter(|c| matches!(c, Call::AdminAction(..))).collect();
        assert_eq!(sign_outs, vec![Call::AdminAction(crate::user_pool::AdminAction::SignOut, "a@example.com".into())]);
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
        let (svc, pool) =
            service(vec![Ok(ScriptedReply::Delivery(None)), Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
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
