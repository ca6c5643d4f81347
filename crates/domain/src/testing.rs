//! Test support (feature `testing`): a [`UserPool`] that records every call and answers from a
//! script, so flows and handlers are tested without AWS.

use std::{collections::VecDeque, sync::Mutex};

use async_trait::async_trait;

use crate::user_pool::{AuthFlow, AuthParameters, AuthResult, CognitoError, CognitoErrorKind, UserPool};

/// A call the flows made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `InitiateAuth` / `AdminInitiateAuth`.
    InitiateAuth(AuthFlow, AuthParameters),
    /// `RespondToAuthChallenge` / `AdminRespondToAuthChallenge`.
    Respond {
        /// Admin variant.
        admin: bool,
        /// Challenge name.
        challenge: String,
        /// Session.
        session: Option<String>,
        /// Responses.
        responses: AuthParameters,
    },
    /// `GlobalSignOut`.
    GlobalSignOut(String),
    /// `RevokeToken`.
    RevokeToken(String),
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Tokens or a challenge.
    Auth(AuthResult),
    /// Success without a result.
    Done,
}

/// Answers calls in order from its script; an unscripted call fails as `Unscripted`.
#[derive(Default)]
pub struct ScriptedPool {
    calls: Mutex<Vec<Call>>,
    script: Mutex<VecDeque<Result<Reply, CognitoError>>>,
}

impl ScriptedPool {
    /// A pool answering with `replies`, in order.
    pub fn new(replies: impl IntoIterator<Item = Result<Reply, CognitoError>>) -> Self {
        Self { calls: Mutex::default(), script: Mutex::new(replies.into_iter().collect()) }
    }

    /// The calls made so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn next(&self, call: Call) -> Result<Reply, CognitoError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
        self.script.lock().ok().and_then(|mut s| s.pop_front()).unwrap_or_else(|| Err(error("Unscripted")))
    }

    fn auth(&self, call: Call) -> Result<AuthResult, CognitoError> {
        match self.next(call)? {
            Reply::Auth(result) => Ok(result),
            Reply::Done => Err(error("ScriptMismatch")),
        }
    }

    fn done(&self, call: Call) -> Result<(), CognitoError> {
        self.next(call).map(drop)
    }
}

/// A Cognito error with this code (its kind derived from the code).
pub fn error(code: &str) -> CognitoError {
    CognitoError { kind: CognitoErrorKind::from_code(code), code: code.into(), message: format!("{code} (scripted)") }
}

#[async_trait]
impl UserPool for ScriptedPool {
    async fn initiate_auth(&self, flow: AuthFlow, parameters: AuthParameters) -> Result<AuthResult, CognitoError> {
        self.auth(Call::InitiateAuth(flow, parameters))
    }

    async fn respond_to_challenge(
        &self,
        admin: bool,
        challenge: &str,
        session: Option<&str>,
        responses: AuthParameters,
    ) -> Result<AuthResult, CognitoError> {
        self.auth(Call::Respond { admin, challenge: challenge.into(), session: session.map(Into::into), responses })
    }

    async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError> {
        self.done(Call::GlobalSignOut(access_token.into()))
    }

    async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError> {
        self.done(Call::RevokeToken(refresh_token.into()))
    }
}
