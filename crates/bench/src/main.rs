//! `make bench`: every Lambda binary's size (stripped and zipped), cold start and peak memory,
//! each under a local Lambda Runtime API on loopback against a bare `lambda_runtime` echo binary
//! measured in the same run (cold starts interleaved, medians), because this machine is shared
//! and noisy; then the warm overhead of our request path against the bare Cognito call.
//!
//! Usage: `lambda-bench [RUNS] [WARM_ROUNDS]`, with the release binaries in `BENCH_BIN_DIR`
//! (default: next to this binary; the echo baseline is always taken from next to this binary)
//! and `MOTO_SERVER` pointing at the virtualenv's moto.
//!
//! `lambda-bench cold [RUNS]` prints the cold-start table alone (the first table, without the
//! instruction counts and warm rounds): for trying a change to the functions' start-up.
//!
//! `lambda-bench quick` (`make test`) prints every row of the same report from one run of each,
//! with small counts and no verdicts (too few samples to judge), then does what `check` does to
//! the same binaries: a bench that breaks fails CI, and so does a Lambda an odd event kills.
//!
//! `lambda-bench check [DIR]` (`make build-check`) instead starts each packaged binary,
//! `DIR/<name>/bootstrap` as `cargo lambda build` lays them out (default `target/lambda`), under
//! the same Runtime API and stand-ins, and checks that it answers invocations correctly: its
//! good event, then each odd event of [`odd`] followed by the good event again, all by the same
//! process. The arm64 packages run under `LAMBDA_RUNNER` (e.g. `qemu-aarch64-static -L
//! /usr/aarch64-linux-gnu`).

mod events;
mod fake_cognito;
mod odd;
mod runtime_api;
mod sizing;
mod trace_ids;
mod warm;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use api_types::routes::BearerTokenUse;
use cognito_verifier::testing::{TestKey, access_token_claims, id_token_claims};
use events::{Caller, is_success, rest};
use runtime_api::{InvokeOutcome, RuntimeApi};
use serde_json::{Value, json};
use warm::quantile;

const POOL: &str = "us-east-1_BenchPool";
const CLIENT: &str = "bench-client";
/// Cold-start ratio to the echo baseline every binary must stay under.
const MAX_COLD_RATIO: f64 = 1.5;
/// Peak RSS (MiB) after [`Counts::warm_invocations`]: functions, authorizer.
const MAX_FUNCTION_RSS: f64 = 30.0;
const MAX_AUTHORIZER_RSS: f64 = 20.0;
/// Warm overhead: ours over the bare Cognito call, medians.
const MAX_WARM_RATIO: f64 = 1.10;

/// How much the report measures.
#[derive(Debug, Clone, Copy)]
struct Counts {
    /// Cold starts per binary.
    runs: usize,
    /// Invocations per binary for the peak RSS and CPU columns (at least 2).
    warm_invocations: usize,
    /// Warm invocations counted under callgrind, besides the first.
    counted_invocations: usize,
    /// Warm-overhead rounds measured.
    warm_rounds: usize,
    /// Warm-overhead rounds before those, not measured.
    warm_up: usize,
    /// Whether the figures are held to the targets: a quick run's are too few to judge.
    judged: bool,
    /// Whether to stop after the cold-start table (`lambda-bench cold`).
    cold_only: bool,
}

impl Counts {
    /// `make bench`: `runs` cold starts and `warm_rounds` warm-overhead rounds.
    fn full(runs: usize, warm_rounds: usize) -> Self {
        Self {
            runs,
            warm_invocations: 1000,
            counted_invocations: 50,
            warm_rounds,
            warm_up: warm::WARM_UP,
            judged: true,
            cold_only: false,
        }
    }

    /// `lambda-bench cold`: `runs` cold starts, then the cold-start table only.
    fn cold(runs: usize) -> Self {
        Self { cold_only: true, ..Self::full(runs, 0) }
    }

    /// `lambda-bench quick`: every row once, small counts.
    const QUICK: Self = Self {
        runs: 1,
        warm_invocations: 5,
        counted_invocations: 2,
        warm_rounds: 2,
        warm_up: 1,
        judged: false,
        cold_only: false,
    };
}

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
    /// Odd events derived from `event`, and the answers they must get (see [`odd`]).
    odd: fn(&Value) -> Vec<odd::OddEvent>,
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
        // What Lambda sets under the template's LoggingConfig (ApplicationLogLevel's default).
        ("AWS_LAMBDA_LOG_LEVEL", "INFO".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
    ]
}

/// Starts `target` under the Runtime API, directly or after the `runner` command and its arguments.
fn spawn(target: &Target, api: &RuntimeApi, runner: &[String]) -> anyhow::Result<Child> {
    spawn_with(target, api, runner, Stdio::null())
}

/// [`spawn`], its stdout (the function's log lines) going to `stdout`.
fn spawn_with(target: &Target, api: &RuntimeApi, runner: &[String], stdout: Stdio) -> anyhow::Result<Child> {
    let mut command = match runner.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(&target.binary);
            command
        }
        None => Command::new(&target.binary),
    };
    command
        .env_clear()
        .envs(lambda_env(api))
        .envs(target.env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", target.binary.display()))
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

async fn expect_ok(target: &Target, api: &mut RuntimeApi) -> anyhow::Result<()> {
    succeeded(target, api.invoke(target.event.clone()).await?)
}

/// Whether `outcome` is `target`'s expected success.
fn succeeded(target: &Target, outcome: InvokeOutcome) -> anyhow::Result<()> {
    match outcome {
        InvokeOutcome::Response(answer) if (target.ok)(&answer) => Ok(()),
        other => bail!("{} answered {other:?}", target.name),
    }
}

/// `api.invoke(event)`, or an error as soon as the process `child` exits without answering
/// (rather than the invocation's 30 s timeout): what a panic does under `panic = "abort"`.
async fn invoke_alive(api: &mut RuntimeApi, child: &mut Child, event: Value) -> anyhow::Result<InvokeOutcome> {
    let exited = async {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            match child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) | Err(_) => continue,
            }
        }
    };
    tokio::select! {
        outcome = api.invoke(event) => outcome,
        status = exited => bail!("the process exited without answering ({status})"),
    }
}

/// One cold start: exec to the first answered invocation, split at the function's first poll
/// for an event.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ColdStart {
    /// Exec to the first answered invocation.
    total: Duration,
    /// Exec to the first poll: the init phase, before the runtime asks for work.
    init: Duration,
}

impl ColdStart {
    /// The first request: from the first poll (the event is waiting, so it is handed over at
    /// once) to its answer. What init did not do, the first request pays for.
    fn first_request(&self) -> Duration {
        self.total.saturating_sub(self.init)
    }
}

/// Exec to the first answered invocation, and the part of it before the first poll (init).
async fn cold_start(target: &Target) -> anyhow::Result<ColdStart> {
    let mut api = RuntimeApi::start().await?;
    let started = Instant::now();
    let child = spawn(target, &api, &[])?;
    let result = expect_ok(target, &mut api).await;
    let total = started.elapsed();
    stop(child);
    result?;
    let init = api.first_poll().map_or(total, |at| at.duration_since(started));
    Ok(ColdStart { total, init })
}

/// The medians of a binary's cold starts, each part on its own (so `init + first_request` need
/// not equal `total` exactly).
struct ColdMedians {
    total: Duration,
    init: Duration,
    first_request: Duration,
}

impl ColdMedians {
    fn of(samples: &[ColdStart]) -> Self {
        let part = |f: fn(&ColdStart) -> Duration| median(&samples.iter().map(f).collect::<Vec<_>>());
        Self { total: part(|c| c.total), init: part(|c| c.init), first_request: part(ColdStart::first_request) }
    }
}

/// A row's verdict and whether it counts as met: the cold start's (init's) ratio to the echo baseline
/// and the peak RSS (MiB) against the row's `limits`, each failure named; the baseline and a
/// quick run's rows are not judged.
fn verdict(limits: Option<(f64, f64)>, judged: bool, ratio: f64, rss_mib: f64) -> (String, bool) {
    let Some((max_ratio, max_rss)) = limits else { return ("baseline".into(), true) };
    if !judged {
        return ("not judged (quick run)".into(), true);
    }
    let mut missed = Vec::new();
    if ratio > max_ratio {
        missed.push(format!("cold start {ratio:.2}x > {max_ratio}x"));
    }
    if rss_mib >= max_rss {
        missed.push(format!("peak RSS {rss_mib:.1} MiB >= {max_rss} MB"));
    }
    if missed.is_empty() {
        (format!("met (<= {max_ratio}x, < {max_rss} MB)"), true)
    } else {
        (format!("NOT met: {}", missed.join(", ")), false)
    }
}

/// What warm invocations cost a binary: peak RSS (VmHWM, KiB) after the first invocation and
/// after `invocations`, and the CPU time of the process (all its threads) per invocation after
/// the first.
struct WarmProfile {
    rss_first_kib: u64,
    rss_warm_kib: u64,
    cpu_per_call: Duration,
}

async fn warm_profile(target: &Target, invocations: usize) -> anyhow::Result<WarmProfile> {
    let mut api = RuntimeApi::start().await?;
    let child = spawn(target, &api, &[])?;
    let pid = child.id();
    let result = async {
        expect_ok(target, &mut api).await?;
        let (rss_first_kib, cpu_first) = (vm_hwm_kib(pid)?, cpu_ns(pid)?);
        for _ in 1..invocations {
            expect_ok(target, &mut api).await?;
        }
        let cpu = cpu_ns(pid)?.saturating_sub(cpu_first) / (invocations.max(2) as u64 - 1);
        Ok(WarmProfile { rss_first_kib, rss_warm_kib: vm_hwm_kib(pid)?, cpu_per_call: Duration::from_nanos(cpu) })
    }
    .await;
    stop(child);
    result
}

/// Instructions per warm invocation, counted by valgrind's callgrind: stable where CPU time is
/// not (this machine is shared). Two runs under callgrind, one answering 1 invocation and one
/// 1 + `counted` ([`Counts::counted_invocations`]), each ended with SIGTERM (callgrind writes its
/// totals on the way out); their difference over the count. `None` when valgrind is not installed.
async fn instructions_per_call(target: &Target, counted: usize) -> anyhow::Result<Option<u64>> {
    if Command::new("valgrind").arg("--version").stdout(Stdio::null()).status().is_err() {
        return Ok(None);
    }
    let mut totals = Vec::new();
    let counted = counted.max(1);
    for invocations in [1, 1 + counted] {
        let out = std::env::temp_dir().join(format!("lambda-bench-callgrind-{}-{invocations}", std::process::id()));
        let runner =
            ["valgrind".to_string(), "--tool=callgrind".into(), format!("--callgrind-out-file={}", out.display())];
        let mut api = RuntimeApi::start().await?;
        let mut child = spawn(target, &api, &runner)?;
        let answered = async {
            for _ in 0..invocations {
                expect_ok(target, &mut api).await?;
            }
            anyhow::Ok(())
        }
        .await;
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let _ = child.wait();
        answered?;
        let text = std::fs::read_to_string(&out).with_context(|| format!("callgrind output {}", out.display()))?;
        let _ = std::fs::remove_file(&out);
        let total = text
            .lines()
            .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .context("no totals in the callgrind output")?;
        totals.push(total);
    }
    Ok(Some(totals[1].saturating_sub(totals[0]) / counted as u64))
}

/// The CPU time all of `pid`'s threads have run, in nanoseconds (the first field of each
/// thread's `/proc/PID/task/TID/schedstat`).
fn cpu_ns(pid: u32) -> anyhow::Result<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let stat = std::fs::read_to_string(task?.path().join("schedstat")).unwrap_or_default();
        total += stat.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()).unwrap_or(0);
    }
    Ok(total)
}

fn vm_hwm_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmHWM not found")
}

fn median(values: &[Duration]) -> Duration {
    quantile(values, 0.5)
}

/// The size of the deployment package: the binary as `bootstrap` in a deflated zip.
fn zipped_size(binary: &Path) -> anyhow::Result<u64> {
    let data = std::fs::read(binary)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options)?;
    zip.write_all(&data)?;
    Ok(zip.finish()?.into_inner().len() as u64)
}

async fn serve_jwks(jwks: Value) -> anyhow::Result<String> {
    let body = jwks.to_string();
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || std::future::ready(([("content-type", "application/json")], body.clone()))),
    );
    Ok(format!("http://{}/jwks.json", serve(app).await?))
}

/// Serves `app` on a free loopback port for as long as the bench runs; returns its address.
async fn serve(app: axum::Router) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

fn is_allow(answer: &Value) -> bool {
    answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

/// What the targets run against: an RS256 key's JWKS (inline and served on loopback), an ID token
/// and an access token it signed (one person's), and the loopback Cognito stand-in.
struct Fixtures {
    jwks: Value,
    jwks_url: String,
    token: String,
    access_token: String,
    cognito_url: String,
}

impl Fixtures {
    async fn start() -> anyhow::Result<Self> {
        let key = TestKey::new("bench-key");
        let jwks = TestKey::jwks(&[&key]);
        let jwks_url = serve_jwks(jwks.clone()).await?;
        let token = key.sign(&id_token_claims("us-east-1", POOL, CLIENT));
        let access_token = key.sign(&access_token_claims("us-east-1", POOL, CLIENT));
        let cognito_url = fake_cognito::start(token.clone()).await?;
        Ok(Self { jwks, jwks_url, token, access_token, cognito_url })
    }
}

/// The echo baseline, then every Lambda of ours with an event it answers successfully; `locate`
/// gives a binary's file from its name.
fn targets(fixtures: &Fixtures, locate: impl Fn(&str) -> PathBuf) -> anyhow::Result<Vec<Target>> {
    let Fixtures { jwks, jwks_url, token, access_token, cognito_url } = fixtures;
    let method_arn = "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/me";
    let token_event =
        json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": method_arn});
    let authorizer_env = |jwks: (&'static str, String)| {
        vec![("USER_POOL_ID", POOL.to_string()), ("APP_CLIENT_IDS", CLIENT.to_string()), jwks]
    };
    // The functions as deployed (a client with a secret), their Cognito calls answered on loopback.
    let function_env = || {
        vec![
            ("USER_POOL_ID", POOL.to_string()),
            ("USER_POOL_CLIENT_ID", CLIENT.to_string()),
            ("USER_POOL_CLIENT_SECRET", "bench-client-secret".to_string()),
            ("IDENTITY_POOL_ID", "us-east-1:00000000-0000-4000-8000-0000000000aa".to_string()),
            ("AWS_ENDPOINT_URL", cognito_url.clone()),
        ]
    };
    // The same admin with each token: the admin routes take the access token, `/credentials` the ID token.
    let admin =
        Caller { sub: "8f1c0d2e-sub", groups: "admins", token_use: BearerTokenUse::Access, token: access_token };
    let signed_in = Caller { sub: "8f1c0d2e-sub", groups: "admins", token_use: BearerTokenUse::Id, token };
    let function = |name: &'static str, binary: &str, event: Value| Target {
        name,
        limits: Some((MAX_COLD_RATIO, MAX_FUNCTION_RSS)),
        binary: locate(binary),
        env: function_env(),
        event,
        ok: is_success,
        odd: odd::rest,
    };
    let sign_in = json!({"username": "ann@example.com", "password": "Bench-passw0rd", "flow": "USER_PASSWORD_AUTH"});
    Ok(vec![
        Target {
            name: "echo (bare lambda_runtime)",
            limits: None,
            binary: locate("echo"),
            env: Vec::new(),
            event: json!({"hello": "world"}),
            ok: |answer| answer["hello"] == "world",
            odd: |_| Vec::new(),
        },
        Target {
            name: "authorizer (JWKS_JSON)",
            limits: Some((MAX_COLD_RATIO, MAX_AUTHORIZER_RSS)),
            binary: locate("authorizer"),
            env: authorizer_env(("JWKS_JSON", jwks.to_string())),
            event: token_event.clone(),
            ok: is_allow,
            odd: odd::authorizer,
        },
        Target {
            name: "authorizer (JWKS from loopback)",
            limits: Some((MAX_COLD_RATIO, MAX_AUTHORIZER_RSS)),
            binary: locate("authorizer"),
            env: authorizer_env(("JWKS_URL", jwks_url.clone())),
            event: token_event,
            ok: is_allow,
            odd: odd::authorizer,
        },
        function("auth: POST /auth/sign-in", "auth", rest("POST", "/auth/sign-in", Some(sign_in), None)?),
        function(
            "refresh: POST /auth/refresh",
            "refresh",
            rest("POST", "/auth/refresh", Some(json!({"refreshToken": "r", "username": "u"})), None)?,
        ),
        function(
            "password: POST /password/forgot",
            "password",
            rest("POST", "/password/forgot", Some(json!({"username": "ann@example.com"})), None)?,
        ),
        function("users: GET /users/{username}", "users", rest("GET", "/users/ann@example.com", None, Some(&admin))?),
        function(
            "credentials: POST /credentials",
            "credentials",
            rest("POST", "/credentials", None, Some(&signed_in))?,
        ),
    ])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fixtures = Fixtures::start().await?;
    if args.first().is_some_and(|a| a == "check") {
        let dir = PathBuf::from(args.get(1).map_or("target/lambda", String::as_str));
        return check(&targets(&fixtures, |name| dir.join(name).join("bootstrap"))?).await;
    }
    let own_dir = std::env::current_exe()?.parent().map(Path::to_path_buf).context("binary directory")?;
    let dir = std::env::var_os("BENCH_BIN_DIR").map_or_else(|| own_dir.clone(), PathBuf::from);
    let targets = targets(&fixtures, |name| if name == "echo" { own_dir.join(name) } else { dir.join(name) })?;
    if args.first().is_some_and(|a| a == "quick") {
        bench(&targets, Counts::QUICK).await?;
        println!();
        return check(&targets).await;
    }
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |a| a.parse::<usize>());
    if args.first().is_some_and(|a| a == "cold") {
        return bench(&targets, Counts::cold(number(1, 21)?)).await;
    }
    bench(&targets, Counts::full(number(0, 21)?, number(1, 300)?)).await
}

/// `lambda-bench check`: each Lambda (not the echo baseline) started under the Runtime API, after
/// `LAMBDA_RUNNER` when set, must answer its good event, then each of its odd events (the answer
/// [`odd`] expects) followed by the good event again, all in the one process it started as; and
/// every line it logs during those invocations must carry the invocation's trace id, and none a
/// secret ([`trace_ids`]).
async fn check(targets: &[Target]) -> anyhow::Result<()> {
    let runner: Vec<String> =
        std::env::var("LAMBDA_RUNNER").unwrap_or_default().split_whitespace().map(String::from).collect();
    let ours: Vec<&Target> = targets.iter().filter(|t| t.limits.is_some()).collect();
    let mut failed = 0;
    for target in &ours {
        let started = Instant::now();
        match answers_every_event(target, &runner).await {
            Ok((odd, lines)) => println!(
                "ok    {}: its event, then {odd} odd events each followed by its event, one process; \
                 {lines} log lines, each with its invocation's trace id, none with a secret ({:.0} ms)",
                target.name,
                started.elapsed().as_secs_f64() * 1e3
            ),
            Err(error) => {
                failed += 1;
                println!("FAIL  {}: {error:#}", target.name);
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} Lambdas did not answer as expected", ours.len());
    }
    println!("All {} Lambdas answered as expected.", ours.len());
    Ok(())
}

/// Starts `target` once and has it answer its event, then each odd event followed by its event
/// again; the number of odd events answered, and of log lines written during the invocations
/// (each checked by [`trace_ids::check`]).
async fn answers_every_event(target: &Target, runner: &[String]) -> anyhow::Result<(usize, usize)> {
    if !target.binary.is_file() {
        bail!("{} not found (build it first: make build for the packages)", target.binary.display());
    }
    let odd_events = (target.odd)(&target.event);
    let mut api = RuntimeApi::start().await?;
    let mut child = spawn_with(target, &api, runner, Stdio::piped())?;
    let lines = trace_ids::LogLines::read(child.stdout.take().context("the function's stdout")?);
    // Under an emulator (LAMBDA_RUNNER) init takes seconds.
    let init =
        trace_ids::init_lines(&api, &lines, Duration::from_secs(60), || !matches!(child.try_wait(), Ok(None))).await;
    let result = async {
        let good = invoke_alive(&mut api, &mut child, target.event.clone()).await;
        succeeded(target, good?).context("its own event, first")?;
        for odd in &odd_events {
            let outcome = invoke_alive(&mut api, &mut child, odd.event.clone()).await;
            let outcome = outcome.with_context(|| format!("odd event: {}", odd.name))?;
            odd.expect.check(&outcome).map_err(|why| anyhow::anyhow!("odd event: {}: {why}", odd.name))?;
            let good = invoke_alive(&mut api, &mut child, target.event.clone()).await;
            succeeded(target, good?).with_context(|| format!("its own event, after: {}", odd.name))?;
        }
        anyhow::Ok(odd_events.len())
    }
    .await;
    stop(child);
    let odd = result?;
    let secrets =
        trace_ids::secrets(&target.env, std::iter::once(&target.event).chain(odd_events.iter().map(|o| &o.event)));
    let checked = trace_ids::check(&lines.finish(), init, api.invocations(), &secrets)
        .map_err(|why| anyhow::anyhow!("its log: {why}"))?;
    Ok((odd, checked))
}

/// The authorizer's work per warm invocation over the bare runtime's, in instructions.
async fn authorizer_instructions(targets: &[Target], counted: usize) -> anyhow::Result<()> {
    let (Some(echo), Some(authorizer)) = (targets.first(), targets.get(1)) else { return Ok(()) };
    let (Some(base), Some(ours)) =
        (instructions_per_call(echo, counted).await?, instructions_per_call(authorizer, counted).await?)
    else {
        println!("\n(valgrind not installed: no instruction counts.)");
        return Ok(());
    };
    println!(
        "\nInstructions per warm invocation under callgrind ({counted} invocations after the first): \
         {} {ours}, {} {base}; the authorizer's own work: {} instructions per invocation.",
        authorizer.name,
        echo.name,
        ours.saturating_sub(base)
    );
    Ok(())
}

/// `make bench`: the cold-start, size and memory table, then the warm rounds.
async fn bench(targets: &[Target], counts: Counts) -> anyhow::Result<()> {
    let Counts { runs, warm_invocations, counted_invocations, warm_rounds, warm_up, judged, cold_only } = counts;
    if !judged {
        println!(
            "Quick run: every row once, small counts, the echo baseline as built next to lambda-bench; \
             the figures are not held to the targets.\n"
        );
    }
    println!(
        "Cold start: init, exec to the first poll for an event (what Lambda reports as Init Duration), \
         judged against the bare runtime's init (vs echo); beside it the first request (the first poll to \
         its answer; the event is waiting when the function polls), where work moved out of init would \
         show, and exec to the first answer over echo's. {runs} runs each, interleaved; medians of each."
    );
    println!("Functions call a loopback stand-in for Cognito; the authorizer verifies an RS256 ID token.");
    let mut cold: Vec<Vec<ColdStart>> = vec![Vec::new(); targets.len()];
    for _ in 0..runs {
        for (i, target) in targets.iter().enumerate() {
            cold[i].push(cold_start(target).await?);
        }
    }
    let baseline = cold.first().map(|samples| ColdMedians::of(samples)).context("no echo baseline")?;
    println!(
        "\n| binary | size (stripped) | zipped | init (cold start) | vs echo | first request | exec to first answer | vs echo | peak RSS, 1st call | peak RSS, {warm_invocations} calls | CPU per warm call | targets |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut cpu_of = Vec::new();
    let mut all_met = true;
    for (target, samples) in targets.iter().zip(&cold) {
        let size = std::fs::metadata(&target.binary)?.len();
        let zipped = zipped_size(&target.binary)?;
        let medians = ColdMedians::of(samples);
        let warm = warm_profile(target, warm_invocations).await?;
        cpu_of.push((target.name, warm.cpu_per_call));
        // The cold start judged is init, Lambda's Init Duration; the first request is shown beside
        // it, so cost moved out of init into the first request stays visible.
        let ratio = medians.init.as_secs_f64() / baseline.init.as_secs_f64();
        let total_ratio = medians.total.as_secs_f64() / baseline.total.as_secs_f64();
        let rss_mib = warm.rss_warm_kib as f64 / 1024.0;
        let (verdict, met) = verdict(target.limits, judged, ratio, rss_mib);
        all_met &= met;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {:.2} ms | {ratio:.2}x | {:.2} ms | {:.2} ms | {total_ratio:.2}x | {:.1} MiB | {rss_mib:.1} MiB | {:.0} µs | {verdict} |",
            target.name,
            mib(size),
            mib(zipped),
            ms(medians.init),
            ms(medians.first_request),
            ms(medians.total),
            warm.rss_first_kib as f64 / 1024.0,
            warm.cpu_per_call.as_secs_f64() * 1e6,
        );
    }
    if cold_only {
        if !all_met {
            println!("\nSome targets are not met: see the rows marked NOT met.");
        }
        return Ok(());
    }
    sizing::print(&cpu_of);
    authorizer_instructions(targets, counted_invocations).await?;

    println!(
        "\nWarm overhead: through the local gateway (authorizer policy cached per token) and the handler to \
         the strict emulator, vs the same Cognito call made directly with the AWS SDK; {warm_rounds} interleaved rounds."
    );
    println!("\n| path | ours median | direct median | ratio | ours p99 | direct p99 | p99 ratio | target |");
    println!("|---|---|---|---|---|---|---|---|");
    for paired in warm::run(warm_rounds, warm_up).await? {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let (ours, direct) = (quantile(&paired.ours, 0.5), quantile(&paired.direct, 0.5));
        let (ours99, direct99) = (quantile(&paired.ours, 0.99), quantile(&paired.direct, 0.99));
        let ratio = ms(ours) / ms(direct);
        let met = ratio <= MAX_WARM_RATIO || !judged;
        all_met &= met;
        println!(
            "| {} vs {} | {:.2} ms | {:.2} ms | {ratio:.2}x | {:.2} ms | {:.2} ms | {:.2}x | {} |",
            paired.name,
            if paired.name == "sign-in" { "InitiateAuth" } else { "GetUser" },
            ms(ours),
            ms(direct),
            ms(ours99),
            ms(direct99),
            ms(ours99) / ms(direct99),
            match (judged, met) {
                (false, _) => "not judged (quick run)".to_string(),
                (true, true) => format!("met (<= {MAX_WARM_RATIO}x)"),
                (true, false) => format!("NOT met (<= {MAX_WARM_RATIO}x)"),
            },
        );
    }
    if !all_met {
        println!("\nSome targets are not met: see the rows marked NOT met.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_is_what_follows_init() {
        let ms = Duration::from_millis;
        assert_eq!(ColdStart { total: ms(5), init: ms(3) }.first_request(), ms(2));
        // No poll recorded: init is the whole cold start, and the first request nothing.
        assert_eq!(ColdStart { total: ms(5), init: ms(5) }.first_request(), Duration::ZERO);
    }

    #[test]
    fn each_part_of_the_cold_start_is_its_own_median() {
        let ms = Duration::from_millis;
        let samples = [
            ColdStart { total: ms(10), init: ms(2) },
            ColdStart { total: ms(4), init: ms(3) },
            ColdStart { total: ms(6), init: ms(5) },
        ];
        let medians = ColdMedians::of(&samples);
        assert_eq!((medians.total, medians.init, medians.first_request), (ms(6), ms(3), ms(1)));
    }

    #[test]
    fn a_row_over_the_cold_start_ratio_is_not_met_and_says_so() {
        let (text, met) = verdict(Some((1.5, 30.0)), true, 1.62, 10.0);
        assert!(!met);
        assert_eq!(text, "NOT met: cold start 1.62x > 1.5x");
    }

    #[test]
    fn a_row_within_both_limits_is_met() {
        assert_eq!(verdict(Some((1.5, 30.0)), true, 1.5, 29.9), ("met (<= 1.5x, < 30 MB)".to_string(), true));
    }

    #[test]
    fn a_row_over_both_limits_names_both() {
        let (text, met) = verdict(Some((1.5, 30.0)), true, 2.0, 31.0);
        assert!(!met);
        assert_eq!(text, "NOT met: cold start 2.00x > 1.5x, peak RSS 31.0 MiB >= 30 MB");
    }

    #[test]
    fn the_baseline_and_a_quick_run_are_not_judged() {
        assert_eq!(verdict(None, true, 1.0, 3.0), ("baseline".to_string(), true));
        assert_eq!(verdict(Some((1.5, 30.0)), false, 9.0, 99.0), ("not judged (quick run)".to_string(), true));
    }
}
