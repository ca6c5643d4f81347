//! `authctl token`: prints a token of the saved session, for `$(authctl token)` in scripts.

use std::process::ExitCode;

use super::{Context, print_line, warn_if_expired};
use crate::cli::{TokenArgs, TokenKind};

/// Runs `authctl token`.
pub fn run(ctx: &Context, args: &TokenArgs) -> anyhow::Result<ExitCode> {
    let (_, session) = ctx.load_session()?;
    let token = session
        .token(args.kind)
        .ok_or_else(|| anyhow::anyhow!("the saved session has no refresh token: run `authctl sign-in`"))?;
    if args.kind != TokenKind::Refresh {
        warn_if_expired(&session);
    }
    print_line(token)
}
