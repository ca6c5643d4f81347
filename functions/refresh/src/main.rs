//! The `refresh` Lambda: configuration, SDK client and state once at init.

use std::sync::Arc;

use auth_domain::{
    CognitoConfig,
    sdk::{CredentialSource, SdkUserPool, sdk_config},
};
use lambda_glue::Cors;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let config = CognitoConfig::from_env()?;
    let sdk = sdk_config(&config.region, CredentialSource::Environment, None).await;
    let cors = Cors::from_env();
    let state = fn_refresh::RefreshState::new(Arc::new(SdkUserPool::new(&sdk, &config)), cors.clone());
    lambda_glue::serve(cors, |req| fn_refresh::handle(&state, req)).await
}
