//! SDK configuration, built once at init: the region, where credentials come from, timeouts,
//! and an HTTPS client that trusts only the roots AWS endpoints chain to — no provider chain
//! that probes the network or reads files at cold start.

use api_types::Secret;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig, timeout::TimeoutConfig};
use aws_smithy_runtime_api::client::{
    connector_metadata::ConnectorMetadata,
    http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector},
    runtime_components::RuntimeComponents,
};

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
/// 1-4, and Starfield Services Root G2 that cross-signs them), as PEM compiled into the binary:
/// the Mozilla set's copies (`webpki-root-certs`; a test keeps the two equal). The SDK only talks
/// to AWS endpoints, so trusting these alone is AWS's own advice for pinning, and cheap: the SDK
/// decodes its trust store's PEM each time it builds a connector, and picking the five out of the
/// Mozilla set at cold start cost more than decoding them.
const AWS_ROOTS_PEM: &str = include_str!("aws-roots.pem");

/// The SDK's HTTPS client (rustls on aws-lc) trusting [`AWS_ROOTS_PEM`] only. The SDK's default
/// client reads the system's certificate bundle and every file of `/etc/ssl/certs` at cold start
/// (~300 files here) and parses them all. `None` (the default client) only if the TLS context
/// cannot be built, which a fixed set of valid roots does not cause.
fn https_client() -> Option<SharedHttpClient> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let mut trust = TrustStore::empty().with_native_roots(false);
    trust.add_pem_certificate(AWS_ROOTS_PEM.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .inspect_err(|err| tracing::warn!(error = %err, "compiled-in TLS roots refused; using the system's"))
        .ok()?;
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https();
    Some(SharedHttpClient::new(ConnectorOnFirstUse(client)))
}

/// The SDK's HTTPS client, less the connector it builds and throws away at client construction.
///
/// `Client::new` has the HTTP client build a connector (TLS configuration and all) only to load
/// the system's certificates early, then drops it; the first request builds the connector it
/// uses, for its timeouts. With the roots compiled in there is nothing to load early, so the
/// first build is pure cost at cold start (~0.1 ms: most of it decoding the roots' PEM). Every
/// request still gets the SDK's own connector, built once per set of timeouts and cached.
#[derive(Debug)]
struct ConnectorOnFirstUse(SharedHttpClient);

impl HttpClient for ConnectorOnFirstUse {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::{CertificateDer, pem::PemObject};

    use super::*;

    /// The Amazon Trust Services roots in the Mozilla set, by their names in the certificate.
    fn mozilla_aws_roots() -> Vec<CertificateDer<'static>> {
        let issuers: [&[u8]; 2] = [b"Amazon Root CA ", b"Starfield Services Root Certificate Authority - G2"];
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter(|cert| issuers.iter().any(|name| cert.as_ref().windows(name.len()).any(|w| w == *name)))
            .cloned()
            .collect()
    }

    #[test]
    fn the_sdk_trusts_the_five_amazon_trust_services_roots_of_the_mozilla_set() {
        // The SDK panics on a PEM it cannot parse when it first connects: parse it here.
        let compiled_in: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(AWS_ROOTS_PEM.as_bytes()).collect::<Result<_, _>>().expect("PEM parses");
        assert_eq!(compiled_in.len(), 5, "Amazon Root CA 1-4 and Starfield Services Root G2");
        assert_eq!(compiled_in, mozilla_aws_roots(), "aws-roots.pem is the Mozilla set's copies, in its order");
    }

    #[test]
    fn the_sdk_gets_our_https_client() {
        assert!(https_client().is_some());
    }
}
