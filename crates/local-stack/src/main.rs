//! `make dev`: the whole API on 127.0.0.1 with a seeded Cognito emulator, and the reference web
//! app on an origin of its own (`http://localhost:5173`), the only one the API's CORS allows.
//! Ctrl-C stops it all. One runs per directory: a second stops at `.dev/lock`, touching nothing.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::types::AdvancedSecurityModeType;
use local_stack::{
    LocalStack, StackOptions,
    access_log::AccessLogDestination,
    instance::InstanceLock,
    limits::PerCallerLimits,
    moto::{AcrClaims, EmulatorClock},
    seed::DemoUser,
    web,
};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn")),
        )
        .init();
    // One line a person can act on, not a Debug dump.
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// What `make dev` takes from the environment besides the stack's own options.
struct DevConfig {
    options: StackOptions,
    /// `ALLOWED_ORIGINS` when set; otherwise exactly the web app's origin.
    allowed_origins: Option<String>,
    /// `WEB_DIST`: the built web app.
    web_dist: PathBuf,
    /// `WEB_PORT` (0: a free port).
    web_port: u16,
}

async fn run() -> anyhow::Result<()> {
    let config = config_from_env()?;
    let state_dir = PathBuf::from(".dev");
    std::fs::create_dir_all(&state_dir).context("creating .dev")?;
    // Before anything in .dev changes: a second make dev stops here.
    let lock = InstanceLock::acquire(&state_dir.join("lock"))?;
    // Then the ports: a taken one stops here too, with the last run's files left as they were.
    let api = bind(config.options.port, "PORT").await?;
    let web_app = if config.web_dist.join("index.html").is_file() {
        Some(bind(config.web_port, "WEB_PORT").await?)
    } else {
        println!(
            "Web app: {} not found; build it with `npm ci && npm run build` in web/ (make dev does). \
             Serving the API only.",
            config.web_dist.join("index.html").display()
        );
        None
    };
    let web_port = match &web_app {
        Some(listener) => Some(listener.local_addr()?.port()),
        None => Some(config.web_port).filter(|port| *port != 0),
    };
    let web_url = web_port.map(web::origin);
    // The browser may call the API from the web app's origin and from nowhere else.
    let allowed_origins = config.allowed_origins.clone().or_else(|| web_url.clone()).unwrap_or_default();

    let outbox = state_dir.join("outbox.jsonl");
    // A fresh outbox per run: codes from an earlier run's pool would not work. Nor would the
    // earlier run's stack.json.
    let _ = std::fs::remove_file(&outbox);
    let _ = std::fs::remove_file(state_dir.join("stack.json"));
    let refresh_grace = config.options.refresh_grace_period;
    let options = StackOptions {
        moto_log: Some(state_dir.join("moto.log")),
        // One JSON line per request, the template's access-log fields, appended across runs.
        access_log: AccessLogDestination::File(state_dir.join("access.log")),
        outbox: Some(outbox),
        allowed_origins,
        ..config.options
    };
    println!("Starting the Cognito emulator and the local API ...");
    let stack = LocalStack::start_on(options, api).await?;
    let web_server = web_app.map(|listener| web::WebServer::start(listener, config.web_dist.clone(), &stack.url));
    let pool = &stack.pool;
    let mut info = stack.stack_file();
    if let (Some(url), true) = (&web_url, web_server.is_some()) {
        info["webUrl"] = serde_json::Value::from(url.as_str());
    }
    // Tools and tests wait for the rotated-out refresh token to die instead of guessing.
    info["refreshTokenGracePeriodSeconds"] = serde_json::Value::from(refresh_grace.as_secs());
    publish(&lock, &state_dir.join("stack.json"), &info, &stack.url)?;
    // The built-in demo passwords are shown; one set in the environment is not echoed back.
    let defaults = StackOptions::for_tests();
    let shown = |password: &str, default: &str, var: &str| {
        if password == default { password.to_string() } else { format!("<{var}>") }
    };
    let user_pw = shown(&pool.user.password, &defaults.user.password, "DEMO_USER_PASSWORD");
    let admin_pw = shown(&pool.admin.password, &defaults.admin.password, "DEMO_ADMIN_PASSWORD");
    let allowed = match &config.allowed_origins {
        None => "the only origin the API allows".to_string(),
        Some(list) => format!("the API allows ALLOWED_ORIGINS={list}"),
    };
    let web_line = match (&web_url, web_server.is_some()) {
        (Some(url), true) => format!("{url} (from {}; {allowed})", config.web_dist.display()),
        _ => "not served (no built app)".to_string(),
    };
    println!(
        "\nWeb app:           {web_line}\n\
         Local API:         {url}\n\
         Cognito emulator:  {moto} (log: .dev/moto.log)\n\
         Outbox:            .dev/outbox.jsonl (codes Cognito would email or text; printed below)\n\
         Access log:        .dev/access.log (one JSON line per request, as API Gateway logs it)\n\
         Per-caller limits: {limits}\n\
         User pool:         {pool_id}\n\
         App client:        {client_id} (with a secret; see .dev/stack.json)\n\
         Demo user:         {user} / {user_pw}\n\
         Demo admin:        {admin} / {admin_pw} (group {group})\n\n\
         Try:\n  curl -s -X POST {url}/auth/sign-in -H 'content-type: application/json' \\\n    \
         -d '{{\"username\":\"{user}\",\"password\":\"{user_pw}\",\"flow\":\"USER_PASSWORD_AUTH\"}}'\n\n\
         Ctrl-C stops everything.",
        url = stack.url,
        moto = stack.moto.endpoint,
        pool_id = pool.pool_id,
        client_id = pool.client_id,
        user = pool.user.email,
        admin = pool.admin.email,
        group = pool.admin_group,
        limits = stack.gateway.per_caller_limits(),
    );
    tokio::select! {
        stopped = wait_for_stop() => stopped?,
        () = print_outbox(&stack.outbox) => {}
    }
    println!("Stopping ...");
    if let Some(server) = web_server {
        server.stop().await;
    }
    stack.stop().await;
    Ok(())
}

/// Binds 127.0.0.1:`port` (`var` names the setting that chose it), saying plainly when it is taken.
async fn bind(port: u16, var: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|err| match err.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!(
                "127.0.0.1:{port} is in use by another program; stop it, or choose another port with {var}=..."
            )
        }
        _ => anyhow::Error::new(err).context(format!("binding 127.0.0.1:{port} ({var})")),
    })
}

fn config_from_env() -> anyhow::Result<DevConfig> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let web_port =
        var("WEB_PORT").map_or(Ok(web::DEFAULT_PORT), |v| v.parse().context("WEB_PORT must be a port number"))?;
    Ok(DevConfig {
        options: options_from_env()?,
        allowed_origins: var("ALLOWED_ORIGINS"),
        web_dist: PathBuf::from(var("WEB_DIST").unwrap_or_else(|| web::DEFAULT_DIST.into())),
        web_port,
    })
}

/// The stack's options (`allowed_origins` aside: see [`config_from_env`]).
fn options_from_env() -> anyhow::Result<StackOptions> {
    let defaults = StackOptions::for_tests();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let port = |name: &str, default: u16| -> anyhow::Result<u16> {
        var(name).map_or(Ok(default), |v| v.parse().with_context(|| format!("{name} must be a port number")))
    };
    let ttl = var("AUTHORIZER_CACHE_TTL")
        .map_or(Ok(300), |v| v.parse::<u64>().context("AUTHORIZER_CACHE_TTL must be seconds"))?;
    let grace = var("REFRESH_GRACE_PERIOD_SECONDS").map_or(Ok(defaults.refresh_grace_period), |v| {
        grace_period(&v).context("REFRESH_GRACE_PERIOD_SECONDS must be seconds from 0 to 60")
    })?;
    // As the template's ThreatProtection parameter: OFF, AUDIT or ENFORCED.
    let threat_protection = match var("THREAT_PROTECTION").as_deref().unwrap_or("OFF") {
        mode @ ("OFF" | "AUDIT" | "ENFORCED") => AdvancedSecurityModeType::from(mode),
        other => anyhow::bail!("THREAT_PROTECTION must be OFF, AUDIT or ENFORCED, not {other}"),
    };
    // As a pool whose tokens carry acr and amr (Cognito's documented behaviour), or one where
    // they have not rolled out yet.
    let acr_claims = match var("ACR_CLAIMS").as_deref().unwrap_or("issued") {
        "issued" => AcrClaims::Issued,
        "not-rolled-out" => AcrClaims::NotRolledOut,
        other => anyhow::bail!("ACR_CLAIMS must be issued or not-rolled-out, not {other}"),
    };
    // The variables the template gives the auth and users functions, its defaults when unset:
    // the Users page needs a second factor (the demo admin enrols an authenticator app first).
    let sign_in_requirements = auth_domain::step_up::SignInRequirements::from_lookup(var)?;
    Ok(StackOptions {
        acr_claims,
        sign_in_requirements,
        per_caller_limits: PerCallerLimits::from_lookup(var)?,
        port: port("PORT", 3000)?,
        moto_port: port("MOTO_PORT", 0)?,
        region: var("AWS_REGION").unwrap_or(defaults.region),
        admin_group: var("ADMIN_GROUP").unwrap_or(defaults.admin_group),
        user: DemoUser {
            email: var("DEMO_USER_EMAIL").unwrap_or(defaults.user.email),
            password: var("DEMO_USER_PASSWORD").unwrap_or(defaults.user.password),
        },
        admin: DemoUser {
            email: var("DEMO_ADMIN_EMAIL").unwrap_or(defaults.admin.email),
            password: var("DEMO_ADMIN_PASSWORD").unwrap_or(defaults.admin.password),
        },
        authorizer_cache_ttl: Duration::from_secs(ttl),
        threat_protection,
        refresh_grace_period: grace,
        // A developer's stack keeps time: nothing may move its emulator's clock.
        emulator_clock: EmulatorClock::System,
        ..defaults
    })
}

/// `REFRESH_GRACE_PERIOD_SECONDS`: Cognito's `RetryGracePeriodSeconds` bounds, 0 to 60.
fn grace_period(text: &str) -> anyhow::Result<Duration> {
    match text.parse::<u64>() {
        Ok(seconds @ 0..=60) => Ok(Duration::from_secs(seconds)),
        _ => anyhow::bail!("not a number of seconds from 0 to 60: {text}"),
    }
}

/// Prints each message the emulator "sends" as it arrives, the code included: it is the local
/// stand-in of the person's inbox.
async fn print_outbox(outbox: &local_stack::outbox::Outbox) {
    let mut shown = 0;
    loop {
        let messages = outbox.messages();
        for m in messages.iter().skip(shown) {
            println!("Outbox: {} to {} ({}): {}", m.kind, m.to, m.medium, m.code.expose());
        }
        shown = messages.len();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Says the stack is up: the lock names its API first, then `stack.json` appears. Whoever waits
/// for `stack.json` (a person, the browser tests) and then starts a second stack here is told
/// where the running one is, never "still starting".
fn publish(
    lock: &InstanceLock,
    stack_json: &std::path::Path,
    info: &serde_json::Value,
    api_url: &str,
) -> anyhow::Result<()> {
    lock.record(Some(api_url)).context("writing .dev/lock")?;
    write_private(stack_json, &serde_json::to_string_pretty(info)?).context("writing .dev/stack.json")
}

/// Writes `text` to `path` readable by this user only (0600): it holds the client secret, and
/// `authctl` uses an implicit `.dev/stack.json` only when it is private.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt, os::unix::fs::PermissionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    // An older file keeps its mode on open: make it private too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

async fn wait_for_stop() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_names_the_api_before_stack_json_is_written() {
        // GIVEN a held lock, and a stack.json that cannot be written (its folder is missing)
        let dir = std::env::temp_dir().join(format!("local-stack-publish-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = InstanceLock::acquire(&dir.join("lock")).unwrap();
        // WHEN the stack publishes itself
        let published = publish(&lock, &dir.join("missing/stack.json"), &serde_json::json!({}), "http://127.0.0.1:1");
        // THEN the write failed, but the lock had already been given the API's address
        assert!(published.is_err());
        let holder: local_stack::instance::Holder =
            serde_json::from_str(&std::fs::read_to_string(dir.join("lock")).unwrap()).unwrap();
        assert_eq!(holder.api_url.as_deref(), Some("http://127.0.0.1:1"));
        drop(lock);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn make_devs_emulator_runs_on_the_systems_clock() {
        // GIVEN the stack `make dev` starts, WHEN its options are read, THEN no one can move its
        // emulator's clock (only a stack started for tests serves the clock's control route)
        assert_eq!(options_from_env().unwrap().emulator_clock, EmulatorClock::System);
        assert_eq!(StackOptions::for_tests().emulator_clock, EmulatorClock::Movable);
    }

    #[test]
    fn the_grace_period_takes_cognitos_bounds() {
        assert_eq!(grace_period("0").unwrap(), Duration::ZERO);
        assert_eq!(grace_period("3").unwrap(), Duration::from_secs(3));
        assert_eq!(grace_period("60").unwrap(), Duration::from_secs(60));
        for bad in ["61", "-1", "3s", ""] {
            assert!(grace_period(bad).is_err(), "{bad}");
        }
    }
}
