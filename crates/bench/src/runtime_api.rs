//! A local Lambda Runtime API on loopback: enough of it for a function to start, take events and
//! answer them, so cold starts and memory can be measured without AWS.

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    routing::{get, post},
};
use serde_json::Value;
use tokio::sync::{Mutex, mpsc};

/// What a function answered.
#[derive(Debug)]
pub enum InvokeOutcome {
    /// `/invocation/{id}/response`.
    Response(Value),
    /// `/invocation/{id}/error` or `/init/error`: the error document the function sent.
    Error(String),
}

/// One invocation handed to the function: its `Lambda-Runtime-Aws-Request-Id` and
/// `Lambda-Runtime-Trace-Id`, each new per invocation, as Lambda's are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The request id (a UUID).
    pub request_id: String,
    /// The X-Ray trace header, `Root=1-{8 hex}-{24 hex};Parent={16 hex};Sampled=1`.
    pub trace_id: String,
}

impl Invocation {
    fn new() -> Self {
        let root = uuid::Uuid::new_v4().simple().to_string();
        let parent = uuid::Uuid::new_v4().simple().to_string();
        Self {
            request_id: uuid::Uuid::new_v4().to_string(),
            trace_id: format!("Root=1-{}-{};Parent={};Sampled=1", &root[..8], &root[8..], &parent[..16]),
        }
    }
}

/// Run once, as the first event is handed out ([`RuntimeApi::on_first_event`]).
type FirstEventHook = Box<dyn FnOnce() + Send>;

struct Shared {
    events: Mutex<mpsc::Receiver<(Invocation, Value)>>,
    outcomes: mpsc::Sender<InvokeOutcome>,
    /// When the function first asked for an event: its init was done.
    first_poll: std::sync::Mutex<Option<Instant>>,
    on_first_event: std::sync::Mutex<Option<FirstEventHook>>,
}

/// A running Runtime API.
pub struct RuntimeApi {
    /// `127.0.0.1:PORT`, for `AWS_LAMBDA_RUNTIME_API`.
    pub address: SocketAddr,
    events: mpsc::Sender<(Invocation, Value)>,
    outcomes: mpsc::Receiver<InvokeOutcome>,
    shared: Arc<Shared>,
    invocations: Vec<Invocation>,
}

impl RuntimeApi {
    /// Serves the Runtime API on a free loopback port.
    pub async fn start() -> anyhow::Result<Self> {
        let (event_tx, event_rx) = mpsc::channel(1);
        let (outcome_tx, outcome_rx) = mpsc::channel(16);
        let shared = Arc::new(Shared {
            events: Mutex::new(event_rx),
            outcomes: outcome_tx,
            first_poll: std::sync::Mutex::new(None),
            on_first_event: std::sync::Mutex::new(None),
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared.clone());
        let address = crate::serve(app).await?;
        Ok(Self { address, events: event_tx, outcomes: outcome_rx, shared, invocations: Vec::new() })
    }

    /// When the function first polled for an event (the end of its init), if it has.
    pub fn first_poll(&self) -> Option<Instant> {
        *self.shared.first_poll.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `hook` once, when `/invocation/next` hands out the first event, before the function
    /// has it: the moment its init ends and its first invocation begins.
    pub fn on_first_event(&self, hook: impl FnOnce() + Send + 'static) {
        *self.shared.on_first_event.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(hook));
    }

    /// The invocations handed out so far, in order.
    pub fn invocations(&self) -> &[Invocation] {
        &self.invocations
    }

    /// Hands `event` to the function's next `/invocation/next`, with a request id and a trace id
    /// of its own, and waits for its answer.
    pub async fn invoke(&mut self, event: Value) -> anyhow::Result<InvokeOutcome> {
        let invocation = Invocation::new();
        self.invocations.push(invocation.clone());
        self.events.send((invocation, event)).await?;
        match tokio::time::timeout(Duration::from_secs(30), self.outcomes.recv()).await {
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) => anyhow::bail!("runtime API stopped"),
            Err(_) => anyhow::bail!("no answer within 30 s"),
        }
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> (StatusCode, HeaderMap, String) {
    shared.first_poll.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(Instant::now);
    let Some((invocation, event)) = shared.events.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), String::new());
    };
    let hook = shared.on_first_event.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(hook) = hook {
        hook();
    }
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() + 30_000)
        .unwrap_or_default();
    let set = |headers: &mut HeaderMap, name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set(&mut headers, "lambda-runtime-aws-request-id", invocation.request_id);
    set(&mut headers, "lambda-runtime-deadline-ms", deadline.to_string());
    set(
        &mut headers,
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:bench".into(),
    );
    set(&mut headers, "lambda-runtime-trace-id", invocation.trace_id);
    set(&mut headers, "content-type", "application/json".into());
    (StatusCode::OK, headers, event.to_string())
}

async fn response(State(shared): State<Arc<Shared>>, Path(_id): Path<String>, body: Bytes) -> StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = shared.outcomes.send(InvokeOutcome::Response(value)).await;
    StatusCode::ACCEPTED
}

async fn error(State(shared): State<Arc<Shared>>, Path(_id): Path<String>, body: Bytes) -> StatusCode {
    let _ = shared.outcomes.send(InvokeOutcome::Error(String::from_utf8_lossy(&body).into_owned())).await;
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: Bytes) -> StatusCode {
    let _ = shared.outcomes.send(InvokeOutcome::Error(String::from_utf8_lossy(&body).into_owned())).await;
    StatusCode::ACCEPTED
}
