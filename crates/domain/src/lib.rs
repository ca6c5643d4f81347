//! Cognito user-pool flows, free of Lambda glue: the same code serves the Lambda functions, the
//! local gateway and the CLI.
//!
//! - [`config`]: the pool and app client, read once at init;
//! - [`context_data`]: who is calling, as Cognito's threat protection is told (`UserContextData`,
//!   `ContextData`);
//! - [`input`]: the rules every input meets before a Cognito call (lengths, codes, attributes);
//! - [`secret_hash`]: the client secret and `SECRET_HASH`;
//! - [`user_pool`]: the user-pool port — the Cognito operations the flows need, as traits;
//! - [`identity_pool`]: the identity-pool port — the operations `/credentials` needs;
//! - [`sdk`]: the ports' adapters over the AWS SDK ([`sdk::user_pool`], [`sdk::identity_pool`]),
//!   and SDK configuration without slow or network-probing provider chains ([`sdk::config`]);
//! - [`sign_in`]: the sign-in flows;
//! - [`srp`]: SRP-6a as Cognito runs it, the client side of `USER_SRP_AUTH`;
//! - [`token`]: reading a token's claims without verifying them, and checking whose it is;
//! - [`challenge`]: answering the challenges a sign-in returns;
//! - [`session`]: refresh and sign-out;
//! - [`registration`]: sign-up, confirmation, new codes;
//! - [`mfa`]: TOTP enrolment for signed-in users, and the `otpauth://` URI;
//! - [`passkeys`]: the signed-in person's passkeys: register, list, delete;
//! - [`password`]: change, forgot and reset;
//! - [`users`]: user administration for the admins group;
//! - [`credentials`]: temporary AWS credentials through the identity pool;
//! - [`cognito_errors`]: the one table from Cognito's errors (code, message, call) to ours;
//! - [`error`]: what can go wrong, and its mapping to the API's errors;
//! - `testing` (feature `testing`): a scripted Cognito (user pool and identity pool) for the
//!   services' and handlers' tests.
#![deny(missing_docs)]

pub mod account;
pub mod challenge;
pub mod cognito_errors;
pub mod config;
pub mod context_data;
pub mod credentials;
pub mod error;
pub mod identity_pool;
pub mod input;
pub mod mfa;
pub mod passkeys;
pub mod password;
pub mod registration;
pub mod sdk;
pub mod secret_hash;
pub mod session;
pub mod sign_in;
pub mod srp;
pub mod step_up;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod token;
pub mod user_pool;
pub mod users;

pub use cognito_errors::CognitoCall;
pub use config::{CognitoConfig, ConfigError, WriteAttributes};
pub use context_data::ContextData;
pub use error::AuthError;
pub use secret_hash::ClientSecret;
pub use user_pool::{
    AccountPort, AccountRecoveryPort, AdminPort, CognitoError, CognitoErrorKind, PasskeyPort, RefreshPort,
    RegistrationPort, SignInPort, SoftwareTokenPort, UserPool,
};

/// Now, in whole seconds since the Unix epoch (the unit of JWT times such as `auth_time`).
pub fn unix_time() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
