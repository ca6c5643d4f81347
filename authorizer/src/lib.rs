//! The API Gateway Lambda authorizer: verifies the caller's Cognito token (ID or access token,
//! each by its own rules) locally and answers with a policy that stays correct when API Gateway
//! caches it, plus a flat `context` the handlers read instead of calling Cognito. Each route
//! takes the kind of token the route table names ([`api_types::routes::Access`]); the context
//! says which kind the caller sent (`tokenUse`).
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
    routes::{BearerTokenUse, ROUTES, Route, match_path},
};
use cognito_verifier::{Claims, Verifier};
use serde::{Serialize, Serializer, ser::SerializeStruct};
use serde_json::Value;

use crate::policy::{CallerKind, StagePolicy};

pub use config::AuthorizerConfig;
pub use event::{AuthorizerEvent, AuthorizerRequest, Target};

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
    /// Policies already written, by stage ARN and kind of caller: a policy depends on nothing
    /// else, so each is built once (up to five per stage), at most [`CACHED_POLICIES`] of them.
    policies: RwLock<Vec<Arc<StagePolicy>>>,
}

/// How many policies [`Authorizer`] keeps written: a stage has up to five (one per [`CallerKind`]).
const CACHED_POLICIES: usize = 40;

/// What the authorizer answers API Gateway; serialises to the JSON the event's API expects
/// ("Output from an Amazon API Gateway Lambda authorizer" and "Working with AWS Lambda
/// authorizers for HTTP APIs", API Gateway developer guide).
#[derive(Debug)]
pub enum AuthorizerResponse {
    /// REST API (`TOKEN`, `REQUEST` events): `{"principalId", "policyDocument", "context"}`.
    Policy {
        /// The caller's `sub`.
        principal_id: String,
        /// The IAM policy, shared by every caller of its stage and kind.
        policy: Arc<StagePolicy>,
        /// The flat context handed to the integration.
        context: AuthorizerContext,
    },
    /// HTTP API payload 2.0 with simple responses: `{"isAuthorized", "context"}`.
    Simple {
        /// Whether the request may go on.
        is_authorized: bool,
        /// The flat context handed to the integration.
        context: AuthorizerContext,
    },
}

impl AuthorizerResponse {
    /// The response as JSON, as API Gateway receives it.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for AuthorizerResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Policy { principal_id, policy, context } => {
                let mut out = serializer.serialize_struct("AuthorizerResponse", 3)?;
                out.serialize_field("principalId", principal_id)?;
                out.serialize_field("policyDocument", policy.document())?;
                out.serialize_field("context", context)?;
                out.end()
            }
            Self::Simple { is_authorized, context } => {
                let mut out = serializer.serialize_struct("AuthorizerResponse", 2)?;
                out.serialize_field("isAuthorized", is_authorized)?;
                out.serialize_field("context", context)?;
                out.end()
            }
        }
    }
}

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
    /// kind of caller. `None` for a malformed method ARN.
    fn policy_for(&self, method_arn: &str, caller: CallerKind) -> Option<Arc<StagePolicy>> {
        let cached = |list: &[Arc<StagePolicy>]| {
            list.iter().find(|p| p.caller() == caller && p.covers(method_arn)).map(Arc::clone)
        };
        if let Some(found) = self.policies.read().ok().and_then(|list| cached(&list)) {
            return Some(found);
        }
        let written = Arc::new(policy::for_routes(self.routes, method_arn, caller)?);
        if let Ok(mut list) = self.policies.write()
            && list.len() < CACHED_POLICIES
            && cached(&list).is_none()
        {
            list.push(Arc::clone(&written));
        }
        Some(written)
    }

    /// Answers one authorizer event: REST `TOKEN` or `REQUEST` with a policy, HTTP API 2.0
    /// with a simple response. A token that does not verify is [`Unauthorized`] (401).
    pub async fn authorize(&self, event: &Value) -> Result<AuthorizerResponse, Unauthorized> {
        self.authorize_request(&AuthorizerRequest::from_json(event)).await
    }

    /// [`Authorizer::authorize`] for an event already read (as the Lambda runtime reads it).
    pub async fn authorize_request(&self, event: &AuthorizerRequest) -> Result<AuthorizerResponse, Unauthorized> {
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
        let Some(token) = token_use_of(&claims) else {
            log_decision("unauthorized", "unknown token_use", Some(&claims), target);
            return Err(Unauthorized);
        };
        let is_admin = claims.groups.contains(&self.admin_group);
        let in_required_group =
            self.required_groups.is_empty() || claims.groups.iter().any(|g| self.required_groups.contains(g));
        let reason = match (in_required_group, is_admin) {
            (false, _) => "not in a required group",
            (true, true) => "admin",
            (true, false) => "signed in",
        };
        match event.target {
            Target::Rest { method_arn } => {
                let caller = match (in_required_group, is_admin) {
                    (false, _) => CallerKind::Outsider,
                    (true, true) => CallerKind::Admin(token),
                    (true, false) => CallerKind::SignedIn(token),
                };
                let Some(policy) = self.policy_for(method_arn, caller) else {
                    log_decision("unauthorized", "malformed methodArn", Some(&claims), method_arn);
                    return Err(Unauthorized);
                };
                let decision = if policy.allows(method_arn) { "allow" } else { "deny" };
                log_decision(decision, reason, Some(&claims), method_arn);
                let principal_id = claims.sub.clone();
                Ok(AuthorizerResponse::Policy { principal_id, policy, context: context_of(claims) })
            }
            Target::Http { method, route_path, path } => {
                let allowed = in_required_group && self.open_to(is_admin, token, method, route_path, path);
                log_decision(if allowed { "allow" } else { "deny" }, reason, Some(&claims), path);
                Ok(AuthorizerResponse::Simple { is_authorized: allowed, context: context_of(claims) })
            }
        }
    }
}

/// The kind of token the verifier accepted, from its `token_use` claim.
fn token_use_of(claims: &Claims) -> Option<BearerTokenUse> {
    [BearerTokenUse::Id, BearerTokenUse::Access].into_iter().find(|kind| kind.claim() == claims.token_use)
}

impl Authorizer {
    /// Whether an HTTP API request is open to a caller with this kind of token: a route of the
    /// table that takes it, and that is not for admins only unless the caller is one. Fails
    /// closed: for anyone but an admin only a positive match with a route of the table says yes,
    /// so catch-all routes, other parameter names or unknown paths need the admins group; for
    /// anyone, a route of the table that takes the other token says no.
    fn open_to(
        &self,
        is_admin: bool,
        token: BearerTokenUse,
        method: &str,
        route_path: Option<&str>,
        path: &str,
    ) -> bool {
        let method = if method.eq_ignore_ascii_case("HEAD") { "GET" } else { method };
        let candidates = || self.routes.iter().filter(|r| r.method.eq_ignore_ascii_case(method));
        // The declared route when it is one of ours; else (`$default`, `/{proxy+}`, other
        // parameter names) the route the concrete path is.
        let declared = route_path.and_then(|template| candidates().find(|r| r.path == template));
        let route = declared.or_else(|| candidates().find(|r| match_path(r.path, path).is_some()));
        match route {
            Some(route) => route.access.bearer().is_none_or(|t| t == token) && (is_admin || !route.access.is_admin()),
            // Unknown to the table: open to admins only, with the token the admin routes take.
            None => is_admin && token == BearerTokenUse::Access,
        }
    }
}

/// The flat context API Gateway hands to the handlers. Groups travel comma-joined, so a group
/// whose name contains a comma (Cognito allows it) is left out: it could not be told apart from
/// two groups, and `staff,admins` must never read as membership of `admins`.
pub fn context_of(claims: Claims) -> AuthorizerContext {
    let (mut groups, mut left_out) = (String::new(), false);
    for group in &claims.groups {
        if group.contains(',') {
            left_out = true;
        } else {
            if !groups.is_empty() {
                groups.push(',');
            }
            groups.push_str(group);
        }
    }
    if left_out {
        tracing::warn!(sub = %claims.sub, "group names with commas left out of the authorizer context");
    }
    let username = claims.internal_username().to_string();
    let client_id = claims.client().to_string();
    // amr values are short method names; one with a space could not be told apart from two.
    let amr = claims.amr.iter().filter(|m| !m.is_empty() && !m.contains(' ')).map(String::as_str);
    let amr = amr.collect::<Vec<_>>().join(" ");
    AuthorizerContext {
        sub: claims.sub,
        username,
        email: claims.email.unwrap_or_default(),
        email_verified: claims.email_verified,
        groups,
        token_use: claims.token_use,
        client_id,
        auth_time: claims.auth_time,
        acr: claims.acr.unwrap_or_default(),
        amr,
    }
}

/// One structured line per decision, with the reason and never the token: refusals and denials
/// at INFO, allowed calls at DEBUG (`AWS_LAMBDA_LOG_LEVEL=DEBUG`, the template's
/// `ApplicationLogLevel`, shows them). Allowed calls are nearly every invocation; at INFO their
/// lines would cost a fifth of the decision's CPU (`make bench`) and a CloudWatch line each.
fn log_decision(decision: &str, reason: &str, claims: Option<&Claims>, target: &str) {
    let sub = claims.map(|c| c.sub.as_str()).unwrap_or("");
    if decision == "allow" {
        tracing::debug!(decision, reason, sub, target, "authorizer decision");
    } else {
        tracing::info!(decision, reason, sub, target, "authorizer decision");
    }
}
