//! What every function shares at the Lambda edge, and nothing more: reading the event, the
//! route, the caller, the path parameters and the JSON body from an API Gateway request, and
//! writing JSON responses with the request id and CORS headers. Domain code never sees a Lambda
//! type.
#![deny(missing_docs)]

pub mod cors;
pub mod event;
pub mod path;

use api_types::{ApiError, AuthorizerContext, ErrorCode, parse_body, routes::Operation};
use lambda_http::{
    Body, Request, RequestExt, Response,
    http::{HeaderValue, StatusCode, header},
    request::RequestContext,
};
use serde::{Serialize, de::DeserializeOwned};

pub use cors::Cors;
pub use event::{authorization_count, request_from_event};
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

/// Runs the Lambda: reads each event with [`request_from_event`] (not `lambda_http::run`, whose
/// request keeps one value of a repeated `Authorization` header) and hands the request to
/// `handler` (typically `|req| handle(&state, req)` over the state built at init), within
/// [`REQUEST_DEADLINE`]. The handler answers every request itself, errors included; `cors` is
/// for the one answer it cannot write, the 502 when the deadline passes. An event that is not a
/// REST proxy event fails the invocation (API Gateway answers 502), as with `lambda_http`.
pub async fn serve<F, Fut>(cors: Cors, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let (cors, handler) = (&cors, &handler);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| async move {
            let lambda_http::LambdaEvent { payload, context } = event;
            let mut req = request_from_event(&payload.to_string()).map_err(lambda_http::Error::from)?;
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
            Ok::<_, lambda_http::Error>(event::proxy_response(response))
        },
    ))
    .await
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
/// [`api_types::routes::AuthOperation`]): looked up by method and API Gateway's resource template
/// (see [`route`]) in the route table. A route the function does not serve is the 404 of
/// [`no_route`], so a handler matches `Op` exhaustively.
pub fn operation<Op: TryFrom<Operation>>(req: &Request) -> Result<Op, ApiError> {
    let (method, resource) = route(req);
    Operation::of(&method, &resource).and_then(|operation| Op::try_from(operation).ok()).ok_or_else(|| no_route(req))
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
        let event = serde_json::json!({
            "resource": resource, "path": "/users/alice", "httpMethod": method,
            "requestContext": {"stage": "prod", "resourcePath": resource, "httpMethod": method, "path": "/prod/users/alice"},
        });
        request_from_event(&event.to_string()).unwrap()
    }

    #[test]
    fn a_request_is_dispatched_on_its_routes_operation_and_another_functions_route_is_404() {
        // GIVEN a request for the users function's GET /users/{username}
        let req = request_to("GET", "/users/{username}");

        // THEN the users function sees its operation, and the auth function the 404 for it
        assert_eq!(operation::<UsersOperation>(&req), Ok(UsersOperation::GetUser));
        let not_ours = operation::<AuthOperation>(&req).unwrap_err();
        assert_eq!(not_ours.code, ErrorCode::NotFound);
        assert_eq!(not_ours.message, "No route for GET /users/{username}.");
        // AND a method the table does not have is the 404 too
        let unknown = operation::<UsersOperation>(&request_to("PATCH", "/users/{username}")).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::NotFound);
    }
}
