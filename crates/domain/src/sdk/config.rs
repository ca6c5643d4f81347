//! SDK configuration, built once at init: the region, where credentials come from, timeouts,
//! and an HTTPS client that trusts only the roots AWS endpoints chain to — no provider chain
//! that probes the network or reads files at cold start.

use api_types::Secret;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig, timeout::TimeoutConfig};

/// Where the SDK gets AWS credentials from.
#[derive(Clone)]
pub enum CredentialSource {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, as Lambda sets them.
    /// Nothing else is tried: no profile files, no instance metadata.
    Environment,
    /// Fixed keys (the local emulator's dummy credentials).
    Static {
        /// Access key id.
        access_key_id: String,
        /// Secret access key.
        secret_access_key: Secret,
    },
    /// No credentials: requests go out unsigned. Enough for the user-pool client APIs
    /// (`InitiateAuth`, `RespondToAuthChallenge`, `GlobalSignOut`, `RevokeToken`, ...) that
    /// Cognito authorises with the client id, a token or a session; the admin APIs fail. Used by
    /// the CLI against a deployed pool when no AWS keys are in the environment, so it never falls
    /// back to a provider chain that probes instance metadata.
    None,
}

/// Builds the SDK configuration once, at init, with no provider chain that could probe the
/// network: the region is given, credentials come from `credentials`, and the endpoint is
/// `endpoint_url` when given (otherwise the SDK's own `AWS_ENDPOINT_URL[_<SERVICE>]`).
pub async fn sdk_config(region: &str, credentials: CredentialSource, endpoint_url: Option<&str>) -> SdkConfig {
    // Each call is bounded at 5 s; the handlers' 12 s deadline (under the 15 s Lambda timeout)
    // bounds the request. Flows make one or two calls in a row; the admin routes that make more
    // check everything they can first and run independent calls concurrently.
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(5))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .timeout_config(timeouts);
    loader = match credentials {
        CredentialSource::Environment => {
            loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new())
        }
        CredentialSource::Static { access_key_id, secret_access_key } => loader.credentials_provider(
            aws_credential_types::Credentials::from_keys(access_key_id, secret_access_key.into_exposed(), None),
        ),
        CredentialSource::None => loader.no_credentials(),
    };
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(client) = https_client() {
        loader = loader.http_client(client);
    }
    loader.load().await
}

/// The root certificates AWS service endpoints chain to (Amazon Trust Services: Amazon Root CA
/// 1-4, and Starfield Services Root G2 that cross-signs them), taken from the Mozilla set compiled
/// into the binary. The SDK only talks to AWS endpoints, so trusting these alone is AWS's own
/// advice for pinning, and cheap: rustls parses the trust store each time a client is built and
/// again at the first connection, ~1.2 ms each with Mozilla's 146 roots.
fn aws_roots() -> impl Iterator<Item = &'static [u8]> {
    // memmem: a naive window-by-window search over the 146 certificates took ~0.8 ms.
    let issuers = [
        memchr::memmem::Finder::new(b"Amazon Root CA "),
        memchr::memmem::Finder::new(b"Starfield Services Root Certificate Authority - G2"),
    ];
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|cert| cert.as_ref())
        .filter(move |der| issuers.iter().any(|name| name.find(der).is_some()))
}

/// The SDK's HTTPS client (rustls on aws-lc) trusting [`aws_roots`] only. The SDK's default client
/// reads the system's certificate bundle and every file of `/etc/ssl/certs` at cold start (~300
/// files here) and parses them all. `None` (the default client) only if the TLS context cannot be
/// built, which a fixed set of valid roots does not cause.
fn https_client() -> Option<aws_sdk_cognitoidentityprovider::config::SharedHttpClient> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let mut trust = TrustStore::empty().with_native_roots(false);
    for cert in aws_roots() {
        trust.add_pem_certificate(pem(cert));
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .inspect_err(|err| tracing::warn!(error = %err, "compiled-in TLS roots refused; using the system's"))
        .ok()?;
    Some(
        aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build_https(),
    )
}

/// One DER certificate as PEM, the only form the SDK's trust store takes.
fn pem(der: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = Vec::with_capacity(body.len() + body.len() / 64 + 64);
    out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::{CertificateDer, pem::PemObject};

    use super::*;

    #[test]
    fn the_sdk_trusts_the_five_amazon_trust_services_roots() {
        // The SDK panics on a PEM it cannot parse when it first connects: check every one here.
        let roots: Vec<&[u8]> = aws_roots().collect();
        assert_eq!(roots.len(), 5, "Amazon Root CA 1-4 and Starfield Services Root G2");
        for der in roots {
            let parsed: Vec<_> =
                CertificateDer::pem_slice_iter(&pem(der)).collect::<Result<_, _>>().expect("PEM parses");
            assert_eq!(parsed, vec![CertificateDer::from(der.to_vec())]);
        }
    }

    #[test]
    fn the_sdk_gets_our_https_client() {
        assert!(https_client().is_some());
    }
}
