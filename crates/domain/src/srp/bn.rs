//! The few big-number operations SRP needs, on aws-lc's `BIGNUM` (the library `aws-lc-rs`
//! already links): a safe wrapper, and the only `unsafe` code of the crate.
//!
//! Why aws-lc and not a Rust big-integer crate: the exponentiations are where a sign-in spends
//! its CPU, and one exponent (`x`) comes from the password. aws-lc's
//! `BN_mod_exp_mont_consttime` is constant-time and, measured in `make bench`, several times
//! faster than `num-bigint`'s `modpow` (which is neither).
//!
//! Safety, once for the whole module: every `BIGNUM`, `BN_CTX` and `BN_MONT_CTX` pointer is
//! checked for null when it is made, owned by exactly one value here, and freed exactly once in
//! its `Drop` (`BIGNUM`s with `BN_clear_free`, which zeroes them first: some hold secrets).
//! Functions that take `const` pointers only read through them, so shared references may call
//! them from several threads at once; outputs are always a fresh `BIGNUM` no one else sees.
//! Every aws-lc call's status is checked: 0 is failure ([`BnError`]), never ignored.
//! Source: aws-lc `include/openssl/bn.h`.

use std::ptr::NonNull;

use aws_lc_sys as sys;

/// An aws-lc big-number call failed (out of memory, or an input out of range). Carries nothing
/// of the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("big-number arithmetic failed")]
pub struct BnError;

/// A non-negative integer, zeroed when dropped.
pub(crate) struct BigNum(NonNull<sys::BIGNUM>);

// SAFETY: a `BigNum` owns its `BIGNUM` alone; aws-lc has no thread affinity, and reads through
// `&BigNum` go to `const BIGNUM *` parameters only (see the module's safety note).
unsafe impl Send for BigNum {}
// SAFETY: as above: shared access only ever reads.
unsafe impl Sync for BigNum {}

impl Drop for BigNum {
    fn drop(&mut self) {
        // SAFETY: the pointer is owned by this value and freed only here.
        unsafe { sys::BN_clear_free(self.0.as_ptr()) }
    }
}

/// A scratch context for one operation.
struct Scratch(NonNull<sys::BN_CTX>);

impl Scratch {
    fn new() -> Result<Self, BnError> {
        // SAFETY: no arguments; a null result is handled.
        NonNull::new(unsafe { sys::BN_CTX_new() }).map(Self).ok_or(BnError)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: owned by this value and freed only here.
        unsafe { sys::BN_CTX_free(self.0.as_ptr()) }
    }
}

fn status(result: std::os::raw::c_int) -> Result<(), BnError> {
    if result == 1 { Ok(()) } else { Err(BnError) }
}

impl BigNum {
    fn zero() -> Result<Self, BnError> {
        // SAFETY: no arguments; a null result is handled. A new BIGNUM is zero.
        NonNull::new(unsafe { sys::BN_new() }).map(Self).ok_or(BnError)
    }

    /// The number whose big-endian bytes are `bytes` (leading zeros allowed; empty is zero).
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Result<Self, BnError> {
        let out = Self::zero()?;
        // SAFETY: `bytes` is valid for `bytes.len()` reads; `out` is a live BIGNUM we own, which
        // aws-lc fills and returns (null on failure).
        let filled = unsafe { sys::BN_bin2bn(bytes.as_ptr(), bytes.len(), out.0.as_ptr()) };
        if filled.is_null() { Err(BnError) } else { Ok(out) }
    }

    /// The number of hex text (either case; odd lengths allowed); `None` for empty or non-hex.
    pub(crate) fn from_hex(hex: &str) -> Option<Self> {
        Self::from_be_bytes(&hex_bytes(hex)?).ok()
    }

    /// The minimal big-endian bytes; `[0]` for zero.
    pub(crate) fn to_be_bytes(&self) -> Vec<u8> {
        // SAFETY: reads a live BIGNUM.
        let len = unsafe { sys::BN_num_bytes(self.0.as_ptr()) } as usize;
        let mut out = vec![0u8; len.max(1)];
        // SAFETY: `out` has room for `out.len()` bytes, at least the number's length, so the call
        // cannot fail; it writes exactly `out.len()` bytes, left-padded with zeros.
        let written = unsafe { sys::BN_bn2bin_padded(out.as_mut_ptr(), out.len(), self.0.as_ptr()) };
        debug_assert_eq!(written, 1);
        out
    }

    /// Lower-case hex without leading zeros (`0` for zero), as Cognito's `SRP_A`.
    pub(crate) fn to_hex(&self) -> String {
        let hex: String = self.to_be_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let trimmed = hex.trim_start_matches('0');
        if trimmed.is_empty() { "0".into() } else { trimmed.into() }
    }

    /// Whether this is zero.
    pub(crate) fn is_zero(&self) -> bool {
        // SAFETY: reads a live BIGNUM.
        unsafe { sys::BN_is_zero(self.0.as_ptr()) == 1 }
    }

    /// `self + other`.
    pub(crate) fn add(&self, other: &BigNum) -> Result<BigNum, BnError> {
        let out = Self::zero()?;
        // SAFETY: `out` is a fresh BIGNUM we own; the inputs are live and only read.
        status(unsafe { sys::BN_add(out.0.as_ptr(), self.0.as_ptr(), other.0.as_ptr()) })?;
        Ok(out)
    }

    /// `self · other`.
    pub(crate) fn mul(&self, other: &BigNum) -> Result<BigNum, BnError> {
        let (out, scratch) = (Self::zero()?, Scratch::new()?);
        // SAFETY: as `add`, with a scratch context we own.
        status(unsafe { sys::BN_mul(out.0.as_ptr(), self.0.as_ptr(), other.0.as_ptr(), scratch.0.as_ptr()) })?;
        Ok(out)
    }
}

impl PartialEq for BigNum {
    fn eq(&self, other: &Self) -> bool {
        // SAFETY: reads two live BIGNUMs.
        unsafe { sys::BN_cmp(self.0.as_ptr(), other.0.as_ptr()) == 0 }
    }
}

/// Shows nothing of the value: some hold secrets.
impl std::fmt::Debug for BigNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BigNum(<hidden>)")
    }
}

/// An odd modulus, with its Montgomery context computed once.
pub(crate) struct Modulus {
    n: BigNum,
    mont: NonNull<sys::BN_MONT_CTX>,
}

// SAFETY: the Montgomery context is only read after it is made (`const BN_MONT_CTX *`), like `n`.
unsafe impl Send for Modulus {}
// SAFETY: as above.
unsafe impl Sync for Modulus {}

impl Drop for Modulus {
    fn drop(&mut self) {
        // SAFETY: owned by this value and freed only here.
        unsafe { sys::BN_MONT_CTX_free(self.mont.as_ptr()) }
    }
}

impl Modulus {
    /// `n` as a modulus; it must be odd and greater than one (aws-lc refuses others).
    pub(crate) fn new(n: BigNum) -> Result<Self, BnError> {
        let scratch = Scratch::new()?;
        // SAFETY: `n` is live and only read; a null result is handled.
        let mont = unsafe { sys::BN_MONT_CTX_new_for_modulus(n.0.as_ptr(), scratch.0.as_ptr()) };
        Ok(Self { n, mont: NonNull::new(mont).ok_or(BnError)? })
    }

    /// `a mod n`, in `[0, n)`.
    pub(crate) fn reduce(&self, a: &BigNum) -> Result<BigNum, BnError> {
        let (out, scratch) = (BigNum::zero()?, Scratch::new()?);
        // SAFETY: a fresh output, live inputs only read, our own scratch context.
        status(unsafe { sys::BN_nnmod(out.0.as_ptr(), a.0.as_ptr(), self.n.0.as_ptr(), scratch.0.as_ptr()) })?;
        Ok(out)
    }

    /// `a · b mod n`.
    pub(crate) fn mul(&self, a: &BigNum, b: &BigNum) -> Result<BigNum, BnError> {
        let (out, scratch) = (BigNum::zero()?, Scratch::new()?);
        // SAFETY: as `reduce`.
        status(unsafe {
            sys::BN_mod_mul(out.0.as_ptr(), a.0.as_ptr(), b.0.as_ptr(), self.n.0.as_ptr(), scratch.0.as_ptr())
        })?;
        Ok(out)
    }

    /// `a - b mod n`, in `[0, n)`.
    pub(crate) fn sub(&self, a: &BigNum, b: &BigNum) -> Result<BigNum, BnError> {
        let (out, scratch) = (BigNum::zero()?, Scratch::new()?);
        // SAFETY: as `reduce`.
        status(unsafe {
            sys::BN_mod_sub(out.0.as_ptr(), a.0.as_ptr(), b.0.as_ptr(), self.n.0.as_ptr(), scratch.0.as_ptr())
        })?;
        Ok(out)
    }

    /// `base ^ exponent mod n` in constant time in the exponent's value
    /// (`BN_mod_exp_mont_consttime`). `base` is reduced first (aws-lc requires `base < n`).
    pub(crate) fn pow_consttime(&self, base: &BigNum, exponent: &BigNum) -> Result<BigNum, BnError> {
        let base = self.reduce(base)?;
        let (out, scratch) = (BigNum::zero()?, Scratch::new()?);
        // SAFETY: a fresh output; the base, exponent, modulus and Montgomery context are live and
        // only read; our own scratch context. The context was made for this modulus.
        status(unsafe {
            sys::BN_mod_exp_mont_consttime(
                out.0.as_ptr(),
                base.0.as_ptr(),
                exponent.0.as_ptr(),
                self.n.0.as_ptr(),
                scratch.0.as_ptr(),
                self.mont.as_ptr(),
            )
        })?;
        Ok(out)
    }
}

/// Big-endian bytes of hex text (a leading `0` added to an odd length); `None` for empty or
/// non-hex text.
pub(crate) fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let text = if !hex.len().is_multiple_of(2) { format!("0{hex}") } else { hex.to_string() };
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;

    use super::*;

    fn big(n: &BigUint) -> BigNum {
        BigNum::from_be_bytes(&n.to_bytes_be()).unwrap()
    }

    fn back(n: &BigNum) -> BigUint {
        BigUint::from_bytes_be(&n.to_be_bytes())
    }

    #[test]
    fn bytes_and_hex_round_trip_with_zero_as_a_single_byte() {
        for hex in ["0", "1", "ff", "100", "abcdef0123456789abcdef0123456789"] {
            let n = BigNum::from_hex(hex).unwrap();
            assert_eq!(n.to_hex(), hex);
            assert_eq!(BigNum::from_be_bytes(&n.to_be_bytes()).unwrap(), n);
        }
        assert_eq!(BigNum::from_hex("00ff").unwrap().to_hex(), "ff");
        assert_eq!(BigNum::from_be_bytes(&[]).unwrap().to_be_bytes(), vec![0]);
        assert!(BigNum::from_be_bytes(&[0, 0]).unwrap().is_zero());
        for bad in ["", "xyz", "12 34", "-1", "0x10"] {
            assert!(BigNum::from_hex(bad).is_none(), "{bad}");
        }
    }

    /// Cross-checked against `num-bigint`, an independent implementation, on operands of the
    /// sizes SRP uses (a 3072-bit modulus, 1024- to 3328-bit exponents).
    #[test]
    fn arithmetic_agrees_with_num_bigint() {
        let n = BigUint::parse_bytes(super::super::N_HEX.as_bytes(), 16).unwrap();
        let modulus = Modulus::new(big(&n)).unwrap();
        let mut seed = BigUint::from(0x5eed_u32);
        for round in 0..8u32 {
            // Deterministic, varied operands: powers of a seed, some larger than n.
            seed = (&seed * &seed + BigUint::from(round + 3)) % (&n * 5u8);
            let a = &seed;
            let b = (a * a + 7u8) % (&n * 3u8);
            let e = (&b >> (round * 200)) + 1u8;
            assert_eq!(back(&modulus.reduce(&big(a)).unwrap()), a % &n);
            assert_eq!(back(&modulus.mul(&big(&(a % &n)), &big(&(&b % &n))).unwrap()), (a * &b) % &n);
            let sub = (a % &n + &n - &b % &n) % &n;
            assert_eq!(back(&modulus.sub(&big(&(a % &n)), &big(&(&b % &n))).unwrap()), sub);
            assert_eq!(back(&modulus.pow_consttime(&big(a), &big(&e)).unwrap()), a.modpow(&e, &n));
            assert_eq!(back(&big(a).add(&big(&b)).unwrap()), a + &b);
            assert_eq!(back(&big(a).mul(&big(&b)).unwrap()), a * &b);
        }
        assert!(modulus.pow_consttime(&big(&n), &big(&BigUint::from(5u8))).unwrap().is_zero());
    }

    #[test]
    fn an_even_modulus_is_refused_not_a_crash() {
        assert_eq!(Modulus::new(BigNum::from_hex("10").unwrap()).err(), Some(BnError));
    }

    #[test]
    fn numbers_and_moduli_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<BigNum>();
        send_sync::<Modulus>();
        assert_eq!(format!("{:?}", BigNum::from_hex("abc").unwrap()), "BigNum(<hidden>)");
    }
}
