//! The authorizer events API Gateway sends: REST `TOKEN` and `REQUEST` (answered with an IAM
//! policy), and HTTP API payload 2.0 `REQUEST` (answered with a simple response).

use cognito_verifier::bearer_token;
use serde_json::Value;

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
        /// The route's path template (`/users/{username}`), or the raw path for `$default`.
        path: &'a str,
        /// Whether `path` is a template (a declared route) or the raw path.
        is_template: bool,
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
    pub fn parse(event: &'a Value) -> Result<Self, &'static str> {
        let str_at = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
        let header = || {
            event.get("headers").and_then(Value::as_object).and_then(|headers| {
                headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).and_then(|(_, v)| v.as_str())
            })
        };
        let (raw, target) = if str_at("/version") == Some("2.0") {
            let raw = event.pointer("/identitySource/0").and_then(Value::as_str).or_else(header);
            let method = str_at("/requestContext/http/method").ok_or("no method")?;
            let target = match str_at("/routeKey").and_then(|k| k.split_once(' ')) {
                Some((_, template)) => Target::Http { method, path: template, is_template: true },
                None => Target::Http { method, path: str_at("/rawPath").ok_or("no path")?, is_template: false },
            };
            (raw, target)
        } else {
            let method_arn = str_at("/methodArn").ok_or("no methodArn")?;
            let raw = match str_at("/type") {
                Some("TOKEN") => str_at("/authorizationToken"),
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
            let parsed = AuthorizerEvent::parse(&ev).unwrap();
            assert_eq!(parsed.token, "abc", "{raw}");
            assert_eq!(parsed.target, Target::Rest { method_arn: "arn" });
        }
    }

    #[test]
    fn reads_request_events_from_the_authorization_header() {
        let ev = json!({"type": "REQUEST", "headers": {"authorization": "Bearer t"}, "methodArn": "arn"});
        assert_eq!(AuthorizerEvent::parse(&ev).unwrap().token, "t");
    }

    #[test]
    fn reads_http_api_events_with_their_route() {
        let ev = json!({
            "version": "2.0", "type": "REQUEST", "routeArn": "arn", "identitySource": ["Bearer t"],
            "routeKey": "GET /users/{username}", "rawPath": "/users/alice",
            "requestContext": {"http": {"method": "GET", "path": "/users/alice"}},
        });
        let parsed = AuthorizerEvent::parse(&ev).unwrap();
        assert_eq!(parsed.token, "t");
        assert_eq!(parsed.target, Target::Http { method: "GET", path: "/users/{username}", is_template: true });

        let default_route = json!({
            "version": "2.0", "type": "REQUEST", "routeKey": "$default", "rawPath": "/users",
            "headers": {"authorization": "t"}, "requestContext": {"http": {"method": "GET"}},
        });
        let parsed = AuthorizerEvent::parse(&default_route).unwrap();
        assert_eq!(parsed.target, Target::Http { method: "GET", path: "/users", is_template: false });
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
            assert!(AuthorizerEvent::parse(&ev).is_err(), "{ev}");
        }
    }
}
