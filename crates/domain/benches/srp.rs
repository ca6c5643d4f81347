//! CPU per SRP sign-in (the client's side of `USER_SRP_AUTH`: a fresh `a`, `A = g^a`, then the
//! password claim with `g^x` and `S`), against the floor: aws-lc's constant-time Montgomery
//! exponentiation (`BN_mod_exp_mont_consttime`) for the same three exponentiations with the same
//! operand sizes, contexts made in advance. Target: ours within 1.2x of the floor. `num-bigint`'s
//! `modpow` for the same three (what SRP ran on before) is shown for reference.
//!
//! As in the verify bench: criterion measures each, then the ratios come from interleaved
//! rounds (medians), so drift in this shared machine's speed hits every side alike.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use auth_domain::srp::SrpClient;
use aws_lc_sys as sys;
use criterion::Criterion;
use num_bigint::BigUint;

const ROUNDS: usize = 21;
const PER_ROUND: u32 = 20;

/// One of the known-answer vectors: a real pool's `B`, salt and secret block.
struct Vector {
    pool_id: String,
    user: String,
    password: String,
    srp_b: String,
    salt: String,
    block: String,
    timestamp: String,
}

fn vector() -> Vector {
    let data: serde_json::Value = serde_json::from_str(include_str!("../tests/data/srp_vectors.json")).unwrap();
    let v = &data["vectors"][0];
    let text = |k: &str| v[k].as_str().unwrap().to_string();
    Vector {
        pool_id: text("pool_id"),
        user: text("user_id_for_srp"),
        password: text("password"),
        srp_b: text("srp_b"),
        salt: text("salt"),
        block: text("secret_block"),
        timestamp: text("timestamp"),
    }
}

/// Ours: what `sign_in_srp` computes per sign-in.
fn ours(v: &Vector) {
    let client = SrpClient::new().unwrap();
    black_box(client.public_a_hex());
    let claim = client.password_claim(&v.pool_id, &v.user, &v.password, &v.srp_b, &v.salt, &v.block, &v.timestamp);
    black_box(claim.unwrap());
}

/// The three exponentiations straight on aws-lc, everything allocated in advance: `g^a` and
/// `B'^(a + u·x)` with 1024-bit exponents (`a` is 128 random bytes; `u·x` adds 512 bits to a
/// 1024-bit `a`, so the sum stays at 1025 bits), `g^x` with a 256-bit one.
struct Floor {
    ctx: *mut sys::BN_CTX,
    mont: *mut sys::BN_MONT_CTX,
    n: *mut sys::BIGNUM,
    g: *mut sys::BIGNUM,
    base: *mut sys::BIGNUM,
    a: *mut sys::BIGNUM,
    x: *mut sys::BIGNUM,
    e: *mut sys::BIGNUM,
    out: *mut sys::BIGNUM,
}

fn bn(bytes: &[u8]) -> *mut sys::BIGNUM {
    // SAFETY: `bytes` is valid for its length; a null return (out of memory) fails the bench.
    let n = unsafe { sys::BN_bin2bn(bytes.as_ptr(), bytes.len(), std::ptr::null_mut()) };
    assert!(!n.is_null());
    n
}

impl Floor {
    fn new(n: &BigUint, base: &BigUint, a: &[u8], x: &[u8], e: &[u8]) -> Self {
        // SAFETY: plain constructors; every result is checked for null before use.
        unsafe {
            let ctx = sys::BN_CTX_new();
            let n = bn(&n.to_bytes_be());
            let mont = sys::BN_MONT_CTX_new_for_modulus(n, ctx);
            let floor = Self {
                ctx,
                mont,
                n,
                g: bn(&[2]),
                base: bn(&base.to_bytes_be()),
                a: bn(a),
                x: bn(x),
                e: bn(e),
                out: sys::BN_new(),
            };
            assert!(!ctx.is_null() && !mont.is_null() && !floor.out.is_null());
            floor
        }
    }

    fn run(&self) {
        for (base, exponent) in [(self.g, self.a), (self.g, self.x), (self.base, self.e)] {
            // SAFETY: every pointer was made in `new`, is live until `drop`, and is only read
            // except `out`, which no one else uses.
            let ok = unsafe { sys::BN_mod_exp_mont_consttime(self.out, base, exponent, self.n, self.ctx, self.mont) };
            assert_eq!(ok, 1);
        }
        black_box(self.out);
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        // SAFETY: each pointer was made in `new` and is freed once, here.
        unsafe {
            for n in [self.n, self.g, self.base, self.a, self.x, self.e, self.out] {
                sys::BN_free(n);
            }
            sys::BN_MONT_CTX_free(self.mont);
            sys::BN_CTX_free(self.ctx);
        }
    }
}

/// The same three exponentiations with `num-bigint`.
struct Plain {
    n: BigUint,
    g: BigUint,
    base: BigUint,
    a: BigUint,
    x: BigUint,
    e: BigUint,
}

impl Plain {
    fn run(&self) {
        black_box(self.g.modpow(&self.a, &self.n));
        black_box(self.g.modpow(&self.x, &self.n));
        black_box(self.base.modpow(&self.e, &self.n));
    }
}

fn time(n: u32, f: impl Fn()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed() / n
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let v = vector();
    let n = BigUint::parse_bytes(auth_domain::srp::N_HEX.as_bytes(), 16).unwrap();
    // Operands of the sizes a sign-in uses (fixed, so every round does the same work).
    let a = [0xa5u8; 128];
    let x = [0x5au8; 32];
    let e = (BigUint::from_bytes_be(&a) + BigUint::from_bytes_be(&[0x3cu8; 64])).to_bytes_be();
    let base = BigUint::parse_bytes(v.srp_b.as_bytes(), 16).unwrap() % &n;
    let floor = Floor::new(&n, &base, &a, &x, &e);
    let plain = Plain {
        g: BigUint::from(2u8),
        base: base.clone(),
        a: BigUint::from_bytes_be(&a),
        x: BigUint::from_bytes_be(&x),
        e: BigUint::from_bytes_be(&e),
        n,
    };

    let mut c = Criterion::default().measurement_time(Duration::from_secs(4)).configure_from_args();
    let mut group = c.benchmark_group("srp");
    group.sample_size(20);
    group.bench_function("sign-in CPU (SrpClient::new + password_claim)", |b| b.iter(|| ours(&v)));
    group.bench_function("floor: 3x BN_mod_exp_mont_consttime (aws-lc)", |b| b.iter(|| floor.run()));
    group.bench_function("reference: 3x num-bigint modpow", |b| b.iter(|| plain.run()));
    group.finish();
    c.final_summary();

    let (mut t_ours, mut t_floor, mut t_plain, mut ratios, mut plain_ratios) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let o = time(PER_ROUND, || ours(&v)).as_secs_f64() * 1e3;
        let f = time(PER_ROUND, || floor.run()).as_secs_f64() * 1e3;
        let p = time(PER_ROUND, || plain.run()).as_secs_f64() * 1e3;
        t_ours.push(o);
        t_floor.push(f);
        t_plain.push(p);
        ratios.push(o / f);
        plain_ratios.push(p / f);
    }
    let ratio = median(ratios);
    println!("\nInterleaved, {ROUNDS} rounds of {PER_ROUND} sign-ins each (medians):");
    println!("  ours: SRP sign-in CPU           {:>7.2} ms", median(t_ours));
    println!("  floor: 3x aws-lc consttime      {:>7.2} ms", median(t_floor));
    println!("  reference: 3x num-bigint modpow {:>7.2} ms ({:.2}x the floor)", median(t_plain), median(plain_ratios));
    println!(
        "  time ratio ours/floor = {ratio:.3}x (target <= 1.2x): {}",
        if ratio <= 1.2 { "met" } else { "NOT met" }
    );
}
