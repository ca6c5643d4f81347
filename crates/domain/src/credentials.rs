//! Temporary AWS credentials through the identity pool: the caller's ID token -> `GetId` ->
//! `GetCredentialsForIdentity`, with the Logins key `cognito-idp.{region}.amazonaws.com/{poolId}`.
//! What the credentials may do is the identity pool's authenticated role's business
//! (`template.yaml`: read the stack's bucket, nothing else).
//!
//! The service only: the port is [`crate::identity_pool`], its SDK adapter
//! [`crate::sdk::identity_pool`] (both re-exported here).

use std::sync::Arc;

use api_types::wire::CredentialsResponse;

use crate::{AuthError, CognitoError, ConfigError, cognito_errors::CognitoCall};
pub use crate::{
    identity_pool::{IdentityPool, TemporaryCredentials},
    sdk::identity_pool::SdkIdentityPool,
};

/// Where `/credentials` gets credentials: the identity pool and the user pool it trusts.
#[derive(Debug, Clone)]
pub struct CredentialsConfig {
    /// `IDENTITY_POOL_ID`.
    pub identity_pool_id: String,
    /// The Logins key: `cognito-idp.{region}.amazonaws.com/{userPoolId}`.
    pub logins_key: String,
}

impl CredentialsConfig {
    /// Reads `IDENTITY_POOL_ID` for the user pool in `cognito`.
    pub fn from_env(cognito: &crate::CognitoConfig) -> Result<Self, ConfigError> {
        let id = std::env::var("IDENTITY_POOL_ID").ok().filter(|v| !v.trim().is_empty());
        Ok(Self::new(&id.ok_or(ConfigError::Missing("IDENTITY_POOL_ID"))?, cognito))
    }

    /// For identity pool `identity_pool_id` trusting the user pool in `cognito`.
    pub fn new(identity_pool_id: &str, cognito: &crate::CognitoConfig) -> Self {
        Self {
            identity_pool_id: identity_pool_id.into(),
            logins_key: format!("cognito-idp.{}.amazonaws.com/{}", cognito.region, cognito.user_pool_id),
        }
    }
}

/// `/credentials`.
#[derive(Clone)]
pub struct CredentialsService {
    pool: Arc<dyn IdentityPool>,
    logins_key: String,
}

impl CredentialsService {
    /// A service for `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn IdentityPool>, config: &CredentialsConfig) -> Self {
        Self { pool, logins_key: config.logins_key.clone() }
    }

    /// Credentials for the caller whose (verified) ID token is `id_token`.
    pub async fn for_id_token(&self, id_token: &str) -> Result<CredentialsResponse, AuthError> {
        let map = |err: CognitoError| AuthError::from_cognito(CognitoCall::IdentityPool, err);
        let identity_id = self.pool.get_id(&self.logins_key, id_token).await.map_err(map)?;
        let c = self.pool.get_credentials(&identity_id, &self.logins_key, id_token).await.map_err(map)?;
        Ok(CredentialsResponse {
            identity_id,
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration: c.expiration,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;

    /// Records the Logins it was given.
    #[derive(Default)]
    struct FakeIdentity {
        seen: Mutex<Vec<(String, String)>>,
        refuse: bool,
    }

    #[async_trait]
    impl IdentityPool for FakeIdentity {
        async fn get_id(&self, key: &str, token: &str) -> Result<String, CognitoError> {
            self.seen.lock().unwrap().push((key.into(), token.into()));
            if self.refuse {
                return Err(crate::testing::error("NotAuthorizedException"));
            }
            Ok("us-east-1:identity-1".into())
        }

        async fn get_credentials(
            &self,
            id: &str,
            key: &str,
            token: &str,
        ) -> Result<TemporaryCredentials, CognitoError> {
            self.seen.lock().unwrap().push((key.into(), token.into()));
            assert_eq!(id, "us-east-1:identity-1");
            Ok(TemporaryCredentials {
                access_key_id: "AKIA".into(),
                secret_access_key: "secret".into(),
                session_token: "session".into(),
                expiration: "2026-11-22T01:00:00Z".into(),
            })
        }
    }

    #[tokio::test]
    async fn the_id_token_goes_to_both_calls_under_the_user_pools_logins_key() {
        let fake = Arc::new(FakeIdentity::default());
        let config = CredentialsConfig::new("us-east-1:pool", &crate::testing::config());
        let out = CredentialsService::new(fake.clone(), &config).for_id_token("id-token").await.unwrap();
        assert_eq!(out.identity_id, "us-east-1:identity-1");
        let key = "cognito-idp.us-east-1.amazonaws.com/us-east-1_pool".to_string();
        assert_eq!(*fake.seen.lock().unwrap(), vec![(key.clone(), "id-token".into()), (key, "id-token".into())]);
        assert!(
            !format!(
                "{:?}",
                TemporaryCredentials {
                    secret_access_key: "hide-me".into(),
                    session_token: "hide-me".into(),
                    ..Default::default()
                }
            )
            .contains("hide-me")
        );
    }

    #[tokio::test]
    async fn a_refused_token_is_a_401() {
        let fake = Arc::new(FakeIdentity { refuse: true, ..Default::default() });
        let config = CredentialsConfig::new("us-east-1:pool", &crate::testing::config());
        let err = CredentialsService::new(fake, &config).for_id_token("t").await.unwrap_err();
        assert_eq!(api_types::ApiError::from(err).status(), 401);
    }
}
