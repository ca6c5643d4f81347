//! A stand-in for the Cognito endpoints on loopback, for cold-start and memory runs: it answers
//! each call a function's benchmark event makes with a fixed, well-formed reply at once, so the
//! figures are the function's own and not an emulator's. (Warm overhead, where the Cognito call
//! is the yardstick, runs against moto instead: see `warm.rs`.)

use axum::{
    Router,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
};
use serde_json::{Value, json};

/// Starts the stand-in; returns its `http://127.0.0.1:PORT`.
pub async fn start(id_token: String) -> anyhow::Result<String> {
    let app = Router::new().route("/", post(move |headers: HeaderMap| std::future::ready(answer(&headers, &id_token))));
    Ok(format!("http://{}", crate::serve(app).await?))
}

fn answer(headers: &HeaderMap, id_token: &str) -> impl IntoResponse + use<> {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
    let operation = target.rsplit('.').next().unwrap_or("");
    let (status, body) = match reply(operation, id_token) {
        Some(body) => (StatusCode::OK, body),
        None => (
            StatusCode::BAD_REQUEST,
            json!({"__type": "InvalidParameterException", "message": format!("no stand-in for {target}")}),
        ),
    };
    (status, [("content-type", "application/x-amz-json-1.1")], body.to_string())
}

fn reply(operation: &str, id_token: &str) -> Option<Value> {
    let now = 1_700_000_000;
    Some(match operation {
        "InitiateAuth" => json!({"AuthenticationResult": {
            "IdToken": id_token, "AccessToken": id_token, "RefreshToken": "bench-refresh-token",
            "ExpiresIn": 3600, "TokenType": "Bearer"}}),
        // The refresh function's call: with rotation on, the answer carries the next refresh token.
        "GetTokensFromRefreshToken" => json!({"AuthenticationResult": {
            "IdToken": id_token, "AccessToken": id_token, "RefreshToken": "bench-next-refresh-token",
            "ExpiresIn": 3600, "TokenType": "Bearer"}}),
        "ForgotPassword" => json!({"CodeDeliveryDetails": {
            "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}}),
        "AdminGetUser" => json!({
            "Username": "8f1c0d2e-sub", "Enabled": true, "UserStatus": "CONFIRMED",
            "UserCreateDate": now, "UserLastModifiedDate": now,
            "UserAttributes": [
                {"Name": "sub", "Value": "8f1c0d2e-sub"},
                {"Name": "email", "Value": "ann@example.com"},
                {"Name": "email_verified", "Value": "true"}]}),
        // The users function's live check of the admin's own access token.
        "GetUser" => json!({
            "Username": "8f1c0d2e-sub",
            "UserAttributes": [{"Name": "sub", "Value": "8f1c0d2e-sub"}, {"Name": "email", "Value": "ann@example.com"}]}),
        "AdminListGroupsForUser" => json!({"Groups": [{"GroupName": "admins"}]}),
        "GetId" => json!({"IdentityId": "us-east-1:00000000-0000-4000-8000-000000000000"}),
        "GetCredentialsForIdentity" => json!({
            "IdentityId": "us-east-1:00000000-0000-4000-8000-000000000000",
            "Credentials": {"AccessKeyId": "ASIABENCH", "SecretKey": "bench-secret",
                            "SessionToken": "bench-session", "Expiration": now + 3600}}),
        _ => return None,
    })
}
