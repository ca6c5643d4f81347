//! What Cognito's threat protection learns about the person behind a call.
//!
//! A server-side API reaches Cognito from its own address, so without this Cognito sees the
//! Lambda, not the person: with threat protection on, its risk decisions and its auth-event log
//! would see one address for everyone. Every call that takes it therefore carries the caller's:
//!
//! - public calls (`InitiateAuth`, `RespondToAuthChallenge`, `SignUp`, `ConfirmSignUp`,
//!   `ResendConfirmationCode`, `ForgotPassword`, `ConfirmForgotPassword`) as `UserContextData
//!   {IpAddress, EncodedData}`; Cognito honours the address only when the app client has
//!   `EnablePropagateAdditionalUserContextData`
//!   (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserContextDataType.html>);
//! - the admin flow's calls (`AdminInitiateAuth`, `AdminRespondToAuthChallenge`) as `ContextData
//!   {IpAddress, ServerName, ServerPath, HttpHeaders, EncodedData}`
//!   (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ContextDataType.html>).
//!
//! `EncodedData` is the device fingerprint Cognito's context-data collection script computes in
//! the browser
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-adaptive-authentication.html#user-pool-settings-adaptive-authentication-device-fingerprint>);
//! the API passes it through, unread.

/// The caller of one request, as Cognito's `UserContextData` / `ContextData` carry it. Built at
/// the Lambda edge from API Gateway's `requestContext` (never from `X-Forwarded-For`, which the
/// client writes); [`ContextData::default`] is "unknown" and sends nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ContextData {
    /// The caller's address (`requestContext.identity.sourceIp`); `None` when the request did
    /// not come through API Gateway.
    pub ip_address: Option<String>,
    /// The API's host name (`requestContext.domainName`): `ContextData.ServerName`.
    pub server_name: String,
    /// The path the caller called (`requestContext.path`): `ContextData.ServerPath`.
    pub server_path: String,
    /// The request headers Cognito may weigh (`ContextData.HttpHeaders`), in the order the
    /// request carried them: only those named in [`CONTEXT_HEADERS`], so no credential or cookie
    /// leaves the API.
    pub http_headers: Vec<(String, String)>,
    /// The device fingerprint from the browser (`EncodedData`), at most
    /// [`ENCODED_DATA_MAX_CHARS`] characters.
    pub encoded_data: Option<String>,
}

/// The request headers sent to Cognito in `ContextData.HttpHeaders`: what describes the device
/// and nothing that authenticates (no `Authorization`, `Cookie`) or that the client may forge to
/// pass for someone else (`X-Forwarded-For`).
pub const CONTEXT_HEADERS: [&str; 5] = ["host", "user-agent", "accept-language", "accept", "origin"];

/// The longest `EncodedData` the API passes on, in characters. Cognito takes up to 131072, but
/// API Gateway refuses requests whose headers pass 10240 bytes in all, so nothing longer can
/// arrive through it; the script's output is a few kilobytes.
pub const ENCODED_DATA_MAX_CHARS: usize = 8192;

impl ContextData {
    /// Whether there is anything to send as `UserContextData`.
    pub fn is_empty(&self) -> bool {
        self.ip_address.is_none() && self.encoded_data.is_none()
    }
}

/// Shows the API's side (server name, path) and what is present, not the caller's: the
/// address, the header values and the fingerprint are personal data and stay out of logs.
impl std::fmt::Debug for ContextData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextData")
            .field("ip_address", &self.ip_address.as_ref().map(|_| "<set>"))
            .field("server_name", &self.server_name)
            .field("server_path", &self.server_path)
            .field("http_headers", &self.http_headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("encoded_data", &self.encoded_data.as_ref().map(|data| data.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_keeps_the_callers_address_headers_and_fingerprint_out() {
        let context = ContextData {
            ip_address: Some("203.0.113.9".into()),
            http_headers: vec![("user-agent".into(), "PRIVATE-agent".into())],
            encoded_data: Some("PRIVATE-fingerprint".into()),
            ..ContextData::default()
        };
        let shown = format!("{context:?}");
        assert!(!shown.contains("PRIVATE"), "{shown}");
        assert!(!shown.contains("203.0.113.9") && shown.contains("user-agent"), "{shown}");
    }
}
