//! A local API Gateway (REST) in front of the real handlers and the real authorizer.
//!
//! For each HTTP request it does what a deployed stack does: applies the web ACL's per-caller
//! limits first when they are on ([`crate::limits`]; a block is the `WAF_FILTERED` 429), finds
//! the route in the route table (the one `template.yaml` declares), runs the authorizer on protected routes as a `TOKEN`
//! authorizer — caching its policy per token for the TTL, as API Gateway does, so a policy that
//! is not cache-safe shows up here too — evaluates the policy against the method ARN (401 / 403 /
//! pass), builds the same proxy event (v1) with the authorizer `context` in
//! `requestContext.authorizer`, calls the handler, and returns its response. Its own answers
//! (401, 403, 404, 413, 429, 502) use the error body `template.yaml` configures as gateway
//! responses. Every request, whatever its answer, gets one access-log line with the template's
//! fields ([`crate::access_log`]) and an X-Ray trace id ([`XrayTraceId`]) that the event's
//! `x-amzn-trace-id` header and the authorizer's and the function's log lines carry.
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
use tracing::Instrument;

use crate::{
    access_log::{AccessLog, AccessRecord},
    limits::{PerCallerLimits, WafAction, WebAcl},
};

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
    web_acl: Option<WebAcl>,
    access_log: AccessLog,
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
            web_acl: None,
            access_log: AccessLog::discard(),
        }
    }

    /// The same gateway behind the template's web ACL when `limits` is on (see [`crate::limits`]).
    pub fn with_per_caller_limits(mut self, limits: PerCallerLimits) -> Self {
        self.web_acl = match limits {
            PerCallerLimits::Off => None,
            PerCallerLimits::On(limits) => Some(WebAcl::new(limits)),
        };
        self
    }

    /// The same gateway writing its access log to `log` (see [`crate::access_log`]).
    pub fn with_access_log(mut self, log: AccessLog) -> Self {
        self.access_log = log;
        self
    }

    /// The per-caller limits it applies ([`PerCallerLimits::Off`] without a web ACL).
    pub fn per_caller_limits(&self) -> PerCallerLimits {
        self.web_acl.as_ref().map_or(PerCallerLimits::Off, |acl| PerCallerLimits::On(acl.limits().clone()))
    }

    /// The web ACL in front of the gateway, if the per-caller limits are on (tests move its
    /// clock).
    pub fn web_acl(&self) -> Option<&WebAcl> {
        self.web_acl.as_ref()
    }

    /// The access log.
    pub fn access_log(&self) -> &AccessLog {
        &self.access_log
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
    /// Returns the `requestContext.authorizer` object on Allow. Fills the authorizer's fields
    /// of `record` when it ran (or its cached answer was used), inside a span named as
    /// `lambda_runtime` names an invocation's, carrying `trace`.
    async fn authorize(
        &self,
        headers: &HeaderMap,
        method_arn: &str,
        trace: &XrayTraceId,
        record: &mut AccessRecord,
    ) -> Result<Value, GatewayAnswer> {
        // Two Authorization headers: the authorizer would vouch for one token while the function
        // reads another (its `headers` keep the last value). No defined answer is safe but 401,
        // before the authorizer or its cache sees either token (see the module doc).
        if headers.get_all(header::AUTHORIZATION).iter().nth(1).is_some() {
            return Err(GatewayAnswer::unauthorized());
        }
        // A TOKEN authorizer is not even invoked without its identity source.
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(GatewayAnswer::unauthorized)?;
        let started = Instant::now();
        let answer = match self.cached(token) {
            Some(answer) => answer,
            None => {
                let event = json!({ "type": "TOKEN", "authorizationToken": token, "methodArn": method_arn });
                self.authorizer_invocations.fetch_add(1, Ordering::Relaxed);
                let answer = self.authorizer.authorize(&event).instrument(trace.invocation_span()).await;
                let answer = match answer {
                    Ok(answer) => answer.to_value(),
                    Err(_) => {
                        record.authorizer_latency = Some(started.elapsed());
                        record.authorizer_status = Some(401);
                        record.authorizer_error = Some("Unauthorized".into());
                        return Err(GatewayAnswer::unauthorized());
                    }
                };
                self.remember(token, &answer);
                answer
            }
        };
        record.authorizer_latency = Some(started.elapsed());
        record.principal_id = answer["principalId"].as_str().map(str::to_string);
        if !policy::allows(&answer["policyDocument"], method_arn) {
            record.authorizer_status = Some(403);
            return Err(GatewayAnswer::access_denied());
        }
        record.authorizer_status = Some(200);
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
    let started = Instant::now();
    let trace = XrayTraceId::new();
    let mut record = AccessRecord {
        request_id: uuid::Uuid::new_v4().to_string(),
        xray_trace_id: Some(trace.root.clone()),
        request_time: Some(SystemTime::now()),
        ip: peer.ip().to_string(),
        http_method: request.method().to_string(),
        ..AccessRecord::default()
    };
    let response = respond(&gw, peer, request, &trace, &mut record).await;
    // Every answer is already in memory (the functions' and the gateway's own): its length is
    // known without streaming.
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    record.status = parts.status.as_u16();
    record.response_length = bytes.len();
    record.response_latency = started.elapsed();
    gw.access_log.write(&record);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The answer to one request, in API Gateway's order: the web ACL, the route (and CORS
/// preflights), the authorizer, the function. Fills `record` as it goes.
async fn respond(
    gw: &Arc<Gateway>,
    peer: SocketAddr,
    request: axum::extract::Request,
    trace: &XrayTraceId,
    record: &mut AccessRecord,
) -> Response {
    let request_id = record.request_id.clone();
    let (parts, body) = request.into_parts();
    let origin = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_string);
    let reply = |record: &mut AccessRecord, answer: GatewayAnswer| {
        record.error_response_type = Some(answer.response_type.name());
        gateway_error(&gw.cors, origin.as_deref(), &request_id, &answer.error)
    };
    let path = parts.uri.path().to_string();

    // The web ACL sees every request to the stage first, preflights and unknown paths included.
    if let Some(acl) = &gw.web_acl {
        match acl.evaluate(peer.ip(), parts.method.as_str(), &path) {
            WafAction::Allow => {
                record.waf_status = Some(200);
                record.waf_response_code = Some("WAF_ALLOW");
            }
            WafAction::Block(rule) => {
                record.waf_status = Some(403);
                record.waf_response_code = Some("WAF_BLOCK");
                // One line per blocked request would let a flood flood the terminal too; the access
                // log has each (wafResponseCode WAF_BLOCK).
                tracing::debug!(rule = rule.name(), ip = %peer.ip(), "the web ACL blocked a request");
                let window = u32::try_from(acl.limits().window.as_secs()).unwrap_or(u32::MAX).max(1);
                return reply(record, GatewayAnswer::waf_filtered(window));
            }
        }
    }

    let found = routes::find(parts.method.as_str(), &path);
    if parts.method == Method::OPTIONS {
        // The API's CORS configuration answers preflights for every route, before any authorizer.
        return match found {
            RouteMatch::NotFound => {
                reply(record, GatewayAnswer::missing_authentication_token(parts.method.as_str(), &path))
            }
            _ => {
                // The resource's OPTIONS method (the route table lists the other methods).
                record.resource_path = routes::ROUTES
                    .iter()
                    .find(|route| routes::match_path(route.path, &path).is_some())
                    .map(|route| route.path.to_string());
                preflight(&gw.cors, origin.as_deref(), &request_id)
            }
        };
    }
    let (route, params) = match found {
        RouteMatch::Found(route, params) => (route, params),
        // API Gateway answers an unknown path and an undeclared method alike.
        _ => return reply(record, GatewayAnswer::missing_authentication_token(parts.method.as_str(), &path)),
    };
    record.resource_path = Some(route.path.to_string());
    let body = match axum::body::to_bytes(body, MAX_GATEWAY_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return reply(record, GatewayAnswer::request_too_large());
        }
    };
    let method_arn = gw.method_arn(route.method, &path);
    let authorizer_context = match route.access {
        Access::Public => None,
        Access::SignedIn(_) | Access::Admin(_) => {
            match gw.authorize(&parts.headers, &method_arn, trace, record).await {
                Ok(context) => Some(context),
                Err(err) => return reply(record, err),
            }
        }
    };
    let mut parts = parts;
    // API Gateway presents its own domain and scheme to the integration, never the client's.
    parts.headers.insert(
        header::HOST,
        header::HeaderValue::from_str(&gw.domain).unwrap_or(header::HeaderValue::from_static("localhost")),
    );
    parts.headers.insert("x-forwarded-proto", header::HeaderValue::from_static("http"));
    // With tracing on, API Gateway hands the integration the trace's header.
    if let Ok(value) = header::HeaderValue::from_str(&trace.header()) {
        parts.headers.insert("x-amzn-trace-id", value);
    }
    let event = proxy_event(&route, &parts, &path, &params, &body, peer, &request_id, authorizer_context);
    let span = trace.invocation_span();
    let invoked = Instant::now();
    // An invocation that fails or panics makes API Gateway answer 502.
    let outcome = tokio::spawn(gw.clone().invoke(route.function(), event).instrument(span.clone())).await;
    record.integration_latency = Some(invoked.elapsed());
    // Lambda's own answer to the Invoke call: 200, whatever the function did.
    record.integration_status = Some(200);
    // The failure is logged in the invocation's span, as Lambda's own lines about it would be.
    span.in_scope(|| match outcome {
        Ok(Ok(response)) => lambda_response(response),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "the function could not read its event");
            reply(record, GatewayAnswer::default_5xx())
        }
        Err(err) => {
            tracing::error!(error = %err, "handler panicked");
            reply(record, GatewayAnswer::default_5xx())
        }
    })
}

/// The message of the `WAF_FILTERED` gateway response, as in `template.yaml`.
pub const WAF_FILTERED_MESSAGE: &str = "Too many requests from this address; retry later.";

/// The gateway response types (`$context.error.responseType`) of the gateway's own answers
/// ("Gateway response types for API Gateway",
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GatewayResponseType {
    Unauthorized,
    AccessDenied,
    MissingAuthenticationToken,
    RequestTooLarge,
    WafFiltered,
    Default5xx,
}

impl GatewayResponseType {
    const fn name(self) -> &'static str {
        match self {
            Self::Unauthorized => "UNAUTHORIZED",
            Self::AccessDenied => "ACCESS_DENIED",
            Self::MissingAuthenticationToken => "MISSING_AUTHENTICATION_TOKEN",
            Self::RequestTooLarge => "REQUEST_TOO_LARGE",
            Self::WafFiltered => "WAF_FILTERED",
            Self::Default5xx => "DEFAULT_5XX",
        }
    }
}

/// One of the gateway's own answers, as a gateway response of `template.yaml` shapes it: its
/// type (what `$context.error.responseType` logs) and its error body.
#[derive(Debug)]
struct GatewayAnswer {
    response_type: GatewayResponseType,
    error: ApiError,
}

impl GatewayAnswer {
    /// No token, two tokens, or a token the authorizer refused: 401.
    fn unauthorized() -> Self {
        Self { response_type: GatewayResponseType::Unauthorized, error: ApiError::unauthorized() }
    }

    /// The authorizer's policy denies the method: 403.
    fn access_denied() -> Self {
        Self { response_type: GatewayResponseType::AccessDenied, error: ApiError::forbidden() }
    }

    /// No route for `method` `path` (API Gateway answers an unknown path and an undeclared method
    /// alike): 404 here, the template's `MISSING_AUTHENTICATION_TOKEN` response.
    fn missing_authentication_token(method: &str, path: &str) -> Self {
        Self {
            response_type: GatewayResponseType::MissingAuthenticationToken,
            error: ApiError::new(ErrorCode::NotFound, format!("No route for {method} {path}.")),
        }
    }

    /// A body above the gateway's limit: 413.
    fn request_too_large() -> Self {
        Self {
            response_type: GatewayResponseType::RequestTooLarge,
            error: ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large."),
        }
    }

    /// The web ACL's block: 429, the API's error body, `Retry-After` the rules' window in
    /// seconds.
    fn waf_filtered(retry_after: u32) -> Self {
        Self {
            response_type: GatewayResponseType::WafFiltered,
            error: ApiError::new(ErrorCode::TooManyRequests, WAF_FILTERED_MESSAGE).with_retry_after(retry_after),
        }
    }

    /// A function that failed or panicked: 502 with a generic body.
    fn default_5xx() -> Self {
        Self {
            response_type: GatewayResponseType::Default5xx,
            error: ApiError::new(ErrorCode::UpstreamError, "Internal server error."),
        }
    }
}

/// An X-Ray trace id as API Gateway starts one per request when tracing is on: the root
/// `1-<8 hex digits of epoch seconds>-<24 random hex digits>` ("Tracing header",
/// <https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader>).
#[derive(Debug, Clone)]
pub struct XrayTraceId {
    /// `1-5759e988-bd862e3fe1be46a994272793`: what the access log's `xrayTraceId` holds.
    pub root: String,
}

impl XrayTraceId {
    /// A new trace, started now.
    pub fn new() -> Self {
        let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self { root: format!("1-{seconds:08x}-{}", &random[..24]) }
    }

    /// The `X-Amzn-Trace-Id` header the integration gets, and what Lambda hands the runtime
    /// (`Lambda-Runtime-Trace-Id`): `Root=...;Sampled=1`.
    pub fn header(&self) -> String {
        format!("Root={};Sampled=1", self.root)
    }

    /// The span `lambda_runtime` opens around one invocation (`layers/trace.rs`,
    /// `request_span`): named `Lambda runtime invoke`, with a new Lambda request id and the
    /// trace, so every log line of the function or the authorizer carries both, as in Lambda.
    pub fn invocation_span(&self) -> tracing::Span {
        tracing::info_span!(
            "Lambda runtime invoke",
            requestId = %uuid::Uuid::new_v4(),
            xrayTraceId = %self.header()
        )
    }
}

impl Default for XrayTraceId {
    fn default() -> Self {
        Self::new()
    }
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
