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
    pub fn parse(event: &'a Value) -> Result<Self, &'static str> {
        let str_at = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
        let header = || {
            event.get("headers").and_then(Value::as_object).and_then(|headers| {
                headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).and_then(|(_, v)| v.as_str())
            })
        };
        let (raw, target) = if str_at("/version") == Some("2.0") {
            // The Authorization header, else the first identity source that looks like a JWT
            // (other identity sources, such as $context.routeKey, may come first).
            let raw = header().or_else(|| {
                event
                    .get("identitySource")
                    .and_then(Value::as_array)
                    .and_then(|sources| sources.iter().filter_map(Value::as_str).find(|s| s.matches('.').count() == 2))
            });
            let method = str_at("/requestContext/http/method").ok_or("no method")?;
            let raw_path = str_at("/rawPath").ok_or("no path")?;
            // On a named stage (and behind custom-domain base paths) rawPath starts with it.
            let path = match str_at("/requestContext/stage").filter(|s| *s != "$default") {
                Some(stage) => raw_path
                    .strip_prefix('/')
                    .and_then(|p| p.strip_prefix(stage))
                    .filter(|rest| rest.starts_with('/'))
                    .unwrap_or(raw_path),
                None => raw_path,
            };
            let route_path = str_at("/routeKey").and_then(|k| k.split_once(' ')).map(|(_, template)| template);
            (raw, Target::Http { method, route_path, path })
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
            "version": "2.0", "type": "REQUEST", "routeArn": "arn", "identitySource": ["GET /x", "Bearer a.b.c"],
            "routeKey": "GET /users/{username}", "rawPath": "/users/alice",
            "requestContext": {"http": {"method": "GET", "path": "/users/alice"}, "stage": "$default"},
        });
        let parsed = AuthorizerEvent::parse(&ev).unwrap();
        assert_eq!(parsed.token, "a.b.c");
        assert_eq!(
            parsed.target,
            Target::Http { method: "GET", route_path: Some("/users/{username}"), path: "/users/alice" }
        );

        let default_route = json!({
            "version": "2.0", "type": "REQUEST", "routeKey": "$default", "rawPath": "/prod/users",
            "headers": {"authorization": "t"}, "requestContext": {"http": {"method": "GET"}, "stage": "prod"},
        });
        let parsed = AuthorizerEvent::parse(&default_route).unwrap();
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
            assert!(AuthorizerEvent::parse(&ev).is_err(), "{ev}");
        }
    }
}
