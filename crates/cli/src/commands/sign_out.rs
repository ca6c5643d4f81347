//! `authctl sign-out`: global sign-out with the saved access token (every token of the user
//! stops working at Cognito), the refresh token revoked as well (best effort, as the domain does),
//! and the session file deleted.

use std::process::ExitCode;

use api_types::wire::SignOutRequest;
use auth_domain::{AuthError, token::unverified_claim};

use super::{Cognito, Context, refresh::refresh_session};
use crate::{error::describe, session};

/// Runs `authctl sign-out`.
pub async fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let (path, mut session) = ctx.load_session()?;
    let cognito = Cognito::connect(&ctx.settings()?).await?;
    cognito.check_session(&session)?;
    if session.expired(session::now()) {
        // GlobalSignOut needs a live access token: get one first.
        match refresh_session(&cognito, &mut session).await {
            Ok(()) => {}
            Err(AuthError::InvalidCredentials) => {
                session::remove(&path)?;
                note!(
                    "The saved tokens had expired and the refresh token is refused: nothing left to sign out. \
                     Removed {}",
                    path.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            Err(err) => anyhow::bail!(describe(err)),
        }
    }
    // Whose token it is only matters to the API, which must not act on someone else's; here the
    // caller is whoever the saved token names.
    let sub = unverified_claim(session.access_token.expose(), "sub")
        .ok_or_else(|| anyhow::anyhow!("the saved access token is unreadable: run `authctl sign-in` again"))?;
    let request =
        SignOutRequest { access_token: session.access_token.clone(), refresh_token: session.refresh_token.clone() };
    match cognito.sessions.sign_out(&sub, &request).await {
        Ok(()) => {
            session::remove(&path)?;
            note!(
                "Signed out {}: every token of the user is revoked at Cognito. Removed {}",
                session.username,
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(AuthError::InvalidAccessToken) => {
            session::remove(&path)?;
            note!("warning: Cognito refused the access token (signed out already?). Removed {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => anyhow::bail!(describe(err)),
    }
}
