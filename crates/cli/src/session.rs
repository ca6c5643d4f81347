//! The saved session: the tokens of the last sign-in, in a file only its owner can read.
//!
//! The file is written whole to a temporary file created with mode 0600 in the same directory,
//! then renamed over the old one, so a reader never sees half a session and the tokens are never
//! readable by others, not even for a moment. Its directory is created with mode 0700.

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use api_types::Secret;
use serde::{Deserialize, Serialize};

use crate::{
    cli::TokenKind,
    config::{CliConfigError, Env},
};

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The pool's internal username (`cognito:username`): what refresh hashes `SECRET_HASH` over.
    pub username: String,
    /// The ID token.
    pub id_token: Secret,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token (kept across refreshes, which do not issue a new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// When the ID and access tokens expire, in seconds since the epoch.
    pub expires_at: u64,
    /// The pool that issued the tokens.
    pub user_pool_id: String,
    /// The app client the tokens were issued to.
    pub client_id: String,
}

impl Session {
    /// The token of `kind`, if the session has one.
    pub fn token(&self, kind: TokenKind) -> Option<&str> {
        match kind {
            TokenKind::Id => Some(self.id_token.expose()),
            TokenKind::Access => Some(self.access_token.expose()),
            TokenKind::Refresh => self.refresh_token.as_ref().map(Secret::expose),
        }
    }

    /// Whether the ID and access tokens have expired at `now` (seconds since the epoch).
    pub fn expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The session file: `--session`, else `AUTHCTL_SESSION`, else
/// `$XDG_STATE_HOME/authctl/session.json` (when that is an absolute path, as the XDG spec
/// requires), else `$HOME/.local/state/authctl/session.json`.
pub fn session_path(flag: Option<&Path>, env: &Env) -> Result<PathBuf, CliConfigError> {
    if let Some(path) = flag.map(Path::to_path_buf).or_else(|| env.get("AUTHCTL_SESSION").map(PathBuf::from)) {
        return Ok(path);
    }
    let state = env
        .get("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env.get("HOME").map(|home| Path::new(home).join(".local/state")))
        .ok_or(CliConfigError::NoSessionPath)?;
    Ok(state.join("authctl").join("session.json"))
}

/// Reads the session at `path`.
pub fn load(path: &Path) -> anyhow::Result<Session> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            anyhow::bail!("no saved session ({} does not exist): run `authctl sign-in` first", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read session file {}", path.display())),
    };
    serde_json::from_str(&text).with_context(|| {
        format!("session file {} is unreadable: run `authctl sign-in` again to replace it", path.display())
    })
}

/// Saves `session` at `path` (mode 0600, atomically), creating its directory (mode 0700).
pub fn save(path: &Path, session: &Session) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("session.json");
    let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written =
        write_private(&temp, &serde_json::to_vec_pretty(session)?).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.with_context(|| format!("cannot write session file {}", path.display()))
}

/// Deletes the session file; `false` when there was none.
pub fn remove(path: &Path) -> anyhow::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot delete session file {}", path.display())),
    }
}

/// Creates `path` new, readable and writable by its owner only, and writes `bytes` to it.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            username: "u-1".into(),
            id_token: "id.token.sig".into(),
            access_token: "access.token.sig".into(),
            refresh_token: Some("refresh".into()),
            expires_at: 1_000,
            user_pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
        }
    }

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("authctl-unit-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn the_session_path_is_the_flag_then_the_variable_then_xdg_state_then_home() {
        let env =
            Env::from_pairs([("AUTHCTL_SESSION", "/s/env.json"), ("XDG_STATE_HOME", "/state"), ("HOME", "/home/a")]);
        assert_eq!(session_path(Some(Path::new("flag.json")), &env).unwrap(), PathBuf::from("flag.json"));
        assert_eq!(session_path(None, &env).unwrap(), PathBuf::from("/s/env.json"));
        let env = Env::from_pairs([("XDG_STATE_HOME", "/state"), ("HOME", "/home/a")]);
        assert_eq!(session_path(None, &env).unwrap(), PathBuf::from("/state/authctl/session.json"));
        let env = Env::from_pairs([("XDG_STATE_HOME", "relative"), ("HOME", "/home/a")]);
        assert_eq!(session_path(None, &env).unwrap(), PathBuf::from("/home/a/.local/state/authctl/session.json"));
        assert_eq!(session_path(None, &Env::default()), Err(CliConfigError::NoSessionPath));
    }

    #[test]
    fn a_saved_session_is_private_and_reads_back() {
        // GIVEN a session directory that does not exist yet
        let dir = TempDir::new("save");
        let path = dir.0.join("nested/session.json");
        // WHEN a session is saved, then saved again over the first
        save(&path, &session()).unwrap();
        let second = Session { username: "u-2".into(), ..session() };
        save(&path, &second).unwrap();
        // THEN it reads back, only its owner may read it, and no temporary file is left behind
        assert_eq!(load(&path).unwrap(), second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
        // AND removing it twice is fine
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn saving_over_a_readable_file_leaves_a_private_one() {
        use std::os::unix::fs::PermissionsExt;
        // GIVEN a session file others can read (copied in, say)
        let dir = TempDir::new("over");
        std::fs::create_dir_all(&dir.0).unwrap();
        let path = dir.0.join("session.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        // WHEN a session is saved over it
        save(&path, &session()).unwrap();
        // THEN the file holding the tokens is the owner's only: it was replaced, not rewritten
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(load(&path).unwrap(), session());
    }

    #[test]
    fn a_missing_session_says_to_sign_in() {
        let dir = TempDir::new("missing");
        let err = load(&dir.0.join("none.json")).unwrap_err().to_string();
        assert!(err.contains("authctl sign-in"), "{err}");
    }

    #[test]
    fn debug_leaves_the_tokens_out() {
        let text = format!("{:?}", session());
        assert!(!text.contains("token.sig") && !text.contains("refresh\""), "{text}");
    }

    #[test]
    fn tokens_expire_at_their_expiry() {
        assert!(!session().expired(999));
        assert!(session().expired(1_000));
    }
}
