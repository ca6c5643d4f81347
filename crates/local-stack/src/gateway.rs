//! A local API Gateway (REST) in front of the real handlers and the real authorizer.
//!
//! For each HTTP request it does what a deployed stack does: finds the route in the route table
//! (the one `template.yaml` declares), runs the authorizer on protected routes as a `TOKEN`
//! authorizer — caching its policy per token for the TTL, as API Gateway does, so a policy that
//! is not cache-safe shows up here too — evaluates the policy against the method ARN (401 / 403 /
//! pass), builds the same proxy event (v1) with the authorizer `context` in
//! `requestContext.authorizer`, calls the handler, and returns its response. Its own answers
//! (401, 403, 404, 413, 502) use the error body `template.yaml` configures as gateway responses.
//!
//! The proxy event is held to what API Gateway REST sends, field by field:
//!
//! | field | what the function gets |
//! |---|---|
//! | `path`, `pathParameters` | the raw path segments **as the client sent them**, still percent-encoded (`/users/pat%2Btag%40example.com`, `username = "pat%2Btag%40example.com"`): neither decoded nor re-encoded. The functions decode (`lambda_glue::path_param`). |
//! | `resource`, `requestContext.resourcePath` | the route's template (`/users/{username}`) |
//! | `requestContext.path` | `/{stage}` followed by the raw path |
//! | `headers` / `multiValueHeaders` | every header as sent; `headers` keeps the last value of a repeated one, `multiValueHeaders` all of them |
//! | `queryStringParameters` / `multiValueQueryStringParameters` | decoded; the last value / all values |
//!
//! Where it differs: header names arrive lower-cased (the HTTP server normalises them), and
//! `Host` is the gateway's own address.
//!
//! **Two `Authorization` headers** on a protected route are refused with the gateway's own 401
//! before the authorizer runs. API Gateway hands a `TOKEN` authorizer one value of its identity
//! source while the function's `headers` keep the last one, so the token that was authorized and
//! the token the function reads could differ. Refusing is the one answer that cannot go wrong;
//! the functions apply the same rule themselves (`lambda_glue::caller`), so a deployed stack is
//! safe whatever API Gateway does with the duplicates.

use std::{
    collections::{BTreeMap, HashMap},
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use api_types::{
    ApiError, ErrorCode,
    routes::{self, Access, Function, Route, RouteMatch},
};
use authorizer::{Authorizer, policy};
use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, State},
    http::{HeaderMap, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::Engine;
use lambda_glue::Cors;
use serde_json::{Map, Value, json};

/// The stage name in local method ARNs and events.
pub const STAGE: &str = "local";
const ACCOUNT_ID: &str = "123456789012";
const API_ID: &str = "localapi";
/// API Gateway's own payload limit is 10 MB; locally 1 MiB is plenty (handlers refuse >64 KiB).
const MAX_GATEWAY_BODY: usize = 1024 * 1024;
/// Cached authorizer results kept at most (the cache is cleared when full).
const MAX_CACHE_ENTRIES: usize = 10_000;

/// The functions behind the routes.
pub struct Functions {
    /// `auth`.
    pub auth: fn_auth::AuthState,
    /// `refresh`.
    pub refresh: fn_refresh::RefreshState,
    /// `password`.
    pub password: fn_password::PasswordState,
    /// `users`.
    pub users: fn_users::UsersState,
    /// `credentials`.
    pub credentials: fn_credentials::CredentialsState,
}

/// The gateway's state.
pub struct Gateway {
    /// `host:port` the gateway listens on: the `Host` the handlers see, as API Gateway sets its
    /// own domain rather than passing the client's.
    domain: String,
    functions: Functions,
    authorizer: Authorizer,
    cors: Cors,
    region: String,
    cache_ttl: Duration,
    cache: Mutex<HashMap<String, (Instant, Value)>>,
    authorizer_invocations: AtomicUsize,
    function_invocations: AtomicUsize,
}

impl Gateway {
    /// A gateway serving `functions` behind `authorizer`, caching its answers for `cache_ttl`
    /// (zero disables the cache, as in API Gateway).
    pub fn new(
        domain: String,
        functions: Functions,
        authorizer: Authorizer,
        cors: Cors,
        region: &str,
        cache_ttl: Duration,
    ) -> Self {
        Self {
            domain,
            functions,
            authorizer,
            cors,
            region: region.into(),
            cache_ttl,
            cache: Mutex::default(),
            authorizer_invocations: AtomicUsize::new(0),
            function_invocations: AtomicUsize::new(0),
        }
    }

    /// How many times the authorizer has been invoked (cached answers not counted): with
    /// [`Gateway::function_invocations`], what lets a test tell a request the gateway refused
    /// from one a function refused.
    pub fn authorizer_invocations(&self) -> usize {
        self.authorizer_invocations.load(Ordering::Relaxed)
    }

    /// How many times a function (any of them) has been invoked.
    pub fn function_invocations(&self) -> usize {
        self.function_invocations.load(Ordering::Relaxed)
    }

    fn method_arn(&self, method: &str, path: &str) -> String {
        format!("arn:aws:execute-api:{}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method}{path}", self.region)
    }

    /// Runs the authorizer (or its cached answer) and evaluates the policy for `method_arn`.
    /// Returns the `requestContext.authorizer` object on Allow.
    async fn authorize(&self, headers: &HeaderMap, method_arn: &str) -> Result<Value, ApiError> {
        // Two Authorization headers: the authorizer would vouch for one token while the function
        // reads another (its `headers` keep the last value). No defined answer is safe but 401,
        // before the authorizer or its cache sees either token (see the module doc).
        if headers.get_all(header::AUTHORIZATION).iter().nth(1).is_some() {
            return Err(ApiError::unauthorized());
        }
        // A TOKEN authorizer is not even invoked without its identity source.
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        let answer = match self.cached(token) {
            Some(answer) => answer,
            None => {
                let event = json!({ "type": "TOKEN", "authorizationToken": token, "methodArn": method_arn });
                self.authorizer_invocations.fetch_add(1, Ordering::Relaxed);
                let answer = self.authorizer.authorize(&event).await.map_err(|_| ApiError::unauthorized())?.to_value();
                self.remember(token, &answer);
                answer
            }
        };
        if !policy::allows(&answer["policyDocument"], method_arn) {
            return Err(ApiError::forbidden());
        }
        // API Gateway hands context values to the integration as strings.
        let mut context = Map::new();
        if let Some(obj) = answer["context"].as_object() {
            for (k, v) in obj {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                context.insert(k.clone(), Value::String(text));
            }
        }
        context.insert("principalId".into(), answer["principalId"].clone());
        Ok(Value::Object(context))
    }

    fn cached(&self, token: &str) -> Option<Value> {
        let cache = self.cache.lock().ok()?;
        let (at, answer) = cache.get(token)?;
        (at.elapsed() < self.cache_ttl).then(|| answer.clone())
    }

    fn remember(&self, token: &str, answer: &Value) {
        if self.cache_ttl.is_zero() {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(token.to_string(), (Instant::now(), answer.clone()));
        }
    }

    /// Delivers the event to the function, as the Lambda service would.
    async fn invoke(
        self: Arc<Self>,
        function: Function,
        event: Value,
    ) -> Result<lambda_http::Response<lambda_http::Body>, String> {
        self.function_invocations.fetch_add(1, Ordering::Relaxed);
        // The same reading of the event as in Lambda (`lambda_glue::serve`): an unreadable
        // request is the function's 400, anything else a failed invocation.
        let request = match lambda_glue::request_from_event(&event.to_string()) {
            Ok(request) => request,
            Err(lambda_glue::EventError::Unreadable(unreadable)) => return Ok(unreadable.respond(&self.cors)),
            Err(other) => return Err(other.to_string()),
        };
        let f = &self.functions;
        let response = match function {
            Function::Auth => fn_auth::handle(&f.auth, request).await,
            Function::Refresh => fn_refresh::handle(&f.refresh, request).await,
            Function::Password => fn_password::handle(&f.password, request).await,
            Function::Users => fn_users::handle(&f.users, request).await,
            Function::Credentials => fn_credentials::handle(&f.credentials, request).await,
        };
        Ok(response)
    }
}

/// Serves the gateway on `listener` until `shutdown` resolves.
pub async fn serve(
    gateway: Arc<Gateway>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new().fallback(handle).with_state(gateway);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle(
    State(gw): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: axum::extract::Request,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let origin = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_string);
    let reply = |err: ApiError| gateway_error(&gw.cors, origin.as_deref(), &request_id, &err);
    let path = parts.uri.path().to_string();

    let found = routes::find(parts.method.as_str(), &path);
    if parts.method == Method::OPTIONS {
        // The API's CORS configuration answers preflights for every route, before any authorizer.
        return match found {
            RouteMatch::NotFound => reply(no_route(parts.method.as_str(), &path)),
            _ => preflight(&gw.cors, origin.as_deref(), &request_id),
        };
    }
    let (route, params) = match found {
        RouteMatch::Found(route, params) => (route, params),
        // API Gateway answers an unknown path and an undeclared method alike.
        _ => return reply(no_route(parts.method.as_str(), &path)),
    };
    let body = match axum::body::to_bytes(body, MAX_GATEWAY_BODY).await {
        Ok(body) => body,
        Err(_) => return reply(ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")),
    };
    let method_arn = gw.method_arn(route.method, &path);
    let authorizer_context = match route.access {
        Access::Public => None,
        Access::SignedIn(_) | Access::Admin(_) => match gw.authorize(&parts.headers, &method_arn).await {
            Ok(context) => Some(context),
            Err(err) => return reply(err),
        },
    };
    let mut parts = parts;
    // API Gateway presents its own domain and scheme to the integration, never the client's.
    parts.headers.insert(
        header::HOST,
        header::HeaderValue::from_str(&gw.domain).unwrap_or(header::HeaderValue::from_static("localhost")),
    );
    parts.headers.insert("x-forwarded-proto", header::HeaderValue::from_static("http"));
    let event = proxy_event(&route, &parts, &path, &params, &body, peer, &request_id, authorizer_context);
    // An invocation that fails or panics makes API Gateway answer 502.
    match tokio::spawn(gw.clone().invoke(route.function(), event)).await {
        Ok(Ok(response)) => lambda_response(response),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "the function could not read its event");
            reply(ApiError::new(ErrorCode::UpstreamError, "Internal server error."))
        }
        Err(err) => {
            tracing::error!(error = %err, "handler panicked");
            reply(ApiError::new(ErrorCode::UpstreamError, "Internal server error."))
        }
    }
}

fn no_route(method: &str, path: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("No route for {method} {path}."))
}

/// The proxy event the gateway would send for `request` (from loopback) on the route it matches,
/// with `authorizer` as `requestContext.authorizer` on protected routes; `None` for no route. For
/// callers that invoke a function themselves (`make bench`).
pub fn rest_event(request: axum::http::Request<Bytes>, authorizer: Option<Value>) -> Option<Value> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let RouteMatch::Found(route, params) = routes::find(parts.method.as_str(), &path) else { return None };
    let peer = SocketAddr::from(([127, 0, 0, 1], 0));
    let request_id = uuid::Uuid::new_v4().to_string();
    Some(proxy_event(&route, &parts, &path, &params, &body, peer, &request_id, authorizer))
}

/// The REST proxy event (payload v1) API Gateway sends to a Lambda integration: `path` and
/// `pathParameters` raw (percent-encoded as sent), query strings decoded (see the module doc).
#[allow(clippy::too_many_arguments)]
fn proxy_event(
    route: &Route,
    parts: &axum::http::request::Parts,
    path: &str,
    params: &BTreeMap<String, String>,
    body: &Bytes,
    peer: SocketAddr,
    request_id: &str,
    authorizer: Option<Value>,
) -> Value {
    let (headers, multi_headers) = single_and_multi(
        parts.headers.iter().map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())),
    );
    let (query, multi_query) = single_and_multi(
        form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned())),
    );
    // API Gateway REST passes path parameters on as the client spelled them: still
    // percent-encoded, the raw segments of the path the route matched.
    let path_parameters: Map<String, Value> =
        params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let (body, is_base64) = match (body.is_empty(), std::str::from_utf8(body)) {
        (true, _) => (Value::Null, false),
        (false, Ok(text)) => (Value::String(text.to_string()), false),
        (false, Err(_)) => (Value::String(base64::engine::general_purpose::STANDARD.encode(body)), true),
    };
    let nullable = |map: Map<String, Value>| if map.is_empty() { Value::Null } else { Value::Object(map) };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let mut context = json!({
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "resourceId": "local",
        "stage": STAGE,
        "requestId": request_id,
        "resourcePath": route.path,
        "httpMethod": route.method,
        "path": format!("/{STAGE}{path}"),
        "protocol": "HTTP/1.1",
        "requestTimeEpoch": now,
        "domainName": headers.get("host").cloned().unwrap_or(Value::Null),
        "identity": { "sourceIp": peer.ip().to_string(), "userAgent": headers.get("user-agent").cloned().unwrap_or(Value::Null) },
    });
    if let Some(authorizer) = authorizer {
        context["authorizer"] = authorizer;
    }
    json!({
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": nullable(headers),
        "multiValueHeaders": nullable(multi_headers),
        "queryStringParameters": nullable(query),
        "multiValueQueryStringParameters": nullable(multi_query),
        "pathParameters": nullable(path_parameters),
        "stageVariables": null,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": is_base64,
    })
}

/// Single- and multi-value maps, as API Gateway puts headers and query strings in the event
/// (the single-value map keeps the last value).
fn single_and_multi(pairs: impl Iterator<Item = (String, String)>) -> (Map<String, Value>, Map<String, Value>) {
    let mut single = Map::new();
    let mut multi: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, value) in pairs {
        single.insert(key.clone(), Value::String(value.clone()));
        multi.entry(key).or_default().push(Value::String(value));
    }
    (single, multi.into_iter().map(|(k, v)| (k, Value::Array(v))).collect())
}

fn lambda_response(response: lambda_http::Response<lambda_http::Body>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        lambda_http::Body::Text(text) => text.into_bytes(),
        lambda_http::Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// An answer of the gateway itself, as `template.yaml`'s gateway responses shape it.
fn gateway_error(cors: &Cors, origin: Option<&str>, request_id: &str, err: &ApiError) -> Response {
    let mut response = err.to_response().map(axum::body::Body::from);
    add_headers(response.headers_mut(), request_id, cors.headers(origin));
    response
}

fn preflight(cors: &Cors, origin: Option<&str>, request_id: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    add_headers(response.headers_mut(), request_id, cors.preflight_headers(origin));
    response
}

fn add_headers(headers: &mut HeaderMap, request_id: &str, extra: Vec<(&'static str, String)>) {
    if let Ok(id) = header::HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", id);
    }
    for (name, value) in extra {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use lambda_http::RequestExt;

    use super::*;

    fn event_for(request: axum::http::Request<Bytes>) -> Value {
        rest_event(request, Some(json!({"principalId": "sub-1", "sub": "sub-1", "groups": "admins"})))
            .expect("a route matches")
    }

    #[test]
    fn the_event_carries_the_raw_path_all_header_values_and_decoded_query_strings() {
        // GIVEN a request with a percent-encoded username, a repeated header and an encoded query
        let request = axum::http::Request::builder()
            .method("GET")
            .uri("/users/pat%2Btag%40example.com?email=a%2Bb%40example.com&limit=5&limit=7&q=x+y")
            .header("accept", "application/json")
            .header("x-trace", "first")
            .header("x-trace", "second")
            .body(Bytes::new())
            .unwrap();

        // WHEN the gateway builds the proxy event for it
        let event = event_for(request);

        // THEN path and pathParameters are the raw segments, as API Gateway REST sends them
        assert_eq!(event["resource"], "/users/{username}");
        assert_eq!(event["path"], "/users/pat%2Btag%40example.com");
        assert_eq!(event["pathParameters"], json!({"username": "pat%2Btag%40example.com"}));
        assert_eq!(event["requestContext"]["path"], "/local/users/pat%2Btag%40example.com");
        assert_eq!(event["requestContext"]["resourcePath"], "/users/{username}");
        // AND every value of a repeated header is in multiValueHeaders, the last in headers
        assert_eq!(event["multiValueHeaders"]["x-trace"], json!(["first", "second"]));
        assert_eq!(event["headers"]["x-trace"], "second");
        assert_eq!(event["multiValueHeaders"]["accept"], json!(["application/json"]));
        // AND query strings are decoded: the last value alone, and all values
        assert_eq!(event["queryStringParameters"]["email"], "a+b@example.com");
        assert_eq!(event["queryStringParameters"]["limit"], "7");
        assert_eq!(event["queryStringParameters"]["q"], "x y");
        assert_eq!(event["multiValueQueryStringParameters"]["limit"], json!(["5", "7"]));
        assert_eq!(event["multiValueQueryStringParameters"]["email"], json!(["a+b@example.com"]));
        assert_eq!(event["requestContext"]["authorizer"]["sub"], "sub-1");
    }

    #[test]
    fn a_function_reads_the_event_with_the_parameter_raw_and_decodes_it_itself() {
        // GIVEN the event for a username with a '+', an '@' and a non-ASCII letter, encoded
        let request = axum::http::Request::builder()
            .method("DELETE")
            .uri("/users/j%C3%B6rg%2Btag%40example.com/groups/staff%20team")
            .body(Bytes::new())
            .unwrap();
        let event = event_for(request);

        // WHEN a function reads it as in Lambda
        let request = lambda_glue::request_from_event(&event.to_string()).unwrap();

        // THEN it sees the raw parameters, and the shared helper decodes them
        let raw = request.path_parameters_ref().unwrap();
        assert_eq!(raw.first("username"), Some("j%C3%B6rg%2Btag%40example.com"));
        assert_eq!(lambda_glue::path_param(&request, "username").unwrap(), "jörg+tag@example.com");
        assert_eq!(lambda_glue::path_param(&request, "group").unwrap(), "staff team");
    }

    #[test]
    fn a_path_that_is_not_encoded_reaches_the_function_as_sent() {
        let request =
            axum::http::Request::builder().method("GET").uri("/users/pat+tag@example.com").body(Bytes::new()).unwrap();
        let event = event_for(request);
        assert_eq!(event["pathParameters"]["username"], "pat+tag@example.com");
        let request = lambda_glue::request_from_event(&event.to_string()).unwrap();
        assert_eq!(lambda_glue::path_param(&request, "username").unwrap(), "pat+tag@example.com");
    }
}
