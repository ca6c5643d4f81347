//! The [`UserPool`] port over the AWS SDK, and SDK configuration.
//!
//! SDK errors are turned into [`CognitoError`] here and nowhere else, so no SDK type leaks upward.

use std::time::Duration;

use api_types::Secret;
use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig, timeout::TimeoutConfig};
use aws_sdk_cognitoidentityprovider::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    primitives::{DateTime, DateTimeFormat},
    types::{
        AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType, CodeDeliveryDetailsType,
        DeliveryMediumType, MessageActionType, SoftwareTokenMfaSettingsType, UserType, VerifySoftwareTokenResponseType,
    },
};

use crate::{
    CognitoConfig,
    user_pool::{
        AdminAction, AuthFlow, AuthParameters, AuthResult, ChallengeApi, CodeDeliveryDetails, CognitoError,
        CognitoErrorKind, IssuedTokens, MembershipChange, NewUser, PasswordPermanence, PoolUser, SignedUp, TokenOwner,
        UserPool,
    },
};

/// Where the SDK gets AWS credentials from.
#[derive(Debug, Clone)]
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

/// The user pool through the AWS SDK.
#[derive(Clone, Debug)]
pub struct SdkUserPool {
    client: Client,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<crate::ClientSecret>,
}

impl SdkUserPool {
    /// An adapter for the pool and app client of `config`.
    pub fn new(sdk: &SdkConfig, config: &CognitoConfig) -> Self {
        Self {
            client: Client::new(sdk),
            user_pool_id: config.user_pool_id.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        }
    }
}

#[async_trait]
impl UserPool for SdkUserPool {
    async fn initiate_auth(&self, flow: AuthFlow, parameters: AuthParameters) -> Result<AuthResult, CognitoError> {
        let parameters = Some(parameters.into_iter().collect());
        let (result, challenge, session, challenge_parameters) = if flow == AuthFlow::AdminUserPassword {
            let out = self
                .client
                .admin_initiate_auth()
                .user_pool_id(&self.user_pool_id)
                .client_id(&self.client_id)
                .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                .set_auth_parameters(parameters)
                .send()
                .await
                .map_err(classify)?;
            (out.authentication_result, out.challenge_name, out.session, out.challenge_parameters)
        } else {
            let flow = match flow {
                AuthFlow::UserPassword => AuthFlowType::UserPasswordAuth,
                AuthFlow::UserSrp => AuthFlowType::UserSrpAuth,
                _ => AuthFlowType::RefreshTokenAuth,
            };
            let out = self
                .client
                .initiate_auth()
                .client_id(&self.client_id)
                .auth_flow(flow)
                .set_auth_parameters(parameters)
                .send()
                .await
                .map_err(classify)?;
            (out.authentication_result, out.challenge_name, out.session, out.challenge_parameters)
        };
        auth_result(result, challenge, session, challenge_parameters)
    }

    async fn respond_to_challenge(
        &self,
        api: ChallengeApi,
        challenge: &str,
        session: Option<&str>,
        responses: AuthParameters,
    ) -> Result<AuthResult, CognitoError> {
        let name = ChallengeNameType::from(challenge);
        let responses = Some(responses.into_iter().collect());
        if api == ChallengeApi::Admin {
            let out = self
                .client
                .admin_respond_to_auth_challenge()
                .user_pool_id(&self.user_pool_id)
                .client_id(&self.client_id)
                .challenge_name(name)
                .set_session(session.map(str::to_string))
                .set_challenge_responses(responses)
                .send()
                .await
                .map_err(classify)?;
            auth_result(out.authentication_result, out.challenge_name, out.session, out.challenge_parameters)
        } else {
            let out = self
                .client
                .respond_to_auth_challenge()
                .client_id(&self.client_id)
                .challenge_name(name)
                .set_session(session.map(str::to_string))
                .set_challenge_responses(responses)
                .send()
                .await
                .map_err(classify)?;
            auth_result(out.authentication_result, out.challenge_name, out.session, out.challenge_parameters)
        }
    }

    async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError> {
        self.client.global_sign_out().access_token(access_token).send().await.map_err(classify)?;
        Ok(())
    }

    async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError> {
        self.client
            .revoke_token()
            .client_id(&self.client_id)
            .set_client_secret(self.client_secret.as_ref().map(|s| s.expose().to_string()))
            .token(refresh_token)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[(String, String)],
        secret_hash: Option<String>,
    ) -> Result<SignedUp, CognitoError> {
        let attributes = self::attributes(attributes)?;
        let out = self
            .client
            .sign_up()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .password(password)
            .set_user_attributes(Some(attributes))
            .send()
            .await
            .map_err(classify)?;
        Ok(SignedUp {
            user_confirmed: out.user_confirmed,
            user_sub: out.user_sub,
            code_delivery: out.code_delivery_details.map(delivery),
        })
    }

    async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
        secret_hash: Option<String>,
    ) -> Result<(), CognitoError> {
        self.client
            .confirm_sign_up()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .confirmation_code(code)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn resend_confirmation_code(
        &self,
        username: &str,
        secret_hash: Option<String>,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let out = self
            .client
            .resend_confirmation_code()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.code_delivery_details.map(delivery))
    }

    async fn associate_software_token(&self, owner: TokenOwner<'_>) -> Result<(String, Option<String>), CognitoError> {
        let (token, session) = split_owner(owner);
        let out = self
            .client
            .associate_software_token()
            .set_access_token(token)
            .set_session(session)
            .send()
            .await
            .map_err(classify)?;
        Ok((out.secret_code.ok_or_else(|| unexpected("no secret code"))?, out.session))
    }

    async fn verify_software_token(
        &self,
        owner: TokenOwner<'_>,
        code: &str,
        device_name: Option<&str>,
    ) -> Result<(bool, Option<String>), CognitoError> {
        let (token, session) = split_owner(owner);
        let out = self
            .client
            .verify_software_token()
            .set_access_token(token)
            .set_session(session)
            .user_code(code)
            .set_friendly_device_name(device_name.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.status == Some(VerifySoftwareTokenResponseType::Success), out.session))
    }

    async fn change_password(&self, access_token: &str, previous: &str, proposed: &str) -> Result<(), CognitoError> {
        self.client
            .change_password()
            .access_token(access_token)
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn forgot_password(
        &self,
        username: &str,
        secret_hash: Option<String>,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let out = self
            .client
            .forgot_password()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .send()
            .await
            .map_err(classify)?;
        Ok(out.code_delivery_details.map(delivery))
    }

    async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
        secret_hash: Option<String>,
    ) -> Result<(), CognitoError> {
        self.client
            .confirm_forgot_password()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .confirmation_code(code)
            .password(password)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn admin_create_user(&self, user: &NewUser) -> Result<PoolUser, CognitoError> {
        let attributes = attributes(&user.attributes)?;
        let out = self
            .client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(&user.username)
            .set_user_attributes(Some(attributes))
            .set_temporary_password(user.temporary_password.as_ref().map(|p| p.expose().to_string()))
            .set_message_action((!user.send_invite).then_some(MessageActionType::Suppress))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(classify)?;
        out.user.map(pool_user).ok_or_else(|| unexpected("AdminCreateUser returned no user"))
    }

    async fn admin_get_user(&self, username: &str) -> Result<PoolUser, CognitoError> {
        let out = self
            .client
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(classify)?;
        // AdminGetUser answers the fields of a UserType under other names.
        let user = UserType::builder()
            .username(out.username)
            .set_attributes(out.user_attributes)
            .set_user_status(out.user_status)
            .enabled(out.enabled)
            .set_user_create_date(out.user_create_date)
            .set_user_last_modified_date(out.user_last_modified_date)
            .build();
        Ok(pool_user(user))
    }

    async fn list_users(
        &self,
        limit: i32,
        next: Option<&str>,
        filter: Option<&str>,
    ) -> Result<(Vec<PoolUser>, Option<String>), CognitoError> {
        let out = self
            .client
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .limit(limit)
            .set_pagination_token(next.map(str::to_string))
            .set_filter(filter.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.users.unwrap_or_default().into_iter().map(pool_user).collect(), out.pagination_token))
    }

    async fn admin_groups(&self, username: &str) -> Result<Vec<String>, CognitoError> {
        let mut groups = Vec::new();
        let mut next = None;
        loop {
            let out = self
                .client
                .admin_list_groups_for_user()
                .user_pool_id(&self.user_pool_id)
                .username(username)
                .limit(60)
                .set_next_token(next)
                .send()
                .await
                .map_err(classify)?;
            groups.extend(out.groups.unwrap_or_default().into_iter().filter_map(|g| g.group_name));
            next = out.next_token;
            if next.is_none() {
                return Ok(groups);
            }
        }
    }

    async fn admin_user_action(&self, action: AdminAction, username: &str) -> Result<(), CognitoError> {
        let (pool, c) = (&self.user_pool_id, &self.client);
        // The four calls differ only in their error types: classify each.
        match action {
            AdminAction::Delete => {
                c.admin_delete_user().user_pool_id(pool).username(username).send().await.map(drop).map_err(classify)
            }
            AdminAction::Disable => {
                c.admin_disable_user().user_pool_id(pool).username(username).send().await.map(drop).map_err(classify)
            }
            AdminAction::Enable => {
                c.admin_enable_user().user_pool_id(pool).username(username).send().await.map(drop).map_err(classify)
            }
            AdminAction::ResetPassword => c
                .admin_reset_user_password()
                .user_pool_id(pool)
                .username(username)
                .send()
                .await
                .map(drop)
                .map_err(classify),
        }
    }

    async fn admin_group_membership(
        &self,
        username: &str,
        group: &str,
        change: MembershipChange,
    ) -> Result<(), CognitoError> {
        let (pool, c) = (&self.user_pool_id, &self.client);
        if change == MembershipChange::Add {
            c.admin_add_user_to_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await
                .map_err(classify)?;
        } else {
            c.admin_remove_user_from_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn group_exists(&self, group: &str) -> Result<bool, CognitoError> {
        match self.client.get_group().user_pool_id(&self.user_pool_id).group_name(group).send().await.map_err(classify)
        {
            Ok(_) => Ok(true),
            Err(err) if crate::cognito_errors::is_resource_not_found(&err) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn admin_set_password(
        &self,
        username: &str,
        password: &str,
        permanence: PasswordPermanence,
    ) -> Result<(), CognitoError> {
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .password(password)
            .permanent(permanence == PasswordPermanence::Permanent)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn prefer_totp(&self, access_token: &str) -> Result<(), CognitoError> {
        self.client
            .set_user_mfa_preference()
            .access_token(access_token)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build(),
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

fn attributes(pairs: &[(String, String)]) -> Result<Vec<AttributeType>, CognitoError> {
    pairs
        .iter()
        .map(|(name, value)| AttributeType::builder().name(name).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unexpected(&e.to_string()))
}

fn rfc3339(t: &DateTime) -> Option<String> {
    t.fmt(DateTimeFormat::DateTime).ok()
}

fn pool_user(u: UserType) -> PoolUser {
    PoolUser {
        username: u.username.unwrap_or_default(),
        attributes: u
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect(),
        status: u.user_status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        enabled: u.enabled,
        created_at: u.user_create_date.as_ref().and_then(rfc3339),
        updated_at: u.user_last_modified_date.as_ref().and_then(rfc3339),
    }
}

fn split_owner(owner: TokenOwner<'_>) -> (Option<String>, Option<String>) {
    match owner {
        TokenOwner::AccessToken(token) => (Some(token.expose().to_string()), None),
        TokenOwner::Session(session) => (None, Some(session.expose().to_string())),
    }
}

fn delivery(d: CodeDeliveryDetailsType) -> CodeDeliveryDetails {
    CodeDeliveryDetails {
        destination: d.destination.unwrap_or_default(),
        medium: d.delivery_medium.map(|m| m.as_str().to_string()).unwrap_or_default(),
        attribute: d.attribute_name.unwrap_or_default(),
    }
}

/// Tokens when Cognito issued them, else the challenge it asks for.
fn auth_result(
    result: Option<AuthenticationResultType>,
    challenge: Option<ChallengeNameType>,
    session: Option<String>,
    parameters: Option<std::collections::HashMap<String, String>>,
) -> Result<AuthResult, CognitoError> {
    if let Some(result) = result {
        return tokens(result).map(AuthResult::Tokens);
    }
    match challenge {
        Some(name) => Ok(AuthResult::Challenge {
            name: name.as_str().to_string(),
            session: session.unwrap_or_default().into(),
            parameters: parameters.unwrap_or_default().into_iter().collect(),
        }),
        None => Err(unexpected("neither tokens nor a challenge")),
    }
}

fn tokens(result: AuthenticationResultType) -> Result<IssuedTokens, CognitoError> {
    Ok(IssuedTokens {
        id_token: result.id_token.ok_or_else(|| unexpected("no ID token"))?.into(),
        access_token: result.access_token.ok_or_else(|| unexpected("no access token"))?.into(),
        refresh_token: result.refresh_token.map(Secret::from),
        expires_in: result.expires_in,
        token_type: result.token_type.unwrap_or_else(|| "Bearer".to_string()),
    })
}

fn unexpected(what: &str) -> CognitoError {
    CognitoError { kind: CognitoErrorKind::Other, code: "UnexpectedResponse".into(), message: what.into() }
}

/// Turns any SDK error into a [`CognitoError`]: service errors with their code and message (what
/// they mean is [`crate::cognito_errors`]'s business), everything else
/// (timeouts, connection failures, unreadable responses) as [`CognitoErrorKind::Unreachable`],
/// with the chain of causes as its message.
///
/// Not the SDK's `DisplayErrorContext`: it ends with a `Debug` dump of the error, which for a
/// response the SDK could not read holds the raw response, body and all: tokens, a TOTP secret or
/// AWS keys would go into the logs past the SDK's own redaction of those fields.
pub fn classify<E, R>(err: SdkError<E, R>) -> CognitoError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("Unknown").to_string();
            CognitoError {
                kind: CognitoErrorKind::Service,
                message: service.err().message().unwrap_or_default().to_string(),
                code,
            }
        }
        _ => CognitoError { kind: CognitoErrorKind::Unreachable, code: "Unreachable".into(), message: causes(&err) },
    }
}

/// `err` and its sources, as `outer: inner: innermost`: each error's `Display` only.
fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

    #[tokio::test]
    async fn an_unreadable_response_is_classified_without_its_body() {
        // A sign-in answer cut short: the SDK cannot parse it and keeps the raw response.
        let body = r#"{"AuthenticationResult":{"IdToken":"eyJ.secret-id-token","RefreshToken":"secret-refr"#;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut stream, _) = listener.accept().await.expect("accept");
            let mut request = vec![0; 64 * 1024];
            let _ = stream.read(&mut request).await;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        });
        let credentials =
            CredentialSource::Static { access_key_id: "testing".into(), secret_access_key: "testing".into() };
        let client = Client::new(&sdk_config("us-east-1", credentials, Some(&url)).await);
        let err = client
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id("client")
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", "pw")
            .send()
            .await
            .expect_err("the response is unreadable");
        assert!(matches!(err, SdkError::ResponseError(_)), "{err:?}");
        assert!(format!("{err:?}").contains("secret-id-token"), "the SDK's Debug holds the body");
        let classified = classify(err);
        assert_eq!(classified.kind, CognitoErrorKind::Unreachable);
        assert!(!classified.message.contains("secret"), "{}", classified.message);
        assert!(classified.message.starts_with("response error"), "{}", classified.message);
    }

    #[test]
    fn the_sdk_gets_our_https_client() {
        assert!(https_client().is_some());
    }
}
