//! Reading an API Gateway REST proxy event (payload v1) into the request the handlers take, and
//! writing their response back as the proxy response API Gateway expects.
//!
//! `lambda_http` does both, but its request merges `headers` over `multiValueHeaders`: of a
//! repeated header only the value in `headers` (the last one) survives. For `Authorization` that
//! hides what matters. A REST `TOKEN` authorizer is handed one value of it and the handler
//! another, so a request with two of them could be authorized on one token and served on the
//! other. [`request_from_event`] therefore counts every `Authorization` value of the event, and
//! [`crate::caller`] refuses a request that carries more than one (see [`authorization_count`]).

use lambda_http::{
    Body, Request, Response,
    aws_lambda_events::apigw::ApiGatewayProxyResponse,
    http::header::{self, HeaderName, HeaderValue},
};
use serde_json::{Map, Value};

/// An event that is not an API Gateway REST proxy event.
#[derive(Debug, thiserror::Error)]
#[error("not an API Gateway REST proxy event: {0}")]
pub struct EventError(#[from] serde_json::Error);

/// How many `Authorization` values the event carried, all spellings and both header maps taken
/// together: kept with the request, because the request's own headers keep only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AuthorizationValues(usize);

/// Reads an API Gateway REST proxy event as a request, as `lambda_http` does, and remembers how
/// many `Authorization` values it carried (see [`authorization_count`]). This is the one way an
/// event becomes a request: in Lambda ([`crate::serve`]), in the local gateway and in tests.
pub fn request_from_event(event: &str) -> Result<Request, EventError> {
    let maps: HeaderMaps = serde_json::from_str(event)?;
    let mut request = lambda_http::request::from_str(event)?;
    request.extensions_mut().insert(AuthorizationValues(maps.authorization_count()));
    Ok(request)
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

    #[test]
    fn reads_the_event_as_lambda_http_does() {
        let raw = event(json!({"Accept": "*/*"}), json!({"Accept": ["*/*"]}));
        let ours = request_from_event(&raw).unwrap();
        let theirs = lambda_http::request::from_str(&raw).unwrap();
        assert_eq!(ours.uri(), theirs.uri());
        assert_eq!(ours.headers(), theirs.headers());
        assert_eq!(ours.request_context_ref().is_some(), theirs.request_context_ref().is_some());
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
