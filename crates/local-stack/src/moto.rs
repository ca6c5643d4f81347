//! The Cognito emulator: moto with the project's strict layer (`emulator/strict_cognito`, held
//! to Cognito's documented behaviour; see docs/cognito-conformance.md) on a loopback port,
//! stopped when dropped.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

/// The directory holding the `strict_cognito` Python package.
pub const EMULATOR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/emulator");

/// How long moto may take to answer after it is started.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The clock the emulator's time-dependent behaviour reads (session expiry, the lockout, the
/// refresh-token grace period, TOTP steps: `strict_cognito/clock.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmulatorClock {
    /// The system's clock, and no way to move it: `make dev`.
    System,
    /// The system's clock until a test stops it or moves it forward ([`Moto::stop_clock`],
    /// [`Moto::advance_clock`]), so that a test crosses a window instead of sleeping against
    /// it. Only a stack started for tests has it: the emulator serves its control route
    /// (`POST /moto-api/strict-cognito/clock`) only then.
    Movable,
}

/// Whether the emulator's tokens carry `acr` and `amr` (`STRICT_COGNITO_ACR_CLAIMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcrClaims {
    /// Every sign-in's tokens carry them, as Cognito documents, and `USER_AUTH` steps up.
    Issued,
    /// As a pool where they have not rolled out yet (seen live by a third party on 2026-10-06):
    /// tokens carry `auth_time` only, and `USER_AUTH` ignores the step-up parameters.
    NotRolledOut,
}

/// How the emulator behaves where a test or a developer may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmulatorBehaviour {
    /// The first lockout's length after five failed sign-ins (Cognito: 1 s).
    pub lockout_base: Duration,
    /// Whether tests may move its clock.
    pub clock: EmulatorClock,
    /// Whether its tokens carry `acr` and `amr`.
    pub acr_claims: AcrClaims,
}

/// A running moto server. Dropping it kills the process; if our process dies first, the kernel
/// kills it too (`PR_SET_PDEATHSIG`), so nothing is ever left listening.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    clock: EmulatorClock,
}

impl Moto {
    /// Starts the emulator (`bin` is the virtualenv's `moto_server`; its `python` runs
    /// `strict_cognito`) on 127.0.0.1:`port` (a free port when 0) and waits until it answers.
    /// Its log goes to `log`, or nowhere; the codes Cognito would send go to `outbox` (JSON
    /// lines); IAM is enforced with the principals in `iam` (see [`crate::iam::Principals`]);
    /// `behaviour` sets the first lockout's length, whether tests may move the emulator's clock
    /// and whether its tokens carry `acr` and `amr`.
    pub async fn start(
        bin: &Path,
        port: u16,
        log: Option<&Path>,
        outbox: &Path,
        iam: &Path,
        behaviour: EmulatorBehaviour,
    ) -> anyhow::Result<Self> {
        let EmulatorBehaviour { lockout_base, clock, acr_claims } = behaviour;
        if !bin.exists() {
            bail!("{} not found: run `make venv` (or set MOTO_SERVER)", bin.display());
        }
        let port = if port == 0 { free_port()? } else { port };
        let (stdout, stderr) = match log {
            Some(path) => {
                let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
                (Stdio::from(file.try_clone()?), Stdio::from(file))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        // moto_server's own interpreter runs moto with the strict layer.
        let python = bin.with_file_name("python");
        if !python.exists() {
            bail!("{} not found next to {}: run `make venv`", python.display(), bin.display());
        }
        let mut command = Command::new(&python);
        command
            .args(["-m", "strict_cognito", "-H", "127.0.0.1", "-p", &port.to_string()])
            .env("PYTHONPATH", EMULATOR_DIR)
            .env("STRICT_COGNITO_OUTBOX", outbox)
            .env("STRICT_COGNITO_IAM", iam)
            .env("STRICT_COGNITO_LOCKOUT_BASE_SECONDS", lockout_base.as_secs_f64().to_string())
            .env("STRICT_COGNITO_TEST_CLOCK", if clock == EmulatorClock::Movable { "1" } else { "0" })
            .env("STRICT_COGNITO_ACR_CLAIMS", if acr_claims == AcrClaims::Issued { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr);
        die_with_parent(&mut command);
        let child = command.spawn().with_context(|| format!("starting {}", python.display()))?;
        let mut moto = Self { child, endpoint: format!("http://127.0.0.1:{port}"), clock };
        moto.wait_ready().await?;
        Ok(moto)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(1)).build()?;
        let started = Instant::now();
        loop {
            let exited = |child: &mut Child| -> anyhow::Result<()> {
                match child.try_wait()? {
                    Some(status) => bail!("moto_server exited during start-up ({status}); is the port taken?"),
                    None => Ok(()),
                }
            };
            exited(&mut self.child)?;
            let reset = http.post(format!("{}/moto-api/reset", self.endpoint)).send().await;
            if reset.is_ok_and(|r| r.status().is_success()) {
                // Whoever answered, our own server must still be running: a moto already on a
                // fixed port would answer while ours failed to bind.
                tokio::time::sleep(Duration::from_millis(200)).await;
                exited(&mut self.child)?;
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                bail!("moto_server did not answer on {} within {READY_TIMEOUT:?}", self.endpoint);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the emulator's clock where it is: from now on it moves only by
    /// [`Moto::advance_clock`]. Needs [`EmulatorClock::Movable`].
    pub async fn stop_clock(&self) -> anyhow::Result<()> {
        self.control_clock(serde_json::json!({"freeze": true})).await
    }

    /// Moves the emulator's clock `by` forward: sessions, lockouts and grace periods end as if
    /// that much time had passed (tokens it issues still carry the system's time, which the
    /// API's verifier reads). Needs [`EmulatorClock::Movable`].
    pub async fn advance_clock(&self, by: Duration) -> anyhow::Result<()> {
        self.control_clock(serde_json::json!({"advance": by.as_secs_f64()})).await
    }

    async fn control_clock(&self, body: serde_json::Value) -> anyhow::Result<()> {
        if self.clock != EmulatorClock::Movable {
            bail!("the emulator runs on the system's clock (EmulatorClock::System): it cannot be moved");
        }
        let url = format!("{}/moto-api/strict-cognito/clock", self.endpoint);
        let request =
            reqwest::Client::new().post(&url).header("content-type", "application/json").body(body.to_string());
        let reply = request.send().await.context("moving the emulator's clock")?;
        let status = reply.status();
        if !status.is_success() {
            bail!("{url} answered {status}: {}", reply.text().await.unwrap_or_default());
        }
        Ok(())
    }

    /// The JWKS URL moto serves for `pool_id`.
    pub fn jwks_url(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}/.well-known/jwks.json", self.endpoint)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that is free on 127.0.0.1 right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The default moto binary: `MOTO_SERVER`, else the repository's virtualenv.
pub fn default_moto_bin() -> PathBuf {
    std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server"))
}

#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches only the child being started.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}
