//! `authctl sign-out`: global sign-out with the saved access token (every token of the user
//! stops working at Cognito), the refresh token revoked as well (best effort, as the domain does),
//! and the session file deleted.

use std::process::ExitCode;

use api_types::{AuthorizerContext, wire::SignOutRequest};
use auth_domain::{
    AuthError,
    token::{CallerAccessToken, unverified_claim},
};

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
    // caller is whoever the saved token names (Cognito issued it to this session directly).
    let token = own_access_token(session.access_token.expose())
        .ok_or_else(|| anyhow::anyhow!("the saved access token is unreadable: run `authctl sign-in` again"))?;
    let request = SignOutRequest { refresh_token: session.refresh_token.clone() };
    match cognito.sessions.sign_out(&token, &request).await {
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

/// The saved access token as the caller's own: the caller is the person its claims name.
fn own_access_token(access_token: &str) -> Option<CallerAccessToken> {
    let claim = |name| unverified_claim(access_token, name);
    let caller = AuthorizerContext {
        sub: claim("sub")?,
        username: claim("username").unwrap_or_default(),
        email: String::new(),
        email_verified: false,
        groups: String::new(),
        token_use: claim("token_use")?,
        client_id: claim("client_id").unwrap_or_default(),
        auth_time: None,
        acr: String::new(),
        amr: String::new(),
    };
    CallerAccessToken::of_caller(&caller, Some(access_token)).ok()
}

#[cfg(test)]
mod tests {
    use auth_domain::testing::{access_token_of, token_with_sub};

    use super::*;

    #[test]
    fn the_saved_access_token_is_taken_as_the_callers_own() {
        // GIVEN an access token Cognito issued to this session
        let saved = access_token_of("sub-1");
        // WHEN sign-out takes it as the caller's
        let token = own_access_token(&saved);
        // THEN the caller is the person it names, and the token is the one sent to Cognito
        let token = token.as_ref().map(|t| (t.expose(), t.sub(), t.username()));
        assert_eq!(token, Some((saved.as_str(), "sub-1", "user-of-sub-1")));
    }

    #[test]
    fn a_saved_token_that_is_no_access_token_is_unreadable() {
        // An ID-like token with no token_use, and no JWT at all.
        for saved in [token_with_sub("sub-1"), "not-a-jwt".to_owned()] {
            assert!(own_access_token(&saved).is_none(), "{saved}");
        }
    }
}
