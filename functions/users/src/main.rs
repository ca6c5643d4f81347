//! The `users` Lambda.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    lambda_glue::serve(fn_users::State::new(lambda_glue::Cors::from_env())).await
}
