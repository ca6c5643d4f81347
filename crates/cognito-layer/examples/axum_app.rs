//! An axum app whose routes need a Cognito ID token, verified locally like the Lambda
//! authorizer does.
//!
//! ```sh
//! USER_POOL_ID=eu-west-1_AbCdEf APP_CLIENT_IDS=my-client-id \
//!   cargo run -p cognito-auth-layer --example axum_app
//! curl -s http://127.0.0.1:8080/me -H "Authorization: Bearer $ID_TOKEN"
//! ```
//! `JWKS_URL` overrides where the keys come from (for the local stack:
//! `http://127.0.0.1:<moto port>/<pool id>/.well-known/jwks.json`).

use std::sync::Arc;

use anyhow::Context;
use axum::{Extension, Router, routing::get};
use cognito_auth_layer::CognitoAuthLayer;
use cognito_verifier::{Claims, JwksCache, JwksSource, Verifier, VerifierConfig, verifier::jwks_url};

async fn me(Extension(claims): Extension<Claims>) -> String {
    format!("{{\"sub\":\"{}\",\"groups\":{:?}}}\n", claims.sub, claims.groups)
}

async fn admin_only() -> &'static str {
    "only members of the admins group see this\n"
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pool = std::env::var("USER_POOL_ID").context("USER_POOL_ID is required")?;
    let clients = std::env::var("APP_CLIENT_IDS").context("APP_CLIENT_IDS is required")?;
    let url = std::env::var("JWKS_URL").unwrap_or_else(|_| jwks_url(&pool));
    let jwks = Arc::new(JwksCache::new(JwksSource::Url(url))?);
    jwks.load().await?;
    let config = VerifierConfig::id_tokens(clients.split(',').map(|c| c.trim().to_string()).collect());
    let verifier = Arc::new(Verifier::single(config, &pool, jwks));

    let app = Router::new()
        .route("/me", get(me))
        .route_layer(CognitoAuthLayer::new(verifier.clone()))
        .merge(
            Router::new()
                .route("/admin", get(admin_only))
                .route_layer(CognitoAuthLayer::new(verifier).require_group("admins")),
        )
        .route("/health", get(|| async { "ok\n" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
