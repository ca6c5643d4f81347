//! The `users` Lambda: configuration, SDK client and state once at init.

use std::sync::Arc;

use auth_domain::{
    CognitoConfig,
    sdk::{CredentialSource, SdkUserPool, sdk_config},
};
use lambda_glue::Cors;

// One thread: Lambda hands an environment one invocation at a time, so worker threads would only
// cost their start at cold start and a hand-off between threads on every Cognito call.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let config = CognitoConfig::from_env()?;
    let admin_group =
        std::env::var("ADMIN_GROUP").ok().filter(|g| !g.trim().is_empty()).unwrap_or_else(|| "admins".into());
    let sdk = sdk_config(&config.region, CredentialSource::Environment, None).await;
    let cors = Cors::from_env();
    let requirements = auth_domain::step_up::SignInRequirements::from_lookup(|name| std::env::var(name).ok())?;
    let state = fn_users::UsersState::new(Arc::new(SdkUserPool::new(&sdk, &config)), &admin_group, cors.clone())
        .with_sign_in_requirements(requirements);
    lambda_glue::serve(cors, |req| fn_users::handle(&state, req)).await
}
