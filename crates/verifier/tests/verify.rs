//! The verifier against tokens we sign ourselves, with JWKS endpoints served on loopback: one
//! named test per rule and per attack.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, AtomicUsize, Ordering},
    },
    time::Duration,
};

use cognito_verifier::{
    JwksCache, JwksSource, TokenUse, UserPoolKeys, Verifier, VerifierConfig, VerifyError,
    testing::{TestKey as Key, b64, id_token_claims, now},
};
use serde_json::{Value, json};

const REGION: &str = "eu-west-1";
const POOL: &str = "eu-west-1_TestPool";
const CLIENT: &str = "client-1";

fn id_claims() -> Value {
    id_token_claims(REGION, POOL, CLIENT)
}

fn config() -> VerifierConfig {
    VerifierConfig::id_tokens(vec![CLIENT.into()])
}

fn static_jwks(keys: &[&Key]) -> Arc<JwksCache> {
    Arc::new(JwksCache::new(JwksSource::Static(Key::jwks(keys).to_string())).unwrap())
}

fn static_verifier(keys: &[&Key]) -> Verifier {
    Verifier::single(config(), POOL, static_jwks(keys))
}

async fn refused(verifier: &Verifier, token: &str) -> VerifyError {
    verifier.verify(token).await.expect_err("token must be refused")
}

fn with(claims: Value, key: &str, value: Value) -> Value {
    let mut claims = claims;
    claims[key] = value;
    claims
}

fn without(claims: Value, key: &str) -> Value {
    let mut claims = claims;
    claims.as_object_mut().unwrap().remove(key);
    claims
}

/// A JWKS endpoint on loopback whose keys, status and body can change, counting its fetches.
struct JwksServer {
    url: String,
    keys: Arc<Mutex<Value>>,
    status: Arc<AtomicU16>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(keys: Value) -> Self {
        let keys = Arc::new(Mutex::new(keys));
        let status = Arc::new(AtomicU16::new(200));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, s, f) = (keys.clone(), status.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (k, s, f) = (k.clone(), s.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let status = axum::http::StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap();
                    (status, [("content-type", "application/json")], k.lock().unwrap().to_string())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, keys, status, fetches }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    fn cache(&self) -> Arc<JwksCache> {
        Arc::new(JwksCache::new(JwksSource::Url(self.url.clone())).unwrap())
    }
}

// ---------------------------------------------------------------- accepted tokens

#[tokio::test]
async fn accepts_a_valid_id_token_and_returns_its_claims() {
    let key = Key::new("k1");
    let claims = static_verifier(&[&key]).verify(&key.sign(&id_claims())).await.unwrap();
    assert_eq!(claims.sub, "8f1c0d2e-sub");
    assert_eq!(claims.internal_username(), "8f1c0d2e-sub");
    assert_eq!(claims.groups, vec!["admins"]);
    assert!(claims.email_verified);
}

#[tokio::test]
async fn accepts_the_updated_issuer_form() {
    let key = Key::new("k1");
    let claims = with(id_claims(), "iss", json!(format!("https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL}")));
    assert!(static_verifier(&[&key]).verify(&key.sign(&claims)).await.is_ok());
}

#[tokio::test]
async fn accepts_iat_and_nbf_within_the_leeway() {
    let key = Key::new("k1");
    let claims = with(with(id_claims(), "iat", json!(now() + 2)), "nbf", json!(now() + 2));
    assert!(static_verifier(&[&key]).verify(&key.sign(&claims)).await.is_ok());
}

// ---------------------------------------------------------------- header and algorithm attacks

#[tokio::test]
async fn rejects_alg_none() {
    let key = Key::new("k1");
    let token = format!("{}.{}.", b64(br#"{"alg":"none","kid":"k1"}"#), b64(id_claims().to_string().as_bytes()));
    assert_eq!(refused(&static_verifier(&[&key]), &token).await, VerifyError::AlgorithmNotAllowed);
}

#[tokio::test]
async fn rejects_hs256_signed_with_the_public_key() {
    // The classic confusion attack: HMAC the token with the public key as the secret.
    let key = Key::new("k1");
    let public = key.jwk()["n"].as_str().unwrap().to_string();
    let message = format!("{}.{}", b64(br#"{"alg":"HS256","kid":"k1"}"#), b64(id_claims().to_string().as_bytes()));
    let mac = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public.as_bytes()),
        message.as_bytes(),
    );
    let token = format!("{message}.{}", b64(mac.as_ref()));
    assert_eq!(refused(&static_verifier(&[&key]), &token).await, VerifyError::AlgorithmNotAllowed);
}

#[tokio::test]
async fn rejects_other_rsa_algorithms() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for alg in ["RS384", "RS512", "PS256", "rs256", "ES256"] {
        let token = key.sign_with_header(&json!({"alg": alg, "kid": "k1"}), &id_claims());
        assert_eq!(refused(&verifier, &token).await, VerifyError::AlgorithmNotAllowed, "{alg}");
    }
}

#[tokio::test]
async fn ignores_keys_offered_by_the_token_header() {
    // GIVEN an attacker's key published at a URL it controls, and embedded in the header
    let (key, attacker) = (Key::new("k1"), Key::new("evil"));
    let evil = JwksServer::start(Key::jwks(&[&attacker])).await;
    let header = json!({"alg": "RS256", "kid": "evil", "jku": evil.url, "x5u": evil.url, "jwk": attacker.jwk(), "x5c": ["AAAA"]});
    // WHEN it signs a token pointing at them
    let token = attacker.sign_with_header(&header, &id_claims());
    // THEN the verifier looks only at its own JWKS, and never fetches the attacker's
    assert_eq!(refused(&static_verifier(&[&key]), &token).await, VerifyError::UnknownKid);
    let same_kid = attacker.sign_with_header(&with(header, "kid", json!("k1")), &id_claims());
    assert_eq!(refused(&static_verifier(&[&key]), &same_kid).await, VerifyError::InvalidSignature);
    assert_eq!(evil.fetches(), 0);
}

#[tokio::test]
async fn rejects_missing_empty_or_oversized_kid() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for header in
        [json!({"alg": "RS256"}), json!({"alg": "RS256", "kid": ""}), json!({"alg": "RS256", "kid": "k".repeat(129)})]
    {
        assert_eq!(refused(&verifier, &key.sign_with_header(&header, &id_claims())).await, VerifyError::InvalidKid);
    }
    let numeric_kid = key.sign_with_header(&json!({"alg": "RS256", "kid": 1}), &id_claims());
    assert!(matches!(refused(&verifier, &numeric_kid).await, VerifyError::Malformed(_)));
}

#[tokio::test]
async fn rejects_an_unknown_kid() {
    let key = Key::new("k1");
    let token = key.sign_with_header(&json!({"alg": "RS256", "kid": "k2"}), &id_claims());
    assert_eq!(refused(&static_verifier(&[&key]), &token).await, VerifyError::UnknownKid);
}

// ---------------------------------------------------------------- structure

#[tokio::test]
async fn rejects_oversized_tokens_before_decoding() {
    let key = Key::new("k1");
    let big = key.sign(&with(id_claims(), "padding", json!("x".repeat(9000))));
    assert_eq!(refused(&static_verifier(&[&key]), &big).await, VerifyError::TooLarge);
}

#[tokio::test]
async fn rejects_the_wrong_number_of_segments() {
    let key = Key::new("k1");
    let token = key.sign(&id_claims());
    let verifier = static_verifier(&[&key]);
    for bad in ["", "abc", "a.b", &format!("{token}.x"), &format!("{token}.")] {
        assert!(matches!(refused(&verifier, bad).await, VerifyError::Malformed(_)), "{bad}");
    }
}

#[tokio::test]
async fn rejects_malformed_base64_and_json() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let claims = b64(id_claims().to_string().as_bytes());
    let header = b64(br#"{"alg":"RS256","kid":"k1"}"#);
    for bad in [
        format!("!!!.{claims}.sig"),
        format!("{header}.{claims}=.sig"),
        format!("{header}.%%%.sig"),
        format!("{}.{claims}.sig", b64(b"not json")),
        format!("{header}.{}.sig", b64(b"[1,2]")),
        format!("{header}.{claims}.***"),
    ] {
        assert!(matches!(refused(&verifier, &bad).await, VerifyError::Malformed(_)), "{bad}");
    }
}

#[tokio::test]
async fn rejects_wrongly_typed_claims() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for (claim, value) in [
        ("sub", json!(42)),
        ("exp", json!("tomorrow")),
        ("exp", json!(1.5e12)),
        ("aud", json!([CLIENT])),
        ("token_use", json!(null)),
        ("cognito:groups", json!("admins")),
        ("email_verified", json!("yes")),
        ("iss", json!({"url": "x"})),
    ] {
        let token = key.sign(&with(id_claims(), claim, value.clone()));
        assert!(matches!(refused(&verifier, &token).await, VerifyError::Malformed(_)), "{claim}: {value}");
    }
}

#[tokio::test]
async fn rejects_duplicate_claims() {
    // A parser that kept the first value and one that kept the last would disagree on who this is.
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let base = id_claims().to_string();
    let body = &base[1..base.len() - 1];
    for dup in [r#""token_use":"access""#, r#""aud":"client-2""#, r#""sub":"someone-else""#, r#""exp":1"#] {
        let token = key.sign_raw(r#"{"alg":"RS256","kid":"k1"}"#, &format!("{{{body},{dup}}}"));
        assert!(matches!(refused(&verifier, &token).await, VerifyError::Malformed(_)), "{dup}");
    }
    let dup_alg = key.sign_raw(r#"{"alg":"none","alg":"RS256","kid":"k1"}"#, &base);
    assert!(matches!(refused(&verifier, &dup_alg).await, VerifyError::Malformed(_)));
}

#[tokio::test]
async fn rejects_headers_and_signatures_longer_than_any_rs256_token_has() {
    // Both are decoded on the stack, into 1,024 bytes: an RSA-8192 signature's size.
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let token = key.sign(&id_claims());
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();
    let long_header = b64(format!(r#"{{"alg":"RS256","kid":"k1","x":"{}"}}"#, "a".repeat(1100)).as_bytes());
    for oversized in
        [format!("{long_header}.{payload}.{}", b64(&[1; 256])), format!("{header}.{payload}.{}", b64(&[1; 1025]))]
    {
        assert!(matches!(refused(&verifier, &oversized).await, VerifyError::Malformed(_)), "{oversized}");
    }
}

// ---------------------------------------------------------------- signature

#[tokio::test]
async fn rejects_a_tampered_header_payload_or_signature() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let token = key.sign(&id_claims());
    let [header, payload, signature]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let other_header = b64(br#"{"alg":"RS256","kid":"k1","typ":"JWT","x":1}"#);
    let admin_payload = b64(with(id_claims(), "cognito:groups", json!(["admins", "root"])).to_string().as_bytes());
    let mut sig = base64_decode(signature);
    sig[0] ^= 0x80;
    for forged in [
        format!("{other_header}.{payload}.{signature}"),
        format!("{header}.{admin_payload}.{signature}"),
        format!("{header}.{payload}.{}", b64(&sig)),
        format!("{header}.{payload}."),
    ] {
        assert_eq!(refused(&verifier, &forged).await, VerifyError::InvalidSignature, "{forged}");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

#[tokio::test]
async fn rejects_tokens_signed_by_another_key_with_the_same_kid() {
    let (key, impostor) = (Key::new("k1"), Key::new("k1"));
    assert_eq!(refused(&static_verifier(&[&key]), &impostor.sign(&id_claims())).await, VerifyError::InvalidSignature);
}

// ---------------------------------------------------------------- claims

#[tokio::test]
async fn rejects_foreign_issuers() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for iss in [
        format!("http://cognito-idp.{REGION}.amazonaws.com/{POOL}"),
        format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"),
        format!("https://cognito-idp.{REGION}.amazonaws.com/{REGION}_OtherPool"),
        format!("https://cognito-idp.{REGION}.amazonaws.com/{POOL}/"),
        format!("https://cognito-idp.{REGION}.amazonaws.com.evil.example/{POOL}"),
    ] {
        let token = key.sign(&with(id_claims(), "iss", json!(iss)));
        assert_eq!(refused(&verifier, &token).await, VerifyError::WrongIssuer, "{iss}");
    }
    let no_iss = key.sign(&without(id_claims(), "iss"));
    assert!(matches!(refused(&verifier, &no_iss).await, VerifyError::Malformed(_)));
}

#[tokio::test]
async fn rejects_other_clients() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    assert_eq!(
        refused(&verifier, &key.sign(&with(id_claims(), "aud", json!("client-2")))).await,
        VerifyError::WrongAudience
    );
    assert_eq!(refused(&verifier, &key.sign(&without(id_claims(), "aud"))).await, VerifyError::MissingClaim("aud"));
}

#[tokio::test]
async fn rejects_an_access_token_used_as_an_id_token() {
    let key = Key::new("k1");
    let access = with(with(without(id_claims(), "aud"), "token_use", json!("access")), "client_id", json!(CLIENT));
    assert_eq!(refused(&static_verifier(&[&key]), &key.sign(&access)).await, VerifyError::WrongTokenUse);
    let other_use = with(id_claims(), "token_use", json!("refresh"));
    assert_eq!(refused(&static_verifier(&[&key]), &key.sign(&other_use)).await, VerifyError::WrongTokenUse);
}

#[tokio::test]
async fn rejects_missing_and_past_exp() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    assert!(matches!(refused(&verifier, &key.sign(&without(id_claims(), "exp"))).await, VerifyError::Malformed(_)));
    assert_eq!(refused(&verifier, &key.sign(&with(id_claims(), "exp", json!(now() - 6)))).await, VerifyError::Expired);
    assert_eq!(refused(&verifier, &key.sign(&with(id_claims(), "exp", json!(0)))).await, VerifyError::Expired);
}

#[tokio::test]
async fn rejects_nbf_and_iat_in_the_future() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for claim in ["nbf", "iat"] {
        let token = key.sign(&with(id_claims(), claim, json!(now() + 60)));
        assert_eq!(refused(&verifier, &token).await, VerifyError::NotYetValid, "{claim}");
    }
}

#[tokio::test]
async fn access_token_mode_checks_client_id_and_scopes() {
    let key = Key::new("k1");
    let config = VerifierConfig {
        token_use: TokenUse::Access,
        required_scopes: vec!["api/read".into()],
        ..VerifierConfig::id_tokens(vec![CLIENT.into()])
    };
    let verifier = Verifier::single(config, POOL, static_jwks(&[&key]));
    let access = with(
        with(with(without(id_claims(), "aud"), "token_use", json!("access")), "client_id", json!(CLIENT)),
        "scope",
        json!("openid api/read"),
    );
    assert!(verifier.verify(&key.sign(&access)).await.is_ok());
    let no_scope = with(access.clone(), "scope", json!("openid api/readwrite"));
    assert_eq!(refused(&verifier, &key.sign(&no_scope)).await, VerifyError::MissingScope);
    let other_client = with(access, "client_id", json!("client-2"));
    assert_eq!(refused(&verifier, &key.sign(&other_client)).await, VerifyError::WrongAudience);
    assert_eq!(refused(&verifier, &key.sign(&id_claims())).await, VerifyError::WrongTokenUse);
}

#[tokio::test]
async fn accepts_several_pools_each_with_its_own_keys_only() {
    let (key_a, key_b) = (Key::new("ka"), Key::new("kb"));
    let pool_b = "us-east-1_PoolB";
    let verifier = Verifier::new(
        config(),
        vec![
            UserPoolKeys { user_pool_id: POOL.into(), jwks: static_jwks(&[&key_a]) },
            UserPoolKeys { user_pool_id: pool_b.into(), jwks: static_jwks(&[&key_b]) },
        ],
    );
    let claims_b = id_token_claims("us-east-1", pool_b, CLIENT);
    assert!(verifier.verify(&key_a.sign(&id_claims())).await.is_ok());
    assert!(verifier.verify(&key_b.sign(&claims_b)).await.is_ok());
    // Pool B's key cannot vouch for a token claiming pool A.
    assert_eq!(refused(&verifier, &key_b.sign(&id_claims())).await, VerifyError::UnknownKid);
}

// ---------------------------------------------------------------- the JWKS cache

#[tokio::test]
async fn a_kid_flood_refetches_at_most_once_per_penalty() {
    // GIVEN a JWKS endpoint with one key, loaded at cold start
    let key = Key::new("k1");
    let server = JwksServer::start(Key::jwks(&[&key])).await;
    let jwks = server.cache();
    jwks.load().await.unwrap();
    let verifier = Verifier::single(config(), POOL, jwks);
    assert_eq!(server.fetches(), 1);
    // WHEN a flood of tokens with made-up kids arrives
    for i in 0..50 {
        let token = key.sign_with_header(&json!({"alg": "RS256", "kid": format!("made-up-{i}")}), &id_claims());
        assert_eq!(refused(&verifier, &token).await, VerifyError::UnknownKid);
    }
    // THEN the JWKS was fetched once more, not fifty times, and good tokens still pass
    assert_eq!(server.fetches(), 2);
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn concurrent_unknown_kids_share_one_fetch() {
    let key = Key::new("k1");
    let server = JwksServer::start(Key::jwks(&[&key])).await;
    let verifier = Arc::new(Verifier::single(config(), POOL, server.cache()));
    let token = key.sign_with_header(&json!({"alg": "RS256", "kid": "unknown"}), &id_claims());
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Err(VerifyError::UnknownKid));
    }
    assert_eq!(server.fetches(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_on_its_first_token() {
    let old = Key::new("old");
    let server = JwksServer::start(Key::jwks(&[&old])).await;
    let jwks = server.cache();
    jwks.load().await.unwrap();
    let verifier = Verifier::single(config(), POOL, jwks);
    // Cognito publishes a new key and starts signing with it.
    let new = Key::new("new");
    *server.keys.lock().unwrap() = Key::jwks(&[&old, &new]);
    assert!(verifier.verify(&new.sign(&id_claims())).await.is_ok());
    assert!(verifier.verify(&old.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn jwks_outage_at_cold_start_refuses_everything_then_recovers() {
    // GIVEN a JWKS endpoint that fails at cold start
    let key = Key::new("k1");
    let server = JwksServer::start(Key::jwks(&[&key])).await;
    server.status.store(503, Ordering::SeqCst);
    let jwks =
        Arc::new(JwksCache::new(JwksSource::Url(server.url.clone())).unwrap().with_penalty(Duration::from_millis(200)));
    assert!(jwks.load().await.is_err());
    let verifier = Verifier::single(config(), POOL, jwks);
    // THEN a perfectly good token is refused: never allowed without keys
    assert_eq!(refused(&verifier, &key.sign(&id_claims())).await, VerifyError::NoKeys);
    // WHEN the endpoint is back, THEN a request after the penalty gets through
    server.status.store(200, Ordering::SeqCst);
    assert_eq!(refused(&verifier, &key.sign(&id_claims())).await, VerifyError::NoKeys, "within the penalty");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn jwks_outage_when_warm_keeps_the_cached_keys() {
    let key = Key::new("k1");
    let server = JwksServer::start(Key::jwks(&[&key])).await;
    let jwks = server.cache();
    jwks.load().await.unwrap();
    let verifier = Verifier::single(config(), POOL, jwks);
    server.status.store(500, Ordering::SeqCst);
    let unknown = key.sign_with_header(&json!({"alg": "RS256", "kid": "new"}), &id_claims());
    assert_eq!(refused(&verifier, &unknown).await, VerifyError::UnknownKid);
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn an_oversized_jwks_is_refused() {
    let key = Key::new("k1");
    let padding: Vec<Value> =
        (0..2000).map(|i| json!({"kty": "oct", "kid": format!("pad-{i}"), "k": "x".repeat(40)})).collect();
    let mut keys = Key::jwks(&[&key]);
    keys["keys"].as_array_mut().unwrap().extend(padding);
    let server = JwksServer::start(keys).await;
    assert!(server.cache().load().await.is_err());
}

#[tokio::test]
async fn a_static_jwks_is_never_fetched() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let stranger = key.sign_with_header(&json!({"alg": "RS256", "kid": "k2"}), &id_claims());
    assert_eq!(refused(&verifier, &stranger).await, VerifyError::UnknownKid);
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[test]
fn a_jwks_without_a_usable_rs256_signing_key_is_refused() {
    let key = Key::new("k1");
    let short = {
        let mut jwk = key.jwk();
        jwk["n"] = json!(b64(&[0xC5; 128])); // 1024-bit modulus
        jwk
    };
    for jwks in [
        json!({"keys": []}),
        json!({"keys": [with(key.jwk(), "use", json!("enc"))]}),
        json!({"keys": [with(key.jwk(), "alg", json!("HS256"))]}),
        json!({"keys": [with(key.jwk(), "kty", json!("EC"))]}),
        json!({"keys": [without(key.jwk(), "kid")]}),
        json!({"keys": [short]}),
        json!({"nokeys": 1}),
    ] {
        assert!(JwksCache::new(JwksSource::Static(jwks.to_string())).is_err(), "{jwks}");
    }
}

#[tokio::test]
async fn a_huge_leeway_is_capped_and_cannot_make_tokens_immortal() {
    let key = Key::new("k1");
    let config = VerifierConfig { leeway: Duration::MAX, ..config() };
    let verifier = Verifier::single(config, POOL, static_jwks(&[&key]));
    let long_expired = with(id_claims(), "exp", json!(now() - 3600));
    assert_eq!(refused(&verifier, &key.sign(&long_expired)).await, VerifyError::Expired);
    let far_future = with(id_claims(), "iat", json!(u64::MAX));
    assert_eq!(refused(&verifier, &key.sign(&far_future)).await, VerifyError::NotYetValid);
}
