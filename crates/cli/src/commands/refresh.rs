//! `authctl refresh`: new ID and access tokens from the saved refresh token, with `SECRET_HASH`
//! over the saved internal username (never the email signed in with).

use std::process::ExitCode;

use api_types::wire::RefreshRequest;
use auth_domain::AuthError;

use super::{Cognito, Context, print_line};
use crate::{
    error::refresh_failure,
    jwt::relative,
    session::{self, Session},
};

/// Runs `authctl refresh`.
pub async fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let (path, mut session) = ctx.load_session()?;
    let cognito = Cognito::connect(&ctx.settings()?).await?;
    cognito.check_session(&session)?;
    refresh_session(&cognito, &mut session).await.map_err(refresh_failure)?;
    session::save(&path, &session)?;
    note!(
        "Refreshed the tokens of {} (they expire {})",
        session.username,
        relative(session.expires_at, session::now())
    );
    print_line(session.id_token.expose())
}

/// Refreshes `session`'s tokens in place (the refresh token stays, unless Cognito rotates it).
pub(crate) async fn refresh_session(cognito: &Cognito, session: &mut Session) -> Result<(), AuthError> {
    let Some(refresh_token) = session.refresh_token.clone() else {
        return Err(AuthError::InvalidCredentials);
    };
    let request = RefreshRequest { refresh_token, username: None };
    let tokens = cognito.sessions.refresh(&request).await?.tokens;
    session.id_token = tokens.id_token;
    session.access_token = tokens.access_token;
    if let Some(rotated) = tokens.refresh_token {
        session.refresh_token = Some(rotated);
    }
    session.expires_at = session::now() + u64::try_from(tokens.expires_in).unwrap_or(0);
    Ok(())
}
