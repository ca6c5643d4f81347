//! Memory sized by measurement: from the CPU a request takes (measured above, per warm call) and
//! the time it waits on Cognito, the time and cost per million requests at each memory size, for
//! the auth function's default sign-in (SRP) and the authorizer, and the size to pick.
//!
//! Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU
//! (<https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html>), so below it a
//! request's CPU time stretches by `1769 / MB`. Price: arm64 in us-east-1, $0.0000133334 per
//! GB-second and $0.20 per million requests (<https://aws.amazon.com/lambda/pricing/>).
//! The Cognito wait cannot be measured from here: [`COGNITO_CALL_MS`] is an assumption, to be
//! replaced by your own (CloudWatch's Duration minus the CPU part). The CPU is this machine's
//! (x86-64); a Graviton core is of the same order.

use std::time::{Duration, Instant};

use auth_domain::srp::SrpClient;

const SIZES_MB: [u32; 4] = [128, 256, 512, 1024];
const ONE_VCPU_MB: f64 = 1769.0;
const PRICE_PER_GB_SECOND: f64 = 0.000_013_333_4;
const PRICE_PER_MILLION_REQUESTS: f64 = 0.20;
/// One Cognito call's round trip from a Lambda in the same region (assumed).
const COGNITO_CALL_MS: f64 = 50.0;
/// Memory doubles while it still takes this share off the request's time ...
const WORTH_DOUBLING: f64 = 0.15;
/// ... and at least this much (milliseconds): less goes unnoticed by the person waiting.
const NOTICEABLE_MS: f64 = 5.0;

/// The CPU of the SRP math of one sign-in on this thread (`SrpClient::new` and
/// `password_claim`), median of a few rounds.
fn srp_cpu() -> Duration {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../domain/tests/data/srp_vectors.json")).expect("the SRP vectors");
    let v = &data["vectors"][0];
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut rounds: Vec<Duration> = (0..9)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..10 {
                // A failing claim would be timed as a fast one: fail the bench instead.
                let client = SrpClient::new().expect("an SRP client");
                let claim = client.password_claim(
                    &text("pool_id"),
                    &text("user_id_for_srp"),
                    &text("password"),
                    &text("srp_b"),
                    &text("salt"),
                    &text("secret_block"),
                    &text("timestamp"),
                );
                std::hint::black_box(claim.expect("a password claim"));
            }
            start.elapsed() / 10
        })
        .collect();
    rounds.sort();
    rounds[rounds.len() / 2]
}

/// A request's time (ms) at `mb` of memory.
fn time_ms(cpu: Duration, cognito_calls: u32, mb: u32) -> f64 {
    let stretch = (ONE_VCPU_MB / f64::from(mb)).max(1.0);
    cpu.as_secs_f64() * 1e3 * stretch + f64::from(cognito_calls) * COGNITO_CALL_MS
}

/// Dollars per million requests at `mb`, the duration billed in whole milliseconds (rounded up).
fn cost_per_million(time_ms: f64, mb: u32) -> f64 {
    PRICE_PER_MILLION_REQUESTS + time_ms.ceil() / 1e3 * f64::from(mb) / 1024.0 * PRICE_PER_GB_SECOND * 1e6
}

/// The size to pick: the smallest whose doubling takes less than [`WORTH_DOUBLING`] or less than
/// [`NOTICEABLE_MS`] off the time.
fn pick(cpu: Duration, cognito_calls: u32) -> u32 {
    SIZES_MB
        .windows(2)
        .find(|pair| {
            let (now, doubled) = (time_ms(cpu, cognito_calls, pair[0]), time_ms(cpu, cognito_calls, pair[1]));
            (now - doubled) / now < WORTH_DOUBLING || now - doubled < NOTICEABLE_MS
        })
        .map_or(SIZES_MB[SIZES_MB.len() - 1], |pair| pair[0])
}

/// Prints the sizing table from the warm CPU per call of each binary (`cpu_of`: name, CPU).
pub fn print(cpu_of: &[(&str, Duration)]) {
    let cpu = |prefix: &str| cpu_of.iter().find(|(name, _)| name.starts_with(prefix)).map(|(_, cpu)| *cpu);
    let (Some(echo), Some(sign_in), Some(authorizer)) = (cpu("echo"), cpu("auth:"), cpu("authorizer (JWKS_JSON)"))
    else {
        return;
    };
    let srp = srp_cpu();
    // A password sign-in, plus the SRP math, plus a second Cognito call's worth of our own work
    // (the password sign-in's CPU over the bare runtime's).
    let srp_sign_in = sign_in + srp + sign_in.saturating_sub(echo);
    println!(
        "\nMemory sizing: CPU per request from the table above (SRP sign-in = the password sign-in's CPU + \
         the SRP math, {:.2} ms here, + one more Cognito call's worth), {COGNITO_CALL_MS} ms per Cognito call \
         (assumed), CPU stretched by 1769/MB below one vCPU, arm64 prices, billed per whole ms. Pick: the \
         smallest size whose doubling takes less than 15% or less than 5 ms off the time.",
        srp.as_secs_f64() * 1e3
    );
    println!("\n| function | CPU per request | MemorySize | time per request | cost per million requests | pick |");
    println!("|---|---|---|---|---|---|");
    for (name, cpu, calls) in [("auth: SRP sign-in", srp_sign_in, 2), ("authorizer", authorizer, 0)] {
        let picked = pick(cpu, calls);
        for mb in SIZES_MB {
            let time = time_ms(cpu, calls, mb);
            println!(
                "| {name} | {:.2} ms | {mb} MB | {time:.1} ms | ${:.2} | {} |",
                cpu.as_secs_f64() * 1e3,
                cost_per_million(time, mb),
                if mb == picked { "picked" } else { "" }
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_stretches_below_one_vcpu_and_the_pick_stops_where_doubling_stops_paying() {
        let cpu = Duration::from_millis(10);
        assert!((time_ms(cpu, 0, 1769) - 10.0).abs() < 1e-9);
        assert!((time_ms(cpu, 2, 128) - (10.0 * 1769.0 / 128.0 + 100.0)).abs() < 1e-9);
        // Pure CPU pays to double while it saves a noticeable time; pure waiting never does.
        assert_eq!(pick(cpu, 0), 1024);
        assert_eq!(pick(Duration::from_micros(300), 0), 128);
        assert_eq!(pick(Duration::ZERO, 2), 128);
        // A second at 1,024 MB is one GB-second, plus the request price.
        assert!((cost_per_million(1000.0, 1024) - (0.2 + 13.3334)).abs() < 1e-6);
        assert_eq!(cost_per_million(0.2, 1024), cost_per_million(1.0, 1024), "billed per whole millisecond");
    }
}
