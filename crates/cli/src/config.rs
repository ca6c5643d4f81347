//! Where the CLI's settings come from, in order of precedence: command-line flags, environment
//! variables, then a stack file (`--stack`, `AUTHCTL_STACK`, or `.dev/stack.json` when it exists).
//!
//! A stack file is either what `make dev` writes (`apiUrl`, `cognitoEndpoint`, `region`,
//! `userPoolId`, `userPoolClientId`, `userPoolClientSecret`, ...) or a deployed stack's outputs,
//! as `sam list stack-outputs --output json` (an array of `{OutputKey, OutputValue}`) or
//! `aws cloudformation describe-stacks` (`{"Stacks":[{"Outputs":[...]}]}`) print them.
//!
//! The client secret is read only from `USER_POOL_CLIENT_SECRET` or the stack file: never from
//! the command line (it would show in `ps` and the shell history), and never printed.
//!
//! The region is always the user pool id's prefix: a pool id carries its region, so a separate
//! setting could only disagree with it (`AWS_REGION` is often set for other work, and is ignored).

use std::{
    collections::HashMap,
    fmt,
    path::{Path, PathBuf},
};

use auth_domain::{ClientSecret, CognitoConfig, sdk::CredentialSource};
use cognito_verifier::verifier::pool_region;
use serde_json::Value;

use crate::cli::GlobalArgs;

/// The stack file `make dev` writes, used when no other is named and it exists.
pub const DEFAULT_STACK_FILE: &str = ".dev/stack.json";

/// The dummy keys used with a local emulator, so the SDK never looks for real ones.
const EMULATOR_KEY: &str = "testing";

/// A snapshot of the environment, taken once at start. Empty values count as unset.
#[derive(Clone, Default)]
pub struct Env(HashMap<String, String>);

/// `Debug` lists the variables' names only: values include the client secret and AWS keys.
/// Kept by hand: which of a process's variables are secret is not known, so no value is shown.
impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_tuple("Env").field(&names).finish()
    }
}

impl Env {
    /// The process environment (variables that are not valid UTF-8 are ignored).
    pub fn from_process() -> Self {
        Self(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect())
    }

    /// An environment with exactly these variables (for tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    /// The variable's value, trimmed; `None` when unset or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// Where a setting came from, for messages that tell the user what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The stack file.
    StackFile(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "${var}"),
            Source::StackFile(path) => write!(f, "stack file {}", path.display()),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

/// A setting is missing or unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CliConfigError {
    /// Nothing gives the setting.
    #[error(
        "no {what}: pass {flag}, set {var}, or use a stack file with {key} \
         (--stack FILE, AUTHCTL_STACK, or .dev/stack.json from `make dev`)"
    )]
    Missing {
        /// The setting, for a person.
        what: &'static str,
        /// Its flag.
        flag: &'static str,
        /// Its environment variable.
        var: &'static str,
        /// Its key in a stack file.
        key: &'static str,
    },
    /// The user pool id is not `<region>_<id>`.
    #[error("user pool id `{0}` (from {1}) is not of the form <region>_<id>")]
    BadPoolId(String, Source),
    /// No session file location can be worked out.
    #[error("no session file: pass --session, or set AUTHCTL_SESSION, XDG_STATE_HOME or HOME")]
    NoSessionPath,
}

/// What a stack file says. Absent and empty values are `None`.
#[derive(Debug, Clone, Default)]
pub struct StackFile {
    /// `apiUrl` / `ApiUrl`.
    pub api_url: Option<String>,
    /// `cognitoEndpoint` (local stacks only).
    pub cognito_endpoint: Option<String>,
    /// `userPoolId` / `UserPoolId`.
    pub user_pool_id: Option<String>,
    /// `userPoolClientId` / `UserPoolClientId`.
    pub client_id: Option<String>,
    /// `userPoolClientSecret` (local stacks only). Its `Debug` is redacted.
    pub client_secret: Option<ClientSecret>,
}

/// A stack file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StackFileError {
    /// Not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// JSON, but none of the shapes this reads.
    #[error(
        "expected .dev/stack.json, `sam list stack-outputs --output json` or \
         `aws cloudformation describe-stacks` output"
    )]
    UnknownShape,
    /// `describe-stacks` output with no stack, or more than one.
    #[error("holds {0} stacks: save one (aws cloudformation describe-stacks --stack-name NAME)")]
    NotOneStack(usize),
    /// A known key with a value that is not a string.
    #[error("{0} must be a string")]
    NotAString(String),
    /// None of the keys this reads.
    #[error("names no API URL, user pool or app client")]
    Empty,
}

impl StackFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read stack file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("stack file {}: {e}", path.display()))
    }

    /// Parses any of the three shapes.
    pub fn parse(text: &str) -> Result<Self, StackFileError> {
        let value: Value = serde_json::from_str(text)?;
        let file = match &value {
            Value::Array(outputs) => Self::from_outputs(outputs)?,
            Value::Object(map) => match (map.get("Stacks"), map.get("Outputs")) {
                (Some(Value::Array(stacks)), _) => match stacks.as_slice() {
                    [stack] => match stack.get("Outputs") {
                        Some(Value::Array(outputs)) => Self::from_outputs(outputs)?,
                        None => Self::default(),
                        Some(_) => return Err(StackFileError::UnknownShape),
                    },
                    other => return Err(StackFileError::NotOneStack(other.len())),
                },
                (Some(_), _) => return Err(StackFileError::UnknownShape),
                // One stack's object (`describe-stacks --query 'Stacks[0]'`).
                (None, Some(Value::Array(outputs))) => Self::from_outputs(outputs)?,
                (None, _) => Self::from_local(map)?,
            },
            _ => return Err(StackFileError::UnknownShape),
        };
        if file.api_url.is_none() && file.user_pool_id.is_none() && file.client_id.is_none() {
            return Err(StackFileError::Empty);
        }
        Ok(file)
    }

    /// The file `make dev` writes.
    fn from_local(map: &serde_json::Map<String, Value>) -> Result<Self, StackFileError> {
        let text = |key: &str| -> Result<Option<String>, StackFileError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
                Some(_) => Err(StackFileError::NotAString(key.to_string())),
            }
        };
        Ok(Self {
            api_url: text("apiUrl")?,
            cognito_endpoint: text("cognitoEndpoint")?,
            user_pool_id: text("userPoolId")?,
            client_id: text("userPoolClientId")?,
            client_secret: text("userPoolClientSecret")?.map(ClientSecret::new),
        })
    }

    /// CloudFormation outputs: `[{"OutputKey": "ApiUrl", "OutputValue": "https://..."}, ...]`.
    fn from_outputs(outputs: &[Value]) -> Result<Self, StackFileError> {
        let mut file = Self::default();
        for output in outputs {
            let (Some(key), Some(value)) = (output.get("OutputKey"), output.get("OutputValue")) else {
                return Err(StackFileError::UnknownShape);
            };
            let key = key.as_str().ok_or_else(|| StackFileError::NotAString("OutputKey".into()))?;
            let value = value.as_str().ok_or_else(|| StackFileError::NotAString(key.to_string()))?.trim();
            let value = (!value.is_empty()).then(|| value.to_string());
            match key {
                "ApiUrl" => file.api_url = value,
                "UserPoolId" => file.user_pool_id = value,
                "UserPoolClientId" => file.client_id = value,
                _ => {}
            }
        }
        Ok(file)
    }
}

/// The stack file to read: `--stack`, else `AUTHCTL_STACK`, else [`DEFAULT_STACK_FILE`] when
/// `default_exists`. A file named explicitly must exist; the default is optional.
pub fn stack_file_path(flag: Option<&Path>, env: &Env, default_exists: bool) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| env.get("AUTHCTL_STACK").map(PathBuf::from))
        .or_else(|| default_exists.then(|| PathBuf::from(DEFAULT_STACK_FILE)))
}

/// Whether `url` names this machine: http or https to `localhost`, `127.0.0.0/8` or `[::1]`.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else { return false };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = url.host_str() else { return false };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Why an implicit stack file is not used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImplicitStackFileError {
    /// Another user owns it.
    #[error("it belongs to another user")]
    NotYours,
    /// Others may read or write it.
    #[error("others may read or write it (mode {0:o}; make dev writes it 0600)")]
    NotPrivate(u32),
    /// It names an endpoint off this machine.
    #[error("its {0} is not on this machine ({1})")]
    NotLoopback(&'static str, String),
}

/// A stack file found in the working directory (`.dev/stack.json`), rather than named with
/// `--stack` or `AUTHCTL_STACK`, is where `authctl` sends the ID token (`apiUrl`) and, with a
/// `cognitoEndpoint`, the refresh token, passwords and the client secret. A file planted in a
/// directory one happens to run `authctl` in must not be able to redirect them, so an implicit
/// file is used only when it is the user's own (`owner` is the effective uid `me`), private (no
/// group or other permission bits in `mode`), and names only endpoints on this machine.
pub fn check_implicit_stack_file(
    file: &StackFile,
    owner: u32,
    me: u32,
    mode: u32,
) -> Result<(), ImplicitStackFileError> {
    if owner != me {
        return Err(ImplicitStackFileError::NotYours);
    }
    if mode & 0o077 != 0 {
        return Err(ImplicitStackFileError::NotPrivate(mode & 0o777));
    }
    for (key, url) in [("apiUrl", &file.api_url), ("cognitoEndpoint", &file.cognito_endpoint)] {
        if let Some(url) = url.as_deref().filter(|u| !is_loopback_url(u)) {
            return Err(ImplicitStackFileError::NotLoopback(key, url.to_string()));
        }
    }
    Ok(())
}

/// Which AWS credentials the SDK gets. Never a default provider chain: on this kind of machine
/// it would probe instance metadata and hang or pick up someone else's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// A local emulator: fixed dummy keys.
    EmulatorDummy,
    /// `AWS_ACCESS_KEY_ID` (and its secret and session token) from the environment.
    Environment,
    /// Unsigned requests: enough for the user-pool client APIs (InitiateAuth,
    /// RespondToAuthChallenge, GlobalSignOut, RevokeToken), not for the admin flow.
    None,
}

impl Credentials {
    /// The SDK configuration's credentials.
    pub fn sdk(self) -> CredentialSource {
        match self {
            Credentials::EmulatorDummy => {
                CredentialSource::Static { access_key_id: EMULATOR_KEY.into(), secret_access_key: EMULATOR_KEY.into() }
            }
            Credentials::Environment => CredentialSource::Environment,
            Credentials::None => CredentialSource::None,
        }
    }
}

/// The resolved settings. Each is optional until a command needs it; the accessors say what to
/// set when one is missing.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The API's base URL, without a trailing `/`.
    pub api_url: Option<Setting>,
    /// The user pool id.
    pub user_pool_id: Option<Setting>,
    /// The app client id.
    pub client_id: Option<Setting>,
    /// A local emulator's Cognito endpoint, without a trailing `/`.
    pub cognito_endpoint: Option<Setting>,
    /// The app client's secret (redacted in `Debug`).
    pub client_secret: Option<ClientSecret>,
    /// Whether the environment has AWS keys (`AWS_ACCESS_KEY_ID`).
    pub env_has_aws_keys: bool,
}

impl Settings {
    /// Resolves every setting: `flags` first, then `env`, then the stack file (read from `stack`).
    pub fn resolve(flags: &GlobalArgs, env: &Env, stack: Option<(&Path, &StackFile)>) -> Self {
        let file = stack.map(|(_, f)| f);
        let file_source = || Source::StackFile(stack.map(|(p, _)| p.to_path_buf()).unwrap_or_default());
        let pick = |flag: &Option<String>, flag_name: &'static str, var: &'static str, from_file: Option<&String>| {
            let flag = flag.as_deref().map(str::trim).filter(|v| !v.is_empty());
            flag.map(|v| Setting { value: v.to_string(), source: Source::Flag(flag_name) })
                .or_else(|| env.get(var).map(|v| Setting { value: v.to_string(), source: Source::Env(var) }))
                .or_else(|| from_file.map(|v| Setting { value: v.clone(), source: file_source() }))
        };
        let without_slash = |s: Setting| Setting { value: s.value.trim_end_matches('/').to_string(), ..s };
        Self {
            api_url: pick(&flags.api_url, "--api-url", "API_URL", file.and_then(|f| f.api_url.as_ref()))
                .map(without_slash),
            user_pool_id: pick(
                &flags.user_pool_id,
                "--user-pool-id",
                "USER_POOL_ID",
                file.and_then(|f| f.user_pool_id.as_ref()),
            ),
            client_id: pick(
                &flags.client_id,
                "--client-id",
                "USER_POOL_CLIENT_ID",
                file.and_then(|f| f.client_id.as_ref()),
            ),
            cognito_endpoint: pick(
                &flags.cognito_endpoint,
                "--cognito-endpoint",
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                file.and_then(|f| f.cognito_endpoint.as_ref()),
            )
            .map(without_slash),
            // Never a flag: see the module documentation.
            client_secret: env
                .get("USER_POOL_CLIENT_SECRET")
                .map(ClientSecret::new)
                .or_else(|| file.and_then(|f| f.client_secret.clone())),
            env_has_aws_keys: env.get("AWS_ACCESS_KEY_ID").is_some(),
        }
    }

    /// The API's base URL.
    pub fn api_url(&self) -> Result<&str, CliConfigError> {
        self.api_url.as_ref().map(|s| s.value.as_str()).ok_or(CliConfigError::Missing {
            what: "API URL",
            flag: "--api-url",
            var: "API_URL",
            key: "apiUrl (ApiUrl)",
        })
    }

    /// The user pool id, checked to be `<region>_<id>`.
    pub fn user_pool_id(&self) -> Result<&str, CliConfigError> {
        let pool = self.user_pool_id.as_ref().ok_or(CliConfigError::Missing {
            what: "user pool id",
            flag: "--user-pool-id",
            var: "USER_POOL_ID",
            key: "userPoolId (UserPoolId)",
        })?;
        match pool.value.split_once('_') {
            Some((region, id)) if !region.is_empty() && !id.is_empty() => Ok(&pool.value),
            _ => Err(CliConfigError::BadPoolId(pool.value.clone(), pool.source.clone())),
        }
    }

    /// The app client id.
    pub fn client_id(&self) -> Result<&str, CliConfigError> {
        self.client_id.as_ref().map(|s| s.value.as_str()).ok_or(CliConfigError::Missing {
            what: "app client id",
            flag: "--client-id",
            var: "USER_POOL_CLIENT_ID",
            key: "userPoolClientId (UserPoolClientId)",
        })
    }

    /// The pool and client for the domain's services, in the pool's region.
    pub fn cognito(&self) -> Result<CognitoConfig, CliConfigError> {
        let user_pool_id = self.user_pool_id()?.to_string();
        Ok(CognitoConfig {
            region: pool_region(&user_pool_id).unwrap_or_default().to_string(),
            client_id: self.client_id()?.to_string(),
            user_pool_id,
            client_secret: self.client_secret.clone(),
            // The CLI answers NEW_PASSWORD_REQUIRED with no attributes; the default list is the
            // template's app client's (what a deployed stack allows).
            write_attributes: Default::default(),
        })
    }

    /// The emulator endpoint, when one is configured.
    pub fn cognito_endpoint(&self) -> Option<&str> {
        self.cognito_endpoint.as_ref().map(|s| s.value.as_str())
    }

    /// Dummy keys with an emulator; else the environment's keys when `AWS_ACCESS_KEY_ID` is set;
    /// else none at all.
    pub fn credentials(&self) -> Credentials {
        if self.cognito_endpoint.is_some() {
            Credentials::EmulatorDummy
        } else if self.env_has_aws_keys {
            Credentials::Environment
        } else {
            Credentials::None
        }
    }

    /// Where the pool's JWKS is: `explicit` (`--jwks-url`), else the emulator's
    /// `{endpoint}/{pool}/.well-known/jwks.json`, else the pool's Cognito URL.
    pub fn jwks_url(&self, explicit: Option<&str>) -> Result<String, CliConfigError> {
        if let Some(url) = explicit {
            return Ok(url.to_string());
        }
        let pool = self.user_pool_id()?;
        Ok(match self.cognito_endpoint() {
            Some(endpoint) => format!("{endpoint}/{pool}/.well-known/jwks.json"),
            None => cognito_verifier::verifier::jwks_url(pool),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: &str = r#"{
        "apiUrl": "http://127.0.0.1:3000",
        "cognitoEndpoint": "http://127.0.0.1:5000/",
        "region": "us-east-1",
        "userPoolId": "us-east-1_local",
        "userPoolClientId": "local-client",
        "userPoolClientSecret": "local-secret",
        "adminGroup": "admins",
        "identityPoolId": "us-east-1:idp",
        "bucket": "local-data-bucket"
    }"#;

    const SAM_OUTPUTS: &str = r#"[
        {"OutputKey": "ApiUrl", "OutputValue": "https://abc.execute-api.eu-west-1.amazonaws.com/prod", "Description": "Base URL of the API."},
        {"OutputKey": "UserPoolId", "OutputValue": "eu-west-1_Deployed", "Description": null},
        {"OutputKey": "UserPoolClientId", "OutputValue": "deployed-client"},
        {"OutputKey": "IdentityPoolId", "OutputValue": "eu-west-1:1234"},
        {"OutputKey": "DataBucketName", "OutputValue": "bucket"}
    ]"#;

    fn describe_stacks(outputs: &str) -> String {
        format!(r#"{{"Stacks": [{{"StackName": "auth", "StackStatus": "CREATE_COMPLETE", "Outputs": {outputs}}}]}}"#)
    }

    fn settings(flags: &GlobalArgs, env: &[(&str, &str)], file: Option<&str>) -> Settings {
        let file = file.map(|text| StackFile::parse(text).unwrap());
        let path = Path::new("stack.json");
        Settings::resolve(flags, &Env::from_pairs(env.iter().copied()), file.as_ref().map(|f| (path, f)))
    }

    #[test]
    fn the_environment_prints_its_names_not_its_values() {
        let env = Env::from_pairs([("USER_POOL_CLIENT_SECRET", "SECRET"), ("AWS_SECRET_ACCESS_KEY", "SECRET")]);
        assert_eq!(format!("{env:?}"), r#"Env(["AWS_SECRET_ACCESS_KEY", "USER_POOL_CLIENT_SECRET"])"#);
    }

    #[test]
    fn reads_the_stack_file_make_dev_writes() {
        let file = StackFile::parse(LOCAL).unwrap();
        assert_eq!(file.api_url.as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(file.cognito_endpoint.as_deref(), Some("http://127.0.0.1:5000/"));
        assert_eq!(file.user_pool_id.as_deref(), Some("us-east-1_local"));
        assert_eq!(file.client_id.as_deref(), Some("local-client"));
        assert_eq!(file.client_secret.as_ref().map(ClientSecret::expose), Some("local-secret"));
    }

    #[test]
    fn reads_sam_list_stack_outputs_and_describe_stacks_alike() {
        for text in [SAM_OUTPUTS.to_string(), describe_stacks(SAM_OUTPUTS)] {
            let file = StackFile::parse(&text).unwrap();
            assert_eq!(file.api_url.as_deref(), Some("https://abc.execute-api.eu-west-1.amazonaws.com/prod"));
            assert_eq!(file.user_pool_id.as_deref(), Some("eu-west-1_Deployed"));
            assert_eq!(file.client_id.as_deref(), Some("deployed-client"));
            assert!(file.client_secret.is_none() && file.cognito_endpoint.is_none());
        }
    }

    #[test]
    fn reads_one_stack_object_from_describe_stacks() {
        let text = format!(r#"{{"StackName": "auth", "Outputs": {SAM_OUTPUTS}}}"#);
        assert_eq!(StackFile::parse(&text).unwrap().client_id.as_deref(), Some("deployed-client"));
    }

    #[test]
    fn refuses_stack_files_it_cannot_read() {
        let several = r#"{"Stacks": [{"Outputs": []}, {"Outputs": []}]}"#;
        assert!(matches!(StackFile::parse(several), Err(StackFileError::NotOneStack(2))));
        assert!(matches!(StackFile::parse(r#"{"Stacks": []}"#), Err(StackFileError::NotOneStack(0))));
        assert!(matches!(StackFile::parse("not json"), Err(StackFileError::NotJson(_))));
        assert!(matches!(StackFile::parse("42"), Err(StackFileError::UnknownShape)));
        assert!(matches!(StackFile::parse(r#"[{"Key": "x"}]"#), Err(StackFileError::UnknownShape)));
        assert!(
            matches!(StackFile::parse(r#"{"userPoolId": 7}"#), Err(StackFileError::NotAString(k)) if k == "userPoolId")
        );
        assert!(matches!(StackFile::parse(r#"{"other": "x"}"#), Err(StackFileError::Empty)));
        assert!(matches!(StackFile::parse(&describe_stacks("[]")), Err(StackFileError::Empty)));
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_stack_file() {
        // GIVEN a stack file, variables for some settings and flags for fewer
        let flags = GlobalArgs { api_url: Some("http://flag:1/".into()), ..GlobalArgs::default() };
        let env = [("API_URL", "http://env:2"), ("USER_POOL_ID", "us-east-1_fromenv")];
        // WHEN they are resolved
        let s = settings(&flags, &env, Some(LOCAL));
        // THEN each setting comes from the highest source that has it
        assert_eq!(s.api_url, Some(Setting { value: "http://flag:1".into(), source: Source::Flag("--api-url") }));
        assert_eq!(
            s.user_pool_id.as_ref().map(|p| (&*p.value, &p.source)),
            Some(("us-east-1_fromenv", &Source::Env("USER_POOL_ID")))
        );
        assert_eq!(s.client_id.as_ref().map(|c| &*c.value), Some("local-client"));
        assert_eq!(s.client_id.as_ref().map(|c| &c.source), Some(&Source::StackFile("stack.json".into())));
        assert_eq!(s.cognito_endpoint().unwrap(), "http://127.0.0.1:5000", "trailing slash dropped");
        assert_eq!(s.client_secret.as_ref().map(ClientSecret::expose), Some("local-secret"));
    }

    #[test]
    fn the_client_secret_comes_from_the_environment_before_the_stack_file() {
        let s = settings(&GlobalArgs::default(), &[("USER_POOL_CLIENT_SECRET", "env-secret")], Some(LOCAL));
        assert_eq!(s.client_secret.as_ref().map(ClientSecret::expose), Some("env-secret"));
        assert!(!format!("{s:?}").contains("env-secret"), "Debug hides the secret");
    }

    #[test]
    fn empty_flags_and_variables_count_as_unset() {
        let flags = GlobalArgs { client_id: Some(" ".into()), ..GlobalArgs::default() };
        let s = settings(&flags, &[("USER_POOL_CLIENT_ID", "")], Some(LOCAL));
        assert_eq!(s.client_id.map(|c| c.value).as_deref(), Some("local-client"));
    }

    #[test]
    fn the_region_is_the_pool_ids_whatever_aws_region_says() {
        // GIVEN a deployed stack's outputs and an AWS_REGION left over from other work
        let s = settings(&GlobalArgs::default(), &[("AWS_REGION", "us-west-2")], Some(SAM_OUTPUTS));
        // THEN the pool's own region is used
        assert_eq!(s.cognito().unwrap().region, "eu-west-1");
    }

    #[test]
    fn a_pool_id_without_both_parts_is_refused_naming_its_source() {
        for bad in ["abc", "_abc", "us-east-1_"] {
            let s = settings(&GlobalArgs::default(), &[("USER_POOL_ID", bad)], Some(SAM_OUTPUTS));
            let err = s.cognito().unwrap_err();
            assert_eq!(err, CliConfigError::BadPoolId(bad.into(), Source::Env("USER_POOL_ID")));
            assert!(err.to_string().contains("$USER_POOL_ID"), "{err}");
        }
    }

    #[test]
    fn a_missing_setting_says_how_to_give_it() {
        let s = settings(&GlobalArgs::default(), &[], None);
        let text = s.cognito().unwrap_err().to_string();
        assert!(text.contains("--user-pool-id") && text.contains("USER_POOL_ID") && text.contains("--stack"), "{text}");
        assert!(s.api_url().unwrap_err().to_string().contains("API_URL"));
        let bad = GlobalArgs { user_pool_id: Some("nounderscore".into()), ..GlobalArgs::default() };
        assert!(matches!(settings(&bad, &[], None).user_pool_id(), Err(CliConfigError::BadPoolId(..))));
    }

    #[test]
    fn the_stack_file_is_the_flag_then_the_variable_then_make_devs_if_present() {
        let env = Env::from_pairs([("AUTHCTL_STACK", "env.json")]);
        assert_eq!(stack_file_path(Some(Path::new("flag.json")), &env, true), Some("flag.json".into()));
        assert_eq!(stack_file_path(None, &env, true), Some("env.json".into()));
        assert_eq!(stack_file_path(None, &Env::default(), true), Some(DEFAULT_STACK_FILE.into()));
        assert_eq!(stack_file_path(None, &Env::default(), false), None);
    }

    #[test]
    fn credentials_are_dummy_with_an_emulator_else_the_environments_else_none() {
        let local = settings(&GlobalArgs::default(), &[("AWS_ACCESS_KEY_ID", "AKIA")], Some(LOCAL));
        assert_eq!(local.credentials(), Credentials::EmulatorDummy);
        let deployed = settings(&GlobalArgs::default(), &[("AWS_ACCESS_KEY_ID", "AKIA")], Some(SAM_OUTPUTS));
        assert_eq!(deployed.credentials(), Credentials::Environment);
        let anonymous = settings(&GlobalArgs::default(), &[], Some(SAM_OUTPUTS));
        assert_eq!(anonymous.credentials(), Credentials::None);
        let env_endpoint = [("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "http://127.0.0.1:5000")];
        assert_eq!(
            settings(&GlobalArgs::default(), &env_endpoint, Some(SAM_OUTPUTS)).credentials(),
            Credentials::EmulatorDummy
        );
    }

    #[test]
    fn the_jwks_url_is_the_flag_else_the_emulators_else_cognitos() {
        let local = settings(&GlobalArgs::default(), &[], Some(LOCAL));
        assert_eq!(local.jwks_url(None).unwrap(), "http://127.0.0.1:5000/us-east-1_local/.well-known/jwks.json");
        assert_eq!(local.jwks_url(Some("http://keys")).unwrap(), "http://keys");
        let deployed = settings(&GlobalArgs::default(), &[], Some(SAM_OUTPUTS));
        assert_eq!(
            deployed.jwks_url(None).unwrap(),
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Deployed/.well-known/jwks.json"
        );
    }

    #[test]
    fn loopback_urls_are_those_of_this_machine_only() {
        for ok in ["http://127.0.0.1:3000", "http://localhost:39529/", "https://[::1]:8443", "http://127.1.2.3"] {
            assert!(is_loopback_url(ok), "{ok}");
        }
        for refused in [
            "http://10.0.0.1",
            "https://api.example.com",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(!is_loopback_url(refused), "{refused}");
        }
    }

    #[test]
    fn an_implicit_stack_file_must_be_ours_private_and_local() {
        let local = StackFile {
            api_url: Some("http://127.0.0.1:3000".into()),
            cognito_endpoint: Some("http://127.0.0.1:39529".into()),
            ..StackFile::default()
        };
        assert_eq!(check_implicit_stack_file(&local, 1000, 1000, 0o600), Ok(()));
        assert_eq!(check_implicit_stack_file(&local, 0, 1000, 0o600), Err(ImplicitStackFileError::NotYours));
        assert_eq!(
            check_implicit_stack_file(&local, 1000, 1000, 0o644),
            Err(ImplicitStackFileError::NotPrivate(0o644))
        );
        let planted = StackFile { api_url: Some("http://10.9.9.9".into()), ..local.clone() };
        assert!(matches!(
            check_implicit_stack_file(&planted, 1000, 1000, 0o600),
            Err(ImplicitStackFileError::NotLoopback("apiUrl", _))
        ));
        let endpoint = StackFile { cognito_endpoint: Some("https://cognito.evil.example".into()), ..local };
        assert!(matches!(
            check_implicit_stack_file(&endpoint, 1000, 1000, 0o600),
            Err(ImplicitStackFileError::NotLoopback("cognitoEndpoint", _))
        ));
    }
}
