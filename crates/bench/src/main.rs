//! `make bench`: size, cold start and peak memory of the Lambda binaries, each under a local
//! Lambda Runtime API on loopback, against a bare `lambda_runtime` echo binary measured in the
//! same run (cold starts interleaved, medians), because this machine is shared and noisy.
//!
//! Usage: `lambda-bench [RUNS]` with the release binaries next to it (`target/release`).

mod runtime_api;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use cognito_verifier::testing::{TestKey, id_token_claims};
use runtime_api::{Outcome, RuntimeApi};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_BenchPool";
const CLIENT: &str = "bench-client";
const WARM_INVOCATIONS: usize = 1000;

/// One binary to measure, with its environment and an event it answers successfully.
struct Target {
    name: &'static str,
    /// Cold-start ratio to the echo baseline and peak RSS (MiB) it must stay under; none for the
    /// baseline itself.
    limits: Option<(f64, f64)>,
    binary: PathBuf,
    env: Vec<(&'static str, String)>,
    event: Value,
    /// Whether an answer is the expected success (an Allow policy for the authorizer).
    ok: fn(&Value) -> bool,
}

fn lambda_env(api: &RuntimeApi) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_LAMBDA_RUNTIME_API", api.address.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
    ]
}

fn spawn(target: &Target, api: &RuntimeApi) -> anyhow::Result<Child> {
    Command::new(&target.binary)
        .env_clear()
        .envs(lambda_env(api))
        .envs(target.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", target.binary.display()))
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

async fn expect_ok(target: &Target, api: &mut RuntimeApi) -> anyhow::Result<()> {
    match api.invoke(target.event.clone()).await? {
        Outcome::Response(answer) if (target.ok)(&answer) => Ok(()),
        other => bail!("{} answered {other:?}", target.name),
    }
}

/// Exec to the first answered invocation.
async fn cold_start(target: &Target) -> anyhow::Result<Duration> {
    let mut api = RuntimeApi::start().await?;
    let started = Instant::now();
    let child = spawn(target, &api)?;
    let result = expect_ok(target, &mut api).await;
    let elapsed = started.elapsed();
    stop(child);
    result.map(|()| elapsed)
}

/// Peak RSS (VmHWM) after the first invocation and after [`WARM_INVOCATIONS`].
async fn peak_rss(target: &Target) -> anyhow::Result<(u64, u64)> {
    let mut api = RuntimeApi::start().await?;
    let child = spawn(target, &api)?;
    let pid = child.id();
    let result = async {
        expect_ok(target, &mut api).await?;
        let first = vm_hwm_kib(pid)?;
        for _ in 1..WARM_INVOCATIONS {
            expect_ok(target, &mut api).await?;
        }
        Ok((first, vm_hwm_kib(pid)?))
    }
    .await;
    stop(child);
    result
}

fn vm_hwm_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM not found")
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

async fn serve_jwks(jwks: Value) -> anyhow::Result<String> {
    let body = jwks.to_string();
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || std::future::ready(([("content-type", "application/json")], body.clone()))),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/jwks.json", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

fn is_allow(answer: &Value) -> bool {
    answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map(|r| r.parse()).transpose()?.unwrap_or(15);
    let dir = std::env::current_exe()?.parent().map(Path::to_path_buf).context("binary directory")?;

    let key = TestKey::new("bench-key");
    let jwks = TestKey::jwks(&[&key]);
    let jwks_url = serve_jwks(jwks.clone()).await?;
    let token = key.sign(&id_token_claims("us-east-1", POOL, CLIENT));
    let method_arn = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/me";
    let token_event =
        json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": method_arn});
    let authorizer_env = |jwks: (&'static str, String)| {
        vec![("USER_POOL_ID", POOL.to_string()), ("APP_CLIENT_IDS", CLIENT.to_string()), jwks]
    };
    let targets = [
        Target {
            name: "echo (bare lambda_runtime)",
            limits: None,
            binary: dir.join("echo"),
            env: Vec::new(),
            event: json!({"hello": "world"}),
            ok: |answer| answer["hello"] == "world",
        },
        Target {
            name: "authorizer (JWKS_JSON)",
            limits: Some((1.5, 20.0)),
            binary: dir.join("authorizer"),
            env: authorizer_env(("JWKS_JSON", jwks.to_string())),
            event: token_event.clone(),
            ok: is_allow,
        },
        Target {
            name: "authorizer (JWKS from loopback)",
            limits: Some((1.5, 20.0)),
            binary: dir.join("authorizer"),
            env: authorizer_env(("JWKS_URL", jwks_url)),
            event: token_event,
            ok: is_allow,
        },
    ];

    println!("Cold start: exec to first answered invocation, {runs} runs each, interleaved; medians.");
    let mut cold: Vec<Vec<Duration>> = vec![Vec::new(); targets.len()];
    for _ in 0..runs {
        for (i, target) in targets.iter().enumerate() {
            cold[i].push(cold_start(target).await?);
        }
    }
    let baseline = median(cold[0].clone());
    println!(
        "\n| binary | size (stripped) | cold start | vs echo | peak RSS, 1st call | peak RSS, {WARM_INVOCATIONS} calls | targets |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (target, samples) in targets.iter().zip(cold) {
        let size = std::fs::metadata(&target.binary)?.len();
        let cold = median(samples);
        let (rss_first, rss_warm) = peak_rss(target).await?;
        let ratio = cold.as_secs_f64() / baseline.as_secs_f64();
        let rss_mib = rss_warm as f64 / 1024.0;
        let verdict = match target.limits {
            None => "baseline".to_string(),
            Some((max_ratio, max_rss)) if ratio <= max_ratio && rss_mib < max_rss => {
                format!("met (<= {max_ratio}x, < {max_rss} MB)")
            }
            Some((max_ratio, max_rss)) => format!("NOT met (<= {max_ratio}x, < {max_rss} MB)"),
        };
        println!(
            "| {} | {:.1} MiB | {:.2} ms | {ratio:.2}x | {:.1} MiB | {rss_mib:.1} MiB | {verdict} |",
            target.name,
            size as f64 / 1048576.0,
            cold.as_secs_f64() * 1e3,
            rss_first as f64 / 1024.0,
        );
    }
    Ok(())
}
