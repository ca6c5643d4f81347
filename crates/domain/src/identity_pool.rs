//! The identity-pool port: the Cognito identity-pool operations `/credentials` uses, as a trait,
//! so the service is tested without AWS and the SDK stays behind one adapter
//! ([`crate::sdk::identity_pool`]).

use api_types::Secret;
use async_trait::async_trait;

use crate::CognitoError;

/// Temporary AWS credentials, as `GetCredentialsForIdentity` issues them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemporaryCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: Secret,
    /// Session token.
    pub session_token: Secret,
    /// Expiry, RFC 3339.
    pub expiration: String,
}

/// The identity-pool operations `/credentials` needs.
#[async_trait]
pub trait IdentityPool: Send + Sync {
    /// `GetId`: the identity of the user behind `id_token`.
    async fn get_id(&self, logins_key: &str, id_token: &str) -> Result<String, CognitoError>;

    /// `GetCredentialsForIdentity`.
    async fn get_credentials(
        &self,
        identity_id: &str,
        logins_key: &str,
        id_token: &str,
    ) -> Result<TemporaryCredentials, CognitoError>;
}
