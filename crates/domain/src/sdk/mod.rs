//! The adapters over the AWS SDK, and its configuration. SDK errors are turned into
//! [`CognitoError`] here and nowhere else, so no SDK type leaks upward.
//!
//! - [`config`]: SDK configuration without slow or network-probing provider chains;
//! - [`user_pool`]: [`SdkUserPool`], the user-pool ports ([`crate::user_pool`]) over `cognito-idp`;
//! - [`identity_pool`]: [`SdkIdentityPool`], the identity-pool port ([`crate::identity_pool`])
//!   over `cognito-identity`.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};

use crate::user_pool::{CognitoError, CognitoErrorKind};

pub mod config;
pub mod document;
pub mod identity_pool;
pub mod user_pool;

pub use config::{CredentialSource, sdk_config};
pub use identity_pool::SdkIdentityPool;
pub use user_pool::SdkUserPool;

pub(crate) fn unexpected(what: &str) -> CognitoError {
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
    use aws_sdk_cognitoidentityprovider::{Client, types::AuthFlowType};

    use super::*;

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
}
