//! The verifier against tokens we sign ourselves, with JWKS endpoints served on loopback: one
//! named test per rule and per attack.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use cognito_verifier::{
    FetchTimeouts, JwksCache, JwksSource, TokenUse, UserPoolKeys, Verifier, VerifierConfig, VerifyError,
    jwks::{FETCH_TIMEOUT, JwksError, MAX_JWKS_BYTES},
    testing::{TestKey as Key, access_token_claims, b64, id_token_claims, now},
    verifier::{DEFAULT_LEEWAY, MAX_TOKEN_BYTES, issuers, jwks_url, pool_region},
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

/// A loopback HTTP server that answers every request with exactly `response` (status line,
/// headers, body: whatever a test needs, chunked or not), counting the requests it answered.
fn raw_server(response: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = answered.clone();
    std::thread::spawn(move || {
        for mut socket in listener.incoming().map_while(Result::ok) {
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = socket.write_all(&response);
        }
    });
    (url, answered)
}

/// The outcome of a fetch that must end by itself: a client that lost its timeouts fails the test
/// here instead of hanging it.
async fn gives_up_on_its_own<T>(fetch: impl Future<Output = T>) -> T {
    tokio::time::timeout(FETCH_TIMEOUT * 3, fetch).await.expect("the JWKS fetch must time out by itself")
}

/// A loopback server that accepts connections and never says a word.
fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    addr
}

/// `body` as a 200 response with a `Content-Length`.
fn with_length(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// `body` as a 200 response in 4 KiB chunks, declaring no length.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
    for chunk in body.chunks(4096) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// A legal JWKS of exactly `size` bytes: `key` published under as many kids (`k-0`, `k-1`, ...)
/// as fit, then whitespace. Returns the text and the number of keys.
fn jwks_of_exactly(key: &Key, size: usize) -> (String, usize) {
    let mut text = String::from(r#"{"keys":["#);
    let mut count = 0;
    loop {
        let jwk = with(key.jwk(), "kid", json!(format!("k-{count}"))).to_string();
        let separator = if count == 0 { "" } else { "," };
        if text.len() + separator.len() + jwk.len() + "]}".len() > size {
            break;
        }
        text.push_str(separator);
        text.push_str(&jwk);
        count += 1;
    }
    text.push_str("]}");
    text.push_str(&" ".repeat(size - text.len()));
    (text, count)
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

#[tokio::test]
async fn claims_name_the_client_and_the_user_of_either_token_type() {
    let key = Key::new("k1");
    // An ID token names its client in `aud` and its user in `cognito:username`.
    let id = with(id_claims(), "cognito:username", json!("ann"));
    let claims = static_verifier(&[&key]).verify(&key.sign(&id)).await.unwrap();
    assert_eq!((claims.client(), claims.internal_username()), (CLIENT, "ann"));
    // An access token names them in `client_id` and `username`.
    let config = VerifierConfig { token_use: TokenUse::Access, ..config() };
    let verifier = Verifier::single(config, POOL, static_jwks(&[&key]));
    let access = with(
        with(
            with(without(without(id_claims(), "aud"), "cognito:username"), "token_use", json!("access")),
            "client_id",
            json!(CLIENT),
        ),
        "username",
        json!("bob"),
    );
    let claims = verifier.verify(&key.sign(&access)).await.unwrap();
    assert_eq!((claims.client(), claims.internal_username()), (CLIENT, "bob"));
    // With neither username claim, the user is the `sub`.
    let claims = verifier.verify(&key.sign(&without(access, "username"))).await.unwrap();
    assert_eq!(claims.internal_username(), "8f1c0d2e-sub");
}

#[tokio::test]
async fn email_verified_may_be_a_boolean_or_the_same_word_as_a_string() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for (value, verified) in
        [(json!(true), true), (json!("true"), true), (json!(false), false), (json!("false"), false)]
    {
        let claims = verifier.verify(&key.sign(&with(id_claims(), "email_verified", value.clone()))).await.unwrap();
        assert_eq!(claims.email_verified, verified, "{value}");
    }
    let claims = verifier.verify(&key.sign(&without(id_claims(), "email_verified"))).await.unwrap();
    assert!(!claims.email_verified, "absent");
    for value in [json!("TRUE"), json!("1"), json!(1)] {
        let token = key.sign(&with(id_claims(), "email_verified", value.clone()));
        assert!(matches!(refused(&verifier, &token).await, VerifyError::Malformed(_)), "{value}");
    }
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
async fn rejects_a_header_with_critical_extensions_even_when_signed_by_a_pool_key() {
    // GIVEN tokens signed with the pool's key whose header lists critical extensions, a known
    // one, an unknown one, and the forms RFC 7515 forbids (empty, not an array)
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    for crit in [json!(["b64"]), json!(["exp"]), json!([]), json!("b64"), json!(null)] {
        let token =
            key.sign_with_header(&json!({"alg": "RS256", "kid": "k1", "crit": crit, "b64": false}), &id_claims());
        // THEN each is refused: no extension is understood here (RFC 7515 section 4.1.11)
        assert_eq!(refused(&verifier, &token).await, VerifyError::CriticalHeader, "{crit}");
    }
    // AND a header naming crit twice is malformed, as any duplicate member
    let claims = b64(id_claims().to_string().as_bytes());
    let header = b64(br#"{"alg":"RS256","kid":"k1","crit":["b64"],"crit":["b64"]}"#);
    let token = format!("{header}.{claims}.{}", b64(&[0; 256]));
    assert!(matches!(refused(&verifier, &token).await, VerifyError::Malformed(_)));
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

/// A valid token of exactly `len` characters: the claims padded, and the header when base64's
/// 4-character steps skip `len`. Lengths are computed unsigned (an RSA-2048 signature is always
/// 342 characters): only the token found is signed.
fn token_of_exactly(key: &Key, len: usize) -> String {
    let parts = |header_pad: usize, claim_pad: usize| {
        let header = json!({"alg": "RS256", "kid": key.kid, "x": "h".repeat(header_pad)});
        (header, with(id_claims(), "padding", json!("x".repeat(claim_pad))))
    };
    let unsigned_len = |(header, claims): &(Value, Value)| {
        b64(header.to_string().as_bytes()).len() + 1 + b64(claims.to_string().as_bytes()).len() + 1 + 342
    };
    let base = unsigned_len(&parts(0, 0));
    let (header, claims) = (0..4)
        .flat_map(|header_pad| (0..16).map(move |step| (header_pad, ((len - base) * 3 / 4).saturating_sub(8) + step)))
        .map(|(header_pad, claim_pad)| parts(header_pad, claim_pad))
        .find(|parts| unsigned_len(parts) == len)
        .expect("some padding gives the length");
    let token = key.sign_with_header(&header, &claims);
    assert_eq!(token.len(), len);
    token
}

#[tokio::test]
async fn accepts_a_token_of_exactly_the_size_limit_and_refuses_one_byte_more() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let largest = token_of_exactly(&key, MAX_TOKEN_BYTES);
    assert!(verifier.verify(&largest).await.is_ok());
    let one_more = token_of_exactly(&key, MAX_TOKEN_BYTES + 1);
    assert_eq!(refused(&verifier, &one_more).await, VerifyError::TooLarge);
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
        ("auth_time", json!("yesterday")),
        ("acr", json!(4)),
        ("amr", json!("pwd")),
        ("amr", json!([1])),
    ] {
        let token = key.sign(&with(id_claims(), claim, value.clone()));
        assert!(matches!(refused(&verifier, &token).await, VerifyError::Malformed(_)), "{claim}: {value}");
    }
}

#[tokio::test]
async fn returns_how_and_when_the_person_signed_in() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let claims = with(with(id_claims(), "acr", json!("urn:cognito:loa:4")), "amr", json!(["pwd", "otp", "mfa"]));
    let verified = verifier.verify(&key.sign(&claims)).await.unwrap();
    assert_eq!(verified.auth_time, claims["auth_time"].as_u64());
    assert_eq!(
        (verified.acr.as_deref(), verified.amr),
        (Some("urn:cognito:loa:4"), vec!["pwd".into(), "otp".into(), "mfa".into()])
    );
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
async fn accepts_nbf_and_iat_at_the_edge_of_the_leeway() {
    let key = Key::new("k1");
    let verifier = static_verifier(&[&key]);
    let edge = now() + DEFAULT_LEEWAY.as_secs();
    for claim in ["nbf", "iat"] {
        let token = key.sign(&with(id_claims(), claim, json!(edge)));
        assert!(verifier.verify(&token).await.is_ok(), "{claim}");
    }
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
async fn either_mode_holds_each_kind_of_token_to_its_own_rules() {
    // GIVEN a verifier that takes ID and access tokens, access tokens needing the user-admin scope
    let key = Key::new("k1");
    let config = VerifierConfig {
        token_use: TokenUse::Either,
        required_scopes: vec!["aws.cognito.signin.user.admin".into()],
        ..VerifierConfig::id_tokens(vec![CLIENT.into()])
    };
    let verifier = Verifier::single(config, POOL, static_jwks(&[&key]));
    let access = access_token_claims(REGION, POOL, CLIENT);

    // THEN each kind passes by its own audience claim, and says which kind it was
    assert_eq!(verifier.verify(&key.sign(&id_claims())).await.map(|c| c.token_use), Ok("id".to_owned()));
    let claims = verifier.verify(&key.sign(&access)).await.unwrap();
    assert_eq!((claims.token_use.as_str(), claims.internal_username()), ("access", "8f1c0d2e-sub"));
    assert_eq!(claims.scope.as_deref(), Some("aws.cognito.signin.user.admin"));
    // AND neither borrows the other's: an ID token's `client_id` is no audience, nor an access
    // token's `aud`; the scope is asked of access tokens only
    let id_by_client_id = with(without(id_claims(), "aud"), "client_id", json!(CLIENT));
    assert_eq!(refused(&verifier, &key.sign(&id_by_client_id)).await, VerifyError::MissingClaim("aud"));
    let access_by_aud = with(without(access.clone(), "client_id"), "aud", json!(CLIENT));
    assert_eq!(refused(&verifier, &key.sign(&access_by_aud)).await, VerifyError::MissingClaim("client_id"));
    let unscoped = with(access, "scope", json!("openid"));
    assert_eq!(refused(&verifier, &key.sign(&unscoped)).await, VerifyError::MissingScope);
    // AND any other `token_use` is refused
    for other in ["refresh", "ID", ""] {
        let token = key.sign(&with(id_claims(), "token_use", json!(other)));
        assert_eq!(refused(&verifier, &token).await, VerifyError::WrongTokenUse, "{other}");
    }
}

#[test]
fn a_pools_issuers_and_jwks_url_are_cognitos_for_its_region() {
    assert_eq!(pool_region("eu-west-1_AbC"), Some("eu-west-1"));
    assert_eq!(pool_region("_AbC"), None);
    assert_eq!(pool_region("AbC"), None);
    assert_eq!(
        issuers("eu-west-1_AbC"),
        [
            "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".to_owned(),
            "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC".to_owned(),
        ]
    );
    assert_eq!(
        jwks_url("eu-west-1_AbC"),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/.well-known/jwks.json"
    );
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
    let loaded = server.cache().load().await;
    assert!(matches!(loaded, Err(JwksError::TooLarge)), "{loaded:?}");
}

#[tokio::test]
async fn a_jwks_of_exactly_the_size_limit_loads_with_or_without_a_content_length() {
    // GIVEN a large but legal JWKS: over a hundred keys, exactly MAX_JWKS_BYTES long
    let key = Key::new("k1");
    let (jwks, count) = jwks_of_exactly(&key, MAX_JWKS_BYTES);
    assert!(count > 100, "{count}");
    for (framing, response) in [("content-length", with_length(jwks.as_bytes())), ("chunked", chunked(jwks.as_bytes()))]
    {
        let (url, _) = raw_server(response);
        let cache = Arc::new(JwksCache::new(JwksSource::Url(url)).unwrap());
        // WHEN it is loaded, THEN every key is there and usable
        let loaded = cache.load().await;
        assert!(matches!(loaded, Ok(n) if n == count), "{framing}: {loaded:?}");
        let verifier = Verifier::single(config(), POOL, cache);
        let last = format!("k-{}", count - 1);
        let token = key.sign_with_header(&json!({"alg": "RS256", "kid": last}), &id_claims());
        assert!(verifier.verify(&token).await.is_ok(), "{framing}");
    }
}

#[tokio::test]
async fn a_jwks_one_byte_over_the_limit_is_refused_with_the_size_error_with_or_without_a_content_length() {
    let key = Key::new("k1");
    let (jwks, _) = jwks_of_exactly(&key, MAX_JWKS_BYTES + 1);
    for (framing, response) in [("content-length", with_length(jwks.as_bytes())), ("chunked", chunked(jwks.as_bytes()))]
    {
        let (url, answered) = raw_server(response);
        let loaded = JwksCache::new(JwksSource::Url(url)).unwrap().load().await;
        assert!(matches!(loaded, Err(JwksError::TooLarge)), "{framing}: {loaded:?}");
        assert_eq!(answered.load(Ordering::SeqCst), 1, "{framing}");
    }
}

#[tokio::test]
async fn a_huge_chunked_jwks_is_refused_with_the_size_error() {
    let key = Key::new("k1");
    let (jwks, _) = jwks_of_exactly(&key, 4 * MAX_JWKS_BYTES);
    let (url, _) = raw_server(chunked(jwks.as_bytes()));
    let loaded = JwksCache::new(JwksSource::Url(url)).unwrap().load().await;
    assert!(matches!(loaded, Err(JwksError::TooLarge)), "{loaded:?}");
}

#[tokio::test]
async fn a_declared_oversized_jwks_is_refused_before_its_body_is_read() {
    // The server announces more than the limit and sends no body at all: refusing on the header
    // alone is the only way to answer TooLarge here.
    let head =
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", MAX_JWKS_BYTES + 1);
    let (url, _) = raw_server(head.into_bytes());
    let loaded = JwksCache::new(JwksSource::Url(url)).unwrap().load().await;
    assert!(matches!(loaded, Err(JwksError::TooLarge)), "{loaded:?}");
}

#[tokio::test]
async fn a_redirecting_jwks_url_is_refused_and_never_followed() {
    // GIVEN a JWKS endpoint that redirects to another server holding keys
    let key = Key::new("k1");
    let target = JwksServer::start(Key::jwks(&[&key])).await;
    for status in [301, 302, 303, 307, 308] {
        let redirect = format!("HTTP/1.1 {status} Redirect\r\nlocation: {}\r\ncontent-length: 0\r\n\r\n", target.url);
        let (url, answered) = raw_server(redirect.into_bytes());
        // WHEN the keys are loaded
        let cache = Arc::new(JwksCache::new(JwksSource::Url(url)).unwrap());
        let loaded = cache.load().await;
        // THEN the redirect is the answer: refused with its status, and its target never asked
        assert!(matches!(loaded, Err(JwksError::Status(s)) if s == status), "{status}: {loaded:?}");
        assert_eq!(answered.load(Ordering::SeqCst), 1, "{status}");
        assert_eq!(target.fetches(), 0, "{status}");
        let verifier = Verifier::single(config(), POOL, cache);
        assert_eq!(refused(&verifier, &key.sign(&id_claims())).await, VerifyError::NoKeys, "{status}");
    }
}

#[tokio::test]
async fn a_jwks_endpoint_that_accepts_and_never_answers_fails_within_the_total_timeout() {
    let addr = silent_server();
    let timeouts = FetchTimeouts { connect: Duration::from_secs(60), total: Duration::from_millis(300) };
    let cache = JwksCache::with_timeouts(JwksSource::Url(format!("http://{addr}/jwks.json")), timeouts).unwrap();
    let started = Instant::now();
    let loaded = gives_up_on_its_own(cache.load()).await;
    assert!(matches!(loaded, Err(JwksError::Timeout)), "{loaded:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_jwks_endpoint_that_never_completes_the_tls_handshake_fails_within_the_connect_timeout() {
    // The TCP connection opens, the TLS handshake never finishes: still connecting.
    let addr = silent_server();
    let timeouts = FetchTimeouts { connect: Duration::from_millis(300), total: Duration::from_secs(60) };
    let cache = JwksCache::with_timeouts(JwksSource::Url(format!("https://{addr}/jwks.json")), timeouts).unwrap();
    let started = Instant::now();
    let loaded = gives_up_on_its_own(cache.load()).await;
    assert!(matches!(loaded, Err(JwksError::Timeout)), "{loaded:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_jwks_fetch_gives_up_after_fetch_timeout_by_default() {
    assert_eq!(FetchTimeouts::default(), FetchTimeouts { connect: FETCH_TIMEOUT, total: FETCH_TIMEOUT });
    let addr = silent_server();
    let cache = JwksCache::new(JwksSource::Url(format!("http://{addr}/jwks.json"))).unwrap();
    let started = Instant::now();
    let loaded = gives_up_on_its_own(cache.load()).await;
    let elapsed = started.elapsed();
    assert!(matches!(loaded, Err(JwksError::Timeout)), "{loaded:?}");
    assert!(elapsed >= FETCH_TIMEOUT && elapsed < FETCH_TIMEOUT + Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn an_unreachable_jwks_endpoint_is_a_fetch_error() {
    let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let loaded = JwksCache::new(JwksSource::Url(format!("http://{addr}/jwks.json"))).unwrap().load().await;
    assert!(matches!(loaded, Err(JwksError::Fetch(_))), "{loaded:?}");
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
async fn jwks_keys_need_a_kid_of_1_to_128_bytes() {
    let key = Key::new("k1");
    for kid in [String::new(), "k".repeat(129)] {
        let jwks = json!({"keys": [with(key.jwk(), "kid", json!(kid))]});
        let refused = JwksCache::new(JwksSource::Static(jwks.to_string()));
        assert!(matches!(refused, Err(JwksError::Invalid(_))), "kid of {} bytes", kid.len());
    }
    let longest = "k".repeat(128);
    let jwks = json!({"keys": [with(key.jwk(), "kid", json!(longest))]});
    let verifier =
        Verifier::single(config(), POOL, Arc::new(JwksCache::new(JwksSource::Static(jwks.to_string())).unwrap()));
    let token = key.sign_with_header(&json!({"alg": "RS256", "kid": longest}), &id_claims());
    assert!(verifier.verify(&token).await.is_ok());
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
