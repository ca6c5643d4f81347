//! Reading an API Gateway REST proxy event (payload v1) into the request the handlers take, and
//! writing their response back as the proxy response API Gateway expects.
//!
//! `lambda_http` does both, but not in a way a function can rely on:
//!
//! - Its request merges `headers` over `multiValueHeaders`: of a repeated header only the value
//!   in `headers` (the last one) survives. For `Authorization` that hides what matters. A REST
//!   `TOKEN` authorizer is handed one value of it and the handler another, so a request with two
//!   of them could be authorized on one token and served on the other. [`request_from_event`]
//!   therefore counts every `Authorization` value of the event, and [`crate::caller`] refuses a
//!   request that carries more than one (see [`authorization_count`]).
//! - Its conversion panics on input a client controls (lambda_http 1.3, `request.rs`:
//!   `build_request_uri` unwraps `Url::parse` of `{X-Forwarded-Proto}://{Host}{path}`, so
//!   `X-Forwarded-Proto: 1` or an unparsable `Host` panics; `Body::from_maybe_encoded` expects
//!   valid base64), and the release profile has `panic = "abort"`: one odd request would kill
//!   the process and every invocation it was about to serve. [`request_from_event`] builds the
//!   same request itself without a panic path, and an event whose request cannot be read is
//!   [`EventError::Unreadable`], which [`crate::serve`] answers with a 400.

use api_types::{ApiError, ErrorCode};
use base64::Engine as _;
use lambda_http::{
    Body, Request, RequestExt, Response,
    aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse},
    http::{
        self, Uri,
        header::{self, HeaderName, HeaderValue},
        uri::{Authority, PathAndQuery, Scheme},
    },
    request::RequestContext,
};
use serde::Deserialize as _;
use serde_json::{Map, Value};

/// Why an event did not become a request.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Not an API Gateway REST proxy event (not JSON, or not shaped as one): the invocation
    /// fails and API Gateway answers its own 502, as with `lambda_http`. Only the kind of JSON
    /// error is kept: its text may quote a header's value, an `Authorization` one too, and it
    /// would go back to the invoker and into logs.
    #[error("not an API Gateway REST proxy event (JSON {0:?} error)")]
    NotAnEvent(serde_json::error::Category),
    /// A REST proxy event whose request cannot be read: answered with the 400 of
    /// [`Unreadable::respond`], never a failed invocation nor a dead process.
    #[error("unreadable request: {0}")]
    Unreadable(Box<Unreadable>),
}

/// A REST proxy event the function cannot read as a request: a header that cannot be part of
/// the request's URI (`X-Forwarded-Proto: 1`, an unparsable `Host`), a header name or value that
/// is not HTTP, a base64 body that is not base64. Keeps what the 400 answering it echoes.
#[derive(Debug)]
pub struct Unreadable {
    /// The 400, naming the part at fault.
    pub error: ApiError,
    /// What exactly went wrong, for the log only.
    pub detail: String,
    /// `requestContext.requestId`, for `x-request-id`.
    pub(crate) request_id: Option<String>,
    /// The `Origin` header, for CORS.
    pub(crate) origin: Option<String>,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.error.message, self.detail)
    }
}

/// How many `Authorization` values the event carried, all spellings and both header maps taken
/// together: kept with the request, because the request's own headers keep only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AuthorizationValues(usize);

/// Reads an API Gateway REST proxy event as a request (see [`request_from_value`]). This is the
/// one way an event becomes a request: in Lambda ([`crate::serve`]), in the local gateway and in
/// tests.
pub fn request_from_event(event: &str) -> Result<Request, EventError> {
    request_from_value(&serde_json::from_str(event).map_err(|err| EventError::NotAnEvent(err.classify()))?)
}

/// Header names in one map, and header values in all, above which an event is refused before it
/// is read: `http`'s header map panics past 24,576 names, and API Gateway's 10 KiB limit on a
/// request's headers keeps a real event far below these (only a direct invoke can go past).
const MAX_HEADER_NAMES: usize = 2_000;
/// See [`MAX_HEADER_NAMES`].
const MAX_HEADER_VALUES: usize = 10_000;

/// Whether `event` carries more headers than any request through API Gateway can.
fn has_too_many_headers(event: &Value) -> bool {
    let maps = ["headers", "multiValueHeaders"].map(|name| event.get(name).and_then(Value::as_object));
    let names = maps.iter().flatten().map(|map| map.len());
    let values: usize =
        maps.iter().flatten().flat_map(|map| map.values()).map(|v| v.as_array().map_or(1, Vec::len)).sum();
    names.into_iter().any(|n| n > MAX_HEADER_NAMES) || values > MAX_HEADER_VALUES
}

/// Reads an API Gateway REST proxy event as a request, the request `lambda_http` reads
/// (`lambda_http::request::from_str`: the same method, headers, body and extensions; the URI
/// `{X-Forwarded-Proto or https}://{Host or requestContext.domainName}/{stage}{path}?{query}`),
/// and remembers how many `Authorization` values it carried (see [`authorization_count`]).
///
/// Where `lambda_http` would panic, this answers [`EventError::Unreadable`]: a `Host`,
/// `requestContext.domainName` or `X-Forwarded-Proto` that cannot be part of a URI, a base64
/// body that does not decode; and also a header that is not HTTP, which `lambda_http` refuses as
/// a malformed event. Characters a URI path cannot hold are percent-encoded (as `lambda_http`'s
/// `Url` does), so no path is unreadable; unlike `Url`, dot segments are kept as sent, and
/// `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` is not read (the stage is always in the URI's path).
/// Nothing the handlers read comes from the URI: they route on `requestContext.resourcePath`.
pub fn request_from_value(event: &Value) -> Result<Request, EventError> {
    if has_too_many_headers(event) {
        return Err(if is_rest_event(event) {
            unreadable(event, not_http())
        } else {
            EventError::NotAnEvent(serde_json::error::Category::Data)
        });
    }
    let proxy = match ApiGatewayProxyRequest::deserialize(event) {
        Ok(proxy) => proxy,
        // The error's text is not logged: it may quote a header's value, an `Authorization` one too.
        Err(_) if is_rest_event(event) => return Err(unreadable(event, not_http())),
        Err(err) => return Err(EventError::NotAnEvent(err.classify())),
    };
    let authorization = match HeaderMaps::deserialize(event) {
        Ok(maps) => maps.authorization_count(),
        // Fail closed: a count that cannot be taken is no request at all.
        Err(_) => return Err(unreadable(event, not_http())),
    };
    let mut request = into_request(proxy).map_err(|refusal| unreadable(event, *refusal))?;
    request.extensions_mut().insert(AuthorizationValues(authorization));
    Ok(request)
}

/// Why a request cannot be read: the 400 and the detail for the log (boxed: the rare path).
type Refusal = Box<(ApiError, String)>;

fn refusal(error: ApiError, detail: impl Into<String>) -> Refusal {
    Box::new((error, detail.into()))
}

/// The 400 for a REST event that does not read as a request at all: a header name or value that
/// is not HTTP, a method that is none.
fn not_http() -> (ApiError, String) {
    (ApiError::new(ErrorCode::BadRequest, UNREADABLE), "a header, the method or a field is not HTTP".into())
}

/// The message of a 400 for an event whose headers or body cannot be read at all.
const UNREADABLE: &str = "The request could not be read.";

/// Whether `event` is shaped as a REST proxy event (what API Gateway sends a function always
/// has), so that failing to read it is the request's fault rather than the caller's.
fn is_rest_event(event: &Value) -> bool {
    event.get("httpMethod").is_some() && event.get("requestContext").is_some_and(Value::is_object)
}

fn unreadable(event: &Value, (error, detail): (ApiError, String)) -> EventError {
    let request_id = event.pointer("/requestContext/requestId").and_then(Value::as_str).map(str::to_string);
    let origin = event.get("headers").and_then(Value::as_object).and_then(|headers| {
        headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("origin")).and_then(|(_, v)| v.as_str())
    });
    EventError::Unreadable(Box::new(Unreadable { error, detail, request_id, origin: origin.map(str::to_string) }))
}

/// `lambda_http`'s `into_proxy_request` (lambda_http 1.3), each step that can fail answered.
fn into_request(proxy: ApiGatewayProxyRequest) -> Result<Request, Refusal> {
    let uri = request_uri(&proxy)?;
    let body = match proxy.body.as_deref() {
        None => Body::Empty,
        Some(text) if proxy.is_base64_encoded => match base64::engine::general_purpose::STANDARD.decode(text) {
            Ok(bytes) => Body::from(bytes),
            Err(err) => {
                return Err(refusal(
                    ApiError::bad_field("body", "The request body is not valid base64."),
                    err.to_string(),
                ));
            }
        },
        Some(text) => Body::from(text),
    };
    let mut request = http::Request::builder()
        .method(proxy.http_method)
        .uri(uri)
        .body(body)
        .map_err(|err| refusal(ApiError::new(ErrorCode::BadRequest, UNREADABLE), err.to_string()))?;
    // multiValueHeaders is the canonical source; a name in `headers` replaces its values there.
    let mut headers = proxy.multi_value_headers;
    headers.extend(proxy.headers);
    *request.headers_mut() = headers;
    // Multi-valued query parameters are a superset of the single-valued ones: preferred when present.
    let query = if proxy.multi_value_query_string_parameters.is_empty() {
        proxy.query_string_parameters
    } else {
        proxy.multi_value_query_string_parameters
    };
    Ok(request
        .with_raw_http_path(proxy.path.unwrap_or_default())
        .with_query_string_parameters(query)
        .with_path_parameters(proxy.path_parameters)
        .with_stage_variables(proxy.stage_variables)
        .with_request_context(RequestContext::ApiGatewayV1(proxy.request_context)))
}

/// The request's URI, from what `lambda_http` builds it of: the scheme from `X-Forwarded-Proto`
/// (`https` when absent), the authority from `Host` (else `requestContext.domainName`; a
/// relative URI without either), the stage and the path, the query string. Headers are read from
/// `headers`, and one that is not visible ASCII counts as absent, both as in `lambda_http`.
fn request_uri(proxy: &ApiGatewayProxyRequest) -> Result<Uri, Refusal> {
    let text = |name: &HeaderName| proxy.headers.get(name).and_then(|v| v.to_str().ok());
    let path = path_and_query(proxy)?;
    let host = match text(&header::HOST) {
        Some(host) => Some(("Host", host)),
        None => proxy.request_context.domain_name.as_deref().map(|host| ("requestContext.domainName", host)),
    };
    let Some((host_field, host)) = host else {
        return Ok(Uri::from(path));
    };
    let proto = text(&HeaderName::from_static("x-forwarded-proto"));
    let scheme = match proto {
        None => Scheme::HTTPS,
        Some(proto) => uri_scheme(proto).ok_or_else(|| {
            let error = ApiError::bad_field("X-Forwarded-Proto", "The X-Forwarded-Proto header is not a URI scheme.");
            refusal(error, format!("X-Forwarded-Proto {proto:?}"))
        })?,
    };
    let authority = uri_authority(host).ok_or_else(|| {
        let name = if host_field == "Host" { "The Host header" } else { "The API's domain name" };
        refusal(
            ApiError::bad_field(host_field, format!("{name} is not a host name.")),
            format!("{host_field} {host:?}"),
        )
    })?;
    Uri::builder()
        .scheme(scheme)
        .authority(authority)
        .path_and_query(path)
        .build()
        .map_err(|err| refusal(ApiError::new(ErrorCode::BadRequest, UNREADABLE), err.to_string()))
}

/// A URI scheme (RFC 3986, section 3.1: a letter, then letters, digits, `+`, `-` or `.`).
fn uri_scheme(text: &str) -> Option<Scheme> {
    let mut bytes = text.bytes();
    let first = bytes.next()?;
    let valid = first.is_ascii_alphabetic() && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid {
        return None;
    }
    text.parse().ok()
}

/// A URI authority that is a host and an optional port, as `Url` reads one: no user information
/// (which would make the URI name another host than the header does), a port that is a number
/// below 65536, an empty port dropped.
fn uri_authority(text: &str) -> Option<Authority> {
    let text = text.strip_suffix(':').unwrap_or(text);
    let authority: Authority = text.parse().ok()?;
    let port = authority.port();
    let host_is_whole = authority.host().len() + port.as_ref().map_or(0, |p| p.as_str().len() + 1) == text.len();
    let port_is_valid = port.is_none_or(|p| p.as_str().parse::<u16>().is_ok());
    (!authority.host().is_empty() && host_is_whole && port_is_valid).then_some(authority)
}

/// The stage and the path (`/prod/users/ann`), percent-encoded where a URI path cannot hold a
/// character, and the query string as `lambda_http` writes it (form-encoded from the parameters).
fn path_and_query(proxy: &ApiGatewayProxyRequest) -> Result<PathAndQuery, Refusal> {
    let raw = proxy.path.as_deref().unwrap_or_default();
    let staged = match proxy.request_context.stage.as_deref() {
        None | Some("$default") => raw.to_string(),
        Some(stage) if raw.starts_with(&format!("/{stage}/")) => raw.to_string(),
        Some(stage) => format!("/{stage}{raw}"),
    };
    let mut text = String::with_capacity(staged.len() + 1);
    if !staged.starts_with('/') {
        text.push('/');
    }
    for byte in staged.bytes() {
        // `Url`'s path percent-encode set (WHATWG URL: controls, space, `"`, `#`, `<`, `>`, `?`,
        // backtick, `{`, `}`, and all outside ASCII): any other byte is one a URI path accepts.
        if byte <= b' ' || byte >= 0x7F || b"\"#<>?`{}".contains(&byte) {
            text.push_str(&format!("%{byte:02X}"));
        } else {
            text.push(char::from(byte));
        }
    }
    let query = match (proxy.multi_value_query_string_parameters.is_empty(), proxy.query_string_parameters.is_empty()) {
        (false, _) => proxy.multi_value_query_string_parameters.to_query_string(),
        (true, false) => proxy.query_string_parameters.to_query_string(),
        (true, true) => String::new(),
    };
    if !query.is_empty() {
        text.push('?');
        text.push_str(&query);
    }
    PathAndQuery::try_from(text)
        .map_err(|err| refusal(ApiError::bad_field("path", "The request path is not a URI path."), err.to_string()))
}

/// How many `Authorization` values the request came with: what the event carried when it was
/// read by [`request_from_event`], at least what its headers hold. More than one is ambiguous
/// and [`crate::caller`] treats it as no caller at all.
pub fn authorization_count(req: &Request) -> usize {
    let in_headers = req.headers().get_all(header::AUTHORIZATION).iter().count();
    let in_event = req.extensions().get::<AuthorizationValues>().map_or(0, |values| values.0);
    in_headers.max(in_event)
}

/// The two header maps of a REST proxy event, and nothing else of it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderMaps {
    #[serde(default)]
    headers: Option<Map<String, Value>>,
    #[serde(default)]
    multi_value_headers: Option<Map<String, Value>>,
}

impl HeaderMaps {
    /// The distinct `Authorization` values of both maps, under any letter case: every entry of
    /// `multiValueHeaders` counts (two identical headers are still two), and a value of
    /// `headers` that `multiValueHeaders` lacks counts too (the maps should agree; if they do
    /// not, the handler and the authorizer could read different ones).
    fn authorization_count(&self) -> usize {
        let named = |map: &Option<Map<String, Value>>| -> Vec<String> {
            let Some(map) = map else { return Vec::new() };
            map.iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(header::AUTHORIZATION.as_str()))
                .flat_map(|(_, value)| match value {
                    Value::Array(values) => values.iter().map(text).collect(),
                    Value::Null => Vec::new(),
                    other => vec![text(other)],
                })
                .collect()
        };
        let mut values = named(&self.multi_value_headers);
        for single in named(&self.headers) {
            if !values.contains(&single) {
                values.push(single);
            }
        }
        values.len()
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The proxy response (payload v1) for `response`, as `lambda_http` writes it: headers in
/// `multiValueHeaders` only (API Gateway merges the two maps, so a header in both would be sent
/// twice), a binary body base64-encoded.
pub fn proxy_response(response: Response<Body>) -> ApiGatewayProxyResponse {
    let (parts, body) = response.into_parts();
    let (body, is_base64_encoded) = match body {
        Body::Empty => (None, false),
        text @ Body::Text(_) => (Some(text), false),
        binary @ Body::Binary(_) => (Some(binary), true),
        _ => (None, false),
    };
    let mut proxy = ApiGatewayProxyResponse::default();
    proxy.status_code = i64::from(parts.status.as_u16());
    proxy.multi_value_headers = parts.headers;
    proxy.body = body;
    proxy.is_base64_encoded = is_base64_encoded;
    proxy
}

/// Tells downstream calls which X-Ray trace this invocation belongs to, as `lambda_http` does.
pub(crate) fn set_trace_header(req: &mut Request, trace_id: Option<&str>) {
    if let Some(value) = trace_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        req.headers_mut().insert(HeaderName::from_static("x-amzn-trace-id"), value);
    }
}

#[cfg(test)]
mod tests {
    use lambda_http::RequestExt;
    use serde_json::json;

    use super::*;

    fn event(headers: Value, multi_value_headers: Value) -> String {
        json!({
            "resource": "/me", "path": "/me", "httpMethod": "GET",
            "headers": headers, "multiValueHeaders": multi_value_headers,
            "requestContext": {"stage": "prod", "resourcePath": "/me", "httpMethod": "GET", "path": "/prod/me"},
        })
        .to_string()
    }

    #[test]
    fn counts_every_authorization_value_lambda_http_would_drop() {
        // GIVEN events with one, two, or differently spelled Authorization headers
        for (headers, multi, count) in [
            (json!({"Authorization": "Bearer a"}), json!({"Authorization": ["Bearer a"]}), 1),
            (json!({"Authorization": "Bearer b"}), json!({"Authorization": ["Bearer a", "Bearer b"]}), 2),
            (json!({"Authorization": "Bearer a"}), json!({"Authorization": ["Bearer a", "Bearer a"]}), 2),
            (
                json!({"authorization": "Bearer b"}),
                json!({"Authorization": ["Bearer a"], "authorization": ["Bearer b"]}),
                2,
            ),
            (json!({"Authorization": "Bearer b"}), json!({"Authorization": ["Bearer a"]}), 2),
            (json!({"Authorization": "Bearer a"}), Value::Null, 1),
            (json!({"Accept": "*/*"}), json!({"Accept": ["*/*"]}), 0),
            (Value::Null, Value::Null, 0),
        ] {
            // WHEN the event is read
            let request = request_from_event(&event(headers.clone(), multi.clone())).unwrap();
            // THEN the request knows how many there were, though its headers keep one
            assert_eq!(authorization_count(&request), count, "{headers} {multi}");
            assert!(request.headers().get_all(header::AUTHORIZATION).iter().count() <= 1);
        }
    }

    /// A REST proxy event as API Gateway sends it (lambda_http's own test fixture, from the API
    /// Gateway documentation's example): stage, host, multi-valued query, path parameters.
    const FIXTURE: &str = include_str!("../tests/data/apigw_rest_proxy_event.json");

    fn fixture() -> Value {
        serde_json::from_str(FIXTURE).unwrap()
    }

    /// `event` with `name: value` in both header maps (any spelling of `name` replaced).
    fn with_header(mut event: Value, name: &str, value: &str) -> Value {
        for (map, entry) in [("headers", json!(value)), ("multiValueHeaders", json!([value]))] {
            if !event[map].is_object() {
                event[map] = json!({});
            }
            if let Some(headers) = event[map].as_object_mut() {
                headers.retain(|key, _| !key.eq_ignore_ascii_case(name));
                headers.insert(name.to_string(), entry);
            }
        }
        event
    }

    fn without_header(mut event: Value, name: &str) -> Value {
        for map in ["headers", "multiValueHeaders"] {
            if let Some(headers) = event[map].as_object_mut() {
                headers.retain(|key, _| !key.eq_ignore_ascii_case(name));
            }
        }
        event
    }

    /// The query string's pairs in order: `lambda_http` and we write them from hash maps.
    fn pairs(uri: &Uri) -> Vec<String> {
        let mut pairs: Vec<String> = uri.query().unwrap_or_default().split('&').map(str::to_string).collect();
        pairs.sort();
        pairs
    }

    /// Every part of the request a handler can read, ours against `lambda_http`'s.
    fn assert_same_request(event: &Value) {
        let ours = request_from_value(event).unwrap();
        let theirs = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(ours.method(), theirs.method(), "{event}");
        assert_eq!(
            (ours.uri().scheme(), ours.uri().authority(), ours.uri().path()),
            (theirs.uri().scheme(), theirs.uri().authority(), theirs.uri().path()),
            "{event}"
        );
        assert_eq!(pairs(ours.uri()), pairs(theirs.uri()), "{event}");
        assert_eq!(ours.headers(), theirs.headers(), "{event}");
        assert_eq!(ours.body(), theirs.body(), "{event}");
        assert_eq!(ours.raw_http_path(), theirs.raw_http_path(), "{event}");
        assert_eq!(ours.query_string_parameters(), theirs.query_string_parameters(), "{event}");
        assert_eq!(ours.path_parameters(), theirs.path_parameters(), "{event}");
        assert_eq!(ours.stage_variables(), theirs.stage_variables(), "{event}");
        let context = |req: &Request| serde_json::to_value(req.request_context_ref()).unwrap();
        assert_eq!(context(&ours), context(&theirs), "{event}");
    }

    #[test]
    fn reads_the_event_as_lambda_http_does() {
        // GIVEN events lambda_http reads: API Gateway's example, and variations of what may differ
        let mut base64_body = fixture();
        base64_body["body"] = json!("eyJhIjogMX0=");
        base64_body["isBase64Encoded"] = json!(true);
        let mut no_host = without_header(fixture(), "Host");
        no_host["requestContext"]["domainName"] = json!("api.example.com");
        let mut no_host_at_all = without_header(fixture(), "Host");
        no_host_at_all["multiValueQueryStringParameters"] = Value::Null;
        let mut default_stage = fixture();
        default_stage["requestContext"]["stage"] = json!("$default");
        default_stage["queryStringParameters"] = Value::Null;
        default_stage["multiValueQueryStringParameters"] = Value::Null;
        let mut staged_path = fixture();
        staged_path["path"] = json!("/testStage/hello/world");
        let mut odd_path = fixture();
        odd_path["path"] = json!("/hello/w\u{f6}rld with space/\"q\"/<a>/{b}/`c`/[d]|e^/%2F/%zz");
        let mut no_body = fixture();
        no_body["body"] = Value::Null;
        for event in [
            fixture(),
            serde_json::from_str(&event(json!({"Accept": "*/*"}), json!({"Accept": ["*/*"]}))).unwrap(),
            with_header(fixture(), "Host", "127.0.0.1:3000"),
            with_header(fixture(), "Host", "[::1]:3000"),
            with_header(fixture(), "Host", "api.example.com:"),
            with_header(fixture(), "X-Forwarded-Proto", "http"),
            with_header(fixture(), "X-Forwarded-Proto", "caf\u{e9}"),
            with_header(fixture(), "X-Forwarded-Port", "not a port"),
            base64_body,
            no_host,
            no_host_at_all,
            default_stage,
            staged_path,
            odd_path,
            no_body,
        ] {
            // WHEN both read it, THEN a handler sees the same request either way
            assert_same_request(&event);
        }
    }

    #[test]
    fn a_header_that_cannot_be_part_of_the_uri_is_a_400_naming_it() {
        // GIVEN events that lambda_http 1.3 panics on (`build_request_uri`'s `Url::parse(..).unwrap()`:
        // most of these), or reads as a request to another host (`https://evil.example`, "", `user@`)
        let mut bad_domain = without_header(fixture(), "Host");
        bad_domain["requestContext"]["domainName"] = json!("bad host");
        for (event, field) in [
            (with_header(fixture(), "X-Forwarded-Proto", "1"), "X-Forwarded-Proto"),
            (with_header(fixture(), "X-Forwarded-Proto", ""), "X-Forwarded-Proto"),
            (with_header(fixture(), "X-Forwarded-Proto", "ht tp"), "X-Forwarded-Proto"),
            (with_header(fixture(), "X-Forwarded-Proto", "https://evil.example"), "X-Forwarded-Proto"),
            (with_header(fixture(), "X-Forwarded-Proto", &"h".repeat(100)), "X-Forwarded-Proto"),
            (with_header(fixture(), "Host", "bad host"), "Host"),
            (with_header(fixture(), "Host", ""), "Host"),
            (with_header(fixture(), "Host", "[::1"), "Host"),
            (with_header(fixture(), "Host", "api.example.com:99999"), "Host"),
            (with_header(fixture(), "Host", "api.example.com:port"), "Host"),
            (with_header(fixture(), "Host", "user@api.example.com"), "Host"),
            (with_header(fixture(), "Host", "api.example.com/path"), "Host"),
            (bad_domain, "requestContext.domainName"),
        ] {
            // WHEN the function reads it
            let Err(EventError::Unreadable(unreadable)) = request_from_value(&event) else {
                panic!("read as a request: {}", event["headers"]);
            };
            // THEN it is a 400 naming the part at fault, with the request id to echo
            assert_eq!(unreadable.error.status(), http::StatusCode::BAD_REQUEST, "{}", event["headers"]);
            assert_eq!(unreadable.error.field.as_deref(), Some(field), "{}", event["headers"]);
            assert_eq!(unreadable.request_id.as_deref(), Some("deef4878-7910-11e6-8f14-25afc3e9ae33"));
        }
    }

    #[test]
    fn more_headers_than_api_gateway_can_send_are_refused_before_the_header_map_can_panic() {
        // GIVEN a REST event with 30,000 header names (http's map panics past 24,576), and one
        // that is no REST event with as many
        let many: Map<String, Value> = (0..30_000).map(|i| (format!("x-h{i}"), json!("v"))).collect();
        let mut event = fixture();
        event["headers"] = Value::Object(many.clone());
        let not_rest = json!({ "headers": many });
        // WHEN read THEN the first is a 400 and the second a failed invocation, no panic
        assert!(matches!(request_from_value(&event), Err(EventError::Unreadable(_))));
        assert!(matches!(request_from_value(&not_rest), Err(EventError::NotAnEvent(_))));
        // AND one name with 20,000 values is refused too
        let mut event = fixture();
        event["multiValueHeaders"] = json!({ "x-many": vec!["v"; 20_000] });
        assert!(matches!(request_from_value(&event), Err(EventError::Unreadable(_))));
    }

    #[test]
    fn a_failed_invocation_never_quotes_the_event() {
        // GIVEN an event that is no REST event, with a token in a malformed header
        let event = json!({"headers": {"Authorization": "Bearer SECRET\u{1}"}});
        let serde_text = ApiGatewayProxyRequest::deserialize(&event).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(serde_text.contains("SECRET"), "serde's own text quotes it: {serde_text}");
        // WHEN read THEN the error says what kind of failure it was, and nothing of the event
        let Err(err) = request_from_value(&event) else { panic!("read as a request") };
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }

    #[test]
    fn a_body_that_is_not_base64_is_a_400_where_lambda_http_aborts() {
        let mut event = fixture();
        event["isBase64Encoded"] = json!(true);
        event["body"] = json!("not base64!");
        let Err(EventError::Unreadable(unreadable)) = request_from_value(&event) else { panic!("read as a request") };
        assert_eq!(unreadable.error.field.as_deref(), Some("body"));
    }

    #[test]
    fn a_rest_event_with_a_header_that_is_not_http_is_a_400_and_anything_else_not_an_event() {
        // GIVEN REST events whose headers lambda_http refuses as malformed events
        for event in [
            with_header(fixture(), "X-Odd", "a\u{1}b"),
            with_header(fixture(), "Bad Name", "value"),
            with_header(fixture(), "Origin", "line\nbreak"),
        ] {
            // WHEN read, THEN each is a request the function cannot read: a 400, not a failed invocation
            assert!(matches!(request_from_value(&event), Err(EventError::Unreadable(_))), "{}", event["headers"]);
        }
        // AND what is not a REST event at all stays a failed invocation
        for not_an_event in [json!([]), json!("text"), json!({"hello": "world"}), json!({"type": "TOKEN"})] {
            assert!(matches!(request_from_value(&not_an_event), Err(EventError::NotAnEvent(_))), "{not_an_event}");
        }
    }

    #[test]
    fn odd_paths_and_headers_lambda_http_ignores_are_read() {
        // GIVEN paths and headers that are odd but no part of a URI, or can be encoded into one
        for (event, path) in [
            (
                {
                    let mut e = fixture();
                    e["path"] = json!(":99");
                    e
                },
                "/testStage:99",
            ),
            (
                {
                    let mut e = fixture();
                    e["path"] = json!("/a b#c?d");
                    e
                },
                "/testStage/a%20b%23c%3Fd",
            ),
            (with_header(fixture(), "X-Forwarded-Port", "-1"), "/testStage/hello/world"),
            (with_header(fixture(), "X-Forwarded-Host", "bad host"), "/testStage/hello/world"),
        ] {
            // WHEN read, THEN it is a request with a URI path that holds the path
            let request = request_from_value(&event).unwrap();
            assert_eq!(request.uri().path(), path);
        }
    }

    #[test]
    fn refuses_what_is_not_an_event() {
        assert!(request_from_event("not json").is_err());
        assert!(request_from_event("[]").is_err());
    }

    #[test]
    fn writes_headers_once_and_binary_bodies_base64_encoded() {
        let response = Response::builder()
            .status(201)
            .header("content-type", "application/json")
            .body(Body::Text("{}".into()))
            .unwrap();
        let proxy = proxy_response(response);
        assert_eq!(proxy.status_code, 201);
        assert!(proxy.headers.is_empty());
        assert_eq!(proxy.multi_value_headers["content-type"], "application/json");
        assert_eq!((proxy.body, proxy.is_base64_encoded), (Some(Body::Text("{}".into())), false));

        let binary = proxy_response(Response::new(Body::Binary(vec![0, 1])));
        assert!(binary.is_base64_encoded);
        assert_eq!(proxy_response(Response::new(Body::Empty)).body, None);
    }
}
