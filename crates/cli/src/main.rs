//! `authctl`: parses the command line and runs the subcommand. Failures print one line on stderr
//! and exit with status 1.

use std::process::ExitCode;

use authctl::{
    cli::{Cli, Command},
    commands::{self, Context},
};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(err.into()),
    };
    let ctx = Context::new(cli.global);
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::SignIn(args) => commands::sign_in::run(&ctx, args).await,
            Command::StepUp(args) => commands::sign_in::step_up(&ctx, args).await,
            Command::Token(args) => commands::token::run(&ctx, &args),
            Command::Refresh => commands::refresh::run(&ctx).await,
            Command::SignOut => commands::sign_out::run(&ctx).await,
            Command::Decode(args) => commands::decode::run(&ctx, &args),
            Command::Verify(args) => commands::verify::run(&ctx, &args).await,
            Command::Call(args) => commands::call::run(&ctx, &args).await,
            Command::Account(command) => commands::account::run(&ctx, &command).await,
        }
    });
    outcome.unwrap_or_else(fail)
}

fn fail(err: anyhow::Error) -> ExitCode {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "authctl: {err:#}");
    ExitCode::FAILURE
}
