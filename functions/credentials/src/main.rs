//! The `credentials` Lambda: configuration, SDK client and state once at init.

use std::sync::Arc;

use auth_domain::{
    CognitoConfig,
    credentials::{CredentialsConfig, SdkIdentityPool},
    sdk::{CredentialSource, sdk_config},
};
use lambda_glue::Cors;

// One thread: Lambda hands an environment one invocation at a time, so worker threads would only
// cost their start at cold start and a hand-off between threads on every Cognito call.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let cognito = CognitoConfig::from_env()?;
    let config = CredentialsConfig::from_env(&cognito)?;
    let sdk = sdk_config(&cognito.region, CredentialSource::Environment, None).await;
    let pool = Arc::new(SdkIdentityPool::new(&sdk, &config.identity_pool_id));
    let cors = Cors::from_env();
    let state = fn_credentials::CredentialsState::new(pool, &config, cors.clone());
    lambda_glue::serve(cors, |req| fn_credentials::handle(&state, req)).await
}
