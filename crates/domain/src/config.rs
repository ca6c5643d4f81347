//! The user pool and app client the API works with, read once at init.

use crate::ClientSecret;

/// A configuration variable is missing or malformed: the cold start fails with this message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set (or is empty).
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    /// A variable is set to something unusable.
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why it is unusable.
        reason: String,
    },
}

/// The user pool and the app client the functions sign users in with.
#[derive(Debug, Clone)]
pub struct CognitoConfig {
    /// `AWS_REGION`: the pool's region.
    pub region: String,
    /// `USER_POOL_ID`.
    pub user_pool_id: String,
    /// `USER_POOL_CLIENT_ID`.
    pub client_id: String,
    /// `USER_POOL_CLIENT_SECRET`: when set, SECRET_HASH is sent on every call that takes it.
    pub client_secret: Option<ClientSecret>,
    /// `WRITE_ATTRIBUTES`: the attributes the app client may write (its `WriteAttributes`).
    pub write_attributes: WriteAttributes,
}

/// The attributes the app client may write: its `WriteAttributes`, as `template.yaml` deploys
/// it. Sign-up attributes and new-password `userAttributes` outside it are refused with a 400
/// naming the field before any Cognito call; Cognito would refuse them anyway, with a
/// `NotAuthorizedException` that does not say which attribute
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-attribute-permissions-and-scopes>).
///
/// Read from `WRITE_ATTRIBUTES` (comma-separated); the default is the template's list,
/// [`WriteAttributes::TEMPLATE`]. Security: this list only gives earlier, clearer errors; the
/// app client's own setting is what Cognito enforces, so a list here that is too wide lets
/// nothing more through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteAttributes(Vec<String>);

impl WriteAttributes {
    /// `template.yaml`'s `UserPoolClient` `WriteAttributes` (a test keeps the two equal).
    pub const TEMPLATE: &'static [&'static str] = &["email", "name", "given_name", "family_name", "locale"];

    /// The attributes `names`.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        Self(names.iter().map(|n| n.as_ref().to_string()).collect())
    }

    /// Parses a comma-separated list of attribute names (`email, name`).
    pub fn parse(list: &str) -> Result<Self, ConfigError> {
        let invalid = |reason: String| ConfigError::Invalid { name: "WRITE_ATTRIBUTES", reason };
        let names: Vec<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            return Err(invalid("lists no attribute (leave it unset for the default)".into()));
        }
        if let Some(bad) = names.iter().find(|n| !crate::input::looks_like_attribute_name(n)) {
            return Err(invalid(format!("`{bad}` is not an attribute name")));
        }
        Ok(Self::new(&names))
    }

    /// Whether the app client may write `name`.
    pub fn allows(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }

    /// The names, in the configured order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl Default for WriteAttributes {
    fn default() -> Self {
        Self::new(Self::TEMPLATE)
    }
}

impl CognitoConfig {
    /// The `SECRET_HASH` for `username` when the client has a secret. `username` must be the
    /// one Cognito expects for the call: the typed name to start a sign-in, the internal username
    /// (`USER_ID_FOR_SRP` / `cognito:username`) for challenge answers and refresh.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret.as_ref().map(|secret| secret.secret_hash(username, &self.client_id))
    }

    /// Reads `AWS_REGION`, `USER_POOL_ID`, `USER_POOL_CLIENT_ID` and the optional
    /// `USER_POOL_CLIENT_SECRET` and `WRITE_ATTRIBUTES` from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment in [`Self::from_env`]).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let optional = |name: &'static str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let required = |name: &'static str| optional(name).ok_or(ConfigError::Missing(name));
        let user_pool_id = required("USER_POOL_ID")?;
        let region = required("AWS_REGION")?;
        match user_pool_id.split_once('_') {
            Some((pool_region, rest)) if pool_region == region && !rest.is_empty() => {}
            _ => {
                return Err(ConfigError::Invalid {
                    name: "USER_POOL_ID",
                    reason: format!("expected `{region}_<id>` (the pool must be in AWS_REGION)"),
                });
            }
        }
        Ok(Self {
            region,
            user_pool_id,
            client_id: required("USER_POOL_CLIENT_ID")?,
            client_secret: optional("USER_POOL_CLIENT_SECRET").map(ClientSecret::new),
            write_attributes: optional("WRITE_ATTRIBUTES")
                .map(|list| WriteAttributes::parse(&list))
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// A window of whole minutes, 1 to 60, from variable `name` through `lookup`; `default` when
/// unset or blank, else [`ConfigError::Invalid`].
pub fn minutes_within_an_hour(
    name: &'static str,
    default: std::time::Duration,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<std::time::Duration, ConfigError> {
    let Some(value) = lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(default);
    };
    match value.parse::<u64>() {
        Ok(minutes @ 1..=60) => Ok(std::time::Duration::from_secs(minutes * 60)),
        _ => Err(ConfigError::Invalid { name, reason: "must be a whole number of minutes from 1 to 60".into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_pool_client_and_secret() {
        // GIVEN each variable set, with the stray spaces a console paste leaves
        let cfg = CognitoConfig::from_lookup(lookup(&[
            ("AWS_REGION", " eu-west-1"),
            ("USER_POOL_ID", "eu-west-1_abc "),
            ("USER_POOL_CLIENT_ID", " client-7"),
            ("USER_POOL_CLIENT_SECRET", "s3cret\n"),
        ]))
        .unwrap();
        // THEN each setting holds its own variable's value, trimmed
        assert_eq!(
            (cfg.region.as_str(), cfg.user_pool_id.as_str(), cfg.client_id.as_str()),
            ("eu-west-1", "eu-west-1_abc", "client-7")
        );
        assert_eq!(cfg.client_secret.as_ref().map(ClientSecret::expose), Some("s3cret"));
        // AND SECRET_HASH is keyed by that secret over the username and that client id
        // (Python: base64.b64encode(hmac.new(b"s3cret", b"ann" + b"client-7", hashlib.sha256).digest()))
        assert_eq!(cfg.secret_hash("ann").as_deref(), Some("Wlp6eU8MG0s0s8CoxTWaLivZbPcHbaEhht4+VQYPEAY="));
    }

    #[test]
    fn empty_secret_means_no_secret() {
        let cfg = CognitoConfig::from_lookup(lookup(&[
            ("AWS_REGION", "eu-west-1"),
            ("USER_POOL_ID", "eu-west-1_abc"),
            ("USER_POOL_CLIENT_ID", "client"),
            ("USER_POOL_CLIENT_SECRET", ""),
        ]))
        .unwrap();
        assert!(cfg.client_secret.is_none());
    }

    #[test]
    fn missing_variable_is_named() {
        let err = CognitoConfig::from_lookup(lookup(&[("AWS_REGION", "eu-west-1"), ("USER_POOL_ID", "eu-west-1_a")]));
        assert_eq!(err.unwrap_err(), ConfigError::Missing("USER_POOL_CLIENT_ID"));
    }

    #[test]
    fn write_attributes_default_to_the_templates_and_can_be_set() {
        let base = [("AWS_REGION", "eu-west-1"), ("USER_POOL_ID", "eu-west-1_abc"), ("USER_POOL_CLIENT_ID", "c")];
        let cfg = CognitoConfig::from_lookup(lookup(&base)).unwrap();
        assert_eq!(cfg.write_attributes.names().collect::<Vec<_>>(), WriteAttributes::TEMPLATE);
        let set = [&base[..], &[("WRITE_ATTRIBUTES", " email, custom:plan ,")]].concat();
        let cfg = CognitoConfig::from_lookup(lookup(&set)).unwrap();
        assert!(cfg.write_attributes.allows("custom:plan") && !cfg.write_attributes.allows("name"));
        for bad in [",", "email,bad name"] {
            let set = [&base[..], &[("WRITE_ATTRIBUTES", bad)]].concat();
            let err = CognitoConfig::from_lookup(lookup(&set)).unwrap_err();
            assert!(matches!(err, ConfigError::Invalid { name: "WRITE_ATTRIBUTES", .. }), "{bad}: {err:?}");
        }
    }

    #[test]
    fn pool_in_another_region_is_refused() {
        let err = CognitoConfig::from_lookup(lookup(&[
            ("AWS_REGION", "eu-west-1"),
            ("USER_POOL_ID", "us-east-1_abc"),
            ("USER_POOL_CLIENT_ID", "client"),
        ]));
        assert!(matches!(err, Err(ConfigError::Invalid { name: "USER_POOL_ID", .. })));
    }
}
