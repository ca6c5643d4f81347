//! The [`IdentityPool`] port over the AWS SDK (`cognito-identity`).

use async_trait::async_trait;
use aws_sdk_cognitoidentity::Client;

use super::{classify, unexpected};
use crate::{
    CognitoError,
    identity_pool::{IdentityPool, TemporaryCredentials},
};

/// The identity pool through the AWS SDK.
pub struct SdkIdentityPool {
    client: Client,
    identity_pool_id: String,
}

impl SdkIdentityPool {
    /// An adapter for `identity_pool_id`.
    pub fn new(sdk: &aws_config::SdkConfig, identity_pool_id: &str) -> Self {
        Self { client: Client::new(sdk), identity_pool_id: identity_pool_id.into() }
    }
}

#[async_trait]
impl IdentityPool for SdkIdentityPool {
    async fn get_id(&self, logins_key: &str, id_token: &str) -> Result<String, CognitoError> {
        let out = self
            .client
            .get_id()
            .identity_pool_id(&self.identity_pool_id)
            .logins(logins_key, id_token)
            .send()
            .await
            .map_err(classify)?;
        out.identity_id.ok_or_else(|| unexpected("GetId returned no identity"))
    }

    async fn get_credentials(
        &self,
        identity_id: &str,
        logins_key: &str,
        id_token: &str,
    ) -> Result<TemporaryCredentials, CognitoError> {
        let out = self
            .client
            .get_credentials_for_identity()
            .identity_id(identity_id)
            .logins(logins_key, id_token)
            .send()
            .await
            .map_err(classify)?;
        let c = out.credentials.ok_or_else(|| unexpected("no credentials"))?;
        Ok(TemporaryCredentials {
            access_key_id: c.access_key_id.ok_or_else(|| unexpected("no access key"))?,
            secret_access_key: c.secret_key.ok_or_else(|| unexpected("no secret key"))?.into(),
            session_token: c.session_token.ok_or_else(|| unexpected("no session token"))?.into(),
            expiration: c
                .expiration
                .and_then(|t| t.fmt(aws_sdk_cognitoidentity::primitives::DateTimeFormat::DateTime).ok())
                .unwrap_or_default(),
        })
    }
}
