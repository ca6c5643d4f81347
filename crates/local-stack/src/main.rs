//! `make dev`: the whole API on 127.0.0.1 with a seeded Cognito emulator. Ctrl-C stops it all.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::types::AdvancedSecurityModeType;
use local_stack::{LocalStack, StackOptions, seed::DemoUser};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn")),
        )
        .init();
    let options = options_from_env()?;
    let state_dir = PathBuf::from(".dev");
    std::fs::create_dir_all(&state_dir)?;
    let outbox = state_dir.join("outbox.jsonl");
    // A fresh outbox per run: codes from an earlier run's pool would not work.
    let _ = std::fs::remove_file(&outbox);
    let options = StackOptions { moto_log: Some(state_dir.join("moto.log")), outbox: Some(outbox), ..options };
    println!("Starting the Cognito emulator and the local API ...");
    let stack = LocalStack::start(options).await?;
    let pool = &stack.pool;
    let info = stack.stack_file();
    write_private(&state_dir.join("stack.json"), &serde_json::to_string_pretty(&info)?)?;
    // The built-in demo passwords are shown; one set in the environment is not echoed back.
    let defaults = StackOptions::for_tests();
    let shown = |password: &str, default: &str, var: &str| {
        if password == default { password.to_string() } else { format!("<{var}>") }
    };
    let user_pw = shown(&pool.user.password, &defaults.user.password, "DEMO_USER_PASSWORD");
    let admin_pw = shown(&pool.admin.password, &defaults.admin.password, "DEMO_ADMIN_PASSWORD");
    println!(
        "\nLocal API:         {url}\n\
         Cognito emulator:  {moto} (log: .dev/moto.log)\n\
         Outbox:            .dev/outbox.jsonl (codes Cognito would email or text; printed below)\n\
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
    );
    tokio::select! {
        stopped = wait_for_stop() => stopped?,
        () = print_outbox(&stack.outbox) => {}
    }
    println!("Stopping ...");
    stack.stop().await;
    Ok(())
}

fn options_from_env() -> anyhow::Result<StackOptions> {
    let defaults = StackOptions::for_tests();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let port = |name: &str, default: u16| -> anyhow::Result<u16> {
        var(name).map_or(Ok(default), |v| v.parse().with_context(|| format!("{name} must be a port number")))
    };
    let ttl = var("AUTHORIZER_CACHE_TTL")
        .map_or(Ok(300), |v| v.parse::<u64>().context("AUTHORIZER_CACHE_TTL must be seconds"))?;
    // As the template's ThreatProtection parameter: OFF, AUDIT or ENFORCED.
    let threat_protection = match var("THREAT_PROTECTION").as_deref().unwrap_or("OFF") {
        mode @ ("OFF" | "AUDIT" | "ENFORCED") => AdvancedSecurityModeType::from(mode),
        other => anyhow::bail!("THREAT_PROTECTION must be OFF, AUDIT or ENFORCED, not {other}"),
    };
    Ok(StackOptions {
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
        allowed_origins: var("ALLOWED_ORIGINS").unwrap_or(defaults.allowed_origins),
        authorizer_cache_ttl: Duration::from_secs(ttl),
        threat_protection,
        ..defaults
    })
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
