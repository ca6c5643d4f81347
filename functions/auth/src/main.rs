//! The `auth` Lambda: configuration, SDK client and state once at init, then one request per
//! invocation.

use std::sync::Arc;

use auth_domain::{
    CognitoConfig,
    sdk::{AwsCredentials, SdkUserPool, sdk_config},
};
use lambda_glue::Cors;
use lambda_http::{Error, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let config = CognitoConfig::from_env()?;
    let sdk = sdk_config(&config.region, AwsCredentials::Environment, None).await;
    let state = fn_auth::AuthState::new(Arc::new(SdkUserPool::new(&sdk, &config)), config, Cors::from_env());
    lambda_http::run(service_fn(|req| {
        let state = &state;
        async move { Ok::<_, std::convert::Infallible>(fn_auth::handle(state, req).await) }
    }))
    .await
}
