//! The JWKS cache.
//!
//! Keys are parsed once, when the JWKS is loaded, and kept parsed. A token whose `kid` is not in
//! the cache triggers a refetch — Cognito rotates keys by publishing a new one — but at most one
//! per [`PENALTY`]: otherwise anyone could make us fetch the JWKS on every request by sending
//! tokens with made-up `kid`s. Concurrent callers share one fetch in flight. When the endpoint is
//! down, the cached keys keep working; with no keys at all every token is refused.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use serde::Deserialize;

use crate::VerifyError;

/// The shortest time between two JWKS fetches triggered by unknown `kid`s.
pub const PENALTY: Duration = Duration::from_secs(10);
/// How long a JWKS fetch may take by default, both to connect and in all ([`FetchTimeouts`]).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// A JWKS larger than this is refused (Cognito's holds two keys, about 1 KiB).
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// `kid`s longer than this are refused before any lookup.
pub const MAX_KID_BYTES: usize = 128;

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum JwksSource {
    /// Fetched over HTTP(S), and refetched when an unknown `kid` appears.
    Url(String),
    /// Given at deploy time (`JWKS_JSON` / `JWKS_FILE`): never fetched.
    Static(String),
}

/// How long a JWKS fetch may take. A fetch runs while a token waits (at cold start, or for an
/// unknown `kid`), so an endpoint that stops answering must cost a bounded time, never hang the
/// function until Lambda's own timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchTimeouts {
    /// To open the connection, TLS handshake included ([`FETCH_TIMEOUT`] by default).
    pub connect: Duration,
    /// For the whole fetch, from connecting to the last byte of the body ([`FETCH_TIMEOUT`]).
    pub total: Duration,
}

impl Default for FetchTimeouts {
    fn default() -> Self {
        Self { connect: FETCH_TIMEOUT, total: FETCH_TIMEOUT }
    }
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

type KeyMap = HashMap<String, Arc<ParsedPublicKey>>;

/// RSA keys shorter than this are refused (Cognito's are 2048-bit).
const MIN_MODULUS_BYTES: usize = 2048 / 8;

/// Why a JWKS could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The fetch failed: no connection, TLS refused, the connection dropped.
    #[error("JWKS fetch failed: {0}")]
    Fetch(String),
    /// The endpoint did not connect or answer within the [`FetchTimeouts`].
    #[error("JWKS fetch timed out")]
    Timeout,
    /// The endpoint answered with a non-success status. Redirects are not followed: a 3xx is
    /// refused with its status, so the keys come only from the configured URL.
    #[error("JWKS endpoint answered {0}")]
    Status(u16),
    /// The JWKS is larger than [`MAX_JWKS_BYTES`].
    #[error("JWKS larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    /// The JWKS is not a JSON key set, or holds no usable RS256 key.
    #[error("JWKS unusable: {0}")]
    Invalid(String),
}

/// Parses a JWKS, keeping only RSA signing keys for RS256 with a `kid`, each parsed once into a
/// verification key.
pub fn parse_jwks(json: &[u8]) -> Result<HashMap<String, Arc<ParsedPublicKey>>, JwksError> {
    let set: JwkSet = serde_json::from_slice(json).map_err(|e| JwksError::Invalid(e.to_string()))?;
    let mut keys = HashMap::new();
    for jwk in set.keys {
        let usable = jwk.kty == "RSA"
            && jwk.use_.as_deref().is_none_or(|u| u == "sig")
            && jwk.alg.as_deref().is_none_or(|a| a == "RS256");
        let (Some(kid), Some(n), Some(e), true) = (jwk.kid, jwk.n, jwk.e, usable) else { continue };
        if kid.is_empty() || kid.len() > MAX_KID_BYTES {
            continue;
        }
        if let Some(key) = rsa_key(&n, &e) {
            keys.insert(kid, Arc::new(key));
        }
    }
    if keys.is_empty() {
        return Err(JwksError::Invalid("no RS256 signing key".into()));
    }
    Ok(keys)
}

/// The HTTP client for JWKS fetches. TLS trusts the compiled-in Mozilla roots (which include the
/// Amazon roots Cognito's endpoints chain to): loading the system's certificate store instead
/// would read hundreds of files at every cold start (measured: ~3 ms of a 4.5 ms cold start).
fn http_client(timeouts: FetchTimeouts) -> Result<reqwest::Client, JwksError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| JwksError::Fetch(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeouts.total)
        .connect_timeout(timeouts.connect)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| JwksError::Fetch(e.to_string()))
}

fn rsa_key(n: &str, e: &str) -> Option<ParsedPublicKey> {
    let decode = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v.trim_end_matches('=')).ok();
    let strip = |v: Vec<u8>| v.iter().position(|b| *b != 0).map(|i| v[i..].to_vec());
    let (n, e) = (strip(decode(n)?)?, strip(decode(e)?)?);
    if n.len() < MIN_MODULUS_BYTES {
        return None;
    }
    RsaPublicKeyComponents { n, e }.to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256).ok()
}

/// The cached keys of one JWKS.
pub struct JwksCache {
    source: JwksSource,
    /// Built only for a URL source: a static JWKS never pays for an HTTP/TLS client.
    http: Option<reqwest::Client>,
    keys: RwLock<Arc<KeyMap>>,
    penalty: Duration,
    /// Held while a fetch is in flight; records when the last refetch for an unknown `kid`
    /// started (the cold-start load does not count).
    fetch: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

impl JwksCache {
    /// A cache for `source`, with no keys yet: call [`JwksCache::load`] at init. A URL is fetched
    /// with the default [`FetchTimeouts`].
    pub fn new(source: JwksSource) -> Result<Self, JwksError> {
        Self::with_timeouts(source, FetchTimeouts::default())
    }

    /// A cache for `source` whose fetches give up after `timeouts` (a static source is never
    /// fetched). Shorter timeouts fail faster when the endpoint hangs, at the cost of refusing
    /// tokens during a slow spell that longer ones would have waited out.
    pub fn with_timeouts(source: JwksSource, timeouts: FetchTimeouts) -> Result<Self, JwksError> {
        let http = match &source {
            JwksSource::Static(_) => None,
            JwksSource::Url(_) => Some(http_client(timeouts)?),
        };
        let cache = Self { source, http, keys: RwLock::default(), penalty: PENALTY, fetch: Arc::default() };
        if let JwksSource::Static(json) = &cache.source {
            cache.store(parse_jwks(json.as_bytes())?);
        }
        Ok(cache)
    }

    /// Sets the shortest time between two refetches for unknown `kid`s ([`PENALTY`] by default).
    pub fn with_penalty(mut self, penalty: Duration) -> Self {
        self.penalty = penalty;
        self
    }

    /// Loads the keys (at cold start). A failure leaves the cache empty, to be retried when a
    /// token arrives; it is returned so the caller can log it.
    pub async fn load(&self) -> Result<usize, JwksError> {
        let _in_flight = self.fetch.lock().await;
        self.refresh().await
    }

    /// Starts loading the keys in the background and returns at once, so the fetch overlaps the
    /// rest of the cold start. The fetch lock is taken before returning: a token that arrives
    /// meanwhile waits for this fetch instead of starting its own. `done` gets the outcome.
    pub fn load_in_background(
        self: &Arc<Self>,
        done: impl FnOnce(Result<usize, JwksError>) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let in_flight = self.fetch.clone().try_lock_owned();
        let cache = self.clone();
        tokio::spawn(async move {
            let _in_flight = match in_flight {
                Ok(guard) => guard,
                Err(_) => cache.fetch.clone().lock_owned().await,
            };
            done(cache.refresh().await);
        })
    }

    /// The key for `kid`, refetching the JWKS if it is unknown and the penalty box allows.
    pub async fn key(&self, kid: &str) -> Result<Arc<ParsedPublicKey>, VerifyError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        if matches!(self.source, JwksSource::Static(_)) {
            return Err(VerifyError::UnknownKid);
        }
        let mut last = self.fetch.lock().await;
        // Another caller may have fetched while we waited for the lock.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let penalised = last.is_some_and(|at| at.elapsed() < self.penalty);
        if !penalised {
            *last = Some(Instant::now());
            if let Err(err) = self.refresh().await {
                tracing::warn!(error = %err, "JWKS refetch failed");
            }
        }
        self.cached(kid).ok_or_else(|| if self.is_empty() { VerifyError::NoKeys } else { VerifyError::UnknownKid })
    }

    fn cached(&self, kid: &str) -> Option<Arc<ParsedPublicKey>> {
        self.keys.read().ok()?.get(kid).cloned()
    }

    fn is_empty(&self) -> bool {
        self.keys.read().map(|k| k.is_empty()).unwrap_or(true)
    }

    fn store(&self, keys: KeyMap) {
        if let Ok(mut slot) = self.keys.write() {
            *slot = Arc::new(keys);
        }
    }

    /// Fetches and stores the keys; the caller holds the fetch lock.
    async fn refresh(&self) -> Result<usize, JwksError> {
        let (JwksSource::Url(url), Some(http)) = (&self.source, &self.http) else {
            return Ok(self.keys.read().map(|k| k.len()).unwrap_or(0));
        };
        let keys = parse_jwks(&download(http, url).await?)?;
        let count = keys.len();
        self.store(keys);
        Ok(count)
    }
}

fn fetch_error(err: reqwest::Error) -> JwksError {
    if err.is_timeout() { JwksError::Timeout } else { JwksError::Fetch(err.to_string()) }
}

async fn download(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, JwksError> {
    let mut resp = http.get(url).send().await.map_err(fetch_error)?;
    if !resp.status().is_success() {
        return Err(JwksError::Status(resp.status().as_u16()));
    }
    if resp.content_length().is_some_and(|len| len > MAX_JWKS_BYTES as u64) {
        return Err(JwksError::TooLarge);
    }
    let mut body = Vec::new();
    // Checked again as the body arrives: a chunked body declares no length, and a declared one
    // is the server's word.
    while let Some(chunk) = resp.chunk().await.map_err(fetch_error)? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(JwksError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
