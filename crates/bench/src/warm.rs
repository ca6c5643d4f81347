//! Warm overhead: a request through our whole path — the local API Gateway, the authorizer (its
//! policy cached per token, as API Gateway does), the real handler, Cognito (the strict
//! emulator) — against the same Cognito call made directly with the AWS SDK, in the same run,
//! rounds interleaved.
//!
//! - sign-in: `POST /auth/sign-in` (`USER_PASSWORD_AUTH`) vs `InitiateAuth` with `SECRET_HASH`;
//! - `/me`: `GET /me` vs `GetUser`, what a client asks Cognito to learn who is calling.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use auth_domain::{
    ClientSecret,
    sdk::{CredentialSource, sdk_config},
};
use aws_sdk_cognitoidentityprovider::{Client, types::AuthFlowType};
use local_stack::{LocalStack, StackOptions};
use serde_json::json;

/// Calls before measuring, each way (`make bench`'s; a quick run takes fewer).
pub const WARM_UP: usize = 20;

/// The timings of one path, ours and direct, round by round.
pub struct Paired {
    /// What was measured.
    pub name: &'static str,
    /// Through the gateway.
    pub ours: Vec<Duration>,
    /// The Cognito call alone.
    pub direct: Vec<Duration>,
}

/// Runs `rounds` interleaved rounds per path, after `warm_up` rounds not measured, against a
/// fresh local stack.
pub async fn run(rounds: usize, warm_up: usize) -> anyhow::Result<Vec<Paired>> {
    let stack = LocalStack::start(StackOptions::for_tests()).await.context("starting the local stack (make venv?)")?;
    let result = measure(&stack, rounds, warm_up).await;
    stack.stop().await;
    result
}

async fn measure(stack: &LocalStack, rounds: usize, warm_up: usize) -> anyhow::Result<Vec<Paired>> {
    let pool = &stack.pool;
    let credentials = CredentialSource::Static { access_key_id: "testing".into(), secret_access_key: "testing".into() };
    let cognito = Client::new(&sdk_config(&pool.region, credentials, Some(&stack.moto.endpoint)).await);
    let http = reqwest::Client::new();
    let (email, password) = (pool.user.email.as_str(), pool.user.password.as_str());
    let secret_hash = ClientSecret::new(pool.client_secret.clone()).secret_hash(email, &pool.client_id);
    let sign_in_body = json!({"username": email, "password": password, "flow": "USER_PASSWORD_AUTH"}).to_string();

    let ours_sign_in = || async {
        let resp = http
            .post(format!("{}/auth/sign-in", stack.url))
            .header("content-type", "application/json")
            .body(sign_in_body.clone())
            .send()
            .await?;
        expect_ok(resp).await
    };
    let direct_sign_in = || async {
        let out = cognito
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&pool.client_id)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", password)
            .auth_parameters("SECRET_HASH", &secret_hash)
            .send()
            .await?;
        out.authentication_result.context("no tokens from InitiateAuth")
    };

    let tokens = direct_sign_in().await?;
    let id_token = tokens.id_token.context("no ID token")?;
    let access_token = tokens.access_token.context("no access token")?;
    let ours_me =
        || async { expect_ok(http.get(format!("{}/me", stack.url)).bearer_auth(&id_token).send().await?).await };
    let direct_me = || async { anyhow::Ok(cognito.get_user().access_token(&access_token).send().await?) };

    let mut sign_in = Paired { name: "sign-in", ours: Vec::new(), direct: Vec::new() };
    let mut me = Paired { name: "/me", ours: Vec::new(), direct: Vec::new() };
    for round in 0..warm_up + rounds {
        // Alternate which goes first, so neither always meets a just-woken emulator.
        let ours_first = round % 2 == 0;
        let timings = [
            pair(ours_first, ours_sign_in(), direct_sign_in()).await?,
            pair(ours_first, ours_me(), direct_me()).await?,
        ];
        if round >= warm_up {
            for (paired, (ours, direct)) in [&mut sign_in, &mut me].into_iter().zip(timings) {
                paired.ours.push(ours);
                paired.direct.push(direct);
            }
        }
    }
    Ok(vec![sign_in, me])
}

/// Times `ours` and `direct` one after the other, in the order asked.
async fn pair<A, B>(
    ours_first: bool,
    ours: impl Future<Output = anyhow::Result<A>>,
    direct: impl Future<Output = anyhow::Result<B>>,
) -> anyhow::Result<(Duration, Duration)> {
    if ours_first {
        let ours = time(ours).await?;
        Ok((ours, time(direct).await?))
    } else {
        let direct = time(direct).await?;
        Ok((time(ours).await?, direct))
    }
}

async fn time<T>(call: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    call.await?;
    Ok(started.elapsed())
}

async fn expect_ok(resp: reqwest::Response) -> anyhow::Result<()> {
    let status = resp.status();
    let body = resp.bytes().await?;
    if !status.is_success() {
        bail!("{status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}

/// The `q`-quantile (0..=1) of `values`, nearest rank.
pub fn quantile(values: &[Duration], q: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}
