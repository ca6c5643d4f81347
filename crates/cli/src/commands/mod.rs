//! The subcommands, one module each, and what they share: the [`Context`] (global options and
//! the environment, read once) and the connection to Cognito through the domain's services.

pub mod account;
pub mod call;
pub mod decode;
pub mod refresh;
pub mod sign_in;
pub mod sign_out;
pub mod token;
pub mod verify;

use std::{io::Write, path::PathBuf, process::ExitCode, sync::Arc};

use auth_domain::{
    CognitoConfig,
    sdk::{SdkUserPool, sdk_config},
    session::SessionService,
    sign_in::SignInService,
};

use crate::{
    cli::GlobalArgs,
    config::{Credentials, DEFAULT_STACK_FILE, Env, Settings, StackFile, check_implicit_stack_file, stack_file_path},
    session::{self, Session},
};

/// Refuses the implicit stack file at `path` unless [`check_implicit_stack_file`] accepts it.
fn check_implicit(path: &std::path::Path, file: &StackFile) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    check_implicit_stack_file(file, meta.uid(), me, meta.mode()).map_err(|why| {
        anyhow::anyhow!(
            "not using {}: {why}. Name a stack file you trust with --stack FILE or AUTHCTL_STACK.",
            path.display()
        )
    })
}

/// What every command starts from: the global options and a snapshot of the environment.
#[derive(Debug, Clone)]
pub struct Context {
    /// The global options.
    pub global: GlobalArgs,
    /// The environment, read once.
    pub env: Env,
}

impl Context {
    /// A context for `global` and the process environment.
    pub fn new(global: GlobalArgs) -> Self {
        Self { global, env: Env::from_process() }
    }

    /// The settings, reading the stack file when there is one.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let default_exists = std::path::Path::new(DEFAULT_STACK_FILE).is_file();
        let path = stack_file_path(self.global.stack.as_deref(), &self.env, default_exists);
        let file = path.as_deref().map(StackFile::load).transpose()?;
        // Named with --stack or AUTHCTL_STACK: trusted as named. Found in the directory: checked.
        let named = self.global.stack.is_some() || self.env.get("AUTHCTL_STACK").is_some();
        if let (false, Some(path), Some(file)) = (named, path.as_deref(), file.as_ref()) {
            check_implicit(path, file)?;
        }
        let stack = path.as_deref().zip(file.as_ref());
        Ok(Settings::resolve(&self.global, &self.env, stack))
    }

    /// Where the session file is.
    pub fn session_path(&self) -> anyhow::Result<PathBuf> {
        Ok(session::session_path(self.global.session.as_deref(), &self.env)?)
    }

    /// The saved session and its path.
    pub fn load_session(&self) -> anyhow::Result<(PathBuf, Session)> {
        let path = self.session_path()?;
        let session = session::load(&path)?;
        Ok((path, session))
    }
}

/// The user pool through the domain's services: the same flows, `SECRET_HASH` and SRP as the
/// API's Lambda functions.
pub struct Cognito {
    /// The pool and app client.
    pub config: CognitoConfig,
    /// Sign-in and challenge answers.
    pub sign_in: SignInService,
    /// Refresh and sign-out.
    pub sessions: SessionService,
    /// What the SDK signs with.
    pub credentials: Credentials,
}

impl Cognito {
    /// Connects to the pool `settings` name. No call is made yet.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let config = settings.cognito()?;
        let credentials = settings.credentials();
        let sdk = sdk_config(&config.region, credentials.sdk(), settings.cognito_endpoint()).await;
        let pool = Arc::new(SdkUserPool::new(&sdk, &config));
        Ok(Self {
            sign_in: SignInService::new(pool.clone(), config.clone()),
            sessions: SessionService::new(pool.clone(), pool),
            config,
            credentials,
        })
    }

    /// See [`check_session`].
    pub fn check_session(&self, session: &Session) -> anyhow::Result<()> {
        check_session(&self.config, session)
    }
}

/// Refuses a session issued by another pool or app client than the one configured: its tokens
/// would only be refused, with a misleading message.
pub fn check_session(config: &CognitoConfig, session: &Session) -> anyhow::Result<()> {
    if session.user_pool_id != config.user_pool_id || session.client_id != config.client_id {
        anyhow::bail!(
            "the saved session is from user pool {} / app client {}, but {} / {} is configured: \
             sign in again, or use the matching --stack or --session",
            session.user_pool_id,
            session.client_id,
            config.user_pool_id,
            config.client_id
        );
    }
    Ok(())
}

/// The caller context of authctl's own Cognito calls: none. authctl calls Cognito from the
/// user's machine, so Cognito sees the user's address itself; only a server in between (the
/// API's functions) needs to pass it on.
pub(crate) const DIRECT: auth_domain::ContextData = auth_domain::ContextData {
    ip_address: None,
    server_name: String::new(),
    server_path: String::new(),
    http_headers: Vec::new(),
    encoded_data: None,
};

/// Prints `text` on stdout, followed by a newline. A reader that went away (`| head`) is not an
/// error: there is nobody left to tell.
pub(crate) fn print_line(text: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(anyhow::Error::new(e).context("writing to stdout")),
    }
}

/// Reads a token given on the command line: `-` means stdin.
pub(crate) fn token_argument(arg: Option<&str>) -> anyhow::Result<Option<String>> {
    match arg {
        Some("-") => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
            Ok(Some(text.trim().to_string()))
        }
        other => Ok(other.map(|t| t.trim().to_string())),
    }
}

/// Warns on stderr when the saved tokens have expired.
pub(crate) fn warn_if_expired(session: &Session) {
    let now = session::now();
    if session.expired(now) {
        note!(
            "warning: the saved tokens expired {}: run `authctl refresh`",
            crate::jwt::relative(session.expires_at, now)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(pool: &str, client: &str) -> Session {
        Session {
            username: "u".into(),
            id_token: "i".into(),
            access_token: "a".into(),
            refresh_token: None,
            expires_at: 0,
            user_pool_id: pool.into(),
            client_id: client.into(),
        }
    }

    #[test]
    fn a_session_of_another_pool_or_client_is_refused_naming_both() {
        let config = auth_domain::testing::config();
        assert!(check_session(&config, &session(&config.user_pool_id, &config.client_id)).is_ok());
        let err = check_session(&config, &session("us-east-1_other", &config.client_id)).unwrap_err().to_string();
        assert!(err.contains("us-east-1_other") && err.contains(&config.user_pool_id), "{err}");
        assert!(check_session(&config, &session(&config.user_pool_id, "other-client")).is_err());
    }
}
