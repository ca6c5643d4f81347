//! The sign-in flows.

use std::sync::Arc;

use api_types::wire::{Challenge, SignInFlow, SignInRequest, SignInResponse, Tokens};

use crate::{
    AuthError, CognitoConfig,
    token::unverified_claim,
    user_pool::{AuthFlow, AuthParameters, AuthResult, IssuedTokens, UserPool},
};

/// Cognito's own limits: longer values can only fail there, so they are refused here with a
/// clear 400 instead of a round trip.
const MAX_USERNAME_CHARS: usize = 128;
const MAX_PASSWORD_CHARS: usize = 256;

/// Signs users in against one app client.
#[derive(Clone)]
pub struct SignInService {
    pool: Arc<dyn UserPool>,
    config: CognitoConfig,
}

impl SignInService {
    /// A service for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn UserPool>, config: CognitoConfig) -> Self {
        Self { pool, config }
    }

    /// Signs in with the requested flow. An unknown user and a wrong password give the same
    /// error ([`AuthError::InvalidCredentials`]).
    pub async fn sign_in(&self, req: &SignInRequest) -> Result<SignInResponse, AuthError> {
        check_text("username", &req.username, MAX_USERNAME_CHARS)?;
        check_text("password", &req.password, MAX_PASSWORD_CHARS)?;
        let flow = match req.flow.unwrap_or_default() {
            SignInFlow::UserPasswordAuth => AuthFlow::UserPassword,
            SignInFlow::AdminUserPasswordAuth => AuthFlow::AdminUserPassword,
            SignInFlow::UserSrpAuth => {
                return Err(AuthError::BadInput {
                    field: "flow",
                    message: "USER_SRP_AUTH is not available yet: use USER_PASSWORD_AUTH.".into(),
                });
            }
        };
        let mut params = AuthParameters::new();
        params.insert("USERNAME".into(), req.username.clone());
        params.insert("PASSWORD".into(), req.password.clone());
        self.add_secret_hash(&mut params, &req.username);
        let result = self.pool.initiate_auth(flow, params).await.map_err(AuthError::from_sign_in)?;
        Ok(self.respond(result, &req.username))
    }

    /// Adds `SECRET_HASH` for `username` when the client has a secret.
    fn add_secret_hash(&self, params: &mut AuthParameters, username: &str) {
        if let Some(secret) = &self.config.client_secret {
            params.insert("SECRET_HASH".into(), secret.secret_hash(username, &self.config.client_id));
        }
    }

    /// Turns Cognito's answer into the API's, naming the pool's internal username: the one to
    /// hash SECRET_HASH over in every later call, whatever alias the user signed in with.
    fn respond(&self, result: AuthResult, given_username: &str) -> SignInResponse {
        match result {
            AuthResult::Tokens(tokens) => SignInResponse::Tokens {
                username: unverified_claim(&tokens.id_token, "cognito:username")
                    .unwrap_or_else(|| given_username.to_string()),
                tokens: wire_tokens(tokens),
            },
            AuthResult::Challenge { name, session, parameters } => SignInResponse::Challenge {
                username: parameters.get("USER_ID_FOR_SRP").cloned().unwrap_or_else(|| given_username.to_string()),
                challenge: Challenge { name, session, parameters },
            },
        }
    }
}

fn wire_tokens(t: IssuedTokens) -> Tokens {
    Tokens {
        id_token: t.id_token,
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_in: t.expires_in,
        token_type: t.token_type,
    }
}

fn check_text(field: &'static str, value: &str, max_chars: usize) -> Result<(), AuthError> {
    if value.trim().is_empty() {
        return Err(AuthError::BadInput { field, message: format!("{field} must not be empty.") });
    }
    if value.chars().count() > max_chars {
        return Err(AuthError::BadInput { field, message: format!("{field} is longer than {max_chars} characters.") });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use base64::Engine;

    use super::*;
    use crate::{
        ClientSecret,
        user_pool::{CognitoError, CognitoErrorKind},
    };

    /// Records the calls and answers with a canned result.
    struct FakePool {
        calls: Mutex<Vec<(AuthFlow, AuthParameters)>>,
        answer: Result<AuthResult, CognitoError>,
    }

    #[async_trait]
    impl UserPool for FakePool {
        async fn initiate_auth(&self, flow: AuthFlow, params: AuthParameters) -> Result<AuthResult, CognitoError> {
            self.calls.lock().unwrap().push((flow, params));
            self.answer.clone()
        }
    }

    fn service(secret: Option<&str>, answer: Result<AuthResult, CognitoError>) -> (SignInService, Arc<FakePool>) {
        let pool = Arc::new(FakePool { calls: Mutex::default(), answer });
        let config = CognitoConfig {
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
            client_secret: secret.map(ClientSecret::new),
        };
        (SignInService::new(pool.clone(), config), pool)
    }

    fn id_token_for(username: &str) -> String {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::json!({ "cognito:username": username }).to_string());
        format!("h.{payload}.s")
    }

    fn tokens(username: &str) -> AuthResult {
        AuthResult::Tokens(IssuedTokens {
            id_token: id_token_for(username),
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_in: 3600,
            token_type: "Bearer".into(),
        })
    }

    fn request(flow: Option<SignInFlow>) -> SignInRequest {
        serde_json::from_value(serde_json::json!({"username": "ann@example.com", "password": "pw"}))
            .map(|r: SignInRequest| SignInRequest { flow, ..r })
            .unwrap()
    }

    #[tokio::test]
    async fn password_sign_in_sends_secret_hash_and_returns_internal_username() {
        // GIVEN a client with a secret, and Cognito issuing tokens for internal user "u-123"
        let (svc, pool) = service(Some("secret"), Ok(tokens("u-123")));
        // WHEN Ann signs in with her email
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth))).await.unwrap();
        // THEN SECRET_HASH is over the name she signed in with, and the answer names "u-123"
        let calls = pool.calls.lock().unwrap();
        let (flow, params) = &calls[0];
        assert_eq!(*flow, AuthFlow::UserPassword);
        assert_eq!(params["SECRET_HASH"], ClientSecret::new("secret").secret_hash("ann@example.com", "client"));
        assert!(matches!(out, SignInResponse::Tokens { username, .. } if username == "u-123"));
    }

    #[tokio::test]
    async fn no_secret_means_no_secret_hash() {
        let (svc, pool) = service(None, Ok(tokens("u")));
        svc.sign_in(&request(Some(SignInFlow::AdminUserPasswordAuth))).await.unwrap();
        let calls = pool.calls.lock().unwrap();
        assert_eq!(calls[0].0, AuthFlow::AdminUserPassword);
        assert!(!calls[0].1.contains_key("SECRET_HASH"));
    }

    #[tokio::test]
    async fn challenge_names_the_user_id_for_srp() {
        let parameters = [("USER_ID_FOR_SRP".to_string(), "u-9".to_string())].into();
        let answer = AuthResult::Challenge { name: "NEW_PASSWORD_REQUIRED".into(), session: "s".into(), parameters };
        let (svc, _) = service(None, Ok(answer));
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth))).await.unwrap();
        assert!(
            matches!(out, SignInResponse::Challenge { username, challenge } if username == "u-9" && challenge.session == "s")
        );
    }

    #[tokio::test]
    async fn unknown_user_is_invalid_credentials() {
        let err = CognitoError {
            kind: CognitoErrorKind::UserNotFound,
            code: "UserNotFoundException".into(),
            message: "x".into(),
        };
        let (svc, _) = service(None, Err(err));
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth))).await;
        assert!(matches!(out, Err(AuthError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn empty_or_oversized_inputs_are_refused_before_cognito() {
        let (svc, pool) = service(None, Ok(tokens("u")));
        let mut req = request(Some(SignInFlow::UserPasswordAuth));
        req.password = " ".into();
        assert!(matches!(svc.sign_in(&req).await, Err(AuthError::BadInput { field: "password", .. })));
        req.password = "p".into();
        req.username = "x".repeat(129);
        assert!(matches!(svc.sign_in(&req).await, Err(AuthError::BadInput { field: "username", .. })));
        assert!(pool.calls.lock().unwrap().is_empty());
    }
}
