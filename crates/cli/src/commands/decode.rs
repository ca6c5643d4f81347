//! `authctl decode`: a token's header and claims, **unverified**, for reading only. The label
//! is on stderr and in the JSON itself (`"verified": false`), so it survives a pipe.

use std::process::ExitCode;

use serde_json::json;

use super::{Context, print_line, token_argument};
use crate::{
    cli::{DecodeArgs, JwtKind, TokenKind},
    jwt::{decode_unverified, relative},
    session,
};

/// Runs `authctl decode`.
pub fn run(ctx: &Context, args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let token = match token_argument(args.token.as_deref())? {
        Some(token) => token,
        None => saved_token(ctx, args.kind)?,
    };
    let decoded = decode_unverified(&token).map_err(|e| anyhow::anyhow!("cannot decode the token: {e}"))?;
    note!(
        "UNVERIFIED: decoded only; the signature, issuer, audience and expiry were not checked \
         (`authctl verify` checks them)"
    );
    if let Some(exp) = decoded.expires_at() {
        let now = session::now();
        let state = if exp > now { "expires" } else { "expired" };
        note!("{state} {} (exp {exp})", relative(exp, now));
    }
    let out = json!({ "verified": false, "header": decoded.header, "claims": decoded.claims });
    print_line(&serde_json::to_string_pretty(&out)?)
}

/// The saved token of `kind`.
pub(crate) fn saved_token(ctx: &Context, kind: JwtKind) -> anyhow::Result<String> {
    let (_, session) = ctx.load_session()?;
    let kind = match kind {
        JwtKind::Id => TokenKind::Id,
        JwtKind::Access => TokenKind::Access,
    };
    Ok(session.token(kind).unwrap_or_default().to_string())
}
