//! The local stack: no Docker, no AWS account. [`LocalStack::start`] starts a Cognito emulator
//! (moto) on loopback, seeds it like `template.yaml` ([`seed`]), and serves the whole API on
//! 127.0.0.1 through a local API Gateway ([`gateway`]) with the real handlers and the real
//! authorizer, behind the template's per-caller limits ([`limits`]) and writing its access log
//! ([`access_log`]). `make dev` and the end-to-end tests both use it; `make dev` adds the reference
//! web app on an origin of its own ([`web`]) and one stack per directory ([`instance`]).

pub mod access_log;
pub mod gateway;
pub mod iam;
pub mod instance;
pub mod limits;
pub mod moto;
pub mod outbox;
pub mod seed;
pub mod web;

use std::{path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context;
use auth_domain::{
    ClientSecret, CognitoConfig, WriteAttributes,
    credentials::{CredentialsConfig, SdkIdentityPool},
    sdk::{CredentialSource, SdkUserPool, sdk_config},
    step_up::SignInRequirements,
};
use authorizer::AuthorizerConfig;
use aws_sdk_cognitoidentityprovider::types::AdvancedSecurityModeType;
use lambda_glue::Cors;
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    access_log::{AccessLog, AccessLogDestination},
    gateway::{Functions, Gateway},
    iam::{FunctionIdentity, LocalResources, Principals, TemplatePolicies},
    limits::PerCallerLimits,
    moto::{AcrClaims, EmulatorBehaviour, EmulatorClock, Moto},
    outbox::Outbox,
    seed::{DemoUser, SeededPool},
};

/// The emulator's dummy credentials: static, so the SDK never looks anywhere else.
pub const DUMMY_ACCESS_KEY: &str = "testing";
/// See [`DUMMY_ACCESS_KEY`].
pub const DUMMY_SECRET_KEY: &str = "testing";

/// How to start the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The `moto_server` executable.
    pub moto_bin: PathBuf,
    /// moto's port (0: any free port).
    pub moto_port: u16,
    /// Where moto's log goes (none: discarded).
    pub moto_log: Option<PathBuf>,
    /// The outbox file (none: a temporary file, removed with the stack).
    pub outbox: Option<PathBuf>,
    /// The first lockout's length after five failed sign-ins (Cognito: 1 s).
    pub lockout_base: Duration,
    /// The API's port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// The pool's region.
    pub region: String,
    /// The admins group.
    pub admin_group: String,
    /// The plain demo user.
    pub user: DemoUser,
    /// The demo admin.
    pub admin: DemoUser,
    /// `ALLOWED_ORIGINS` for CORS (default `loopback`: pages served from this machine; `make dev`
    /// sets exactly its web app's origin).
    pub allowed_origins: String,
    /// The authorizer result cache TTL (API Gateway's default is 300 s).
    pub authorizer_cache_ttl: Duration,
    /// The pool's threat protection (`UserPoolAddOns.AdvancedSecurityMode`), off by default as
    /// in `template.yaml`; on, the pool is on the Plus plan and logs auth events.
    pub threat_protection: AdvancedSecurityModeType,
    /// How long a rotated-out refresh token keeps working (the template's
    /// `RefreshTokenGracePeriodSeconds`, 10 s by default; `make dev` reads
    /// `REFRESH_GRACE_PERIOD_SECONDS` and publishes it in `.dev/stack.json`).
    pub refresh_grace_period: Duration,
    /// Whether tests may stop and move the emulator's clock ([`EmulatorClock::Movable`] for
    /// tests; `make dev` runs on the system's).
    pub emulator_clock: EmulatorClock,
    /// The values of the route table's sign-in requirements (the template's `AdminMinAcrLevel`,
    /// `AdminChangeMaxAgeMinutes`, `AcrValues` and the two other windows). `make dev` reads the
    /// variables ([`SignInRequirements::from_lookup`]), the template's defaults when unset. For
    /// tests: the template's defaults with the administration level off, so that the tests of
    /// administration sign the demo admin in with a password alone; the step-up tests
    /// (`tests/tests/step_up.rs`) run with the level on.
    pub sign_in_requirements: SignInRequirements,
    /// Whether the pool's tokens carry `acr` and `amr` ([`AcrClaims::Issued`] by default;
    /// `make dev` reads `ACR_CLAIMS=not-rolled-out` to behave as a pool without them yet).
    pub acr_claims: AcrClaims,
    /// The web ACL's per-caller limits (the template's `PerCallerLimits` and its rate
    /// parameters). Off for tests, which send many requests from 127.0.0.1; `make dev` reads
    /// `PER_CALLER_LIMITS` and the rate variables, the template's defaults when unset.
    pub per_caller_limits: PerCallerLimits,
    /// Where the gateway writes its access log (tests: in memory; `make dev`: `.dev/access.log`).
    pub access_log: AccessLogDestination,
}

impl StackOptions {
    /// Defaults for tests: free ports, moto's log discarded.
    pub fn for_tests() -> Self {
        Self {
            moto_bin: moto::default_moto_bin(),
            moto_port: 0,
            moto_log: None,
            outbox: None,
            lockout_base: Duration::from_secs(1),
            port: 0,
            region: "us-east-1".into(),
            admin_group: "admins".into(),
            user: DemoUser { email: "demo@example.com".into(), password: "Demo-passw0rd".into() },
            admin: DemoUser { email: "admin@example.com".into(), password: "Admin-passw0rd".into() },
            // Pages of this machine only: any other site a developer visits must not be able to
            // sign in as the demo users through a local stack. (`make dev` narrows it to exactly
            // its web app's origin.)
            allowed_origins: lambda_glue::cors::LOOPBACK.into(),
            authorizer_cache_ttl: Duration::from_secs(300),
            threat_protection: AdvancedSecurityModeType::Off,
            refresh_grace_period: Duration::from_secs(10),
            emulator_clock: EmulatorClock::Movable,
            acr_claims: AcrClaims::Issued,
            sign_in_requirements: SignInRequirements::default().without_admin_level(),
            per_caller_limits: PerCallerLimits::Off,
            access_log: AccessLogDestination::Memory,
        }
    }
}

/// A running local stack. Dropping it stops the gateway and the emulator.
pub struct LocalStack {
    /// The API's base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// What was seeded.
    pub pool: SeededPool,
    /// The emulator.
    pub moto: Moto,
    /// What the emulator would have emailed or texted.
    pub outbox: Outbox,
    /// The local API Gateway serving [`LocalStack::url`] (for its invocation counts).
    pub gateway: Arc<Gateway>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    principals: Principals,
    local: LocalResources,
}

impl LocalStack {
    /// What `make dev` writes to `.dev/stack.json`, and what `authctl` reads: where the API and
    /// the emulator are, and the seeded pool (client secret and the demo users' passwords
    /// included: they are a local emulator's, for tools and browser tests). `make dev` adds
    /// `refreshTokenGracePeriodSeconds`, and `webUrl` when it serves the web app.
    /// `perCallerLimits` holds the web ACL's limits (null when off).
    pub fn stack_file(&self) -> serde_json::Value {
        let pool = &self.pool;
        serde_json::json!({
            "apiUrl": self.url,
            "cognitoEndpoint": self.moto.endpoint,
            "region": pool.region,
            "userPoolId": pool.pool_id,
            "userPoolClientId": pool.client_id,
            "userPoolClientSecret": pool.client_secret,
            "adminGroup": pool.admin_group,
            "identityPoolId": pool.identity_pool_id,
            "bucket": pool.bucket,
            "demoUser": { "email": pool.user.email, "password": pool.user.password },
            "demoAdmin": { "email": pool.admin.email, "password": pool.admin.password },
            // The web ACL's limits (null when PER_CALLER_LIMITS=OFF): what a tool may send.
            "perCallerLimits": self.gateway.per_caller_limits(),
        })
    }

    /// Starts moto, seeds it and serves the API on 127.0.0.1:`options.port`.
    pub async fn start(options: StackOptions) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", options.port))?;
        Self::start_on(options, listener).await
    }

    /// As [`LocalStack::start`], serving the API on `listener` (`options.port` unused): `make dev`
    /// binds its ports before it changes anything, so a taken port stops it early and cleanly.
    pub async fn start_on(options: StackOptions, listener: TcpListener) -> anyhow::Result<Self> {
        let outbox = Outbox::new(options.outbox.clone()).context("creating the outbox")?;
        // The functions' policies, as `template.yaml` deploys them (`set_policies` changes them).
        let policies = TemplatePolicies::from_repository()?;
        // IAM is enforced from the start: the deployer (these dummy credentials) may do anything,
        // each function what its policy grants once the pools exist.
        let principals = Principals::new(DUMMY_ACCESS_KEY)?;
        let moto = Moto::start(
            &options.moto_bin,
            options.moto_port,
            options.moto_log.as_deref(),
            outbox.path(),
            principals.path(),
            EmulatorBehaviour {
                lockout_base: options.lockout_base,
                clock: options.emulator_clock,
                acr_claims: options.acr_claims,
            },
        )
        .await?;
        let credentials = CredentialSource::Static {
            access_key_id: DUMMY_ACCESS_KEY.into(),
            secret_access_key: DUMMY_SECRET_KEY.into(),
        };
        let sdk = sdk_config(&options.region, credentials, Some(&moto.endpoint)).await;
        let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
        let mut pool = seed::seed(
            &cognito,
            &options.region,
            &options.admin_group,
            &seed::SeedParameters {
                threat_protection: options.threat_protection.clone(),
                refresh_grace_period_seconds: i32::try_from(options.refresh_grace_period.as_secs()).unwrap_or(60),
            },
            options.user,
            options.admin,
        )
        .await
        .context("seeding the emulator")?;
        seed::seed_identity(&sdk, &mut pool).await.context("seeding the identity pool")?;
        let local = LocalResources {
            region: options.region.clone(),
            user_pool_id: pool.pool_id.clone(),
            identity_pool_id: pool.identity_pool_id.clone(),
        };
        principals.write(DUMMY_ACCESS_KEY, &policies.resolve(&local)?)?;
        // Each function calls Cognito as itself, as each Lambda runs with its own role.
        let sdk_of = async |function: &str| {
            let identity = FunctionIdentity::of(function);
            let credentials = CredentialSource::Static {
                access_key_id: identity.access_key_id,
                secret_access_key: identity.secret_access_key.into(),
            };
            sdk_config(&options.region, credentials, Some(&moto.endpoint)).await
        };

        let config = CognitoConfig {
            region: options.region.clone(),
            user_pool_id: pool.pool_id.clone(),
            client_id: pool.client_id.clone(),
            client_secret: Some(ClientSecret::new(pool.client_secret.clone())),
            // What the seeded client allows, as WRITE_ATTRIBUTES does in AWS (the emulator
            // enforces the client's WriteAttributes as well, as Cognito does).
            write_attributes: WriteAttributes::new(seed::POOL_SPEC.write_attributes),
        };
        let user_pool = async |function: &str| Arc::new(SdkUserPool::new(&sdk_of(function).await, &config));
        let cors = Cors::new(&options.allowed_origins);
        let requirements = options.sign_in_requirements.clone();
        let functions = Functions {
            auth: fn_auth::AuthState::new(user_pool("AuthFunction").await, config.clone(), cors.clone())
                .with_sign_in_requirements(requirements.clone()),
            refresh: fn_refresh::RefreshState::new(user_pool("RefreshFunction").await, cors.clone()),
            password: fn_password::PasswordState::new(
                user_pool("PasswordFunction").await,
                config.clone(),
                cors.clone(),
            ),
            users: fn_users::UsersState::new(user_pool("UsersFunction").await, &options.admin_group, cors.clone())
                .with_sign_in_requirements(requirements),
            credentials: fn_credentials::CredentialsState::new(
                Arc::new(SdkIdentityPool::new(&sdk_of("CredentialsFunction").await, &pool.identity_pool_id)),
                &CredentialsConfig::new(&pool.identity_pool_id, &config),
                cors.clone(),
            ),
        };
        // The authorizer as `template.yaml` configures it (its defaults: ID and access tokens, each
        // where the route table takes it, access tokens with the scope Cognito needs), with the
        // keys fetched from the emulator.
        let jwks_url = moto.jwks_url(&pool.pool_id);
        let authorizer = AuthorizerConfig::from_lookup(|name| match name {
            "USER_POOL_ID" => Some(pool.pool_id.clone()),
            "APP_CLIENT_IDS" => Some(pool.client_id.clone()),
            "ADMIN_GROUP" => Some(options.admin_group.clone()),
            "JWKS_URL" => Some(jwks_url.clone()),
            _ => None,
        })?
        .build()?;
        let domain = listener.local_addr()?.to_string();
        let url = format!("http://{domain}");
        let access_log = AccessLog::open(options.access_log.clone()).context("opening the access log")?;
        let gateway = Arc::new(
            Gateway::new(domain, functions, authorizer, cors, &options.region, options.authorizer_cache_ttl)
                .with_per_caller_limits(options.per_caller_limits.clone())
                .with_access_log(access_log),
        );
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(gateway::serve(gateway.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Ok(Self { url, pool, moto, outbox, gateway, shutdown: Some(shutdown), server: Some(server), principals, local })
    }

    /// Replaces what each function may do with `policies` (the emulator reads them on its next
    /// call), as a deploy of a changed template would.
    pub fn set_policies(&self, policies: &TemplatePolicies) -> anyhow::Result<()> {
        self.principals.write(DUMMY_ACCESS_KEY, &policies.resolve(&self.local)?)
    }

    /// Stops the gateway (finishing requests in flight) and the emulator.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
