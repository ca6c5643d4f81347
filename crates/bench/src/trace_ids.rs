//! Every log line a Lambda writes while it serves an invocation carries that invocation's trace
//! id, and no line carries a secret: checked on the binaries `lambda-bench check` / `quick` run,
//! over every invocation they answer (good and odd events alike).
//!
//! Under `AWS_LAMBDA_LOG_FORMAT=JSON` (the template's `LoggingConfig`), `lambda_runtime`'s
//! subscriber writes one JSON object a line with the current span, and its tracing layer opens a
//! span holding `requestId` and `xrayTraceId` (the `Lambda-Runtime-Trace-Id` header) around each
//! invocation. A line written outside that span (work spawned on a task of its own, for one)
//! has no trace id and fails the check. Each invocation gets a trace id of its own
//! ([`Invocation`]), so a line carrying another invocation's id fails too.

use std::{
    io::{BufRead, BufReader, Read},
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};

use serde_json::Value;

use crate::runtime_api::{Invocation, RuntimeApi};

/// Body fields of the API that hold a password, a code or a token.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "previousPassword",
    "proposedPassword",
    "newPassword",
    "temporaryPassword",
    "refreshToken",
    "accessToken",
    "idToken",
    "session",
    "code",
];

/// Shorter values are not looked for: they would match by chance.
const MIN_SECRET_LEN: usize = 8;

/// The lines a process writes to stdout, read on a thread of their own as they come.
pub struct LogLines {
    lines: Arc<Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl LogLines {
    /// Starts reading `stdout` (a child's) until it closes.
    pub fn read(stdout: impl Read + Send + 'static) -> Self {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        Self { lines, reader }
    }

    #[cfg(test)]
    fn count(&self) -> usize {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Every line, once the process has exited (its stdout closed).
    pub fn finish(self) -> Vec<String> {
        let _ = self.reader.join();
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The lines a process wrote before its first event was handed out: its init's, which belong
/// to no invocation. Counted by the Runtime API's hook ([`RuntimeApi::on_first_event`]) at that
/// moment, so a line init work logs late (a background JWKS fetch on a loaded machine) still
/// counts as init as long as it comes before the first event, however long that takes.
///
/// The count is of the lines read from the pipe by then: a line written in the instant before
/// the hand-out could still be in the pipe. The process's own loop is waiting for that event
/// then, so only work it left running in the background could write one.
#[derive(Debug, Clone, Default)]
pub struct InitLines(Arc<OnceLock<usize>>);

impl InitLines {
    /// How many of `total` lines are init lines: all of them when no event was handed out.
    pub fn count(&self, total: usize) -> usize {
        self.0.get().copied().unwrap_or(total).min(total)
    }
}

/// Counts `lines`' init lines when `api` hands out its first event, and waits for the process's
/// init to end: its first poll for an event (at most `limit`, or until `exited` says the
/// process is gone).
pub async fn init_lines(
    api: &RuntimeApi,
    lines: &LogLines,
    limit: Duration,
    mut exited: impl FnMut() -> bool,
) -> InitLines {
    let init = InitLines::default();
    let (count, read) = (init.0.clone(), lines.lines.clone());
    api.on_first_event(move || {
        let _ = count.set(read.lock().unwrap_or_else(|e| e.into_inner()).len());
    });
    let started = Instant::now();
    while api.first_poll().is_none() && started.elapsed() < limit && !exited() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    init
}

/// The secrets a run hands a process: `env` values named as secrets, and the tokens, passwords
/// and codes of `events` (the bearer, the authorizer's token, the body's secret fields), each
/// labelled for the report. A JWT's segments count too: a line must not quote half a token.
pub fn secrets<'a>(
    env: &[(&'static str, String)],
    events: impl IntoIterator<Item = &'a Value>,
) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = env
        .iter()
        .filter(|(name, _)| name.contains("SECRET"))
        .map(|(name, value)| (format!("${name}"), value.clone()))
        .collect();
    let mut token = |label: &str, value: &str| {
        let value = value.strip_prefix("Bearer ").unwrap_or(value);
        found.push((label.to_string(), value.to_string()));
        found.extend(value.split('.').filter(|s| s.len() >= 16).map(|s| (format!("{label} (a segment)"), s.into())));
    };
    for event in events {
        for header in ["Authorization", "authorization"] {
            if let Some(value) = event["headers"][header].as_str() {
                token("the bearer token", value);
            }
        }
        if let Some(value) = event["authorizationToken"].as_str() {
            token("the authorizer's token", value);
        }
        let body: Value = event["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
        for field in SECRET_FIELDS {
            if let Some(value) = body[field].as_str() {
                token(&format!("the body's {field}"), value);
            }
        }
    }
    found.retain(|(_, value)| value.len() >= MIN_SECRET_LEN);
    found
}

/// Checks `lines`: none carries a secret; each after the `init` lines is a JSON object whose
/// span names one of `invocations` by its request id and carries that invocation's trace id.
/// The number of invocation lines checked, or what is wrong (the first line at fault, cut short).
pub fn check(
    lines: &[String],
    init: InitLines,
    invocations: &[Invocation],
    secrets: &[(String, String)],
) -> Result<usize, String> {
    let init = init.count(lines.len());
    let shown = |line: &str| line.chars().take(300).collect::<String>();
    for (n, line) in lines.iter().enumerate() {
        if let Some((label, _)) = secrets.iter().find(|(_, secret)| line.contains(secret.as_str())) {
            return Err(format!("log line {} carries {label}", n + 1));
        }
    }
    let during = &lines[init..];
    for line in during {
        let parsed: Value = serde_json::from_str(line).map_err(|_| format!("not a JSON log line: {}", shown(line)))?;
        let span = &parsed["span"];
        let Some(request_id) = span["requestId"].as_str() else {
            return Err(format!("a line outside any invocation's span: {}", shown(line)));
        };
        let Some(invocation) = invocations.iter().find(|i| i.request_id == request_id) else {
            return Err(format!("a line naming a request id never handed out: {}", shown(line)));
        };
        if span["xrayTraceId"].as_str() != Some(invocation.trace_id.as_str()) {
            return Err(format!("a line without its invocation's trace id {}: {}", invocation.trace_id, shown(line)));
        }
    }
    if during.is_empty() {
        return Err("no line logged during the invocations: the check would show nothing".into());
    }
    Ok(during.len())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::runtime_api::InvokeOutcome;

    use super::*;

    fn invocation(n: u8) -> Invocation {
        Invocation { request_id: format!("req-{n}"), trace_id: format!("Root=1-0000000{n}-abc;Sampled=1") }
    }

    fn init(count: usize) -> InitLines {
        let init = InitLines::default();
        let _ = init.0.set(count);
        init
    }

    fn line(request_id: &str, trace_id: &str) -> String {
        json!({"level": "INFO", "fields": {"message": "hi"}, "span": {"requestId": request_id, "xrayTraceId": trace_id}})
            .to_string()
    }

    #[test]
    fn accepts_lines_each_carrying_its_own_invocations_trace_id_after_init() {
        let (one, two) = (invocation(1), invocation(2));
        let lines = vec![
            r#"{"level":"INFO","fields":{"message":"JWKS loaded"}}"#.to_string(),
            line(&one.request_id, &one.trace_id),
            line(&two.request_id, &two.trace_id),
        ];
        assert_eq!(check(&lines, init(1), &[one, two], &[]), Ok(2));
    }

    #[test]
    fn refuses_a_line_outside_the_span_another_invocations_trace_id_or_plain_text() {
        let (one, two) = (invocation(1), invocation(2));
        let outside = r#"{"level":"ERROR","fields":{"message":"could not remove a half-created user"}}"#;
        let crossed = line(&one.request_id, &two.trace_id);
        for bad in [outside.to_string(), crossed, "plain text".to_string()] {
            let lines = vec![line(&one.request_id, &one.trace_id), bad.clone()];
            assert!(check(&lines, init(0), &[one.clone(), two.clone()], &[]).is_err(), "{bad} accepted");
        }
        assert!(check(&[], init(0), &[one], &[]).is_err(), "nothing logged proves nothing");
    }

    #[test]
    fn refuses_a_line_quoting_a_token_or_a_segment_of_it_even_at_init() {
        let event = json!({"headers": {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLWJ5dGVz"},
            "body": "{\"password\":\"Bench-passw0rd\",\"code\":\"12\"}"});
        let secrets = secrets(&[("USER_POOL_CLIENT_SECRET", "bench-client-secret".into())], [&event]);
        let one = invocation(1);
        for leaked in ["bench-client-secret", "eyJzdWIiOiJhbm4ifQ", "Bench-passw0rd"] {
            let lines =
                vec![format!("{{\"fields\":{{\"message\":\"{leaked}\"}}}}"), line(&one.request_id, &one.trace_id)];
            assert!(check(&lines, init(1), std::slice::from_ref(&one), &secrets).is_err(), "{leaked} not caught");
        }
        // A two-digit code is too short to look for without matching by chance
        assert!(secrets.iter().all(|(_, s)| s != "12"));
    }

    #[tokio::test]
    async fn a_line_init_logs_late_still_counts_as_init_until_the_first_event_is_handed_out() {
        use std::io::Write;

        // GIVEN a function that logs at init, polls for its first event, then logs once more
        // from init work, long after its poll (a loaded machine)
        let mut api = RuntimeApi::start().await.unwrap();
        let (pipe, mut stdout) = std::io::pipe().unwrap();
        let lines = LogLines::read(pipe);
        writeln!(stdout, r#"{{"fields":{{"message":"JWKS fetch started"}}}}"#).unwrap();
        let base = format!("http://{}/2018-06-01/runtime/invocation", api.address);
        let next = tokio::spawn(reqwest::get(format!("{base}/next")));
        let init = init_lines(&api, &lines, Duration::from_secs(10), || false).await;
        assert!(api.first_poll().is_some());
        tokio::time::sleep(Duration::from_millis(500)).await;
        writeln!(stdout, r#"{{"fields":{{"message":"JWKS loaded"}}}}"#).unwrap();
        while lines.count() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }

        // WHEN its first event is handed out, and it logs in the invocation's span and answers
        let function = async {
            let event = next.await.unwrap().unwrap();
            let header = |name: &str| event.headers()[name].to_str().unwrap().to_string();
            let (request_id, trace_id) = (header("lambda-runtime-aws-request-id"), header("lambda-runtime-trace-id"));
            writeln!(stdout, "{}", line(&request_id, &trace_id)).unwrap();
            let client = reqwest::Client::new();
            client.post(format!("{base}/{request_id}/response")).body("{}").send().await.unwrap();
        };
        let (outcome, ()) = tokio::join!(api.invoke(json!({})), function);
        assert!(matches!(outcome.unwrap(), InvokeOutcome::Response(_)));
        drop(stdout);

        // THEN both init lines count as init, and the invocation's line is checked
        let lines = lines.finish();
        assert_eq!(lines.len(), 3);
        assert_eq!(check(&lines, init, api.invocations(), &[]), Ok(1));
    }
}
