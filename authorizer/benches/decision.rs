//! The authorizer's whole decision in-process, as a Lambda invocation runs it: the `TOKEN` event's
//! JSON in, the token verified (warm key cache), the policy and context built, the decision
//! logged through the binary's subscriber (Lambda's JSON format, to a sink: allowed calls log at
//! DEBUG, so at the default INFO level nothing is formatted) and the response's JSON out, for a
//! caller outside the admins group; against a raw RSA-2048 PKCS#1 v1.5 SHA-256 verify with the
//! same crypto library (aws-lc-rs). Target: the whole decision at >= 0.8x the raw verify's
//! throughput.
//!
//! As in the verifier's bench: criterion measures each path, then the ratio comes from
//! interleaved rounds (medians), so drift in this shared machine's speed hits both sides alike.

use std::{
    hint::black_box,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::{Duration, Instant},
};

use authorizer::{Authorizer, AuthorizerRequest};
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine;
use cognito_verifier::{
    JwksCache, JwksSource, Verifier, VerifierConfig,
    testing::{TestKey, id_token_claims},
};
use criterion::Criterion;

const REGION: &str = "eu-west-1";
const POOL: &str = "eu-west-1_TestPool";
const CLIENT: &str = "client-1";
const ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:api1/prod/GET/me";
const ROUNDS: usize = 31;
const PER_ROUND: u32 = 400;

struct Fixture {
    rt: tokio::runtime::Runtime,
    authorizer: Authorizer,
    event: Vec<u8>,
    parsed: ParsedPublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Fixture {
    fn new() -> Self {
        let unb64 = |t: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t).unwrap();
        let key = TestKey::new("k1");
        // A signed-in user outside the admins group, the common caller: their policy also denies
        // every admin route (an admin's allows the whole stage and is shorter).
        let mut claims = id_token_claims(REGION, POOL, CLIENT);
        claims["cognito:groups"] = serde_json::json!(["readers"]);
        let token = key.sign(&claims);
        let jwks = JwksCache::new(JwksSource::Static(TestKey::jwks(&[&key]).to_string())).unwrap();
        let verifier = Verifier::single(VerifierConfig::id_tokens(vec![CLIENT.into()]), POOL, Arc::new(jwks));
        let event =
            serde_json::json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"), "methodArn": ARN});
        let jwk = key.jwk();
        let components =
            RsaPublicKeyComponents { n: unb64(jwk["n"].as_str().unwrap()), e: unb64(jwk["e"].as_str().unwrap()) };
        let (message, sig) = token.rsplit_once('.').unwrap();
        let fixture = Self {
            rt: tokio::runtime::Builder::new_current_thread().build().unwrap(),
            authorizer: Authorizer::new(Arc::new(verifier), "admins"),
            event: serde_json::to_vec(&event).unwrap(),
            parsed: components.to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256).unwrap(),
            message: message.as_bytes().to_vec(),
            signature: unb64(sig),
        };
        assert!(fixture.decision().is_ok() && fixture.raw().is_ok());
        fixture
    }

    /// Event bytes in, response bytes out. With a warm cache `authorize` completes on its first
    /// poll; polling it directly keeps the runtime's enter/exit (paid once per invocation by the
    /// Lambda runtime, and by the bare echo function alike) out of the measurement.
    fn decision(&self) -> Result<(), ()> {
        let event: AuthorizerRequest = serde_json::from_slice(black_box(&self.event)).map_err(drop)?;
        let mut authorize = std::pin::pin!(self.authorizer.authorize_request(&event));
        let answer = match authorize.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(answer) => answer,
            Poll::Pending => self.rt.block_on(authorize),
        };
        let bytes = serde_json::to_vec(&answer.map_err(drop)?).map_err(drop)?;
        black_box(bytes);
        Ok(())
    }

    fn raw(&self) -> Result<(), ()> {
        self.parsed.verify_sig(black_box(&self.message), black_box(&self.signature)).map_err(drop)
    }
}

fn time(n: u32, f: impl Fn() -> Result<(), ()>) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f().unwrap();
    }
    start.elapsed() / n
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // The decision's log line through the subscriber `main.rs` installs, as Lambda configures it
    // (JSON format), written nowhere.
    // SAFETY: no other thread runs yet.
    unsafe { std::env::set_var("AWS_LAMBDA_LOG_FORMAT", "JSON") };
    lambda_runtime::tracing::init_default_subscriber_with_writer(std::io::sink);
    let fx = Fixture::new();
    let mut c = Criterion::default().measurement_time(Duration::from_secs(4)).configure_from_args();
    let mut group = c.benchmark_group("authorizer");
    group.bench_function("whole decision (TOKEN event JSON in, response JSON out)", |b| b.iter(|| fx.decision()));
    group.bench_function("raw RSA-2048 PKCS#1 v1.5 SHA-256", |b| b.iter(|| fx.raw()));
    group.finish();
    c.final_summary();

    let (mut whole, mut raw, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let w = time(PER_ROUND, || fx.decision()).as_secs_f64() * 1e6;
        let r = time(PER_ROUND, || fx.raw()).as_secs_f64() * 1e6;
        whole.push(w);
        raw.push(r);
        ratios.push(r / w);
    }
    let ratio = median(ratios);
    println!("\nInterleaved, {ROUNDS} rounds of {PER_ROUND} each (medians):");
    println!("  whole decision        {:>8.2} µs", median(whole));
    println!("  raw RSA-2048 verify   {:>8.2} µs", median(raw));
    println!(
        "  throughput ratio decision/raw = {ratio:.3}x (target >= 0.8x): {}",
        if ratio >= 0.8 { "met" } else { "NOT met" }
    );
}
