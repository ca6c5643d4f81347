//! The domain's errors as one readable line: the API's code and message, as a frontend would see
//! them (`NotAuthorized: Incorrect username or password.`), through the domain's own mapping.
//!
//! Unlike the API, which keeps Cognito's details for its logs, the CLI shows them for upstream
//! failures: the person at the terminal is the operator, and "cannot reach the endpoint" is what
//! they need to know.

use api_types::ApiError;
use auth_domain::{AuthError, CognitoErrorKind};

/// One line for `err`.
pub fn describe(err: AuthError) -> String {
    match err {
        AuthError::Upstream(source) if source.kind == CognitoErrorKind::Unreachable => {
            format!("UpstreamError: Cognito could not be reached: {}", source.message)
        }
        AuthError::Upstream(source) => format!("UpstreamError: Cognito failed: {}: {}", source.code, source.message),
        other => ApiError::from(other).to_string(),
    }
}

/// A failed sign-in. Cognito answers `NotAuthorized` both for a wrong password and for a missing
/// `SECRET_HASH` (and the API deliberately does not tell them apart), so without a configured
/// client secret the message says where one goes.
pub fn sign_in_failure(err: AuthError, has_secret: bool) -> anyhow::Error {
    let hint = matches!(err, AuthError::InvalidCredentials) && !has_secret;
    let mut text = describe(err);
    if hint {
        text.push_str(
            " (No client secret is configured: if the app client has one, set USER_POOL_CLIENT_SECRET; \
             `aws cognito-idp describe-user-pool-client` shows it.)",
        );
    }
    anyhow::anyhow!(text)
}

/// A failed refresh: `NotAuthorized` there means the refresh token, not a password.
pub fn refresh_failure(err: AuthError) -> anyhow::Error {
    match err {
        AuthError::InvalidCredentials => anyhow::anyhow!(
            "NotAuthorized: the refresh token was refused (revoked by a sign-out, expired, or issued to another \
             app client): run `authctl sign-in`"
        ),
        other => anyhow::anyhow!(describe(other)),
    }
}

#[cfg(test)]
mod tests {
    use auth_domain::CognitoError;

    use super::*;

    fn cognito(kind: CognitoErrorKind, code: &str) -> CognitoError {
        CognitoError { kind, code: code.into(), message: "detail".into() }
    }

    #[test]
    fn a_wrong_password_reads_like_the_apis_error() {
        assert_eq!(describe(AuthError::InvalidCredentials), "NotAuthorized: Incorrect username or password.");
        assert_eq!(describe(AuthError::code_mismatch("code")), "InvalidCode: The code is wrong or has expired.");
    }

    #[test]
    fn upstream_failures_show_cognitos_details() {
        let unreachable = describe(AuthError::Upstream(cognito(CognitoErrorKind::Unreachable, "Unreachable")));
        assert_eq!(unreachable, "UpstreamError: Cognito could not be reached: detail");
        let failed = describe(AuthError::Upstream(cognito(CognitoErrorKind::Other, "InternalErrorException")));
        assert_eq!(failed, "UpstreamError: Cognito failed: InternalErrorException: detail");
    }

    #[test]
    fn a_refused_sign_in_without_a_secret_mentions_the_secret() {
        assert!(sign_in_failure(AuthError::InvalidCredentials, false).to_string().contains("USER_POOL_CLIENT_SECRET"));
        assert!(!sign_in_failure(AuthError::InvalidCredentials, true).to_string().contains("SECRET"));
    }

    #[test]
    fn a_refused_refresh_says_to_sign_in_again() {
        let text = refresh_failure(AuthError::InvalidCredentials).to_string();
        assert!(text.starts_with("NotAuthorized:") && text.contains("authctl sign-in"), "{text}");
    }
}
