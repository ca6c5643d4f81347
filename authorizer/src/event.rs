//! The authorizer events API Gateway sends: REST `TOKEN` and `REQUEST`.

use serde_json::Value;

/// The parts of an authorizer event the decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerEvent<'a> {
    /// The bare token (a `Bearer ` prefix removed).
    pub token: &'a str,
    /// The ARN of the method being called.
    pub method_arn: &'a str,
}

impl<'a> AuthorizerEvent<'a> {
    /// Reads a `TOKEN` event (`authorizationToken`) or a `REQUEST` event (the `Authorization`
    /// header, in any letter case). Returns why when the event carries no usable token.
    pub fn parse(event: &'a Value) -> Result<Self, &'static str> {
        let method_arn = event.get("methodArn").and_then(Value::as_str).ok_or("no methodArn")?;
        let raw = match event.get("type").and_then(Value::as_str) {
            Some("TOKEN") => event.get("authorizationToken").and_then(Value::as_str),
            Some("REQUEST") => event.get("headers").and_then(Value::as_object).and_then(|headers| {
                headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("authorization")).and_then(|(_, v)| v.as_str())
            }),
            _ => return Err("unsupported event type"),
        }
        .ok_or("no token")?;
        Ok(Self { token: bearer_token(raw).ok_or("no token")?, method_arn })
    }
}

/// The token of an `Authorization` value: `Bearer <token>` (scheme in any case) or the bare token.
pub fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        // A scheme with no token after it.
        None if value.eq_ignore_ascii_case("bearer") => return None,
        None => value,
    };
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_token_events_with_or_without_bearer() {
        for raw in ["Bearer abc", "bearer abc", "abc", "  Bearer   abc "] {
            let ev = json!({"type": "TOKEN", "authorizationToken": raw, "methodArn": "arn"});
            assert_eq!(AuthorizerEvent::parse(&ev).unwrap().token, "abc", "{raw}");
        }
    }

    #[test]
    fn reads_request_events_from_the_authorization_header() {
        let ev = json!({"type": "REQUEST", "headers": {"authorization": "Bearer t"}, "methodArn": "arn"});
        assert_eq!(AuthorizerEvent::parse(&ev).unwrap().token, "t");
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
        ] {
            assert!(AuthorizerEvent::parse(&ev).is_err(), "{ev}");
        }
    }
}
