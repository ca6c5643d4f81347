//! After sign-in: refreshing tokens and signing out.

use std::sync::Arc;

use api_types::wire::{RefreshRequest, RefreshResponse, SignOutRequest};

use crate::{
    AuthError, CognitoConfig, ContextData,
    cognito_errors::CognitoCall,
    input::{TOKEN_MAX_CHARS, USERNAME_MAX_CHARS, check_text},
    sign_in::wire_tokens,
    token::ensure_owned_by,
    user_pool::{AccountPort, AuthFlow, AuthParameters, AuthResult, SignInPort},
};

/// Refresh and sign-out for one app client.
#[derive(Clone)]
pub struct SessionService {
    sign_in: Arc<dyn SignInPort>,
    account: Arc<dyn AccountPort>,
    config: CognitoConfig,
}

impl SessionService {
    /// A service for the app client in `config`: refresh through `sign_in`, sign-out through
    /// `account` (both usually the same adapter).
    pub fn new(sign_in: Arc<dyn SignInPort>, account: Arc<dyn AccountPort>, config: CognitoConfig) -> Self {
        Self { sign_in, account, config }
    }

    /// `REFRESH_TOKEN_AUTH`. `SECRET_HASH` is over `req.username`, which must be the internal
    /// username the sign-in returned: hashing the email a user signed in with is the classic
    /// refresh-with-a-secret failure. A revoked or unknown refresh token is `InvalidCredentials`.
    pub async fn refresh(&self, req: &RefreshRequest, context: &ContextData) -> Result<RefreshResponse, AuthError> {
        check_text("refreshToken", req.refresh_token.expose(), TOKEN_MAX_CHARS)?;
        check_text("username", &req.username, USERNAME_MAX_CHARS)?;
        let mut params = AuthParameters::new();
        params.insert("REFRESH_TOKEN".into(), req.refresh_token.expose().to_owned());
        if let Some(hash) = self.config.secret_hash(&req.username) {
            params.insert("SECRET_HASH".into(), hash);
        }
        let result = self
            .sign_in
            .initiate_auth(AuthFlow::RefreshToken, params, context)
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::Refresh, err))?;
        match result {
            AuthResult::Tokens(tokens) => Ok(RefreshResponse { tokens: wire_tokens(tokens) }),
            // Logged (once) with the 502 that answers it.
            AuthResult::Challenge { name, .. } => Err(AuthError::Upstream(crate::CognitoError {
                kind: crate::CognitoErrorKind::Other,
                code: "UnexpectedChallenge".into(),
                message: name,
            })),
        }
    }

    /// Global sign-out of the caller (`caller_sub`, from the authorizer): every token of the
    /// user stops working at Cognito (refresh tokens included); the refresh token given is also
    /// revoked. The access token must be the caller's own.
    pub async fn sign_out(&self, caller_sub: &str, req: &SignOutRequest) -> Result<(), AuthError> {
        check_text("accessToken", req.access_token.expose(), TOKEN_MAX_CHARS)?;
        if let Some(token) = &req.refresh_token {
            check_text("refreshToken", token.expose(), TOKEN_MAX_CHARS)?;
        }
        ensure_owned_by(req.access_token.expose(), caller_sub)?;
        self.account
            .global_sign_out(req.access_token.expose())
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
        ClientSecret,
        testing::{Call, ScriptedPool, ScriptedReply, error},
        user_pool::IssuedTokens,
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (SessionService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (SessionService::new(pool.clone(), pool.clone(), crate::testing::config()), pool)
    }

    fn access_token(sub: &str) -> String {
        crate::testing::token_with_sub(sub)
    }

    fn refresh(username: &str) -> RefreshRequest {
        RefreshRequest { refresh_token: "r-1".into(), username: username.into() }
    }

    fn sign_out(access_token: String, refresh_token: Option<&str>) -> SignOutRequest {
        SignOutRequest { access_token: access_token.into(), refresh_token: refresh_token.map(Into::into) }
    }

    #[tokio::test]
    async fn refresh_hashes_the_internal_username_it_is_given() {
        let tokens = IssuedTokens {
            id_token: "i".into(),
            access_token: "a".into(),
            refresh_token: None,
            expires_in: 3600,
            token_type: "Bearer".into(),
        };
        let (svc, pool) = service(vec![Ok(ScriptedReply::Auth(AuthResult::Tokens(tokens)))]);
        let out = svc.refresh(&refresh("u-123"), &ContextData::default()).await.unwrap();
        assert_eq!(out.tokens.refresh_token, None);
        let Call::InitiateAuth(flow, params) = &pool.calls()[0] else { panic!() };
        assert_eq!(*flow, AuthFlow::RefreshToken);
        assert_eq!(params["REFRESH_TOKEN"], "r-1");
        assert_eq!(params["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
    }

    #[tokio::test]
    async fn refresh_tells_cognito_the_caller() {
        let (svc, pool) = service(vec![Err(error("NotAuthorizedException"))]);
        let _ = svc.refresh(&refresh("u-123"), &crate::testing::browser_context()).await;
        assert_eq!(pool.contexts(), [("InitiateAuth", crate::testing::browser_context())]);
    }

    #[tokio::test]
    async fn a_revoked_refresh_token_is_invalid_credentials() {
        let (svc, _) = service(vec![Err(error("NotAuthorizedException"))]);
        assert!(matches!(
            svc.refresh(&refresh("u-123"), &ContextData::default()).await,
            Err(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn sign_out_signs_out_globally_then_revokes_the_refresh_token() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done), Ok(ScriptedReply::Done)]);
        svc.sign_out("sub-1", &sign_out(access_token("sub-1"), Some("r-1"))).await.unwrap();
        assert_eq!(pool.calls(), vec![Call::GlobalSignOut(access_token("sub-1")), Call::RevokeToken("r-1".into())]);
    }

    #[tokio::test]
    async fn a_failed_revocation_after_global_sign_out_still_signs_out() {
        let (svc, _) = service(vec![Ok(ScriptedReply::Done), Err(error("InternalErrorException"))]);
        assert!(svc.sign_out("sub-1", &sign_out(access_token("sub-1"), Some("r-1"))).await.is_ok());
    }

    #[tokio::test]
    async fn another_users_access_token_is_refused_before_cognito() {
        let (svc, pool) = service(vec![]);
        for token in [access_token("sub-2"), "garbage".into()] {
            assert!(matches!(svc.sign_out("sub-1", &sign_out(token, None)).await, Err(AuthError::NotYourToken)));
        }
        assert!(pool.calls().is_empty());
    }
}
