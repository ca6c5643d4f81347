//! What every function shares at the Lambda edge, and nothing more: reading the event, the
//! route, the caller, the path parameters and the JSON body from an API Gateway request, and
//! writing JSON responses with the request id and CORS headers. Domain code never sees a Lambda
//! type.
#![deny(missing_docs)]

pub mod cors;
pub mod event;
pub mod path;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use api_types::{
    ApiError, AuthorizerContext, ErrorCode, parse_body,
    routes::{Operation, Route},
};
use auth_domain::{
    context_data::{CONTEXT_HEADERS, ContextData, ENCODED_DATA_MAX_CHARS},
    step_up::SignInRequirements,
    token::CallerAccessToken,
};
use lambda_http::{
    Body, Request, RequestExt, Response,
    aws_lambda_events::apigw::ApiGatewayProxyResponse,
    http::{HeaderValue, StatusCode, header},
    request::RequestContext,
};
use serde::{Serialize, de::DeserializeOwned};

pub use cors::Cors;
pub use event::{EventError, Unreadable, authorization_count, request_from_event, request_from_value};
pub use path::path_param;

/// A successful answer: a status and an optional JSON body.
pub struct Reply {
    status: StatusCode,
    body: Option<serde_json::Value>,
}

/// `Debug` shows the status only: a body may hold tokens or credentials. Kept by hand: once
/// serialized to JSON, the body no longer knows which strings were [`api_types::Secret`]s.
impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").field("status", &self.status).finish_non_exhaustive()
    }
}

impl Reply {
    /// 200 with `body`.
    pub fn ok(body: impl Serialize) -> Self {
        Self::with_status(StatusCode::OK, body)
    }

    /// `status` with `body`.
    pub fn with_status(status: StatusCode, body: impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(body) => Self { status, body: Some(body) },
            Err(err) => {
                tracing::error!(error = %err, "response body did not serialize");
                Self { status: StatusCode::INTERNAL_SERVER_ERROR, body: Some(ApiError::internal().body()) }
            }
        }
    }

    /// 204, no body.
    pub fn no_content() -> Self {
        Self { status: StatusCode::NO_CONTENT, body: None }
    }

    /// 202, no body.
    pub fn accepted() -> Self {
        Self { status: StatusCode::ACCEPTED, body: None }
    }
}

/// The query-string parameter `name`, as API Gateway decoded it (the first, when it is repeated);
/// `None` when absent.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref().and_then(|params| params.first(name)).map(str::to_string)
}

/// The route a request was sent to: its method and API Gateway's resource template
/// (`/users/{username}`), so handlers dispatch on the route as declared, not on the raw path.
pub(crate) fn route(req: &Request) -> (String, String) {
    let resource = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.resource_path.clone(),
        _ => None,
    };
    (req.method().as_str().to_string(), resource.unwrap_or_else(|| req.uri().path().to_string()))
}

/// The caller established by the authorizer; `None` when there is none (a public route, or a
/// request that did not come through the authorizer), and `None` when the request carries more
/// than one `Authorization` header.
///
/// Why refuse two: API Gateway's `TOKEN` authorizer is handed one `Authorization` value and the
/// function's `headers` another (the last), so with two of them the caller the authorizer
/// vouched for need not be the owner of the token the function sees. The local gateway refuses
/// such requests with 401 before the authorizer runs; this is the same rule in the function, so a
/// deployed stack is safe whatever API Gateway does with duplicates.
pub fn caller(req: &Request) -> Option<AuthorizerContext> {
    if authorization_count(req) > 1 {
        tracing::info!(decision = "unauthorized", reason = "more than one Authorization header", "caller refused");
        return None;
    }
    let Some(RequestContext::ApiGatewayV1(ctx)) = req.request_context_ref() else { return None };
    let fields = serde_json::to_value(&ctx.authorizer.fields).ok()?;
    AuthorizerContext::from_gateway(&fields)
}

/// The caller, or the 401 a protected route answers without one. API Gateway's authorizer
/// normally stops such requests first; this is the handler's own check (defence in depth).
pub fn require_caller(req: &Request) -> Result<AuthorizerContext, ApiError> {
    caller(req).ok_or_else(ApiError::unauthorized)
}

/// The caller's own access token, on a route that takes it as the bearer: the authorizer's
/// context and the request's single `Authorization` header, proven together
/// ([`CallerAccessToken::of_caller`]). A request without a caller is a 401; a context for an ID
/// token, a 401; a bearer that is not the token the context describes, a 403.
pub fn caller_access_token(req: &Request) -> Result<CallerAccessToken, ApiError> {
    let caller = require_caller(req)?;
    let bearer = req
        .headers()
        .get(lambda_http::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(api_types::bearer_token);
    Ok(CallerAccessToken::of_caller(&caller, bearer)?)
}

/// The optional request header that carries the device fingerprint Cognito's context-data
/// collection script computed in the browser; passed to Cognito as `EncodedData`.
pub const ENCODED_DATA_HEADER: &str = "x-cognito-encoded-data";

/// Who is calling, as Cognito's threat protection is told ([`ContextData`]): the address API
/// Gateway saw the request come from (`requestContext.identity.sourceIp`, when it is an IP
/// address: the console's test invocations send `test-invoke-source-ip`; `X-Forwarded-For` is
/// written by the client and never read), the API's host and path, the headers of
/// [`CONTEXT_HEADERS`] in the order the request carried them, and the fingerprint of
/// [`ENCODED_DATA_HEADER`]. A fingerprint that is not visible ASCII (`!` to `~`) or is longer
/// than [`ENCODED_DATA_MAX_CHARS`] is a 400 naming the header; an empty one is none.
pub fn context_data(req: &Request) -> Result<ContextData, ApiError> {
    let (ip_address, domain_name, path) = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => {
            (ctx.identity.source_ip.clone(), ctx.domain_name.clone(), ctx.path.clone())
        }
        _ => (None, None, None),
    };
    let encoded_data = match req.headers().get(ENCODED_DATA_HEADER) {
        None => None,
        Some(value) => {
            let bad = |why: &str| ApiError::bad_field(ENCODED_DATA_HEADER, format!("{ENCODED_DATA_HEADER} {why}."));
            let text = value.to_str().map_err(|_| bad("must be visible ASCII text"))?.trim();
            if !text.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(bad("must be visible ASCII text"));
            }
            if text.len() > ENCODED_DATA_MAX_CHARS {
                return Err(bad(&format!("must be at most {ENCODED_DATA_MAX_CHARS} characters")));
            }
            (!text.is_empty()).then(|| text.to_string())
        }
    };
    Ok(ContextData {
        ip_address: ip_address.filter(|ip| ip.parse::<std::net::IpAddr>().is_ok()),
        server_name: domain_name
            .or_else(|| req.headers().get(header::HOST)?.to_str().ok().map(str::to_string))
            .unwrap_or_default(),
        server_path: path.unwrap_or_else(|| req.uri().path().to_string()),
        http_headers: req
            .headers()
            .iter()
            .filter(|(name, _)| CONTEXT_HEADERS.contains(&name.as_str()))
            .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
            .collect(),
        encoded_data,
    })
}

/// The request body parsed as `T` (see [`api_types::parse_body`]).
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => return Err(ApiError::new(ErrorCode::BadRequest, "Unreadable request body.")),
    };
    parse_body(bytes)
}

/// [`json_body`] for a route whose body may be left out: no body (or only whitespace) is
/// `T::default()`; a body that is there must parse.
pub fn optional_json_body<T: DeserializeOwned + Default>(req: &Request) -> Result<T, ApiError> {
    let blank = match req.body() {
        Body::Empty => true,
        Body::Text(text) => text.trim().is_empty(),
        Body::Binary(bytes) => bytes.iter().all(u8::is_ascii_whitespace),
        _ => false,
    };
    if blank { Ok(T::default()) } else { json_body(req) }
}

fn request_id(req: &Request) -> Option<String> {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.request_id.clone(),
        _ => None,
    }
}

/// Writes the response: JSON body or error body, `x-request-id`, CORS headers for allowed
/// origins, and `Retry-After` when the error asks for it. An error's [`api_types::error::Cause`]
/// is logged here (and only here), never sent.
pub fn respond(req: &Request, cors: &Cors, result: Result<Reply, ApiError>) -> Response<Body> {
    ResponseMeta::of(req).respond(cors, result)
}

/// The longest a request may take: under the functions' 15 s Lambda timeout, so a client whose
/// request ran into slow Cognito calls gets the API's 502 body (with its request id and CORS
/// headers) rather than API Gateway's bare one.
pub const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(12);

/// Runs the Lambda: reads each event with [`request_from_value`] (not `lambda_http::run`, whose
/// request keeps one value of a repeated `Authorization` header, and whose conversion panics on
/// some headers a client sends) and hands the request to `handler` (typically `|req|
/// handle(&state, req)` over the state built at init), within [`REQUEST_DEADLINE`]. The handler
/// answers every request itself, errors included; `cors` is for the answers it cannot write: the
/// 400 for a request that cannot be read ([`EventError::Unreadable`]) and the 502 when the
/// deadline passes. An event that is not a REST proxy event fails the invocation (API Gateway
/// answers 502), as with `lambda_http`.
pub async fn serve<F, Fut>(cors: Cors, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let (cors, handler) = (&cors, &handler);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| invocation(cors, handler, event),
    ))
    .await
}

/// One invocation of [`serve`]: the event read, the handler's answer or the glue's own.
async fn invocation<F, Fut>(
    cors: &Cors,
    handler: &F,
    event: lambda_http::LambdaEvent<serde_json::Value>,
) -> Result<ApiGatewayProxyResponse, lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let lambda_http::LambdaEvent { payload, context } = event;
    let mut req = match request_from_value(&payload) {
        Ok(req) => req,
        Err(EventError::Unreadable(unreadable)) => {
            tracing::info!(reason = %unreadable.detail, "request refused: the function cannot read it");
            return Ok(event::proxy_response(unreadable.respond(cors)));
        }
        Err(err) => return Err(err.into()),
    };
    event::set_trace_header(&mut req, context.xray_trace_id.as_deref());
    req.extensions_mut().insert(context);
    let meta = ResponseMeta::of(&req);
    let response = match tokio::time::timeout(REQUEST_DEADLINE, handler(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("request deadline exceeded");
            meta.respond(cors, Err(ApiError::upstream()))
        }
    };
    Ok(event::proxy_response(response))
}

impl Unreadable {
    /// The 400 for a request the function cannot read: the API's error body naming the part at
    /// fault, with the request id and CORS headers as every answer has them.
    pub fn respond(&self, cors: &Cors) -> Response<Body> {
        let meta = ResponseMeta { request_id: self.request_id.clone(), origin: self.origin.clone() };
        meta.respond(cors, Err(self.error.clone()))
    }
}

/// What a response echoes of its request: the request id and the `Origin`.
struct ResponseMeta {
    request_id: Option<String>,
    origin: Option<String>,
}

impl ResponseMeta {
    fn of(req: &Request) -> Self {
        Self {
            request_id: request_id(req),
            origin: req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_string),
        }
    }

    fn respond(&self, cors: &Cors, result: Result<Reply, ApiError>) -> Response<Body> {
        let mut builder = Response::builder();
        let body = match result {
            Ok(reply) => {
                builder = builder.status(reply.status);
                if reply.body.is_some() {
                    builder = builder.header(header::CONTENT_TYPE, "application/json");
                }
                reply.body.map(|b| Body::Text(b.to_string())).unwrap_or(Body::Empty)
            }
            Err(err) => {
                log_cause(&err);
                // The API's one error writer: status, content type, Retry-After, WWW-Authenticate.
                let (parts, body) = err.to_response().into_parts();
                builder = builder.status(parts.status);
                for (name, value) in &parts.headers {
                    builder = builder.header(name, value);
                }
                Body::Text(body)
            }
        };
        if let Some(id) = self.request_id.as_deref().and_then(|id| HeaderValue::from_str(id).ok()) {
            builder = builder.header("x-request-id", id);
        }
        for (name, value) in cors.headers(self.origin.as_deref()) {
            builder = builder.header(name, value);
        }
        builder.body(body).unwrap_or_else(|err| {
            tracing::error!(error = %err, "response did not build");
            let mut fallback = Response::new(Body::Text(ApiError::internal().body().to_string()));
            *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
    }
}

/// Logs what went wrong behind an error answer, once, here where the response is written: the
/// conversions that build an [`ApiError`] stay free of side effects, and the body keeps only the
/// generic message.
fn log_cause(err: &ApiError) {
    if let Some(cause) = &err.cause {
        tracing::error!(status = err.status().as_u16(), code = %cause.code, message = %cause.message, "Cognito call failed");
    }
}

/// The operation a request was sent to, among one function's operations (`Op`, such as
/// [`api_types::routes::RefreshOperation`]), for a function none of whose routes asks how the
/// caller signed in: looked up by method and API Gateway's resource template (see [`route`]) in
/// the route table. A route the function does not serve is the 404 of [`no_route`], so a handler
/// matches `Op` exhaustively. A route with a [`api_types::routes::SignInRequirement`] is refused with a 500 (a bug:
/// its function must use [`operation_with_step_up`]), never served unchecked.
pub fn operation<Op: TryFrom<Operation>>(req: &Request) -> Result<Op, ApiError> {
    let (found, operation) = served_route::<Op>(req)?;
    if !found.sign_in.is_none() {
        tracing::error!(operation = found.operation.id(), "route with a sign-in requirement served without its check");
        return Err(ApiError::internal());
    }
    Ok(operation)
}

/// [`operation`] for a function whose routes may ask how strongly and how recently the caller
/// signed in: the route's [`api_types::routes::SignInRequirement`] is checked against the caller (the authorizer's
/// context: its `acr` and `auth_time`) with the values of `requirements`, now, before the handler
/// runs ([`SignInRequirements::check`]). Not met is the 401 with RFC 9470's challenge naming the
/// `acr_values` and `max_age` the route asks for; no caller, the 401 of [`require_caller`].
pub fn operation_with_step_up<Op: TryFrom<Operation>>(
    req: &Request,
    requirements: &SignInRequirements,
) -> Result<Op, ApiError> {
    let (found, operation) = served_route::<Op>(req)?;
    if !found.sign_in.is_none() {
        let caller = require_caller(req)?;
        if let Err(err) = requirements.check(found.sign_in, &caller, auth_domain::unix_time()) {
            tracing::info!(decision = "step-up", operation = found.operation.id(), "caller refused");
            return Err(err.into());
        }
    }
    Ok(operation)
}

/// The route a request was sent to and its operation, when it is one of `Op`; else the 404.
fn served_route<Op: TryFrom<Operation>>(req: &Request) -> Result<(&'static Route, Op), ApiError> {
    let (method, resource) = route(req);
    let found = Route::of(&method, &resource).ok_or_else(|| no_route(req))?;
    let operation = Op::try_from(found.operation).map_err(|_| no_route(req))?;
    Ok((found, operation))
}

/// The 404 for a route the function does not serve.
pub(crate) fn no_route(req: &Request) -> ApiError {
    let (method, path) = route(req);
    ApiError::new(ErrorCode::NotFound, format!("No route for {method} {path}."))
}

#[cfg(test)]
mod tests {
    use api_types::{
        ErrorCode,
        routes::{AuthOperation, UsersOperation},
    };

    use super::*;

    fn answer(err: ApiError) -> Response<Body> {
        respond(&Request::default(), &Cors::default(), Err(err))
    }

    fn text(body: &Body) -> String {
        match body {
            Body::Text(text) => text.clone(),
            _ => String::new(),
        }
    }

    /// A POST /auth/sign-in from `source_ip` with `headers`, as API Gateway hands it over.
    fn sign_in_from(source_ip: &str, headers: serde_json::Value) -> Request {
        let multi: serde_json::Map<String, serde_json::Value> = headers
            .as_object()
            .map(|map| map.iter().map(|(k, v)| (k.clone(), serde_json::json!([v]))).collect())
            .unwrap_or_default();
        request_with("POST", "/auth/sign-in", "/auth/sign-in", source_ip, headers, multi.into())
    }

    #[test]
    fn the_caller_is_the_address_api_gateway_saw_never_x_forwarded_for() {
        // GIVEN a request from 203.0.113.9 that claims another address and carries credentials
        let req = sign_in_from(
            "203.0.113.9",
            serde_json::json!({
                "X-Forwarded-For": "198.51.100.1", "User-Agent": "Firefox", "Cookie": "session=SECRET",
                "Authorization": "Bearer SECRET", "Host": "api.example.com", "X-Cognito-Encoded-Data": "fingerprint",
            }),
        );
        // WHEN its context data is read
        let context = context_data(&req).unwrap();
        // THEN Cognito is told API Gateway's source address, host, path and fingerprint
        assert_eq!(context.ip_address.as_deref(), Some("203.0.113.9"));
        assert_eq!(
            (context.server_name.as_str(), context.server_path.as_str()),
            ("api.example.com", "/prod/auth/sign-in")
        );
        assert_eq!(context.encoded_data.as_deref(), Some("fingerprint"));
        // AND only headers that describe the device, none that authenticate or claim an address
        let names: Vec<&str> = context.http_headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["host", "user-agent"]);
    }

    fn fingerprint(value: &str) -> Result<ContextData, ApiError> {
        context_data(&sign_in_from("203.0.113.9", serde_json::json!({ ENCODED_DATA_HEADER: value })))
    }

    #[test]
    fn a_fingerprint_over_the_limit_or_not_visible_ascii_is_a_400_naming_the_header() {
        for value in ["x".repeat(ENCODED_DATA_MAX_CHARS + 1), "two words".into(), "caf\u{e9}".into()] {
            let err = fingerprint(&value).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{value}");
            assert!(err.body().to_string().contains(ENCODED_DATA_HEADER), "{}", err.body());
        }
        assert!(fingerprint(&"x".repeat(ENCODED_DATA_MAX_CHARS)).is_ok());
    }

    #[test]
    fn an_empty_fingerprint_is_none() {
        assert_eq!(fingerprint("").unwrap().encoded_data, None);
    }

    #[test]
    fn a_source_that_is_not_an_ip_address_is_no_address() {
        // API Gateway's console test invocations, and requests that did not come through it.
        let console = sign_in_from("test-invoke-source-ip", serde_json::json!({}));
        assert_eq!(context_data(&console).unwrap().ip_address, None);
        assert_eq!(context_data(&Request::default()).unwrap().ip_address, None);
        let v6 = sign_in_from("2001:db8::7", serde_json::json!({}));
        assert_eq!(context_data(&v6).unwrap().ip_address.as_deref(), Some("2001:db8::7"));
    }

    #[test]
    fn an_upstream_failure_answers_the_generic_502_and_keeps_its_cause_out_of_the_body() {
        let response = answer(ApiError::upstream().with_cause("InternalErrorException", "pool us-east-1_x broke"));
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        let body = text(response.body());
        assert!(body.contains("UpstreamError") && !body.contains("broke") && !body.contains("Internal"), "{body}");
    }

    #[test]
    fn retry_after_is_sent_only_when_the_error_asks_for_it() {
        let throttled = answer(ApiError::new(ErrorCode::TooManyRequests, "slow down").with_retry_after(1));
        assert_eq!(throttled.headers()[header::RETRY_AFTER], "1");
        let locked = answer(ApiError::new(ErrorCode::PasswordAttemptsExceeded, "wait"));
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(!locked.headers().contains_key(header::RETRY_AFTER));
    }

    fn request_to(method: &str, resource: &str) -> Request {
        request_with(method, resource, "/users/alice", "203.0.113.9", serde_json::Value::Null, serde_json::Value::Null)
    }

    /// A REST proxy event for `method` on `resource` at `path` from `source_ip`, read as in Lambda.
    fn request_with(
        method: &str,
        resource: &str,
        path: &str,
        source_ip: &str,
        headers: serde_json::Value,
        multi_value_headers: serde_json::Value,
    ) -> Request {
        let event = serde_json::json!({
            "resource": resource, "path": path, "httpMethod": method,
            "headers": headers, "multiValueHeaders": multi_value_headers,
            "requestContext": {
                "stage": "prod", "resourcePath": resource, "httpMethod": method, "path": format!("/prod{path}"),
                "domainName": "api.example.com", "identity": {"sourceIp": source_ip},
            },
        });
        request_from_event(&event.to_string()).unwrap()
    }

    /// One invocation of [`serve`] with `event`, its handler answering 200 `{"served": true}`.
    async fn invoke(event: serde_json::Value) -> Result<ApiGatewayProxyResponse, lambda_http::Error> {
        let handler = |req: Request| async move {
            respond(&req, &Cors::new("https://app.example.com"), Ok(Reply::ok(serde_json::json!({"served": true}))))
        };
        let event = lambda_http::LambdaEvent::new(event, lambda_http::Context::default());
        invocation(&Cors::new("https://app.example.com"), &handler, event).await
    }

    fn rest_event(headers: serde_json::Value) -> serde_json::Value {
        let multi: serde_json::Map<String, serde_json::Value> = headers
            .as_object()
            .map(|map| map.iter().map(|(k, v)| (k.clone(), serde_json::json!([v]))).collect())
            .unwrap_or_default();
        serde_json::json!({
            "resource": "/me", "path": "/me", "httpMethod": "GET", "headers": headers, "multiValueHeaders": multi,
            "requestContext": {
                "stage": "prod", "resourcePath": "/me", "httpMethod": "GET", "path": "/prod/me",
                "requestId": "req-1", "domainName": "api.example.com", "identity": {"sourceIp": "203.0.113.9"},
            },
        })
    }

    #[tokio::test]
    async fn an_event_the_function_cannot_read_is_answered_400_with_the_apis_error_body() {
        // GIVEN REST events with a header no URI can hold (lambda_http aborted the process on them)
        for (name, value) in
            [("X-Forwarded-Proto", "1"), ("Host", "bad host"), ("Host", "[::1"), ("Host", "api.example.com:99999")]
        {
            let event = rest_event(serde_json::json!({name: value, "Origin": "https://app.example.com"}));
            // WHEN the function is invoked with one
            let answer = invoke(event).await.unwrap();
            // THEN it answers: 400, the API's JSON error body naming the header, request id, CORS
            assert_eq!(answer.status_code, 400, "{name}: {value}");
            let body = match &answer.body {
                Some(Body::Text(text)) => serde_json::from_str::<serde_json::Value>(text).unwrap(),
                other => panic!("{other:?}"),
            };
            assert_eq!(body["error"]["code"], "BadRequest", "{body}");
            assert_eq!(body["error"]["field"], name, "{body}");
            let headers = &answer.multi_value_headers;
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(headers["x-request-id"], "req-1");
            assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
        }
    }

    #[tokio::test]
    async fn a_readable_event_reaches_the_handler_and_what_is_no_event_fails_the_invocation() {
        let served = invoke(rest_event(serde_json::json!({"X-Forwarded-Port": "odd"}))).await.unwrap();
        assert_eq!(served.status_code, 200);
        assert_eq!(served.body, Some(Body::Text(r#"{"served":true}"#.into())));
        assert!(invoke(serde_json::json!({"hello": "world"})).await.is_err());
    }

    mod access_token {
        use crate::testing::{
            CALLER_SUB, access_token_event, authorized_event, caller_bearer_token, json, request, with_header,
        };

        use super::*;

        #[test]
        fn the_callers_access_token_is_the_bearer_the_authorizer_vouched_for() {
            // GIVEN a request the authorizer let in with the caller's access token
            let req = request(&access_token_event("POST", "/auth/sign-out", None));
            // WHEN the handler takes the caller's access token
            let token = caller_access_token(&req).unwrap();
            // THEN it is the bearer, and the caller is who the context names
            assert_eq!((token.expose(), token.sub()), (caller_bearer_token().as_str(), CALLER_SUB));
        }

        #[test]
        fn an_id_token_context_on_an_access_token_route_is_a_401() {
            // GIVEN the authorizer verified an ID token, though the bearer looks like the access token
            let event = authorized_event("POST", "/auth/sign-out", None);
            let req = request(&with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token())));
            // WHEN the handler takes the caller's access token, THEN it is a 401
            let err = caller_access_token(&req).unwrap_err();
            assert_eq!((err.status(), err.code), (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized), "{err:?}");
        }

        #[test]
        fn an_access_token_context_without_a_bearer_is_a_401() {
            let mut event = access_token_event("POST", "/auth/sign-out", None);
            for headers in ["headers", "multiValueHeaders"] {
                if let Some(map) = event[headers].as_object_mut() {
                    map.remove("Authorization");
                }
            }
            let err = caller_access_token(&request(&event)).unwrap_err();
            assert_eq!(err.status(), StatusCode::UNAUTHORIZED, "{err:?}");
        }

        #[test]
        fn a_bearer_that_is_not_the_token_the_authorizer_vouched_for_is_a_403() {
            // GIVEN an access-token context for the caller, and someone else's token as the bearer
            let theirs = auth_domain::testing::access_token_of("someone-else");
            let event = with_header(
                access_token_event("POST", "/auth/sign-out", None),
                "Authorization",
                &format!("Bearer {theirs}"),
            );
            // WHEN the handler takes the caller's access token, THEN it is a 403
            let err = caller_access_token(&request(&event)).unwrap_err();
            assert_eq!((err.status(), err.code), (StatusCode::FORBIDDEN, ErrorCode::Forbidden), "{err:?}");
        }

        #[test]
        fn two_authorization_headers_are_a_401_even_when_both_are_the_callers() {
            // GIVEN a request carrying the caller's access token twice
            let bearer = format!("Bearer {}", caller_bearer_token());
            let mut event = access_token_event("POST", "/auth/sign-out", None);
            event["multiValueHeaders"]["Authorization"] = json!([bearer, bearer]);
            // WHEN the handler takes the caller's access token, THEN it is a 401: which one the
            // authorizer verified is not known
            let err = caller_access_token(&request(&event)).unwrap_err();
            assert_eq!(err.status(), StatusCode::UNAUTHORIZED, "{err:?}");
        }
    }

    mod optional_body {
        use base64::Engine;

        use crate::testing::{authorized_event, json, request};

        use super::*;

        /// A body with one optional field, as `POST /auth/sign-out` takes.
        #[derive(Debug, Default, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Optional {
            note: Option<String>,
        }

        fn read(body: Option<&str>) -> Result<Optional, ApiError> {
            optional_json_body(&request(&authorized_event("POST", "/auth/sign-out", body)))
        }

        #[test]
        fn a_body_left_out_or_blank_is_the_default() {
            for body in [None, Some(""), Some(" \r\n\t ")] {
                assert_eq!(read(body).unwrap(), Optional::default(), "{body:?}");
            }
            // A blank body API Gateway passes on base64-encoded, too.
            let mut event = authorized_event("POST", "/auth/sign-out", None);
            event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(" \n"));
            event["isBase64Encoded"] = json!(true);
            assert_eq!(optional_json_body::<Optional>(&request(&event)).unwrap(), Optional::default());
        }

        #[test]
        fn a_body_that_is_there_is_parsed_as_strictly_as_a_required_one() {
            assert_eq!(read(Some(r#"{"note":"x"}"#)).unwrap(), Optional { note: Some("x".into()) });
            for body in ["{not json", "null", r#"{"other":1}"#] {
                let err = read(Some(body)).unwrap_err();
                assert_eq!((err.status(), err.code), (StatusCode::BAD_REQUEST, ErrorCode::BadRequest), "{body}");
            }
        }
    }

    #[test]
    fn a_request_is_dispatched_on_its_routes_operation_and_another_functions_route_is_404() {
        // GIVEN a request for the users function's GET /users/{username}
        let req = request_to("GET", "/users/{username}");

        // THEN the users function sees its operation, and the auth function the 404 for it
        assert_eq!(operation::<UsersOperation>(&request_to("GET", "/me")).unwrap_err().code, ErrorCode::NotFound);
        let not_ours = operation::<AuthOperation>(&req).unwrap_err();
        assert_eq!(not_ours.code, ErrorCode::NotFound);
        assert_eq!(not_ours.message, "No route for GET /users/{username}.");
        // AND a method the table does not have is the 404 too
        let unknown = operation::<UsersOperation>(&request_to("PATCH", "/users/{username}")).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::NotFound);
    }

    #[test]
    fn a_route_with_a_sign_in_requirement_is_never_served_unchecked() {
        // GIVEN GET /users, which needs the administration level, from no caller at all
        let req = request_to("GET", "/users/{username}");
        // WHEN a function dispatches it without the requirements THEN it is a 500, not served
        assert_eq!(operation::<UsersOperation>(&req).unwrap_err().code, ErrorCode::InternalError);
        // AND with them, it is the 401 of no caller
        let requirements = SignInRequirements::default();
        let refused = operation_with_step_up::<UsersOperation>(&req, &requirements).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Unauthorized);
        // AND a route without a requirement needs no caller to be dispatched
        assert_eq!(
            operation_with_step_up::<AuthOperation>(&request_to("POST", "/auth/sign-in"), &requirements),
            Ok(AuthOperation::SignIn)
        );
        assert_eq!(operation::<AuthOperation>(&request_to("GET", "/me")), Ok(AuthOperation::Me));
    }
}
