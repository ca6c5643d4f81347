//! The local gateway's access log: one JSON line per request, with exactly the fields of
//! `template.yaml`'s `AccessLogSetting.Format`, every value a string and `"-"` where API Gateway
//! has none, filled as API Gateway REST fills its `$context` variables ("Variables for access
//! logging for API Gateway",
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html>).
//!
//! `make dev` appends the lines to `.dev/access.log`; tests keep them in memory
//! ([`AccessLogDestination::Memory`]). Nothing secret goes in: no header, no body, no token
//! (the authorizer's `principalId` is the person's `sub`). Nothing the caller writes goes in
//! either (no `User-Agent`, no raw path): API Gateway substitutes `$context` values into the
//! `Format` without JSON-escaping them, so a `"` there could forge a field.

use std::{
    collections::VecDeque,
    io::Write,
    path::PathBuf,
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use serde_json::Value;

/// Lines kept by [`AccessLogDestination::Memory`] (the oldest are dropped past this).
const MAX_MEMORY_LINES: usize = 10_000;

/// The fields of the template's `Format`, in its order.
pub const FIELDS: [&str; 18] = [
    "requestId",
    "xrayTraceId",
    "requestTime",
    "ip",
    "httpMethod",
    "resourcePath",
    "status",
    "responseLength",
    "responseLatency",
    "integrationStatus",
    "integrationLatency",
    "authorizerStatus",
    "authorizerLatency",
    "authorizerError",
    "principalId",
    "wafStatus",
    "wafResponseCode",
    "errorResponseType",
];

/// Where the access-log lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessLogDestination {
    /// Nowhere.
    Discard,
    /// Appended to this file, one line each (`make dev`: `.dev/access.log`).
    File(PathBuf),
    /// Kept in memory for [`AccessLog::lines`] (tests), the last 10 000.
    Memory,
}

/// What API Gateway knows about one request when it logs it. `None` is logged as `"-"`.
#[derive(Debug, Clone, Default)]
pub struct AccessRecord {
    /// `$context.requestId`.
    pub request_id: String,
    /// `$context.xrayTraceId`: the trace's root id, `1-<8 hex epoch seconds>-<24 hex>`.
    pub xray_trace_id: Option<String>,
    /// `$context.requestTimeEpoch`, in ms.
    pub request_time: Option<SystemTime>,
    /// `$context.identity.sourceIp`: the TCP peer.
    pub ip: String,
    /// `$context.httpMethod`.
    pub http_method: String,
    /// `$context.resourcePath`: the route's template (`/users/{username}`); none without a route.
    pub resource_path: Option<String>,
    /// `$context.status`.
    pub status: u16,
    /// `$context.responseLength`, bytes of the body.
    pub response_length: usize,
    /// `$context.responseLatency`.
    pub response_latency: Duration,
    /// `$context.integration.status`: Lambda's answer to the invocation (200 when the function
    /// was invoked, whatever it answered); none without an invocation.
    pub integration_status: Option<u16>,
    /// `$context.integration.latency`.
    pub integration_latency: Option<Duration>,
    /// `$context.authorizer.status`: 200 Allow, 403 Deny, 401 Unauthorized; none when the
    /// authorizer did not run (public routes, no token).
    pub authorizer_status: Option<u16>,
    /// `$context.authorizer.latency`.
    pub authorizer_latency: Option<Duration>,
    /// `$context.authorizer.error`: `Unauthorized` when the authorizer refused the token.
    pub authorizer_error: Option<String>,
    /// `$context.authorizer.principalId`.
    pub principal_id: Option<String>,
    /// `$context.waf.status`: 200 allowed, 403 blocked; none without a web ACL.
    pub waf_status: Option<u16>,
    /// `$context.wafResponseCode`: `WAF_ALLOW` or `WAF_BLOCK`; none without a web ACL.
    pub waf_response_code: Option<&'static str>,
    /// `$context.error.responseType`: the gateway response type of a gateway's own answer.
    pub error_response_type: Option<&'static str>,
}

impl AccessRecord {
    /// The line as the template's `Format` writes it: every field of [`FIELDS`], in its order, a
    /// string each.
    pub fn to_line(&self) -> String {
        let text = |value: Option<String>| Value::String(value.unwrap_or_else(|| "-".into()));
        let ms = |d: Duration| d.as_millis().to_string();
        let values = [
            Some(self.request_id.clone()),
            self.xray_trace_id.clone(),
            self.request_time.and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(ms),
            Some(self.ip.clone()),
            Some(self.http_method.clone()),
            self.resource_path.clone(),
            Some(self.status.to_string()),
            Some(self.response_length.to_string()),
            Some(ms(self.response_latency)),
            self.integration_status.map(|s| s.to_string()),
            self.integration_latency.map(ms),
            self.authorizer_status.map(|s| s.to_string()),
            self.authorizer_latency.map(ms),
            self.authorizer_error.clone(),
            self.principal_id.clone(),
            self.waf_status.map(|s| s.to_string()),
            self.waf_response_code.map(str::to_string),
            self.error_response_type.map(str::to_string),
        ];
        // serde_json's map sorts its keys; the template's Format has its own order, kept here by
        // writing the object field by field.
        let fields: Vec<String> = FIELDS
            .iter()
            .zip(values.into_iter().map(text))
            .map(|(key, value)| format!("{}:{value}", Value::from(*key)))
            .collect();
        format!("{{{}}}", fields.join(","))
    }

    /// The line parsed (its keys then sorted), for tests.
    #[cfg(test)]
    fn to_json(&self) -> Value {
        serde_json::from_str(&self.to_line()).unwrap_or_default()
    }
}

/// The access log of one gateway.
#[derive(Debug)]
pub struct AccessLog {
    destination: AccessLogDestination,
    file: Option<Mutex<std::fs::File>>,
    memory: Mutex<VecDeque<String>>,
}

impl AccessLog {
    /// The log writing to `destination`; a file is opened for appending (created if missing).
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn open(destination: AccessLogDestination) -> std::io::Result<Self> {
        let file = match &destination {
            AccessLogDestination::File(path) => {
                Some(Mutex::new(std::fs::OpenOptions::new().create(true).append(true).open(path)?))
            }
            _ => None,
        };
        Ok(Self { destination, file, memory: Mutex::default() })
    }

    /// A log that keeps nothing.
    pub fn discard() -> Self {
        Self { destination: AccessLogDestination::Discard, file: None, memory: Mutex::default() }
    }

    /// Writes one request's line. A failed write is reported once per failure with `tracing`,
    /// never to the caller.
    pub fn write(&self, record: &AccessRecord) {
        let line = record.to_line();
        match &self.destination {
            AccessLogDestination::Discard => {}
            AccessLogDestination::File(path) => {
                if let Some(Ok(mut file)) = self.file.as_ref().map(Mutex::lock)
                    && let Err(err) = writeln!(file, "{line}")
                {
                    tracing::warn!(error = %err, path = %path.display(), "could not write the access log");
                }
            }
            AccessLogDestination::Memory => {
                if let Ok(mut memory) = self.memory.lock() {
                    if memory.len() >= MAX_MEMORY_LINES {
                        memory.pop_front();
                    }
                    memory.push_back(line);
                }
            }
        }
    }

    /// The lines kept in memory, parsed, oldest first (empty unless
    /// [`AccessLogDestination::Memory`]).
    pub fn lines(&self) -> Vec<Value> {
        self.text_lines().iter().map(|line| serde_json::from_str(line).unwrap_or_default()).collect()
    }

    /// The lines kept in memory as written, oldest first (empty unless
    /// [`AccessLogDestination::Memory`]).
    pub fn text_lines(&self) -> Vec<String> {
        self.memory.lock().map(|memory| memory.iter().cloned().collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_with_nothing_known_logs_every_field_as_a_string_dash_where_none() {
        let line = AccessRecord { request_id: "r".into(), status: 404, ..AccessRecord::default() }.to_json();
        let object = line.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>().len(), FIELDS.len());
        assert!(object.values().all(Value::is_string));
        assert_eq!(line["status"], "404");
        assert_eq!(line["authorizerStatus"], "-");
        assert_eq!(line["wafResponseCode"], "-");
    }

    #[test]
    fn a_line_writes_its_fields_in_the_templates_order_as_valid_json() {
        // GIVEN a record holding a character JSON must escape
        let record = AccessRecord { request_id: "r\"1".into(), ip: "127.0.0.1".into(), ..AccessRecord::default() };
        // WHEN it is written
        let line = record.to_line();
        // THEN it is one JSON object, its keys in FIELDS' order
        let at: Vec<usize> = FIELDS.iter().map(|key| line.find(&format!("\"{key}\":")).unwrap_or(usize::MAX)).collect();
        assert!(at.windows(2).all(|pair| pair[0] < pair[1]) && !at.contains(&usize::MAX), "{line}");
        let parsed = record.to_json();
        assert_eq!(parsed.as_object().map(|object| object.len()), Some(FIELDS.len()));
        assert_eq!(parsed["requestId"], "r\"1");
    }
}
