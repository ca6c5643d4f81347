//! After sign-in: refreshing tokens and signing out.

use std::sync::Arc;

use api_types::wire::{RefreshRequest, RefreshResponse, SignOutRequest};

use crate::{
    AuthError,
    cognito_errors::CognitoCall,
    input::{TOKEN_MAX_CHARS, USERNAME_MAX_CHARS, check_text},
    sign_in::wire_tokens,
    token::CallerAccessToken,
    user_pool::{AccountPort, RefreshPort},
};

/// Refresh and sign-out for one app client.
#[derive(Clone)]
pub struct SessionService {
    refresh: Arc<dyn RefreshPort>,
    account: Arc<dyn AccountPort>,
}

impl SessionService {
    /// A service refreshing through `refresh` and signing out through `account` (both usually
    /// the same adapter, for one app client).
    pub fn new(refresh: Arc<dyn RefreshPort>, account: Arc<dyn AccountPort>) -> Self {
        Self { refresh, account }
    }

    /// `GetTokensFromRefreshToken`, which takes the client secret itself: no `SECRET_HASH`, so
    /// no username (a request may still carry one; it is checked for size and ignored). When the
    /// client rotates refresh tokens, the answer carries the new one, and the one sent stops
    /// working after the client's grace period. A revoked, unknown or rotated-out refresh token
    /// is `InvalidCredentials`. The call takes no caller context (API_GetTokensFromRefreshToken).
    pub async fn refresh(&self, req: &RefreshRequest) -> Result<RefreshResponse, AuthError> {
        check_text("refreshToken", req.refresh_token.expose(), TOKEN_MAX_CHARS)?;
        if let Some(username) = &req.username {
            check_text("username", username, USERNAME_MAX_CHARS)?;
        }
        let tokens = self
            .refresh
            .get_tokens_from_refresh_token(req.refresh_token.expose())
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::Refresh, err))?;
        Ok(RefreshResponse { tokens: wire_tokens(tokens) })
    }

    /// Global sign-out of the caller, with their own access token: every token of the user
    /// stops working at Cognito (refresh tokens included, and the access tokens the admin routes
    /// take); the refresh token given is also revoked.
    pub async fn sign_out(&self, caller: &CallerAccessToken, req: &SignOutRequest) -> Result<(), AuthError> {
        if let Some(token) = &req.refresh_token {
            check_text("refreshToken", token.expose(), TOKEN_MAX_CHARS)?;
        }
        self.account
            .global_sign_out(caller.expose())
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::AccessToken, err))?;
        if let Some(token) = &req.refresh_token {
            // Global sign-out already invalidated it; revoking is belt and braces, so a failure
            // here is logged, not returned.
            if let Err(err) = self.account.revoke_token(token.expose()).await {
                tracing::warn!(code = %err.code, "refresh token revocation after global sign-out failed");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::{
        testing::{Call, ScriptedPool, ScriptedReply, caller_token, error},
        user_pool::{AuthResult, IssuedTokens},
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (SessionService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (SessionService::new(pool.clone(), pool.clone()), pool)
    }

    fn refresh(username: Option<&str>) -> RefreshRequest {
        RefreshRequest { refresh_token: "r-1".into(), username: username.map(Into::into) }
    }

    fn sign_out(refresh_token: Option<&str>) -> SignOutRequest {
        SignOutRequest { refresh_token: refresh_token.map(Into::into) }
    }

    fn issued(refresh_token: Option<&str>) -> Result<ScriptedReply, crate::CognitoError> {
        Ok(ScriptedReply::Auth(AuthResult::Tokens(IssuedTokens {
            id_token: "i".into(),
            access_token: "a".into(),
            refresh_token: refresh_token.map(Into::into),
            expires_in: 3600,
            token_type: "Bearer".into(),
        })))
    }

    #[tokio::test]
    async fn refresh_goes_through_get_tokens_from_refresh_token_with_or_without_a_username() {
        // GIVEN a client that rotates refresh tokens
        let (svc, pool) = service(vec![issued(Some("r-2")), issued(None)]);
        // WHEN a refresh is asked with the username the sign-in returned, or with none
        let rotated = svc.refresh(&refresh(Some("u-123"))).await.unwrap();
        let plain = svc.refresh(&refresh(None)).await.unwrap();
        // THEN each is one GetTokensFromRefreshToken call, and the rotated token comes back
        assert_eq!(rotated.tokens.refresh_token.as_ref().map(api_types::Secret::expose), Some("r-2"));
        assert_eq!(plain.tokens.refresh_token, None);
        let expected = Call::GetTokensFromRefreshToken("r-1".into());
        assert_eq!(pool.calls(), [expected.clone(), expected]);
    }

    #[tokio::test]
    async fn a_revoked_or_rotated_out_refresh_token_is_invalid_credentials() {
        let (svc, _) = service(vec![Err(error("NotAuthorizedException"))]);
        assert!(matches!(svc.refresh(&refresh(None)).await, Err(AuthError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn sign_out_signs_out_globally_then_revokes_the_refresh_token() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
        let token = caller_token("sub-1");
        svc.sign_out(&token, &sign_out(Some("r-1"))).await.unwrap();
        assert_eq!(pool.calls(), vec![Call::GlobalSignOut(token.expose().into()), Call::RevokeToken("r-1".into())]);
    }

    #[tokio::test]
    async fn a_failed_revocation_after_global_sign_out_still_signs_out() {
        let (svc, _) = service(vec![Ok(ScriptedReply::Done), Err(error("InternalErrorException"))]);
        assert!(svc.sign_out(&caller_token("sub-1"), &sign_out(Some("r-1"))).await.is_ok());
    }

    #[tokio::test]
    async fn an_access_token_cognito_already_revoked_is_a_401() {
        let (svc, _) = service(vec![Err(error("NotAuthorizedException"))]);
        assert!(matches!(
            svc.sign_out(&caller_token("sub-1"), &sign_out(None)).await,
            Err(AuthError::InvalidAccessToken)
        ));
    }
}
