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

use std::sync::Arc;

use api_types::{
    AuthorizerContext,
    routes::{ROUTES, Route},
};
use cognito_verifier::{Claims, Verifier};
use serde_json::Value;

pub use config::AuthorizerConfig;
pub use event::AuthorizerEvent;

/// The authorizer refused the token: the Lambda must fail with exactly this message for API
/// Gateway to answer 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Unauthorized")]
pub struct Unauthorized;

/// Verifies tokens and writes policies.
pub struct Authorizer {
    verifier: Arc<Verifier>,
    admin_group: String,
    routes: &'static [Route],
}

impl Authorizer {
    /// An authorizer using `verifier`; members of `admin_group` may call the admin routes.
    pub fn new(verifier: Arc<Verifier>, admin_group: impl Into<String>) -> Self {
        Self { verifier, admin_group: admin_group.into(), routes: ROUTES }
    }

    /// Writes policies for an API with these routes instead of this API's
    /// ([`api_types::routes::ROUTES`]).
    pub fn with_routes(mut self, routes: &'static [Route]) -> Self {
        self.routes = routes;
        self
    }

    /// Answers one authorizer event (REST `TOKEN` or `REQUEST`).
    pub async fn authorize(&self, event: &Value) -> Result<Value, Unauthorized> {
        let event = AuthorizerEvent::parse(event).map_err(|reason| {
            log_decision("unauthorized", reason, None, "");
            Unauthorized
        })?;
        let claims = match self.verifier.verify(event.token).await {
            Ok(claims) => claims,
            Err(err) => {
                log_decision("unauthorized", &err.to_string(), None, event.method_arn);
                return Err(Unauthorized);
            }
        };
        let context = context_of(&claims);
        let is_admin = claims.groups.contains(&self.admin_group);
        let Some(policy) = policy::for_routes(self.routes, event.method_arn, is_admin) else {
            log_decision("unauthorized", "malformed methodArn", Some(&claims), event.method_arn);
            return Err(Unauthorized);
        };
        let decision = if policy::allows(&policy, event.method_arn) { "allow" } else { "deny" };
        log_decision(decision, if is_admin { "admin" } else { "signed in" }, Some(&claims), event.method_arn);
        let mut context = serde_json::to_value(&context).map_err(|_| Unauthorized)?;
        if let Some(obj) = context.as_object_mut() {
            // API Gateway context values must be flat; groups are already comma-joined.
            obj.retain(|_, v| !v.is_null());
        }
        Ok(serde_json::json!({
            "principalId": claims.sub,
            "policyDocument": policy,
            "context": context,
        }))
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
fn log_decision(decision: &str, reason: &str, claims: Option<&Claims>, method_arn: &str) {
    tracing::info!(
        decision,
        reason,
        sub = claims.map(|c| c.sub.as_str()).unwrap_or(""),
        method_arn,
        "authorizer decision"
    );
}
