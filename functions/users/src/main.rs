//! The `users` Lambda.

use lambda_http::{Error, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let state = fn_users::State::new(lambda_glue::Cors::from_env());
    lambda_http::run(service_fn(|req| {
        let state = &state;
        async move { Ok::<_, std::convert::Infallible>(fn_users::handle(state, req).await) }
    }))
    .await
}
