//! The one error body every route answers with:
//! `{"error": {"code": "<PascalCase>", "message": "<text>", "field"?: "<name>"}}`, and the one
//! writer of an error response ([`ApiError::to_response`]) that the functions, the local gateway
//! and the tower layer share.

use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

/// The `code` of an error body. Each maps to exactly one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorCode {
    /// The request body or a parameter is malformed (400).
    BadRequest,
    /// The body is over [`crate::MAX_BODY_BYTES`] (413).
    PayloadTooLarge,
    /// Wrong credentials or unknown user, deliberately indistinguishable (401).
    NotAuthorized,
    /// No valid token was presented (401).
    Unauthorized,
    /// The token is valid, but the sign-in behind it is too weak or too old for this route: step
    /// up or sign in again (401, `WWW-Authenticate: Bearer error="insufficient_user_authentication"`
    /// with the `acr_values` and `max_age` the route asks for, RFC 9470 section 3).
    InsufficientUserAuthentication,
    /// A valid caller without the right group (403).
    Forbidden,
    /// The password does not meet the pool's policy (400).
    InvalidPassword,
    /// Cognito rejected a parameter (400).
    InvalidParameter,
    /// A confirmation or MFA code is wrong or expired (400).
    InvalidCode,
    /// The username is taken (409).
    UsernameExists,
    /// The user does not exist (404, admin routes only).
    UserNotFound,
    /// The account is not confirmed yet (403).
    UserNotConfirmed,
    /// The user must reset their password first (403).
    PasswordResetRequired,
    /// The request conflicts with the current state (409).
    Conflict,
    /// No route matches the path (404).
    NotFound,
    /// Throttled by Cognito's request-rate limits (429, with `Retry-After`: a short back-off helps).
    TooManyRequests,
    /// Too many failed sign-in attempts: Cognito refuses this username's password for a while
    /// (429, no `Retry-After`; see the domain's error table for why).
    PasswordAttemptsExceeded,
    /// The account's limit on codes (confirmation, forgot-password) or attempts was reached;
    /// Cognito lifts it within about an hour (429, no `Retry-After`).
    LimitExceeded,
    /// Too many failed attempts at an action, such as entering a code (429, no `Retry-After`).
    TooManyFailedAttempts,
    /// A rule of the user pool (a Cognito Lambda trigger) refused the request; the message is the
    /// rule's own text (400).
    Refused,
    /// Cognito failed or answered unexpectedly (502). Details only in logs.
    UpstreamError,
    /// A bug on our side (500). Details only in logs.
    InternalError,
}

impl ErrorCode {
    /// The HTTP status this code is always answered with.
    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidPassword | InvalidParameter | InvalidCode | Refused => StatusCode::BAD_REQUEST,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            NotAuthorized | Unauthorized | InsufficientUserAuthentication => StatusCode::UNAUTHORIZED,
            Forbidden | UserNotConfirmed | PasswordResetRequired => StatusCode::FORBIDDEN,
            UsernameExists | Conflict => StatusCode::CONFLICT,
            UserNotFound | NotFound => StatusCode::NOT_FOUND,
            TooManyRequests | PasswordAttemptsExceeded | LimitExceeded | TooManyFailedAttempts => {
                StatusCode::TOO_MANY_REQUESTS
            }
            UpstreamError => StatusCode::BAD_GATEWAY,
            InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error as the client sees it. Build 5xx errors with [`ApiError::upstream`] or
/// [`ApiError::internal`]: their message is fixed, so no internal detail can reach a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What went wrong, machine-readable.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
    /// The one input field at fault, when there is one.
    pub field: Option<String>,
    /// Seconds to wait before retrying (sent as `Retry-After` with 429).
    pub retry_after: Option<u32>,
    /// With [`ErrorCode::InsufficientUserAuthentication`]: the authentication levels that would
    /// do, space-separated, the highest first (`acr_values` of the `WWW-Authenticate` challenge,
    /// RFC 9470 section 3; `acrValues` in the body).
    pub acr_values: Option<String>,
    /// With [`ErrorCode::InsufficientUserAuthentication`]: how recent, in seconds, the sign-in
    /// must be (`max_age` of the `WWW-Authenticate` challenge, RFC 9470 section 3; `maxAge` in
    /// the body).
    pub max_age: Option<u32>,
    /// What went wrong behind the answer, for the logs only: never in the body, nor in
    /// `Display`. The one place that writes responses logs it, once.
    /// Boxed: most errors have none, and every `Result` carrying an `ApiError` stays small.
    pub cause: Option<Box<Cause>>,
}

/// The detail behind an error answer (a 5xx's, typically), kept for the logs. Holds what the
/// upstream service said (an error code and its message), never a request's secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The upstream error code (`InternalErrorException`, `Unreachable`, ...).
    pub code: String,
    /// Its message.
    pub message: String,
}

impl ApiError {
    /// An error with a code and a client-facing message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
            acr_values: None,
            max_age: None,
            cause: None,
        }
    }

    /// Keeps `code` and `message` as the [`Cause`] to log; the client never sees them.
    pub fn with_cause(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        self.cause = Some(Box::new(Cause { code: code.into(), message: message.into() }));
        self
    }

    /// The 401 of a route that needs a sign-in at one of the levels `acr_values` (`acr` names,
    /// space-separated, the highest first) and no older than `max_age` seconds, whichever of the
    /// two it asks for: RFC 9470's `insufficient_user_authentication` challenge, with the same in
    /// the body.
    pub fn insufficient_user_authentication(acr_values: Option<String>, max_age: Option<u32>) -> Self {
        let levels = acr_values.as_deref().map(|values| values.split(' ').collect::<Vec<_>>().join(" or "));
        let within = max_age.map(|max_age| max_age.div_ceil(60));
        let message = match (&levels, within) {
            (Some(levels), Some(minutes)) => format!(
                "This needs a sign-in at level {levels} within the last {minutes} minutes: step up with \
                 another factor, or sign in again."
            ),
            (Some(levels), None) => format!("This needs a sign-in at level {levels}: step up with another factor."),
            (None, Some(minutes)) => format!("This needs a sign-in within the last {minutes} minutes: sign in again."),
            (None, None) => "This needs a stronger sign-in: sign in again.".to_string(),
        };
        Self { acr_values, max_age, ..Self::new(ErrorCode::InsufficientUserAuthentication, message) }
    }

    /// Asks the client to wait `secs` seconds before retrying (`Retry-After`).
    pub fn with_retry_after(mut self, secs: u32) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// A 400 naming the field at fault.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message).with_field(field)
    }

    /// Names the input field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The generic 502 for any Cognito failure that is not the client's fault.
    pub fn upstream() -> Self {
        Self::new(ErrorCode::UpstreamError, "The identity service could not complete the request.")
    }

    /// The generic 500 for our own bugs.
    pub fn internal() -> Self {
        Self::new(ErrorCode::InternalError, "Internal error.")
    }

    /// The 401 answered for a missing, malformed, expired or foreign token.
    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "A valid bearer token is required.")
    }

    /// The 403 answered for a valid caller without the right group.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "You are not allowed to call this route.")
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// The JSON error body.
    pub fn body(&self) -> serde_json::Value {
        let mut error = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(field) = &self.field {
            error["field"] = serde_json::Value::String(field.clone());
        }
        if let Some(acr_values) = &self.acr_values {
            error["acrValues"] = serde_json::Value::String(acr_values.clone());
        }
        if let Some(max_age) = self.max_age {
            error["maxAge"] = serde_json::Value::from(max_age);
        }
        serde_json::json!({ "error": error })
    }

    /// The error response, as every part of the API writes it: the status, `Content-Type:
    /// application/json`, `Retry-After` when the error asks for it, `WWW-Authenticate: Bearer` on
    /// a 401 (RFC 6750), and the JSON [`body`](Self::body). The writer adds only what is its own
    /// (a request id, CORS headers). Pure: logging the [`Cause`] is the writer's job, done once.
    pub fn to_response(&self) -> Response<String> {
        let mut response = Response::new(self.body().to_string());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status() == StatusCode::UNAUTHORIZED {
            let challenge = match self.code {
                ErrorCode::InsufficientUserAuthentication => {
                    HeaderValue::from_str(&self.step_up_challenge()).unwrap_or(HeaderValue::from_static("Bearer"))
                }
                _ => HeaderValue::from_static("Bearer"),
            };
            headers.insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

impl ApiError {
    /// RFC 9470 section 3's challenge: `Bearer error="insufficient_user_authentication"`, a
    /// description, and the `acr_values` and `max_age` asked for, quoted (the level names hold
    /// no `"` or `\\`: `AcrLevelConfigType.AcrValue`'s pattern).
    fn step_up_challenge(&self) -> String {
        let description = match (&self.acr_values, self.max_age) {
            (Some(_), Some(_)) => "A stronger and more recent sign-in is required",
            (Some(_), None) => "A different authentication level is required",
            (None, _) => "A more recent sign-in is required",
        };
        let mut challenge =
            format!("Bearer error=\"insufficient_user_authentication\", error_description=\"{description}\"");
        if let Some(acr_values) = &self.acr_values {
            challenge.push_str(&format!(", acr_values=\"{acr_values}\""));
        }
        if let Some(max_age) = self.max_age {
            challenge.push_str(&format!(", max_age=\"{max_age}\""));
        }
        challenge
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_code_message_and_field() {
        let body = ApiError::bad_field("username", "username is required").body();
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "BadRequest", "message": "username is required", "field": "username"}})
        );
    }

    #[test]
    fn the_cause_is_neither_in_the_body_nor_in_display() {
        let err = ApiError::upstream().with_cause("InternalErrorException", "secret-ish detail");
        assert!(!err.body().to_string().contains("detail"));
        assert!(!err.to_string().contains("detail"));
        assert_eq!(err.cause.map(|c| c.code).as_deref(), Some("InternalErrorException"));
    }

    #[test]
    fn server_errors_have_generic_messages() {
        assert_eq!(ApiError::upstream().status(), StatusCode::BAD_GATEWAY);
        assert!(!ApiError::upstream().message.contains("Exception"));
        assert_eq!(ApiError::internal().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn the_response_carries_status_content_type_and_body() {
        let err = ApiError::bad_field("username", "username is required");
        let response = err.to_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.headers().len(), 1);
        assert_eq!(response.body(), &err.body().to_string());
    }

    #[test]
    fn a_401_asks_for_a_bearer_token_and_a_429_says_when_to_retry_only_when_asked() {
        let unauthorized = ApiError::unauthorized().to_response();
        assert_eq!(unauthorized.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert!(!ApiError::forbidden().to_response().headers().contains_key(header::WWW_AUTHENTICATE));
        let throttled = ApiError::new(ErrorCode::TooManyRequests, "slow down").with_retry_after(3).to_response();
        assert_eq!(throttled.headers()[header::RETRY_AFTER], "3");
        let locked = ApiError::new(ErrorCode::PasswordAttemptsExceeded, "wait").to_response();
        assert!(!locked.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn a_sign_in_too_old_is_rfc_9470s_challenge_with_the_max_age() {
        let answer = ApiError::insufficient_user_authentication(None, Some(300));
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
        let response = answer.to_response();
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"insufficient_user_authentication\", \
             error_description=\"A more recent sign-in is required\", max_age=\"300\""
        );
        assert!(response.body().contains("InsufficientUserAuthentication") && response.body().contains("5 minutes"));
    }

    #[test]
    fn a_sign_in_too_weak_is_rfc_9470s_challenge_with_the_acr_values_and_the_body_names_the_same() {
        // GIVEN a route that needs level 3 or 4 within 15 minutes
        let answer =
            ApiError::insufficient_user_authentication(Some("urn:cognito:loa:4 urn:cognito:loa:3".into()), Some(900));
        let response = answer.to_response();
        // THEN the challenge carries both auth-params (RFC 9470 section 3, figure 2 and "MAY both occur")
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"insufficient_user_authentication\", \
             error_description=\"A stronger and more recent sign-in is required\", \
             acr_values=\"urn:cognito:loa:4 urn:cognito:loa:3\", max_age=\"900\""
        );
        // AND the body names the same, in the API's words
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["error"]["code"], "InsufficientUserAuthentication");
        assert_eq!(body["error"]["acrValues"], "urn:cognito:loa:4 urn:cognito:loa:3");
        assert_eq!(body["error"]["maxAge"], 900);
        assert_eq!(
            body["error"]["message"],
            "This needs a sign-in at level urn:cognito:loa:4 or urn:cognito:loa:3 within the last 15 minutes: \
             step up with another factor, or sign in again."
        );
        // AND a level alone is asked for without max_age
        let level = ApiError::insufficient_user_authentication(Some("urn:cognito:loa:4".into()), None).to_response();
        assert_eq!(
            level.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"insufficient_user_authentication\", \
             error_description=\"A different authentication level is required\", acr_values=\"urn:cognito:loa:4\""
        );
    }
}
