//! API Gateway REST (v1) proxy events, as the deployed API sends them to the functions.

use serde_json::{Value, json};

/// The caller the authorizer let through: its flat context, and the token it presented.
pub struct Caller<'a> {
    /// `sub` (also the internal username and the principal).
    pub sub: &'a str,
    /// Comma-separated groups.
    pub groups: &'a str,
    /// The ID token, sent as `Authorization: Bearer`.
    pub id_token: &'a str,
}

/// An event for `method` `path` (matching route `resource`), with a JSON `body`, from `caller`
/// (none on public routes).
pub fn rest(method: &str, resource: &str, path: &str, body: Option<Value>, caller: Option<&Caller<'_>>) -> Value {
    let mut headers = json!({"content-type": "application/json", "host": "bench.execute-api.us-east-1.amazonaws.com"});
    let authorizer = caller.map(|c| {
        headers["authorization"] = json!(format!("Bearer {}", c.id_token));
        json!({
            "principalId": c.sub, "sub": c.sub, "username": c.sub, "email": "ann@example.com",
            "emailVerified": "true", "groups": c.groups, "tokenUse": "id", "clientId": "bench-client",
        })
    });
    let multi: serde_json::Map<String, Value> =
        headers.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), json!([v]))).collect();
    let path_parameters = path_parameters(resource, path);
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": path_parameters,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012", "resourceId": "r1", "stage": "prod",
            "requestId": "bench-request", "identity": {"sourceIp": "127.0.0.1"},
            "resourcePath": resource, "httpMethod": method, "apiId": "bench", "path": format!("/prod{path}"),
            "protocol": "HTTP/1.1", "requestTimeEpoch": 1_700_000_000_000_u64, "authorizer": authorizer,
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false,
    })
}

/// `{name}` segments of `resource` filled from `path`.
fn path_parameters(resource: &str, path: &str) -> Value {
    let params: serde_json::Map<String, Value> = resource
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(r, p)| Some((r.strip_prefix('{')?.strip_suffix('}')?.to_string(), json!(p))))
        .collect();
    if params.is_empty() { Value::Null } else { Value::Object(params) }
}

/// Whether a function answered with a 2xx.
pub fn is_success(answer: &Value) -> bool {
    answer["statusCode"].as_u64().is_some_and(|s| (200..300).contains(&s))
}
