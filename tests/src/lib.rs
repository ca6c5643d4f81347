//! The end-to-end harness: a fresh local stack per test (moto on a free loopback port, seeded,
//! and the local gateway), driven over HTTP like a frontend. Dropping a [`TestStack`] — also
//! when a test fails — stops the gateway and kills moto.

use auth_domain::sdk::{CredentialSource, sdk_config};
use local_stack::{LocalStack, StackOptions, seed::DemoUser};
use reqwest::{StatusCode, header::HeaderMap};
use serde_json::{Value, json};

pub use local_stack;

/// A response as a test looks at it.
#[derive(Debug)]
pub struct ApiResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// JSON body (`Null` when empty or not JSON).
    pub body: Value,
}

impl ApiResponse {
    /// The error body's `code`.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The error body's `field`.
    pub fn error_field(&self) -> &str {
        self.body["error"]["field"].as_str().unwrap_or("")
    }
}

/// A running stack and an HTTP client for it.
pub struct TestStack {
    /// The stack.
    pub stack: LocalStack,
    http: reqwest::Client,
}

impl TestStack {
    /// Starts a stack with the test defaults.
    pub async fn start() -> Self {
        Self::start_with(StackOptions::for_tests()).await
    }

    /// Starts a stack with `options`.
    pub async fn start_with(options: StackOptions) -> Self {
        let stack = LocalStack::start(options).await.expect("local stack starts (is the venv set up? `make venv`)");
        Self { stack, http: reqwest::Client::new() }
    }

    /// The same stack, called from `address` (a loopback address other than 127.0.0.1, the
    /// functions' own, so the two can be told apart) with `headers` on every request.
    pub fn calling_from(mut self, address: std::net::IpAddr, headers: &[(&'static str, &str)]) -> Self {
        let mut defaults = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            defaults.insert(*name, value.parse().expect("a header value"));
        }
        self.http = reqwest::Client::builder()
            .local_address(address)
            .default_headers(defaults)
            .build()
            .expect("an HTTP client");
        self
    }

    /// Stops the emulator's clock: from now on it moves only by [`TestStack::advance_clock`], so
    /// no window (session expiry, lockout, refresh-token grace period) can end while the test
    /// runs, however loaded the machine.
    pub async fn stop_clock(&self) {
        self.stack.moto.stop_clock().await.expect("the emulator's clock stops");
    }

    /// Moves the emulator's clock `by` forward, instead of sleeping: the windows it keeps end as
    /// if that much time had passed.
    pub async fn advance_clock(&self, by: std::time::Duration) {
        self.stack.moto.advance_clock(by).await.expect("the emulator's clock moves");
    }

    /// The plain demo user.
    pub fn user(&self) -> &DemoUser {
        &self.stack.pool.user
    }

    /// The demo admin.
    pub fn admin(&self) -> &DemoUser {
        &self.stack.pool.admin
    }

    /// Sends a request; `token` goes into `Authorization: Bearer`.
    pub async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> ApiResponse {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{path}", self.stack.url));
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body.to_string());
        }
        let resp = req.send().await.expect("request reaches the local gateway");
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.bytes().await.expect("body");
        ApiResponse { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    /// Sends a request with `headers` exactly as given (a name given twice is sent twice) and no
    /// body.
    pub async fn send_with_headers(&self, method: &str, path: &str, headers: &[(&str, String)]) -> ApiResponse {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{path}", self.stack.url));
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let resp = req.send().await.expect("request reaches the local gateway");
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.bytes().await.expect("body");
        ApiResponse { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    /// GETs `path` with `Authorization: <value>` exactly as given; returns the status.
    pub async fn http_get_raw(&self, path: &str, authorization: &str) -> StatusCode {
        let req = self.http.get(format!("{}{path}", self.stack.url)).header("authorization", authorization);
        req.send().await.expect("request reaches the local gateway").status()
    }

    /// GETs `path` with `token` as the bearer and one extra header; returns the status.
    pub async fn get_with_header(&self, path: &str, token: &str, name: &str, value: &str) -> StatusCode {
        let req = self
            .http
            .get(format!("{}{path}", self.stack.url))
            .header("authorization", format!("Bearer {token}"))
            .header(name, value);
        req.send().await.expect("request reaches the local gateway").status()
    }

    /// POSTs a JSON body to a public route.
    pub async fn post(&self, path: &str, body: Value) -> ApiResponse {
        self.send("POST", path, None, Some(&body.to_string())).await
    }

    /// GETs a route with a token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> ApiResponse {
        self.send("GET", path, token, None).await
    }

    /// Signs in with USER_PASSWORD_AUTH and returns the response, asserting 200.
    pub async fn sign_in(&self, user: &DemoUser) -> Value {
        let reply = self
            .post(
                "/auth/sign-in",
                json!({"username": user.email, "password": user.password, "flow": "USER_PASSWORD_AUTH"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "sign-in of {}: {:?}", user.email, reply.body);
        reply.body
    }

    /// `POST /auth/sign-in` with `flow` (`None`: the default flow, SRP); the reply as it came.
    pub async fn try_sign_in(&self, username: &str, password: &str, flow: Option<&str>) -> ApiResponse {
        let mut body = json!({"username": username, "password": password});
        if let Some(flow) = flow {
            body["flow"] = json!(flow);
        }
        self.post("/auth/sign-in", body).await
    }

    /// Answers `challenge` (a sign-in's or a challenge answer's reply) with `responses`, through
    /// `POST /auth/challenge`, with the username and session the challenge named.
    pub async fn answer(&self, challenge: &ApiResponse, responses: Value) -> ApiResponse {
        let body = json!({
            "username": text(&challenge.body, "/username"),
            "name": text(&challenge.body, "/challenge/name"),
            "session": text(&challenge.body, "/challenge/session"),
            "responses": responses,
        });
        self.post("/auth/challenge", body).await
    }

    /// The ID token of a fresh sign-in: the bearer of `/me` and `/credentials`.
    pub async fn id_token(&self, user: &DemoUser) -> String {
        self.sign_in(user).await["tokens"]["idToken"].as_str().expect("idToken").to_string()
    }

    /// The access token of a fresh sign-in: the bearer of every other protected route (MFA,
    /// password change, sign-out, and the admin routes).
    pub async fn access_token(&self, user: &DemoUser) -> String {
        self.sign_in(user).await["tokens"]["accessToken"].as_str().expect("accessToken").to_string()
    }

    /// The code last sent to `email` of `kind` (`sign-up`, `reset-password`, `sms-mfa`,
    /// `invitation`), read from the local outbox as the person would read their mail.
    pub fn sent_code(&self, email: &str, kind: &str) -> String {
        self.stack
            .outbox
            .latest_code(email, kind)
            .unwrap_or_else(|| panic!("no {kind} message to {email} in the outbox"))
    }

    /// A person an admin invited with the AWS SDK (not through the API): `email` as the
    /// username and address, `temporary` as the temporary password, no invitation sent, so the
    /// first sign-in asks for a new password.
    pub async fn invited_with_sdk(&self, email: &str, temporary: &str) {
        use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
        let address = AttributeType::builder().name("email").value(email).build().expect("an attribute");
        self.cognito()
            .await
            .admin_create_user()
            .user_pool_id(&self.stack.pool.pool_id)
            .username(email)
            .temporary_password(temporary)
            .user_attributes(address)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .expect("invited with the AWS SDK");
    }

    /// A Cognito client on the emulator, for arranging what the API does not do itself.
    pub async fn cognito(&self) -> aws_sdk_cognitoidentityprovider::Client {
        let credentials = CredentialSource::Static {
            access_key_id: local_stack::DUMMY_ACCESS_KEY.into(),
            secret_access_key: local_stack::DUMMY_SECRET_KEY.into(),
        };
        let sdk = sdk_config(&self.stack.pool.region, credentials, Some(&self.stack.moto.endpoint)).await;
        aws_sdk_cognitoidentityprovider::Client::new(&sdk)
    }
}

/// The string at JSON `pointer` in `body`; panics naming the pointer and the body when absent.
pub fn text<'a>(body: &'a Value, pointer: &str) -> &'a str {
    body.pointer(pointer).and_then(Value::as_str).unwrap_or_else(|| panic!("{pointer} in {body}"))
}

/// Segment `index` of a JWT (0: the header, 1: the claims) as JSON, unverified.
pub fn decode_segment(token: &str, index: usize) -> Value {
    let segment = token.split('.').nth(index).expect("a JWT segment");
    let bytes = data_encoding::BASE64URL_NOPAD.decode(segment.as_bytes()).expect("base64url");
    serde_json::from_slice(&bytes).expect("a JSON segment")
}

/// The current code of an authenticator app holding `secret` (RFC 6238: HMAC-SHA1, 30 s steps,
/// 6 digits), as the person would type it.
pub fn totp_now(secret: &str) -> String {
    totp_at(secret, 0)
}

/// The code of `secret` `steps` 30-second steps from now (negative: in the past).
pub fn totp_at(secret: &str, steps: i64) -> String {
    // Lenient about trailing bits, as authenticator apps are: a secret of 32 random bytes (52
    // base32 characters, as the local stack hands out) ends in 4 spare bits.
    let mut spec = data_encoding::BASE32_NOPAD.specification();
    spec.check_trailing_bits = false;
    let base32 = spec.encoding().expect("a base32 specification");
    let key = base32.decode(secret.trim_end_matches('=').to_ascii_uppercase().as_bytes()).expect("a base32 secret");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let step = (now / 30).checked_add_signed(steps).expect("a step after 1970");
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key);
    let mac = aws_lc_rs::hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[19] & 0x0f);
    let value = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    format!("{:06}", value % 1_000_000)
}

/// A six-digit code that is wrong for `secret`: none of the codes of the steps around now.
pub fn totp_wrong(secret: &str) -> String {
    let near: Vec<String> = (-2..=2).map(|steps| totp_at(secret, steps)).collect();
    ["000000", "111111", "222222", "333333", "444444", "555555"]
        .into_iter()
        .find(|code| !near.iter().any(|n| n == code))
        .expect("five codes cannot hide six")
        .to_string()
}
