//! The authorizer events API Gateway sends: REST `TOKEN` and `REQUEST` (answered with an IAM
//! policy), and HTTP API payload 2.0 `REQUEST` (answered with a simple response).

use cognito_verifier::bearer_token;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An authorizer event as API Gateway sends it, read into the fields the decision uses (REST
/// `TOKEN` and `REQUEST`, HTTP API 2.0 `REQUEST`): the text fields typed, the nested ones (headers,
/// identity sources, request context) kept as JSON. A field of an unexpected type reads as
/// absent, so the answer is a 401, never a failed invocation. Sources: "Input to an Amazon API
/// Gateway Lambda authorizer" (REST) and "Working with AWS Lambda authorizers for HTTP APIs"
/// (payload format 2.0), API Gateway developer guide.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerRequest {
    /// `TOKEN` or `REQUEST`.
    #[serde(rename = "type", default, deserialize_with = "text")]
    pub kind: Option<String>,
    /// `2.0` for HTTP API payloads; absent for REST.
    #[serde(default, deserialize_with = "text")]
    pub version: Option<String>,
    /// `TOKEN`: the identity source's value (the `Authorization` header).
    #[serde(default, deserialize_with = "text")]
    pub authorization_token: Option<String>,
    /// REST: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`.
    #[serde(default, deserialize_with = "text")]
    pub method_arn: Option<String>,
    /// HTTP API: `GET /users/{username}`, or `$default`.
    #[serde(default, deserialize_with = "text")]
    pub route_key: Option<String>,
    /// HTTP API: the request path, stage prefix included.
    #[serde(default, deserialize_with = "text")]
    pub raw_path: Option<String>,
    /// `REQUEST`: the headers, `{name: value}`.
    #[serde(default)]
    pub headers: Value,
    /// HTTP API: the identity sources' values, `[...]`.
    #[serde(default)]
    pub identity_source: Value,
    /// HTTP API: `{"http": {"method"}, "stage"}` among others.
    #[serde(default)]
    pub request_context: Value,
}

/// A string field; any other JSON value reads as absent.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => Some(text),
        _ => None,
    })
}

impl AuthorizerRequest {
    /// Reads an event given as JSON; anything that is not an object reads as an empty event.
    pub fn from_json(event: &Value) -> Self {
        Self::deserialize(event).unwrap_or_default()
    }
}

/// Which API asks, and about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// A REST API method: the answer is a policy.
    Rest {
        /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`.
        method_arn: &'a str,
    },
    /// An HTTP API route: the answer is `{isAuthorized, context}`.
    Http {
        /// The HTTP method.
        method: &'a str,
        /// The declared route's path template (`/users/{username}`); `None` for `$default`.
        route_path: Option<&'a str>,
        /// The request path, the stage prefix removed.
        path: &'a str,
    },
}

/// The parts of an authorizer event the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerEvent<'a> {
    /// The bare token (a `Bearer ` prefix removed).
    pub token: &'a str,
    /// What is being called.
    pub target: Target<'a>,
}

impl<'a> AuthorizerEvent<'a> {
    /// Reads a REST `TOKEN` event (`authorizationToken`), a REST `REQUEST` event (the
    /// `Authorization` header, any letter case) or an HTTP API 2.0 event (its identity source,
    /// else the header). Returns why when the event carries no usable token.
    pub fn parse(event: &'a AuthorizerRequest) -> Result<Self, &'static str> {
        let header = || {
            event.headers.as_object().and_then(|headers| {
                headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).and_then(|(_, v)| v.as_str())
            })
        };
        let context_str =
            |path: &[&str]| path.iter().try_fold(&event.request_context, |value, key| value.get(key))?.as_str();
        let (raw, target) = if event.version.as_deref() == Some("2.0") {
            // The Authorization header, else the first identity source that looks like a JWT
            // (other identity sources, such as $context.routeKey, may come first).
            let raw = header().or_else(|| {
                event
                    .identity_source
                    .as_array()
                    .and_then(|sources| sources.iter().filter_map(Value::as_str).find(|s| s.matches('.').count() == 2))
            });
            let method = context_str(&["http", "method"]).ok_or("no method")?;
            let raw_path = event.raw_path.as_deref().ok_or("no path")?;
            // On a named stage (and behind custom-domain base paths) rawPath starts with it.
            let path = match context_str(&["stage"]).filter(|s| *s != "$default") {
                Some(stage) => raw_path
                    .strip_prefix('/')
                    .and_then(|p| p.strip_prefix(stage))
                    .filter(|rest| rest.starts_with('/'))
                    .unwrap_or(raw_path),
                None => raw_path,
            };
            let route_path = event.route_key.as_deref().and_then(|k| k.split_once(' ')).map(|(_, template)| template);
            (raw, Target::Http { method, route_path, path })
        } else {
            let method_arn = event.method_arn.as_deref().ok_or("no methodArn")?;
            let raw = match event.kind.as_deref() {
                Some("TOKEN") => event.authorization_token.as_deref(),
                Some("REQUEST") => header(),
                _ => return Err("unsupported event type"),
            };
            (raw, Target::Rest { method_arn })
        };
        Ok(Self { token: bearer_token(raw.ok_or("no token")?).ok_or("no token")?, target })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_token_events_with_or_without_bearer() {
        for raw in ["Bearer abc", "bearer abc", "abc", "  Bearer   abc "] {
            let ev = json!({"type": "TOKEN", "authorizationToken": raw, "methodArn": "arn"});
            let request = AuthorizerRequest::from_json(&ev);
            let parsed = AuthorizerEvent::parse(&request).unwrap();
            assert_eq!(parsed.token, "abc", "{raw}");
            assert_eq!(parsed.target, Target::Rest { method_arn: "arn" });
        }
    }

    #[test]
    fn reads_request_events_from_the_authorization_header() {
        let ev = json!({"type": "REQUEST", "headers": {"authorization": "Bearer t"}, "methodArn": "arn"});
        assert_eq!(AuthorizerEvent::parse(&AuthorizerRequest::from_json(&ev)).unwrap().token, "t");
    }

    #[test]
    fn reads_http_api_events_with_their_route() {
        let ev = json!({
            "version": "2.0", "type": "REQUEST", "routeArn": "arn", "identitySource": ["GET /x", "Bearer a.b.c"],
            "routeKey": "GET /users/{username}", "rawPath": "/users/alice",
            "requestContext": {"http": {"method": "GET", "path": "/users/alice"}, "stage": "$default"},
        });
        let request = AuthorizerRequest::from_json(&ev);
        let parsed = AuthorizerEvent::parse(&request).unwrap();
        assert_eq!(parsed.token, "a.b.c");
        assert_eq!(
            parsed.target,
            Target::Http { method: "GET", route_path: Some("/users/{username}"), path: "/users/alice" }
        );

        let default_route = json!({
            "version": "2.0", "type": "REQUEST", "routeKey": "$default", "rawPath": "/prod/users",
            "headers": {"authorization": "t"}, "requestContext": {"http": {"method": "GET"}, "stage": "prod"},
        });
        let request = AuthorizerRequest::from_json(&default_route);
        let parsed = AuthorizerEvent::parse(&request).unwrap();
        assert_eq!(parsed.target, Target::Http { method: "GET", route_path: None, path: "/users" });
    }

    #[test]
    fn refuses_events_without_a_token() {
        for ev in [
            json!({"type": "TOKEN", "authorizationToken": "", "methodArn": "arn"}),
            json!({"type": "TOKEN", "authorizationToken": "Basic abc", "methodArn": "arn"}),
            json!({"type": "TOKEN", "authorizationToken": "Bearer ", "methodArn": "arn"}),
            json!({"type": "REQUEST", "headers": {}, "methodArn": "arn"}),
            json!({"type": "TOKEN", "authorizationToken": "abc"}),
            json!({"type": "OTHER", "methodArn": "arn"}),
            json!({"version": "2.0", "identitySource": [], "rawPath": "/me", "requestContext": {"http": {"method": "GET"}}}),
        ] {
            assert!(AuthorizerEvent::parse(&AuthorizerRequest::from_json(&ev)).is_err(), "{ev}");
        }
    }

    #[test]
    fn fields_of_unexpected_types_read_as_absent_and_the_event_is_refused() {
        for ev in [
            json!({"type": "TOKEN", "authorizationToken": "Bearer abc", "methodArn": 5}),
            json!({"type": ["TOKEN"], "authorizationToken": "Bearer abc", "methodArn": "arn"}),
            json!({"type": "TOKEN", "authorizationToken": {"value": "abc"}, "methodArn": "arn"}),
            json!({"type": "REQUEST", "headers": ["Authorization", "Bearer abc"], "methodArn": "arn"}),
            json!({"version": 2, "type": "REQUEST", "headers": {"authorization": "t"}, "methodArn": null}),
            json!("TOKEN"),
            json!(null),
        ] {
            let request = AuthorizerRequest::from_json(&ev);
            assert!(AuthorizerEvent::parse(&request).is_err(), "{ev}");
            let bytes = serde_json::to_vec(&ev).unwrap();
            if ev.is_object() {
                // As the Lambda runtime reads the payload: typed, and still no failure.
                assert!(serde_json::from_slice::<AuthorizerRequest>(&bytes).is_ok(), "{ev}");
            }
        }
    }
}
