//! The local outbox: the messages Cognito would email or text (sign-up codes, password-reset
//! codes, SMS MFA codes, invitations), which the emulator appends to a file as JSON lines
//! instead of sending. `make dev` prints them and keeps them in `.dev/outbox.jsonl`; tests read
//! the code a person would have received.

use std::path::{Path, PathBuf};

use api_types::Secret;
use serde::Deserialize;

/// One message, as the emulator writes it (`emulator/strict_cognito/outbox.py`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxMessage {
    /// When it was sent (RFC 3339, UTC).
    pub time: String,
    /// The pool.
    pub user_pool_id: String,
    /// The internal username of the recipient.
    pub username: String,
    /// The address (email) or number (SMS) it went to.
    pub to: String,
    /// `EMAIL` or `SMS`.
    pub medium: String,
    /// `sign-up`, `reset-password`, `sms-mfa`, `email-mfa`, `invitation`, or the passwordless sign-in codes
    /// `email-otp` and `sms-otp` (8 digits).
    pub kind: String,
    /// The code (for an invitation, the temporary password).
    pub code: Secret,
}

/// The outbox file of one stack. A temporary one (tests) is removed when dropped.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    temporary: bool,
}

impl Outbox {
    /// The outbox at `path` (kept), or a new temporary file when `None`.
    pub fn new(path: Option<PathBuf>) -> std::io::Result<Self> {
        let (path, temporary) = match path {
            Some(path) => (path, false),
            None => (std::env::temp_dir().join(format!("local-stack-outbox-{}.jsonl", uuid::Uuid::new_v4())), true),
        };
        std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self { path, temporary })
    }

    /// Where the emulator writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every message so far, oldest first (lines that do not parse are skipped).
    pub fn messages(&self) -> Vec<OutboxMessage> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The code of the latest message of `kind` sent to `to` (an email address, any case).
    pub fn latest_code(&self, to: &str, kind: &str) -> Option<String> {
        self.messages()
            .into_iter()
            .rev()
            .find(|m| m.kind == kind && m.to.eq_ignore_ascii_case(to))
            .map(|m| m.code.into_exposed())
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OutboxMessage;

    #[test]
    fn debug_leaves_the_code_out() {
        let message: Result<OutboxMessage, _> = serde_json::from_value(serde_json::json!({
            "time": "2026-01-01T00:00:00Z", "userPoolId": "us-east-1_p", "username": "u", "to": "a@example.com",
            "medium": "EMAIL", "kind": "sign-up", "code": "SECRET-MARK"
        }));
        let text = format!("{message:?}");
        assert!(text.contains("sign-up") && !text.contains("SECRET-MARK"), "{text}");
    }
}
