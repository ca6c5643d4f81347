//! `authctl`: a command line for people testing the API. It signs in against the Cognito user
//! pool with the domain library (the same SRP, `SECRET_HASH` and challenge handling as the
//! Lambda functions), keeps the session in a private file, verifies tokens with the verifier the
//! authorizer uses, and calls the API with the saved token each route takes (`call`, and
//! `account` for the person's own account).
//!
//! - [`cli`]: the command line, as clap parses it;
//! - [`config`]: flags, then environment, then the stack file;
//! - [`session`]: the saved session (mode 0600);
//! - [`prompt`]: passwords and codes from stdin or the terminal, never from argv;
//! - [`jwt`]: decoding tokens for display (not verification);
//! - [`error`]: the domain's errors as readable lines;
//! - [`commands`]: one module per subcommand.
#![deny(missing_docs)]

/// `eprintln!` that ignores a closed stderr instead of panicking: messages are a courtesy, and
/// the exit status says what happened.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod jwt;
pub mod prompt;
pub mod session;
