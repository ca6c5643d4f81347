//! The command line as clap parses it: global options (where the stack and the session are) and
//! the subcommands. Nothing here reads the environment: [`crate::config`] does, so that flags,
//! variables and the stack file are resolved in one place, in one order.

use std::path::PathBuf;

use api_types::challenge::PreferredChallenge;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign in to the Cognito user pool, keep the session, and call the API with it.
#[derive(Debug, Parser)]
#[command(
    name = "authctl",
    version,
    about,
    long_about = "Sign in to the Cognito user pool, keep the session, and call the API with it.\n\n\
Settings come from the flags, then the environment (API_URL, USER_POOL_ID, \
USER_POOL_CLIENT_ID, USER_POOL_CLIENT_SECRET, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER), then a \
stack file: --stack FILE, AUTHCTL_STACK, or .dev/stack.json (written by `make dev`) when it exists. \
A stack file may also be a deployed stack's outputs, as `sam list stack-outputs --output json` or \
`aws cloudformation describe-stacks` print them. The client secret is read only from \
USER_POOL_CLIENT_SECRET or the stack file, never from the command line.",
    after_help = "Examples:\n  \
TOKEN=$(authctl sign-in -u demo@example.com)\n  \
printf '%s\\n' \"$PASSWORD\" | authctl sign-in -u demo@example.com --password-stdin\n  \
authctl call GET /me                # sends the ID token, the one the route takes\n  \
authctl call GET /mfa/preference    # sends the access token, the one the route takes\n  \
authctl call POST /users --data @user.json\n  \
authctl account show                # the account, with the access token\n  \
authctl account set given_name=Ann\n  \
authctl verify\n  \
authctl refresh && authctl sign-out"
)]
pub struct Cli {
    /// Where the settings and the session come from.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Settings (every command)")]
pub struct GlobalArgs {
    /// Stack file: .dev/stack.json from `make dev`, or a deployed stack's outputs (JSON)
    /// [env: AUTHCTL_STACK] [default: .dev/stack.json when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub stack: Option<PathBuf>,
    /// Session file, created with mode 0600 [env: AUTHCTL_SESSION]
    /// [default: $XDG_STATE_HOME/authctl/session.json, else ~/.local/state/authctl/session.json]
    #[arg(long, global = true, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// Base URL of the API [env: API_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// User pool id, `<region>_<id>`: the region is its prefix [env: USER_POOL_ID]
    #[arg(long, global = true, value_name = "ID")]
    pub user_pool_id: Option<String>,
    /// App client id [env: USER_POOL_CLIENT_ID] (its secret: USER_POOL_CLIENT_SECRET or the stack file only)
    #[arg(long, global = true, value_name = "ID")]
    pub client_id: Option<String>,
    /// Cognito endpoint of a local emulator (dummy AWS credentials are then used)
    /// [env: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER]
    #[arg(long, global = true, value_name = "URL")]
    pub cognito_endpoint: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in against the user pool, save the session, print the ID token
    SignIn(SignInArgs),
    /// Step the saved session up to a level a route asks for (RFC 9470), answering only what its sign-in lacks
    StepUp(StepUpArgs),
    /// Print a token of the saved session
    Token(TokenArgs),
    /// Refresh the saved session's tokens and print the new ID token
    Refresh,
    /// Sign out everywhere (global sign-out, refresh token revoked) and delete the session file
    SignOut,
    /// Print a token's header and claims, UNVERIFIED (default: the saved ID token)
    Decode(DecodeArgs),
    /// Verify a token against the pool's JWKS and print its claims (exit 1 if invalid)
    Verify(VerifyArgs),
    /// Call the API with the saved token the route takes (ID or access); the body goes to stdout (exit 1 unless 2xx)
    Call(CallArgs),
    /// The signed-in person's own account through the API (`/account`), with the saved access token
    #[command(subcommand)]
    Account(AccountCommand),
}

/// `authctl sign-in`.
#[derive(Debug, Clone, Args)]
pub struct SignInArgs {
    /// Sign-in name (email address or username); prompted for when absent
    #[arg(short, long, value_name = "U")]
    pub username: Option<String>,
    /// Sign-in flow
    #[arg(long, value_enum, default_value_t = Flow::Srp)]
    pub flow: Flow,
    /// Read the password from the first line of stdin instead of prompting for it
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the new password (NEW_PASSWORD_REQUIRED) from the next line of stdin
    #[arg(long)]
    pub new_password_stdin: bool,
    /// Code from the authenticator app, for a SOFTWARE_TOKEN_MFA challenge (prompted for when needed)
    #[arg(long, value_name = "CODE")]
    pub totp_code: Option<String>,
    /// With `--flow choice`: how to sign in (otherwise chosen from what Cognito offers, at a prompt)
    #[arg(long, value_enum, value_name = "M")]
    pub method: Option<Method>,
    /// With `--flow choice`: the one-time code sent by email or SMS (prompted for when needed)
    #[arg(long, value_name = "CODE", conflicts_with = "code_stdin")]
    pub code: Option<String>,
    /// With `--flow choice`: read the one-time code from the next line of stdin once it is sent
    #[arg(long)]
    pub code_stdin: bool,
    /// What to print on success
    #[arg(long, value_enum, default_value_t = Print::Id)]
    pub print: Print,
}

/// `authctl step-up`: the values come from the API's 401 `InsufficientUserAuthentication`
/// (`acrValues`, `maxAge`), which `authctl call` prints as the command to run.
#[derive(Debug, Clone, Args)]
pub struct StepUpArgs {
    /// The levels to reach, space-separated, the highest first (the challenge's acr_values)
    #[arg(long, value_name = "LEVELS")]
    pub acr_values: String,
    /// The challenge's max_age: the sign-in's factors count only when it is at most this old (seconds)
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<u32>,
    /// Code from the authenticator app, for a SOFTWARE_TOKEN_MFA challenge (prompted for when needed)
    #[arg(long, value_name = "CODE")]
    pub totp_code: Option<String>,
    /// When Cognito asks for a first factor again (a sign-in older than max_age): which one
    #[arg(long, value_enum, value_name = "M")]
    pub method: Option<Method>,
    /// Read the password, when one is asked for, from the first line of stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// The one-time code sent by email or SMS, when one is asked for
    #[arg(long, value_name = "CODE", conflicts_with = "code_stdin")]
    pub code: Option<String>,
    /// Read the one-time code from the next line of stdin once it is sent
    #[arg(long)]
    pub code_stdin: bool,
    /// What to print on success
    #[arg(long, value_enum, default_value_t = Print::Id)]
    pub print: Print,
}

/// The sign-in flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// USER_SRP_AUTH: the password never leaves this machine
    Srp,
    /// USER_PASSWORD_AUTH: the password is sent to Cognito over TLS
    Password,
    /// ADMIN_USER_PASSWORD_AUTH: needs IAM credentials (AWS_ACCESS_KEY_ID, ...)
    Admin,
    /// USER_AUTH: choice-based sign-in, with a password or a one-time code (see --method)
    Choice,
}

/// How a choice-based sign-in (`--flow choice`) signs in: its first factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// The password, proven with SRP (PASSWORD_SRP): it never leaves this machine
    Srp,
    /// The password, sent to Cognito over TLS (PASSWORD)
    Password,
    /// An 8-digit code sent to the verified email address (EMAIL_OTP)
    EmailCode,
    /// An 8-digit code sent by SMS to the verified phone number (SMS_OTP)
    SmsCode,
}

impl Method {
    /// Cognito's name for the factor.
    pub fn challenge(self) -> PreferredChallenge {
        match self {
            Self::Srp => PreferredChallenge::PasswordSrp,
            Self::Password => PreferredChallenge::Password,
            Self::EmailCode => PreferredChallenge::EmailOtp,
            Self::SmsCode => PreferredChallenge::SmsOtp,
        }
    }

    /// Whether it takes the password.
    pub fn takes_password(self) -> bool {
        self.challenge().takes_password()
    }
}

/// What `sign-in` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Print {
    /// The ID token
    Id,
    /// The access token
    Access,
    /// The refresh token
    Refresh,
    /// The saved session as JSON (username, tokens, expiry)
    Json,
}

/// A token of the saved session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenKind {
    /// The ID token (the bearer of `/me` and `/credentials`)
    Id,
    /// The access token (the bearer of the other protected routes: MFA, account, password, sign-out, admin)
    Access,
    /// The refresh token
    Refresh,
}

impl From<JwtKind> for TokenKind {
    fn from(kind: JwtKind) -> Self {
        match kind {
            JwtKind::Id => Self::Id,
            JwtKind::Access => Self::Access,
        }
    }
}

/// A JWT of the saved session (the refresh token is encrypted: it cannot be decoded or verified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtKind {
    /// The ID token
    Id,
    /// The access token
    Access,
}

/// `authctl token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Which token
    #[arg(long, value_enum, default_value_t = TokenKind::Id)]
    pub kind: TokenKind,
}

/// `authctl decode`.
#[derive(Debug, Clone, Args)]
pub struct DecodeArgs {
    /// The token (`-` reads it from stdin) [default: the saved token of --kind]
    pub token: Option<String>,
    /// Which saved token, when TOKEN is not given
    #[arg(long, value_enum, default_value_t = JwtKind::Id)]
    pub kind: JwtKind,
}

/// `authctl verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The token (`-` reads it from stdin) [default: the saved token of --kind]
    pub token: Option<String>,
    /// The token use required (and which saved token, when TOKEN is not given)
    #[arg(long, value_enum, default_value_t = JwtKind::Id)]
    pub kind: JwtKind,
    /// Where to fetch the JWKS [default: the pool's Cognito URL, or the emulator's]
    #[arg(long, value_name = "URL")]
    pub jwks_url: Option<String>,
}

/// `authctl call`.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// HTTP method (GET, POST, PUT, DELETE, ...)
    pub method: String,
    /// Path under the API's base URL, with any query string (`/me`, `/users?limit=10`)
    pub path: String,
    /// JSON body: the text itself, `@FILE`, or `-` for stdin
    #[arg(short, long, value_name = "JSON")]
    pub data: Option<String>,
    /// Send no Authorization header
    #[arg(long)]
    pub no_auth: bool,
    /// Send this saved token, whatever the route takes [default: the one the API's route table
    /// names for the route: none on a public route, the ID token for a route it does not know]
    #[arg(long, value_enum, value_name = "KIND", conflicts_with = "no_auth")]
    pub token: Option<JwtKind>,
}

/// `authctl account`: the `/account` routes, each with the saved access token (the one they
/// take). A refused request prints the API's code and message on stderr, and exits 1.
#[derive(Debug, Clone, Subcommand)]
pub enum AccountCommand {
    /// Print the account: the username, every attribute, the second factors (GET /account)
    Show,
    /// Change attributes, NAME=VALUE each (an empty VALUE removes one): email, name, given_name,
    /// family_name, locale. A new email waits for its code (PATCH /account)
    Set(AccountSetArgs),
    /// Send a code to prove an address: the new one while a change waits for it, else the
    /// current one (POST /account/attributes/{attribute}/code)
    SendCode(AddressArgs),
    /// Prove an address with the code sent to it; a waiting change takes effect
    /// (POST /account/attributes/{attribute}/verify)
    Verify(AccountVerifyArgs),
    /// Delete the account for good (DELETE /account), then the session file: needs --yes, and a
    /// sign-in within the last minutes (5 by default)
    Delete(AccountDeleteArgs),
    /// List the person's passkeys, every page (GET /passkeys); registering one takes a browser
    Passkeys,
    /// Delete one of the person's passkeys by its credentialId, as listed
    /// (DELETE /passkeys/{credentialId})
    DeletePasskey(PasskeyArgs),
}

/// `authctl account delete-passkey`.
#[derive(Debug, Clone, Args)]
pub struct PasskeyArgs {
    /// The passkey's credentialId, as `authctl account passkeys` lists it (base64url)
    #[arg(value_name = "CREDENTIAL_ID")]
    pub credential_id: String,
}

/// `authctl account set`.
#[derive(Debug, Clone, Args)]
pub struct AccountSetArgs {
    /// The attributes to set
    #[arg(required = true, value_name = "NAME=VALUE", value_parser = attribute_pair)]
    pub attributes: Vec<(String, String)>,
}

/// `NAME=VALUE`, split at the first `=`; the name must not be empty (the value may).
fn attribute_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE (given_name=Ann; an empty VALUE removes the attribute)")),
    }
}

/// An address a person proves with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Address {
    /// The email address
    #[value(name = "email")]
    Email,
    /// The phone number
    #[value(name = "phone_number")]
    PhoneNumber,
}

impl From<Address> for api_types::wire::VerifiableAttribute {
    fn from(address: Address) -> Self {
        match address {
            Address::Email => Self::Email,
            Address::PhoneNumber => Self::PhoneNumber,
        }
    }
}

/// `authctl account send-code`.
#[derive(Debug, Clone, Args)]
pub struct AddressArgs {
    /// Which address
    #[arg(value_enum)]
    pub attribute: Address,
}

/// `authctl account verify`.
#[derive(Debug, Clone, Args)]
pub struct AccountVerifyArgs {
    /// Which address
    #[arg(value_enum)]
    pub attribute: Address,
    /// The code sent to it (`-` reads it from stdin)
    pub code: String,
}

/// `authctl account delete`.
#[derive(Debug, Clone, Args)]
pub struct AccountDeleteArgs {
    /// Delete it: the account, and everything the pool holds of the person, cannot be brought back
    #[arg(long)]
    pub yes: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_are_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from(["authctl", "call", "GET", "/me", "--stack", "s.json", "--no-auth"]).unwrap();
        assert_eq!(cli.global.stack.as_deref(), Some(std::path::Path::new("s.json")));
        assert!(matches!(cli.command, Command::Call(CallArgs { no_auth: true, .. })));
    }

    #[test]
    fn the_token_of_a_call_can_be_chosen_but_not_with_no_auth() {
        let cli = Cli::try_parse_from(["authctl", "call", "GET", "/me", "--token", "access"]).unwrap();
        assert!(matches!(cli.command, Command::Call(CallArgs { token: Some(JwtKind::Access), .. })));
        assert!(Cli::try_parse_from(["authctl", "call", "GET", "/me", "--token", "refresh"]).is_err());
        assert!(Cli::try_parse_from(["authctl", "call", "GET", "/me", "--token", "id", "--no-auth"]).is_err());
    }

    #[test]
    fn account_attributes_are_name_value_pairs_and_an_empty_value_removes_one() {
        let cli = Cli::try_parse_from(["authctl", "account", "set", "given_name=Ann", "locale=", "name=A=B"]).unwrap();
        let Command::Account(AccountCommand::Set(args)) = cli.command else { panic!("{:?}", cli.command) };
        let pairs = [("given_name", "Ann"), ("locale", ""), ("name", "A=B")].map(|(n, v)| (n.to_owned(), v.to_owned()));
        assert_eq!(args.attributes, pairs);
        for bad in ["given_name", "=Ann"] {
            let err = Cli::try_parse_from(["authctl", "account", "set", bad]).unwrap_err().to_string();
            assert!(err.contains("NAME=VALUE"), "{bad}: {err}");
        }
        assert!(Cli::try_parse_from(["authctl", "account", "set"]).is_err(), "at least one attribute");
    }

    #[test]
    fn only_email_and_phone_number_are_addresses_to_prove() {
        let cli = Cli::try_parse_from(["authctl", "account", "verify", "phone_number", "123456"]).unwrap();
        let Command::Account(AccountCommand::Verify(args)) = cli.command else { panic!("{:?}", cli.command) };
        assert_eq!((args.attribute, args.code.as_str()), (Address::PhoneNumber, "123456"));
        assert!(Cli::try_parse_from(["authctl", "account", "send-code", "email"]).is_ok());
        assert!(Cli::try_parse_from(["authctl", "account", "send-code", "name"]).is_err());
        assert!(Cli::try_parse_from(["authctl", "account", "verify", "email"]).is_err(), "the code is required");
    }

    #[test]
    fn deleting_the_account_parses_with_or_without_yes() {
        // Without --yes it parses, and the command refuses with a sentence saying what --yes does.
        for (args, yes) in
            [(&["authctl", "account", "delete"][..], false), (&["authctl", "account", "delete", "--yes"], true)]
        {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(
                matches!(cli.command, Command::Account(AccountCommand::Delete(AccountDeleteArgs { yes: y })) if y == yes)
            );
        }
    }

    #[test]
    fn there_is_no_password_or_secret_option() {
        for flag in ["--password", "--client-secret", "--new-password"] {
            assert!(Cli::try_parse_from(["authctl", "sign-in", flag, "x"]).is_err(), "{flag}");
        }
    }
}
