//! The verifier against tokens we sign ourselves, with the JWKS served on loopback.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use cognito_verifier::{
    JwksCache, JwksSource, Verifier, VerifierConfig, VerifyError,
    testing::{TestKey as Key, b64, id_token_claims, now},
    verifier::DEFAULT_LEEWAY,
};
use serde_json::{Value, json};

const REGION: &str = "eu-west-1";
const POOL: &str = "eu-west-1_TestPool";
const CLIENT: &str = "client-1";

fn id_claims() -> Value {
    id_token_claims(REGION, POOL, CLIENT)
}

fn config() -> VerifierConfig {
    VerifierConfig {
        region: REGION.into(),
        user_pool_id: POOL.into(),
        client_ids: vec![CLIENT.into()],
        leeway: DEFAULT_LEEWAY,
    }
}

fn static_verifier(keys: &[&Key]) -> Verifier {
    let jwks = Key::jwks(keys).to_string();
    Verifier::new(config(), Arc::new(JwksCache::new(JwksSource::Static(jwks)).unwrap()))
}

/// A JWKS endpoint on loopback whose keys can change, counting its fetches.
struct JwksServer {
    url: String,
    keys: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(keys: Value) -> Self {
        let keys = Arc::new(Mutex::new(keys));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, f) = (keys.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let (k, f) = (k.clone(), f.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let body = k.lock().unwrap().to_string();
                    ([("content-type", "application/json")], body)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, keys, fetches }
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

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
    let mut claims = id_claims();
    claims["iss"] = json!(format!("https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL}"));
    assert!(static_verifier(&[&key]).verify(&key.sign(&claims)).await.is_ok());
}

#[tokio::test]
async fn rejects_foreign_issuers() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for iss in [
        format!("http://cognito-idp.{REGION}.amazonaws.com/{POOL}"),
        format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"),
        format!("https://cognito-idp.{REGION}.amazonaws.com/{REGION}_OtherPool"),
        format!("https://cognito-idp.{REGION}.amazonaws.com/{POOL}/"),
    ] {
        let mut claims = id_claims();
        claims["iss"] = json!(iss);
        assert_eq!(verifier.verify(&key.sign(&claims)).await, Err(VerifyError::WrongIssuer), "{iss}");
    }
}

#[tokio::test]
async fn rejects_other_clients_and_access_tokens() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let mut other = id_claims();
    other["aud"] = json!("client-2");
    assert_eq!(verifier.verify(&key.sign(&other)).await, Err(VerifyError::WrongAudience));

    let mut access = id_claims();
    access["token_use"] = json!("access");
    access.as_object_mut().unwrap().remove("aud");
    access["client_id"] = json!(CLIENT);
    assert_eq!(verifier.verify(&key.sign(&access)).await, Err(VerifyError::WrongTokenUse));
}

#[tokio::test]
async fn rejects_expired_and_future_tokens() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let mut expired = id_claims();
    expired["exp"] = json!(now() - 60);
    assert_eq!(verifier.verify(&key.sign(&expired)).await, Err(VerifyError::Expired));

    let mut future = id_claims();
    future["iat"] = json!(now() + 120);
    assert_eq!(verifier.verify(&key.sign(&future)).await, Err(VerifyError::NotYetValid));

    let mut no_exp = id_claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(verifier.verify(&key.sign(&no_exp)).await.is_err());
}

#[tokio::test]
async fn rejects_tokens_signed_by_another_key_or_not_rs256() {
    let (key, attacker) = (Key::new("k1"), Key::new("k1"));
    let verifier = static_verifier(&[&key]);
    assert_eq!(verifier.verify(&attacker.sign(&id_claims())).await, Err(VerifyError::InvalidSignature));

    let token = key.sign(&id_claims());
    let [_, payload, _]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let none = format!("{}.{payload}.", b64(br#"{"alg":"none","kid":"k1"}"#));
    assert!(verifier.verify(&none).await.is_err());
    let hs256 = format!("{}.{payload}.{}", b64(br#"{"alg":"HS256","kid":"k1"}"#), b64(b"mac"));
    assert_eq!(verifier.verify(&hs256).await, Err(VerifyError::AlgorithmNotAllowed));
}

#[tokio::test]
async fn rejects_oversized_and_malformed_tokens_before_any_key_lookup() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    assert_eq!(verifier.verify(&"a".repeat(9000)).await, Err(VerifyError::TooLarge));
    for bad in ["", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"] {
        assert!(verifier.verify(bad).await.is_err(), "{bad}");
    }
    let no_kid = key.sign_with_header(&json!({"alg": "RS256"}), &id_claims());
    assert_eq!(verifier.verify(&no_kid).await, Err(VerifyError::InvalidKid));
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_penalty() {
    // GIVEN a JWKS endpoint with one key, loaded at cold start
    let key = Key::new("k1");
    let server = JwksServer::start(json!({"keys": [key.jwk()]})).await;
    let jwks = Arc::new(JwksCache::new(JwksSource::Url(server.url.clone())).unwrap());
    jwks.load().await.unwrap();
    let verifier = Verifier::new(config(), jwks);
    assert_eq!(server.fetches(), 1);
    // WHEN a flood of tokens with made-up kids arrives
    let stranger = Key::new("stranger");
    for i in 0..50 {
        let token = stranger.sign_with_header(&json!({"alg": "RS256", "kid": format!("made-up-{i}")}), &id_claims());
        assert_eq!(verifier.verify(&token).await, Err(VerifyError::UnknownKid));
    }
    // THEN the JWKS was fetched once more, not fifty times, and good tokens still pass
    assert_eq!(server.fetches(), 2);
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn a_rotated_key_is_picked_up_on_its_first_token() {
    let old = Key::new("old");
    let server = JwksServer::start(json!({"keys": [old.jwk()]})).await;
    let jwks = Arc::new(JwksCache::new(JwksSource::Url(server.url.clone())).unwrap());
    jwks.load().await.unwrap();
    let verifier = Verifier::new(config(), jwks);
    // Cognito publishes a new key and starts signing with it.
    let new = Key::new("new");
    *server.keys.lock().unwrap() = json!({"keys": [old.jwk(), new.jwk()]});
    assert!(verifier.verify(&new.sign(&id_claims())).await.is_ok());
    assert!(verifier.verify(&old.sign(&id_claims())).await.is_ok());
}

#[tokio::test]
async fn no_keys_at_cold_start_refuses_every_token() {
    // GIVEN a JWKS endpoint that is down at cold start
    let key = Key::new("k1");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    drop(listener);
    let jwks = Arc::new(JwksCache::new(JwksSource::Url(url)).unwrap().with_penalty(Duration::ZERO));
    assert!(jwks.load().await.is_err());
    let verifier = Verifier::new(config(), jwks);
    // THEN a perfectly good token is refused: never allowed without keys
    assert_eq!(verifier.verify(&key.sign(&id_claims())).await, Err(VerifyError::NoKeys));
}

#[tokio::test]
async fn static_jwks_is_never_fetched() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let stranger = Key::new("k2");
    assert_eq!(verifier.verify(&stranger.sign(&id_claims())).await, Err(VerifyError::UnknownKid));
    assert!(verifier.verify(&key.sign(&id_claims())).await.is_ok());
}

#[test]
fn jwks_without_a_usable_rs256_signing_key_is_refused() {
    let key = Key::new("k1");
    let mut enc = key.jwk();
    enc["use"] = json!("enc");
    let mut hs = key.jwk();
    hs["alg"] = json!("HS256");
    for jwks in [json!({"keys": []}), json!({"keys": [enc]}), json!({"keys": [hs]}), json!({"nokeys": 1})] {
        assert!(JwksCache::new(JwksSource::Static(jwks.to_string())).is_err(), "{jwks}");
    }
}
