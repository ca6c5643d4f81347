//! Cognito's SRP (`USER_SRP_AUTH`): the password never leaves the API; Cognito gets a proof.
//!
//! SRP-6a over the RFC 5054 3072-bit group with SHA-256, with Cognito's details, as AWS's own
//! SDKs implement them:
//! - `k = H(pad(N) | pad(g))`, `u = H(pad(A) | pad(B))`, where `pad` is the big-endian bytes
//!   with a zero byte in front when the top bit is set;
//! - `x = H(pad(salt) | H(poolName | userIdForSrp | ":" | password))`, the salt padded as the
//!   hex text Cognito sent (its leading zeros kept);
//! - `S = (B - k·g^x)^(a + u·x) mod N`, the key = HKDF-SHA256(ikm = pad(S), salt = pad(u),
//!   info = "Caldera Derived Key"), first 16 bytes;
//! - the claim = Base64(HMAC-SHA256(key, poolName | userIdForSrp | secretBlock | timestamp)),
//!   timestamp as `Sat Nov 1 22:44:32 UTC 2026` (day not zero-padded, always UTC).
//!
//! `a` is 128 bytes from the system CSPRNG, fresh for every sign-in, and never leaves this
//! module; `B mod N = 0` and `u = 0` are refused (they would let a forged server learn the key).
//! The exponentiations (`g^a`, `g^x`, `S`) run in constant time on aws-lc ([`bn`]): `x` comes
//! from the password. Known-answer tests against pycognito's `aws_srp.py` and a server-side
//! verifier (on `num-bigint`, an independent implementation) are below.

mod bn;

use std::sync::LazyLock;

use aws_lc_rs::{digest, hmac, rand::SecureRandom};
use base64::Engine;

use self::bn::{BigNum, BnError, Modulus, hex_bytes};

/// RFC 5054's 3072-bit group prime `N`, as Cognito uses it: upper-case hex.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
);

/// The group and its multiplier `k`, computed once per process.
struct Group {
    n: Modulus,
    g: BigNum,
    k: BigNum,
}

static GROUP: LazyLock<Result<Group, BnError>> = LazyLock::new(|| {
    let n = BigNum::from_hex(N_HEX).ok_or(BnError)?;
    let g = BigNum::from_be_bytes(&[2])?;
    let k = BigNum::from_be_bytes(sha256(&[&pad(&n.to_be_bytes()), &pad(&g.to_be_bytes())]).as_ref())?;
    Ok(Group { n: Modulus::new(n)?, g, k })
});

fn group() -> Result<&'static Group, SrpError> {
    GROUP.as_ref().map_err(|_| SrpError::Arithmetic)
}

/// Why an SRP step failed. None of these carry a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// The system random generator failed.
    #[error("no randomness available")]
    Randomness,
    /// `SRP_B` is not hex, or `B mod N = 0`: a server that sends it could learn the key.
    #[error("invalid SRP_B from the server")]
    InvalidB,
    /// `u = H(A | B)` is zero.
    #[error("SRP u is zero")]
    InvalidU,
    /// A challenge parameter is malformed (salt, secret block) or the pool id has no `_`.
    #[error("malformed SRP parameter: {0}")]
    Malformed(&'static str),
    /// aws-lc's big-number arithmetic failed (out of memory).
    #[error("big-number arithmetic failed")]
    Arithmetic,
}

impl From<BnError> for SrpError {
    fn from(_: BnError) -> Self {
        Self::Arithmetic
    }
}

/// The client side of one SRP sign-in. Its `Debug` shows nothing of the secret `a`.
pub struct SrpClient {
    a: BigNum,
    big_a: BigNum,
}

// By hand, not `Secret`: the secret is a big integer, not a string, and `Debug` of the public `A`
// alone would be noise.
impl std::fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SrpClient(<secret>)")
    }
}

/// What `RespondToAuthChallenge(PASSWORD_VERIFIER)` needs besides the usernames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordClaim {
    /// `TIMESTAMP`.
    pub timestamp: String,
    /// `PASSWORD_CLAIM_SIGNATURE`.
    pub signature: String,
}

impl SrpClient {
    /// A fresh client: `a` from the system CSPRNG.
    pub fn new() -> Result<Self, SrpError> {
        let mut bytes = [0u8; 128];
        aws_lc_rs::rand::SystemRandom::new().fill(&mut bytes).map_err(|_| SrpError::Randomness)?;
        let a = BigNum::from_be_bytes(&bytes);
        bytes.fill(0);
        Self::with_secret(a?)
    }

    /// A client with a chosen `a` (known-answer tests only).
    fn with_secret(a: BigNum) -> Result<Self, SrpError> {
        let group = group()?;
        let a = group.n.reduce(&a)?;
        let big_a = group.n.pow_consttime(&group.g, &a)?;
        if big_a.is_zero() {
            return Err(SrpError::Randomness);
        }
        Ok(Self { a, big_a })
    }

    /// `SRP_A`, as lower-case hex.
    pub fn public_a_hex(&self) -> String {
        self.big_a.to_hex()
    }

    /// The password claim for a `PASSWORD_VERIFIER` challenge, signed at `timestamp`
    /// (see [`timestamp`]). `user_id_for_srp` is the challenge's `USER_ID_FOR_SRP`: the pool's
    /// internal username, whatever alias the user typed.
    #[allow(clippy::too_many_arguments)]
    pub fn password_claim(
        &self,
        user_pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
        srp_b_hex: &str,
        salt_hex: &str,
        secret_block_b64: &str,
        timestamp: &str,
    ) -> Result<PasswordClaim, SrpError> {
        let group = group()?;
        let pool_name = user_pool_id.split_once('_').map(|(_, name)| name).ok_or(SrpError::Malformed("pool id"))?;
        let big_b = BigNum::from_hex(srp_b_hex).ok_or(SrpError::InvalidB)?;
        let b_mod_n = group.n.reduce(&big_b)?;
        if b_mod_n.is_zero() {
            return Err(SrpError::InvalidB);
        }
        let u_bytes = sha256(&[&pad(&self.big_a.to_be_bytes()), &pad(&big_b.to_be_bytes())]);
        let u = BigNum::from_be_bytes(u_bytes.as_ref())?;
        if u.is_zero() {
            return Err(SrpError::InvalidU);
        }
        let salt = pad_hex_text(salt_hex).ok_or(SrpError::Malformed("salt"))?;
        let identity = sha256(&[pool_name.as_bytes(), user_id_for_srp.as_bytes(), b":", password.as_bytes()]);
        let x = BigNum::from_be_bytes(sha256(&[&salt, identity.as_ref()]).as_ref())?;
        // S = (B - k·g^x)^(a + u·x) mod N, every step in [0, N).
        let kgx = group.n.mul(&group.k, &group.n.pow_consttime(&group.g, &x)?)?;
        let base = group.n.sub(&b_mod_n, &kgx)?;
        let s = group.n.pow_consttime(&base, &self.a.add(&u.mul(&x)?)?)?;
        let key = hkdf_16(&pad(&s.to_be_bytes()), &pad(&u.to_be_bytes()));

        let secret_block = lenient_base64(secret_block_b64).ok_or(SrpError::Malformed("secret block"))?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
        let mut mac = hmac::Context::with_key(&key);
        for part in [pool_name.as_bytes(), user_id_for_srp.as_bytes(), &secret_block, timestamp.as_bytes()] {
            mac.update(part);
        }
        Ok(PasswordClaim {
            timestamp: timestamp.to_string(),
            signature: base64::engine::general_purpose::STANDARD.encode(mac.sign().as_ref()),
        })
    }
}

/// Cognito's SRP timestamp for `epoch_seconds`: `Sun Nov 1 00:25:00 UTC 2026`.
pub fn timestamp(epoch_seconds: i64) -> String {
    use aws_sdk_cognitoidentityprovider::primitives::{DateTime, DateTimeFormat};
    // HTTP date: "Sun, 01 Nov 2026 00:25:00 GMT" -> "Sun Nov 1 00:25:00 UTC 2026".
    let http = DateTime::from_secs(epoch_seconds).fmt(DateTimeFormat::HttpDate).unwrap_or_default();
    let parts: Vec<&str> = http.split([' ', ',']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [weekday, day, month, year, time, _gmt] => {
            format!("{weekday} {month} {} {time} UTC {year}", day.trim_start_matches('0'))
        }
        _ => String::new(),
    }
}

/// A number's minimal big-endian bytes, with a zero byte in front when the top bit is set
/// (Cognito's `padHex`).
fn pad(bytes: &[u8]) -> Vec<u8> {
    match bytes.first() {
        None => vec![0],
        Some(top) if top & 0x80 != 0 => [&[0u8][..], bytes].concat(),
        Some(_) => bytes.to_vec(),
    }
}

/// The same padding applied to hex text, keeping its leading zeros; `None` if empty or not hex.
fn pad_hex_text(hex: &str) -> Option<Vec<u8>> {
    let bytes = hex_bytes(hex)?;
    // An odd length already gained a zero nibble in front.
    Some(if hex.len().is_multiple_of(2) { pad(&bytes) } else { bytes })
}

/// Decodes the secret block as the reference clients do (Python's `b64decode`, Node's
/// `Buffer.from(.., "base64")`): characters outside the alphabet are skipped, padding optional.
/// The block is opaque bytes that Cognito checks itself, so leniency costs nothing; emulators
/// send non-base64 blocks (moto: a UUID).
fn lenient_base64(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/').collect();
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned).ok()
}

fn sha256(parts: &[&[u8]]) -> digest::Digest {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    ctx.finish()
}

/// One-block HKDF-SHA256 with Cognito's info string, truncated to 16 bytes.
fn hkdf_16(ikm: &[u8], salt: &[u8]) -> [u8; 16] {
    let prk = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), ikm);
    let okm = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref()), b"Caldera Derived Key\x01");
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm.as_ref()[..16]);
    key
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;

    use super::*;

    /// The group in `num-bigint`, for the independent server below.
    struct PlainGroup {
        n: BigUint,
        g: BigUint,
        k: BigUint,
    }

    fn plain_group() -> PlainGroup {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
        let g = BigUint::from(2u8);
        let k = BigUint::from_bytes_be(sha256(&[&pad(&n.to_bytes_be()), &pad(&g.to_bytes_be())]).as_ref());
        PlainGroup { n, g, k }
    }

    fn padded(n: &BigUint) -> Vec<u8> {
        pad(&n.to_bytes_be())
    }

    #[test]
    fn timestamps_have_an_unpadded_day_and_utc() {
        assert_eq!(timestamp(1_795_299_872), "Sat Nov 21 22:24:32 UTC 2026");
        assert_eq!(timestamp(1_793_492_700), "Sun Nov 1 00:25:00 UTC 2026");
        assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    }

    #[test]
    fn pad_adds_a_zero_byte_only_when_the_top_bit_is_set() {
        assert_eq!(padded(&BigUint::from(0x7fu8)), vec![0x7f]);
        assert_eq!(padded(&BigUint::from(0x80u8)), vec![0x00, 0x80]);
        assert_eq!(padded(&BigUint::ZERO), vec![0x00]);
        assert_eq!(pad(&[]), vec![0x00]);
        assert_eq!(pad_hex_text("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(pad_hex_text("00ff"), Some(vec![0x00, 0xff]));
        assert_eq!(pad_hex_text("ff"), Some(vec![0x00, 0xff]));
        assert_eq!(pad_hex_text("zz"), None);
        assert_eq!(pad_hex_text(""), None);
    }

    /// Vectors from pycognito's `aws_srp.py` (tools/srp_vectors.py): an independent
    /// implementation, with fixed `a`, `B`, salt, secret block and time.
    #[test]
    fn matches_pycognito_known_answers() {
        let data: serde_json::Value = serde_json::from_str(include_str!("../tests/data/srp_vectors.json")).unwrap();
        let vectors = data["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 4);
        for v in vectors {
            let text = |k: &str| v[k].as_str().unwrap().to_string();
            let client = SrpClient::with_secret(BigNum::from_hex(&text("a_hex")).unwrap()).unwrap();
            assert_eq!(client.public_a_hex(), text("srp_a"), "A for {}", text("pool_id"));
            let ts = timestamp(v["epoch_seconds"].as_i64().unwrap());
            assert_eq!(ts, text("timestamp"));
            let claim = client
                .password_claim(
                    &text("pool_id"),
                    &text("user_id_for_srp"),
                    &text("password"),
                    &text("srp_b"),
                    &text("salt"),
                    &text("secret_block"),
                    &ts,
                )
                .unwrap();
            assert_eq!(claim.signature, text("signature"), "signature for {}", text("pool_id"));
        }
    }

    /// The server side of SRP, written from the protocol (`S = (A·v^u)^b`), to check that the
    /// client's claim proves the password and nothing else.
    struct Server {
        b: BigUint,
        v: BigUint,
        big_b: BigUint,
    }

    const POOL: &str = "us-east-1_TestPool";
    const SALT: &str = "00a1b2c3d4e5f60718293a4b5c6d7e8f";
    const BLOCK: &str = "c2VjcmV0LWJsb2Nr";
    const TS: &str = "Sat Nov 21 22:44:32 UTC 2026";

    impl Server {
        fn new(user: &str, password: &str) -> Self {
            let group = plain_group();
            let identity = sha256(&[b"TestPool", user.as_bytes(), b":", password.as_bytes()]);
            let x = BigUint::from_bytes_be(sha256(&[&pad_hex_text(SALT).unwrap(), identity.as_ref()]).as_ref());
            let v = group.g.modpow(&x, &group.n);
            let b =
                BigUint::parse_bytes(b"5f3e2d1c0b0a09080706050403020100ffeeddccbbaa99887766554433221100", 16).unwrap();
            let big_b = (&group.k * &v + group.g.modpow(&b, &group.n)) % &group.n;
            Self { b, v, big_b }
        }

        fn expected_signature(&self, client_a_hex: &str, user: &str) -> String {
            let group = plain_group();
            let a = BigUint::parse_bytes(client_a_hex.as_bytes(), 16).unwrap();
            let u = BigUint::from_bytes_be(sha256(&[&padded(&a), &padded(&self.big_b)]).as_ref());
            let s = (a * self.v.modpow(&u, &group.n)).modpow(&self.b, &group.n);
            let key = hkdf_16(&padded(&s), &padded(&u));
            let block = base64::engine::general_purpose::STANDARD.decode(BLOCK).unwrap();
            let mac = hmac::sign(
                &hmac::Key::new(hmac::HMAC_SHA256, &key),
                &[b"TestPool", user.as_bytes(), &block[..], TS.as_bytes()].concat(),
            );
            base64::engine::general_purpose::STANDARD.encode(mac.as_ref())
        }
    }

    fn claim(client: &SrpClient, user: &str, password: &str, b_hex: &str) -> Result<String, SrpError> {
        client.password_claim(POOL, user, password, b_hex, SALT, BLOCK, TS).map(|c| c.signature)
    }

    #[test]
    fn a_server_accepts_the_right_password() {
        let server = Server::new("u-1", "Correct-horse-1");
        let client = SrpClient::new().unwrap();
        let b_hex = server.big_b.to_str_radix(16);
        assert_eq!(
            claim(&client, "u-1", "Correct-horse-1", &b_hex).unwrap(),
            server.expected_signature(&client.public_a_hex(), "u-1")
        );
    }

    #[test]
    fn a_server_rejects_a_wrong_password_or_another_user() {
        let server = Server::new("u-1", "Correct-horse-1");
        let client = SrpClient::new().unwrap();
        let b_hex = server.big_b.to_str_radix(16);
        let expected = server.expected_signature(&client.public_a_hex(), "u-1");
        assert_ne!(claim(&client, "u-1", "Correct-horse-2", &b_hex).unwrap(), expected);
        assert_ne!(claim(&client, "u-2", "Correct-horse-1", &b_hex).unwrap(), expected);
    }

    #[test]
    fn a_tampered_b_is_refused() {
        let group = plain_group();
        let client = SrpClient::new().unwrap();
        for b in [BigUint::ZERO, group.n.clone(), &group.n * 2u8, &group.n * 7u8] {
            assert_eq!(claim(&client, "u", "p", &b.to_str_radix(16)), Err(SrpError::InvalidB), "B = {b:x}");
        }
        assert_eq!(claim(&client, "u", "p", "not-hex"), Err(SrpError::InvalidB));
        assert_eq!(claim(&client, "u", "p", ""), Err(SrpError::InvalidB));
    }

    #[test]
    fn malformed_salt_block_or_pool_are_refused() {
        let client = SrpClient::new().unwrap();
        let b = Server::new("u", "p").big_b.to_str_radix(16);
        assert_eq!(client.password_claim(POOL, "u", "p", &b, "xyz", BLOCK, TS), Err(SrpError::Malformed("salt")));
        assert_eq!(
            client.password_claim(POOL, "u", "p", &b, SALT, "abcde", TS),
            Err(SrpError::Malformed("secret block"))
        );
        assert_eq!(client.password_claim("nopool", "u", "p", &b, SALT, BLOCK, TS), Err(SrpError::Malformed("pool id")));
    }

    #[test]
    fn fresh_clients_have_different_secrets() {
        let (one, two) = (SrpClient::new().unwrap(), SrpClient::new().unwrap());
        assert_ne!(one.public_a_hex(), two.public_a_hex());
        assert!(!format!("{one:?}").contains(&one.a.to_hex()));
        // A log still says what it was, without the secret.
        assert_eq!(format!("{one:?}"), "SrpClient(<secret>)");
    }

    #[test]
    fn the_secret_block_decodes_as_the_reference_clients_decode_it() {
        // Standard base64 with `+` and `/`, padded or not, and characters outside the alphabet
        // skipped (Python's b64decode, Node's Buffer.from): moto sends a UUID.
        assert_eq!(lenient_base64("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(lenient_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(lenient_base64("aGVs-bG8"), Some(b"hello".to_vec()));
        assert_eq!(lenient_base64("a"), None);
    }
}
