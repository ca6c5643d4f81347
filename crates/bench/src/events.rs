//! API Gateway REST (v1) proxy events, as the deployed API sends them to the functions.

use anyhow::Context;
use api_types::routes::BearerTokenUse;
use serde_json::{Value, json};

/// The caller the authorizer let through: its flat context, and the token it presented.
pub struct Caller<'a> {
    /// `sub` (also the internal username and the principal).
    pub sub: &'a str,
    /// Comma-separated groups.
    pub groups: &'a str,
    /// Which token the caller presented: the one the route takes (its context's `tokenUse`).
    pub token_use: BearerTokenUse,
    /// That token, sent as `Authorization: Bearer`.
    pub token: &'a str,
}

/// The event API Gateway sends a function for `method` `path` with a JSON `body`, from `caller`
/// (none on public routes): the local gateway's own event, so the two cannot differ.
pub fn rest(method: &str, path: &str, body: Option<Value>, caller: Option<&Caller<'_>>) -> anyhow::Result<Value> {
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("host", "bench.execute-api.us-east-1.amazonaws.com");
    if let Some(c) = caller {
        request = request.header("authorization", format!("Bearer {}", c.token));
    }
    let request = request.body(body.map(|b| b.to_string()).unwrap_or_default().into())?;
    // The authorizer's context as API Gateway passes it on: flat, every value a string (an
    // access token carries no email); the caller signed in just now with a password and TOTP
    // (level 4), so every route's sign-in requirement is met, as for a caller who stepped up.
    let authorizer = caller.map(|c| {
        let (email, verified) = match c.token_use {
            BearerTokenUse::Id => ("ann@example.com", "true"),
            BearerTokenUse::Access => ("", "false"),
        };
        json!({
            "principalId": c.sub, "sub": c.sub, "username": c.sub, "email": email, "emailVerified": verified,
            "groups": c.groups, "tokenUse": c.token_use.claim(), "clientId": "bench-client",
            "authTime": auth_domain::unix_time().to_string(), "acr": "urn:cognito:loa:4", "amr": "pwd otp mfa",
        })
    });
    local_stack::gateway::rest_event(request, authorizer).with_context(|| format!("no route for {method} {path}"))
}

/// Whether a function answered with a 2xx.
pub fn is_success(answer: &Value) -> bool {
    answer["statusCode"].as_u64().is_some_and(|s| (200..300).contains(&s))
}
