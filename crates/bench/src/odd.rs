//! Odd events: what API Gateway may hand a function that the function must answer without dying
//! (the release profile has `panic = "abort"`, so a panic ends the process and every invocation
//! it would have served). Each is derived from an event the binary answers successfully, and
//! `lambda-bench check` / `quick` send it followed by that good event: the odd one must get the
//! expected answer, and the good one must still be answered, by the same process.

use serde_json::{Value, json};

use crate::runtime_api::InvokeOutcome;

/// One odd event and the answer it must get.
pub struct OddEvent {
    /// What is odd about it, for the report.
    pub name: String,
    /// The event.
    pub event: Value,
    /// The answer it must get.
    pub expect: Expect,
}

/// The answer an odd event must get.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// A proxy response 400 with the API's JSON error body, naming `field` when there is one:
    /// a request the function cannot read.
    BadRequest(Option<&'static str>),
    /// Any proxy response: what is odd is no part of what the function reads.
    Response,
    /// The authorizer's 401: a failed invocation of type `Unauthorized`.
    Unauthorized,
    /// A failed invocation: an event that is not the function's at all (no API Gateway sends it).
    Failed,
}

impl Expect {
    /// Whether `outcome` is this answer; the reason when it is not.
    pub fn check(self, outcome: &InvokeOutcome) -> Result<(), String> {
        let fail = || Err(format!("expected {self:?}, got {outcome:?}"));
        match (self, outcome) {
            (Self::Failed, InvokeOutcome::Error(_)) => Ok(()),
            (Self::Response, InvokeOutcome::Response(answer)) if answer["statusCode"].is_u64() => Ok(()),
            (Self::Unauthorized, InvokeOutcome::Error(body)) => {
                let error: Value = serde_json::from_str(body).unwrap_or_default();
                if error["errorType"] == "Unauthorized" { Ok(()) } else { fail() }
            }
            (Self::BadRequest(field), InvokeOutcome::Response(answer)) => {
                let body: Value =
                    answer["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
                let field_ok = field.is_none_or(|field| body["error"]["field"] == field);
                if answer["statusCode"] == 400 && body["error"]["code"] == "BadRequest" && field_ok {
                    Ok(())
                } else {
                    fail()
                }
            }
            _ => fail(),
        }
    }
}

fn odd(name: impl Into<String>, event: Value, expect: Expect) -> OddEvent {
    OddEvent { name: name.into(), event, expect }
}

/// `event` with `name: value` in both header maps, any other spelling of `name` removed.
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

fn with(mut event: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = event.pointer_mut(pointer) {
        *slot = value;
    }
    event
}

/// Odd variants of a function's REST proxy event `good`: headers no URI can hold (on which
/// `lambda_http`'s own conversion panics), a header that is not HTTP, a body that is not the
/// base64 it claims to be, odd values of what the function does not read, and no event at all.
pub fn rest(good: &Value) -> Vec<OddEvent> {
    let bad = Expect::BadRequest;
    let no_host = {
        let mut event = with_header(good.clone(), "Host", "");
        for map in ["headers", "multiValueHeaders"] {
            if let Some(headers) = event[map].as_object_mut() {
                headers.retain(|key, _| !key.eq_ignore_ascii_case("host"));
            }
        }
        event
    };
    vec![
        odd(
            "X-Forwarded-Proto: 1",
            with_header(good.clone(), "X-Forwarded-Proto", "1"),
            bad(Some("X-Forwarded-Proto")),
        ),
        odd(
            "X-Forwarded-Proto: ht tp",
            with_header(good.clone(), "X-Forwarded-Proto", "ht tp"),
            bad(Some("X-Forwarded-Proto")),
        ),
        odd("Host: bad host", with_header(good.clone(), "Host", "bad host"), bad(Some("Host"))),
        odd("Host: [::1", with_header(good.clone(), "Host", "[::1"), bad(Some("Host"))),
        odd("Host: port 99999", with_header(good.clone(), "Host", "bench.example.com:99999"), bad(Some("Host"))),
        odd(
            "no Host, domainName: bad host",
            with(no_host, "/requestContext/domainName", json!("bad host")),
            bad(Some("requestContext.domainName")),
        ),
        odd("a control character in a header", with_header(good.clone(), "X-Odd", "a\u{1}b"), bad(None)),
        odd(
            "a body that is not base64",
            with(with(good.clone(), "/isBase64Encoded", json!(true)), "/body", json!("not base64!")),
            bad(Some("body")),
        ),
        odd(
            "30,000 header names (only a direct invoke can send them; http's map panics past 24,576)",
            with(
                good.clone(),
                "/headers",
                Value::Object((0..30_000).map(|i| (format!("x-h{i}"), json!("v"))).collect()),
            ),
            bad(None),
        ),
        odd("X-Forwarded-Port: abc", with_header(good.clone(), "X-Forwarded-Port", "abc"), Expect::Response),
        odd(
            "a path with spaces, escapes and non-ASCII",
            with(good.clone(), "/path", json!("/a b/%zz/\u{f6}:99?#")),
            Expect::Response,
        ),
        odd("not an API Gateway event", json!({"hello": "world"}), Expect::Failed),
    ]
}

/// Odd variants of the authorizer's `TOKEN` event `good`: tokens that are not JWTs, no token, an
/// odd method ARN, a `REQUEST` event with odd headers (all 401), and events no API Gateway sends
/// (an array reads as an empty event: 401; a string is no event: a failed invocation).
pub fn authorizer(good: &Value) -> Vec<OddEvent> {
    let token = |value: Value| with(good.clone(), "/authorizationToken", value);
    let method_arn = good["methodArn"].clone();
    vec![
        odd("a token that is not ASCII", token(json!("Bearer \u{2603}.\u{f6}.x")), Expect::Unauthorized),
        odd("a token of three empty segments", token(json!("Bearer ..")), Expect::Unauthorized),
        odd("a 20 KB token", token(json!(format!("Bearer {}", "a".repeat(20_000)))), Expect::Unauthorized),
        odd("no token", token(Value::Null), Expect::Unauthorized),
        odd("a token that is a number", token(json!(7)), Expect::Unauthorized),
        odd(
            "an odd methodArn",
            with(good.clone(), "/methodArn", json!("arn:\u{f6}/GET/../me?#")),
            Expect::Unauthorized,
        ),
        odd(
            "a REQUEST event with odd headers",
            json!({"type": "REQUEST", "methodArn": method_arn, "headers": {
                "Authorization": "Bearer x", "X-Forwarded-Proto": "1", "Host": "bad host"}}),
            Expect::Unauthorized,
        ),
        odd("an empty object", json!({}), Expect::Unauthorized),
        odd("an array", json!([]), Expect::Unauthorized),
        odd("a string", json!("TOKEN"), Expect::Failed),
    ]
}
