//! The API Gateway Lambda authorizer: verifies the caller's Cognito ID token locally and answers
//! with a policy that stays correct when API Gateway caches it, plus a flat `context` the
//! handlers read instead of calling Cognito.
//!
//! The library has no Lambda dependency; `main.rs` plugs [`Authorizer::authorize`] into the
//! runtime, and the local gateway calls it directly.
#![deny(missing_docs)]

pub mod config;
pub mod event;
pub mod policy;

use std::sync::{Arc, RwLock};

use api_types::{
    AuthorizerContext,
    routes::{Access, ROUTES, Route, match_path},
};
use cognito_verifier::{Claims, Verifier};
use serde_json::Value;

pub use config::AuthorizerConfig;
pub use event::{AuthorizerEvent, Target};

/// The authorizer refused the token: the Lambda must fail with exactly this message for API
/// Gateway to answer 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Unauthorized")]
pub struct Unauthorized;

/// Verifies tokens and writes policies.
pub struct Authorizer {
    verifier: Arc<Verifier>,
    admin_group: String,
    required_groups: Vec<String>,
    routes: &'static [Route],
    /// Policies already written, by stage ARN and whether the caller is an admin: a policy
    /// depends on nothing else, so each is built once (one or two per stage), at most
    /// [`CACHED_POLICIES`] of them.
    policies: RwLock<Vec<(String, bool, Value)>>,
}

/// How many policies [`Authorizer`] keeps written: a stage has two (admin, not admin).
const CACHED_POLICIES: usize = 16;

impl Authorizer {
    /// An authorizer using `verifier`; members of `admin_group` may call the admin routes.
    pub fn new(verifier: Arc<Verifier>, admin_group: impl Into<String>) -> Self {
        Self {
            verifier,
            admin_group: admin_group.into(),
            required_groups: Vec::new(),
            routes: ROUTES,
            policies: RwLock::default(),
        }
    }

    /// Requires callers to be in at least one of `groups` (none: no requirement). Others get a
    /// Deny for the whole API (403).
    pub fn with_required_groups(mut self, groups: Vec<String>) -> Self {
        self.required_groups = groups;
        self
    }

    /// Writes policies for an API with these routes instead of this API's
    /// ([`api_types::routes::ROUTES`]).
    pub fn with_routes(mut self, routes: &'static [Route]) -> Self {
        self.routes = routes;
        self.policies = RwLock::default();
        self
    }

    /// The policy for a caller of this API ([`policy::for_routes`]), written once per stage and
    /// kind of caller.
    fn policy_for(&self, method_arn: &str, is_admin: bool) -> Option<Value> {
        let stage = policy::stage_arn(method_arn)?;
        let cached = |list: &Vec<(String, bool, Value)>| {
            list.iter().find(|(s, admin, _)| *s == stage && *admin == is_admin).map(|(_, _, p)| p.clone())
        };
        if let Some(found) = self.policies.read().ok().and_then(|list| cached(&list)) {
            return Some(found);
        }
        let written = policy::for_routes(self.routes, method_arn, is_admin)?;
        if let Ok(mut list) = self.policies.write()
            && list.len() < CACHED_POLICIES
            && cached(&list).is_none()
        {
            list.push((stage, is_admin, written.clone()));
        }
        Some(written)
    }

    /// Answers one authorizer event: REST `TOKEN` or `REQUEST` with a policy, HTTP API 2.0
    /// with a simple response. A token that does not verify is [`Unauthorized`] (401).
    pub async fn authorize(&self, event: &Value) -> Result<Value, Unauthorized> {
        let event = AuthorizerEvent::parse(event).map_err(|reason| {
            log_decision("unauthorized", reason, None, "");
            Unauthorized
        })?;
        let target = match &event.target {
            Target::Rest { method_arn } => *method_arn,
            Target::Http { path, .. } => *path,
        };
        let claims = match self.verifier.verify(event.token).await {
            Ok(claims) => claims,
            Err(err) => {
                log_decision("unauthorized", &err.to_string(), None, target);
                return Err(Unauthorized);
            }
        };
        let is_admin = claims.groups.contains(&self.admin_group);
        let in_required_group =
            self.required_groups.is_empty() || claims.groups.iter().any(|g| self.required_groups.contains(g));
        let reason = match (in_required_group, is_admin) {
            (false, _) => "not in a required group",
            (true, true) => "admin",
            (true, false) => "signed in",
        };
        let context = serde_json::to_value(context_of(&claims)).map_err(|_| Unauthorized)?;
        match event.target {
            Target::Rest { method_arn } => {
                let policy = if in_required_group {
                    self.policy_for(method_arn, is_admin)
                } else {
                    policy::deny_all(method_arn)
                };
                let Some(policy) = policy else {
                    log_decision("unauthorized", "malformed methodArn", Some(&claims), method_arn);
                    return Err(Unauthorized);
                };
                let decision = if policy::allows(&policy, method_arn) { "allow" } else { "deny" };
                log_decision(decision, reason, Some(&claims), method_arn);
                Ok(serde_json::json!({ "principalId": claims.sub, "policyDocument": policy, "context": context }))
            }
            Target::Http { method, route_path, path } => {
                let allowed = in_required_group && (is_admin || self.open_to_signed_in(method, route_path, path));
                log_decision(if allowed { "allow" } else { "deny" }, reason, Some(&claims), path);
                Ok(serde_json::json!({ "isAuthorized": allowed, "context": context }))
            }
        }
    }
}

impl Authorizer {
    /// Whether an HTTP API request is for a route any signed-in caller may use. Fails closed:
    /// only a positive match with a public or signed-in route of the table says yes, so catch-all
    /// routes, other parameter names or unknown paths need the admins group.
    fn open_to_signed_in(&self, method: &str, route_path: Option<&str>, path: &str) -> bool {
        let method = if method.eq_ignore_ascii_case("HEAD") { "GET" } else { method };
        let candidates = || self.routes.iter().filter(|r| r.method.eq_ignore_ascii_case(method));
        // The declared route when it is one of ours; else (`$default`, `/{proxy+}`, other
        // parameter names) the route the concrete path is.
        let declared = route_path.and_then(|template| candidates().find(|r| r.path == template));
        let route = declared.or_else(|| candidates().find(|r| match_path(r.path, path).is_some()));
        route.is_some_and(|r| r.access != Access::Admin)
    }
}

/// The flat context API Gateway hands to the handlers. Groups travel comma-joined, so a group
/// whose name contains a comma (Cognito allows it) is left out: it could not be told apart from
/// two groups, and `staff,admins` must never read as membership of `admins`.
pub fn context_of(claims: &Claims) -> AuthorizerContext {
    let groups: Vec<&str> = claims.groups.iter().map(String::as_str).filter(|g| !g.contains(',')).collect();
    if groups.len() != claims.groups.len() {
        tracing::warn!(sub = %claims.sub, "group names with commas left out of the authorizer context");
    }
    AuthorizerContext {
        sub: claims.sub.clone(),
        username: claims.internal_username().to_string(),
        email: claims.email.clone().unwrap_or_default(),
        email_verified: claims.email_verified,
        groups: groups.join(","),
        token_use: claims.token_use.clone(),
        client_id: claims.client().to_string(),
    }
}

/// One structured line per decision, with the reason and never the token.
fn log_decision(decision: &str, reason: &str, claims: Option<&Claims>, target: &str) {
    tracing::info!(decision, reason, sub = claims.map(|c| c.sub.as_str()).unwrap_or(""), target, "authorizer decision");
}
