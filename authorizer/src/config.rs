//! The authorizer's configuration, read once at cold start. Every check is on unless the
//! configuration turns it off explicitly; a missing or malformed variable fails the cold start.

use std::{sync::Arc, time::Duration};

use cognito_verifier::{
    JwksCache, JwksSource, TokenUse, UserPoolKeys, Verifier, VerifierConfig,
    verifier::{DEFAULT_LEEWAY, jwks_url, pool_region},
};

use crate::Authorizer;

/// A configuration variable is missing or malformed: the cold start fails naming it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("environment variable {name} {reason}")]
pub struct AuthorizerConfigError {
    name: &'static str,
    reason: String,
}

fn invalid(name: &'static str, reason: impl Into<String>) -> AuthorizerConfigError {
    AuthorizerConfigError { name, reason: reason.into() }
}

/// What the authorizer needs to know.
#[derive(Debug, Clone)]
pub struct AuthorizerConfig {
    /// Clients, token use, scopes and leeway.
    pub verifier: VerifierConfig,
    /// Each accepted user pool and where its keys come from.
    pub pools: Vec<(String, JwksSource)>,
    /// `ADMIN_GROUP` (default `admins`): the group allowed on the admin routes.
    pub admin_group: String,
    /// `REQUIRED_GROUPS`: when set, callers must be in at least one of them (else 403).
    pub required_groups: Vec<String>,
}

/// The scope an access token needs for Cognito to accept it on the calls a person makes about
/// themselves (`GetUser`, `ChangePassword`, `GlobalSignOut`...): "Scopes, M2M, and resource
/// servers", Cognito developer guide. Tokens of the API's own sign-in carry it.
pub const USER_ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

fn list(value: &str) -> Vec<String> {
    value.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl AuthorizerConfig {
    /// Reads the configuration from the environment:
    ///
    /// | variable | default | meaning |
    /// |---|---|---|
    /// | `USER_POOL_ID` | required | the pool, or several, comma-separated (`{region}_{id}` each) |
    /// | `APP_CLIENT_IDS` | required | clients whose tokens are accepted |
    /// | `TOKEN_USE` | `both` | `both`: ID and access tokens, each where the route table takes it; `id` or `access`: that kind only |
    /// | `REQUIRED_SCOPES` | `aws.cognito.signin.user.admin` | access tokens must carry one of these (the default is the scope Cognito needs to act as the person) |
    /// | `REQUIRED_GROUPS` | none | callers must be in one of these |
    /// | `ADMIN_GROUP` | `admins` | the group allowed on the admin routes |
    /// | `JWKS_JSON` / `JWKS_FILE` | none | the JWKS given at deploy time (one pool): no fetch |
    /// | `JWKS_URL` | Cognito's | where to fetch it; `{userPoolId}` is replaced per pool |
    /// | `TOKEN_LEEWAY_SECONDS` | 5 | clock skew tolerated on `exp`, `nbf`, `iat` (0–300) |
    pub fn from_env() -> Result<Self, AuthorizerConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, AuthorizerConfigError> {
        let get = |name: &'static str| lookup(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or_else(|| invalid(name, "is required"));

        let pool_ids = list(&required("USER_POOL_ID")?);
        if pool_ids.is_empty() {
            return Err(invalid("USER_POOL_ID", "is required"));
        }
        if let Some(bad) = pool_ids.iter().find(|id| pool_region(id).is_none()) {
            return Err(invalid("USER_POOL_ID", format!("has `{bad}`, expected `{{region}}_{{id}}`")));
        }
        let client_ids = list(&required("APP_CLIENT_IDS")?);
        if client_ids.is_empty() {
            return Err(invalid("APP_CLIENT_IDS", "is required"));
        }
        let token_use = match get("TOKEN_USE").as_deref() {
            None | Some("both") => TokenUse::Either,
            Some("id") => TokenUse::Id,
            Some("access") => TokenUse::Access,
            Some(_) => return Err(invalid("TOKEN_USE", "must be `both`, `id` or `access`")),
        };
        let required_scopes = match (get("REQUIRED_SCOPES"), token_use) {
            (Some(_), TokenUse::Id) => {
                return Err(invalid("REQUIRED_SCOPES", "needs access tokens (ID tokens carry no scopes)"));
            }
            (Some(scopes), _) => list(&scopes),
            (None, TokenUse::Id) => Vec::new(),
            (None, _) => vec![USER_ADMIN_SCOPE.to_owned()],
        };
        let leeway =
            match get("TOKEN_LEEWAY_SECONDS") {
                None => DEFAULT_LEEWAY,
                Some(v) => Duration::from_secs(v.parse::<u64>().ok().filter(|s| *s <= 300).ok_or_else(|| {
                    invalid("TOKEN_LEEWAY_SECONDS", "must be a whole number of seconds from 0 to 300")
                })?),
            };

        let static_jwks = match (get("JWKS_JSON"), get("JWKS_FILE")) {
            (Some(json), _) => Some(json),
            (None, Some(path)) => {
                Some(std::fs::read_to_string(&path).map_err(|e| invalid("JWKS_FILE", format!("cannot be read: {e}")))?)
            }
            (None, None) => None,
        };
        let url = get("JWKS_URL");
        if pool_ids.len() > 1 && (static_jwks.is_some() || url.as_ref().is_some_and(|u| !u.contains("{userPoolId}"))) {
            return Err(invalid("JWKS_URL", "must contain {userPoolId} with several pools (JWKS_JSON/FILE: one pool)"));
        }
        let pools = pool_ids
            .into_iter()
            .map(|id| {
                let source = match (&static_jwks, &url) {
                    (Some(json), _) => JwksSource::Static(json.clone()),
                    (None, Some(url)) => JwksSource::Url(url.replace("{userPoolId}", &id)),
                    (None, None) => JwksSource::Url(jwks_url(&id)),
                };
                (id, source)
            })
            .collect();
        Ok(Self {
            verifier: VerifierConfig { client_ids, token_use, required_scopes, leeway },
            pools,
            admin_group: get("ADMIN_GROUP").unwrap_or_else(|| "admins".into()),
            required_groups: get("REQUIRED_GROUPS").map(|v| list(&v)).unwrap_or_default(),
        })
    }

    /// Builds the authorizer and starts loading the keys in the background, so the fetch
    /// overlaps the runtime's start-up; the first token waits for it. A JWKS endpoint that is
    /// down does not stop the cold start: tokens are refused until the keys can be fetched.
    /// Call it inside a Tokio runtime.
    pub fn build(self) -> Result<Authorizer, cognito_verifier::jwks::JwksError> {
        let mut pools = Vec::with_capacity(self.pools.len());
        for (user_pool_id, source) in self.pools {
            let jwks = Arc::new(JwksCache::new(source)?);
            let pool = user_pool_id.clone();
            jwks.load_in_background(move |loaded| match loaded {
                Ok(count) => tracing::info!(user_pool_id = pool, keys = count, "JWKS loaded"),
                Err(err) => {
                    tracing::error!(user_pool_id = pool, error = %err, "JWKS not loaded at cold start; tokens refused until it is")
                }
            });
            pools.push(UserPoolKeys { user_pool_id, jwks });
        }
        Ok(Authorizer::new(Arc::new(Verifier::new(self.verifier, pools)), self.admin_group)
            .with_required_groups(self.required_groups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<AuthorizerConfig, AuthorizerConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        AuthorizerConfig::from_lookup(|k| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 2] = [("USER_POOL_ID", "eu-west-1_abc"), ("APP_CLIENT_IDS", "c1, c2")];

    #[test]
    fn defaults_are_strict() {
        let cfg = config(&BASE).unwrap();
        assert_eq!(cfg.verifier.token_use, TokenUse::Either);
        assert_eq!(cfg.verifier.required_scopes, vec!["aws.cognito.signin.user.admin"]);
        assert_eq!(cfg.verifier.client_ids, vec!["c1", "c2"]);
        assert_eq!(cfg.verifier.leeway, std::time::Duration::from_secs(5));
        assert_eq!(cfg.admin_group, "admins");
        assert!(cfg.required_groups.is_empty());
        // Cognito's JWKS address for the pool, written out: not the function that builds it.
        let expected = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json";
        assert!(matches!(&cfg.pools[0].1, JwksSource::Url(u) if u == expected), "{:?}", cfg.pools[0].1);
    }

    #[test]
    fn missing_or_malformed_variables_are_named() {
        assert_eq!(config(&[("USER_POOL_ID", "eu-west-1_abc")]).unwrap_err().name, "APP_CLIENT_IDS");
        assert_eq!(config(&[("APP_CLIENT_IDS", "c")]).unwrap_err().name, "USER_POOL_ID");
        assert_eq!(config(&[("USER_POOL_ID", "nopool"), ("APP_CLIENT_IDS", "c")]).unwrap_err().name, "USER_POOL_ID");
        let with = |extra: (&'static str, &'static str)| config(&[BASE[0], BASE[1], extra]).unwrap_err().name;
        assert_eq!(with(("TOKEN_USE", "either")), "TOKEN_USE");
        assert_eq!(with(("TOKEN_LEEWAY_SECONDS", "3600")), "TOKEN_LEEWAY_SECONDS");
        let id_with_scopes = config(&[BASE[0], BASE[1], ("TOKEN_USE", "id"), ("REQUIRED_SCOPES", "api/read")]);
        assert_eq!(id_with_scopes.unwrap_err().name, "REQUIRED_SCOPES");
        assert_eq!(with(("JWKS_FILE", "/nonexistent/jwks.json")), "JWKS_FILE");
    }

    #[test]
    fn several_pools_need_a_per_pool_jwks_url() {
        let pools = ("USER_POOL_ID", "eu-west-1_a,us-east-1_b");
        let err = config(&[pools, BASE[1], ("JWKS_URL", "http://127.0.0.1:1/jwks.json")]).unwrap_err();
        assert_eq!(err.name, "JWKS_URL");
        let cfg = config(&[pools, BASE[1], ("JWKS_URL", "http://127.0.0.1:1/{userPoolId}/jwks.json")]).unwrap();
        assert!(matches!(&cfg.pools[1].1, JwksSource::Url(u) if u == "http://127.0.0.1:1/us-east-1_b/jwks.json"));
    }

    #[test]
    fn one_kind_of_token_only_is_opt_in() {
        let id = config(&[BASE[0], BASE[1], ("TOKEN_USE", "id")]).unwrap();
        assert_eq!(id.verifier.token_use, TokenUse::Id);
        assert!(id.verifier.required_scopes.is_empty());
        let access = config(&[BASE[0], BASE[1], ("TOKEN_USE", "access")]).unwrap();
        assert_eq!(access.verifier.token_use, TokenUse::Access);
        assert_eq!(access.verifier.required_scopes, vec!["aws.cognito.signin.user.admin"]);
        let both = config(&[BASE[0], BASE[1], ("TOKEN_USE", "both")]).unwrap();
        assert_eq!(both.verifier.token_use, TokenUse::Either);
    }

    #[test]
    fn access_tokens_with_scopes_and_groups_are_opt_in() {
        let cfg = config(&[
            BASE[0],
            BASE[1],
            ("TOKEN_USE", "access"),
            ("REQUIRED_SCOPES", "api/read api/write"),
            ("REQUIRED_GROUPS", "staff,admins"),
        ])
        .unwrap();
        assert_eq!(cfg.verifier.token_use, TokenUse::Access);
        assert_eq!(cfg.verifier.required_scopes, vec!["api/read", "api/write"]);
        assert_eq!(cfg.required_groups, vec!["staff", "admins"]);
    }
}
