//! The full verify path of a Cognito-shaped ID token with a warm key cache, against a raw
//! RSA-2048 PKCS#1 v1.5 SHA-256 verify with the same crypto library (aws-lc-rs), in one run.
//! Target: the full path at >= 0.85x the raw verify's throughput.
//!
//! Criterion measures each path; then, because this machine is shared and noisy, the ratio is
//! taken from interleaved rounds (full path and raw verify alternating, median of the per-round
//! ratios), so drift in the machine's speed hits both sides alike.

use std::{
    hint::black_box,
    sync::Arc,
    task::{Context, Poll, Waker},
    time::{Duration, Instant},
};

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
const ROUNDS: usize = 31;
const PER_ROUND: u32 = 400;

struct Fixture {
    rt: tokio::runtime::Runtime,
    verifier: Verifier,
    token: String,
    parsed: ParsedPublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl Fixture {
    fn new() -> Self {
        let unb64 = |t: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t).unwrap();
        let key = TestKey::new("k1");
        let token = key.sign(&id_token_claims(REGION, POOL, CLIENT));
        let jwks = JwksCache::new(JwksSource::Static(TestKey::jwks(&[&key]).to_string())).unwrap();
        let verifier = Verifier::single(VerifierConfig::id_tokens(vec![CLIENT.into()]), POOL, Arc::new(jwks));
        let jwk = key.jwk();
        let components =
            RsaPublicKeyComponents { n: unb64(jwk["n"].as_str().unwrap()), e: unb64(jwk["e"].as_str().unwrap()) };
        let parsed = components.to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256).unwrap();
        let (message, sig) = token.rsplit_once('.').unwrap();
        let fixture = Self {
            rt: tokio::runtime::Builder::new_current_thread().build().unwrap(),
            message: message.as_bytes().to_vec(),
            signature: unb64(sig),
            verifier,
            parsed,
            token: token.clone(),
        };
        assert!(fixture.full().is_ok() && fixture.raw().is_ok());
        fixture
    }

    /// The whole `verify` call. With a warm cache it completes on its first poll; polling it
    /// directly keeps the runtime's enter/exit (which a Lambda pays once, not per call) out of
    /// the measurement. A pending poll (never expected here) falls back to the runtime.
    fn full(&self) -> Result<(), ()> {
        let mut verify = std::pin::pin!(self.verifier.verify(black_box(&self.token)));
        let result = match verify.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => self.rt.block_on(verify),
        };
        result.map(drop).map_err(drop)
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
    let fx = Fixture::new();
    let mut c = Criterion::default().measurement_time(Duration::from_secs(4)).configure_from_args();
    let mut group = c.benchmark_group("verify");
    group.bench_function("full path (ID token, warm cache)", |b| b.iter(|| fx.full()));
    group.bench_function("raw RSA-2048 PKCS#1 v1.5 SHA-256", |b| b.iter(|| fx.raw()));
    group.finish();
    c.final_summary();

    let (mut full, mut raw, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let f = time(PER_ROUND, || fx.full()).as_secs_f64() * 1e6;
        let r = time(PER_ROUND, || fx.raw()).as_secs_f64() * 1e6;
        full.push(f);
        raw.push(r);
        // Throughput ratio full/raw = time raw / time full.
        ratios.push(r / f);
    }
    let ratio = median(ratios);
    println!("\nInterleaved, {ROUNDS} rounds of {PER_ROUND} verifies each (medians):");
    println!("  full verify path      {:>8.2} µs", median(full));
    println!("  raw RSA-2048 verify   {:>8.2} µs", median(raw));
    println!(
        "  throughput ratio full/raw = {ratio:.3}x (target >= 0.85x): {}",
        if ratio >= 0.85 { "met" } else { "NOT met" }
    );
}
