//! The authorizer Lambda: configuration and keys once at cold start, then one decision per event.

use authorizer::AuthorizerRequest;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let authorizer = authorizer::AuthorizerConfig::from_env()?.build()?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<AuthorizerRequest>| {
        let authorizer = &authorizer;
        async move {
            // API Gateway answers 401 only when the function fails with exactly "Unauthorized".
            authorizer.authorize_request(&event.payload).await.map_err(|unauthorized| Diagnostic {
                error_type: "Unauthorized".into(),
                error_message: unauthorized.to_string(),
            })
        }
    }))
    .await
}
