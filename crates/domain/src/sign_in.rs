//! The sign-in flows.

use std::sync::Arc;

use api_types::{
    Secret,
    challenge::{ChallengeName, PreferredChallenge},
    wire::{Challenge, SignInFlow, SignInRequest, SignInResponse, Tokens},
};
use base64::Engine;

use crate::input::{
    ACR_VALUES_MAX_CHARS, PASSWORD_MAX_CHARS, TOKEN_MAX_CHARS, check_text, check_username, is_acr_value,
};
use crate::{
    AuthError, CognitoConfig, ContextData,
    cognito_errors::CognitoCall,
    srp::{self, SrpClient},
    token::unverified_claim,
    user_pool::{
        AuthFlow, AuthParameters, AuthResult, ChallengeApi, CognitoError, CognitoErrorKind, IssuedTokens, SignInPort,
    },
};

/// Signs users in against one app client.
#[derive(Clone)]
pub struct SignInService {
    pub(crate) pool: Arc<dyn SignInPort>,
    pub(crate) config: CognitoConfig,
}

/// Sessions of the admin flow come back to clients as `admin.<mac>:<session>`, so their
/// challenges are answered with `AdminRespondToAuthChallenge`. The MAC (HMAC-SHA256 under a key
/// derived from the client secret) stops a client from marking a session itself and so choosing
/// the privileged call. Cognito's sessions never contain `:`.
const ADMIN_SESSION_PREFIX: &str = "admin.";

impl SignInService {
    /// A service for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn SignInPort>, config: CognitoConfig) -> Self {
        Self { pool, config }
    }

    /// Signs in with the requested flow, telling Cognito who `context` says is calling. An
    /// unknown user and a wrong password give the same error ([`AuthError::InvalidCredentials`]).
    pub async fn sign_in(&self, req: &SignInRequest, context: &ContextData) -> Result<SignInResponse, AuthError> {
        check_username("username", &req.username)?;
        let flow = req.flow.unwrap_or_default();
        if flow != SignInFlow::UserAuth {
            let user_auth_only = [
                ("preferredChallenge", req.preferred_challenge.is_some()),
                ("accessToken", req.access_token.is_some()),
                ("acrValues", req.acr_values.is_some()),
                ("maxAge", req.max_age.is_some()),
            ];
            if let Some((field, _)) = user_auth_only.into_iter().find(|(_, given)| *given) {
                return Err(AuthError::bad_input(field, format!("{field} goes with the USER_AUTH flow only.")));
            }
        }
        let flow = match flow {
            SignInFlow::UserPasswordAuth => AuthFlow::UserPassword,
            SignInFlow::AdminUserPasswordAuth => AuthFlow::AdminUserPassword,
            SignInFlow::UserSrpAuth => return self.sign_in_srp(req, context).await,
            SignInFlow::UserAuth => return self.sign_in_by_choice(req, context).await,
        };
        let password = required_password("password", req.password.as_ref())?;
        let mut params = AuthParameters::new();
        params.insert("USERNAME".into(), req.username.clone());
        params.insert("PASSWORD".into(), password.to_owned());
        self.add_secret_hash(&mut params, &req.username);
        let result = self.pool.initiate_auth(flow, params, context).await.map_err(sign_in_error)?;
        let api = if flow == AuthFlow::AdminUserPassword { ChallengeApi::Admin } else { ChallengeApi::Client };
        Ok(self.respond(result, &req.username, api))
    }

    /// `USER_SRP_AUTH`: Cognito gets `A`, answers with a `PASSWORD_VERIFIER` challenge, and gets
    /// back a proof of the password — never the password.
    async fn sign_in_srp(&self, req: &SignInRequest, context: &ContextData) -> Result<SignInResponse, AuthError> {
        let password = required_password("password", req.password.as_ref())?;
        let client = SrpClient::new().map_err(|e| AuthError::Upstream(srp_failure(e)))?;
        let mut params = AuthParameters::new();
        params.insert("USERNAME".into(), req.username.clone());
        params.insert("SRP_A".into(), client.public_a_hex());
        self.add_secret_hash(&mut params, &req.username);
        let challenge = self.pool.initiate_auth(AuthFlow::UserSrp, params, context).await.map_err(sign_in_error)?;
        if !matches!(&challenge, AuthResult::Challenge { .. }) {
            return Err(AuthError::Upstream(unexpected("USER_SRP_AUTH answered without a challenge")));
        }
        self.prove_password(challenge, client, password, &req.username, context).await
    }

    /// `USER_AUTH`: the preferred first factor (a password goes with `PASSWORD` and, as an SRP
    /// proof, with `PASSWORD_SRP`), or the choice of factors Cognito offers this person.
    async fn sign_in_by_choice(&self, req: &SignInRequest, context: &ContextData) -> Result<SignInResponse, AuthError> {
        let mut params = AuthParameters::new();
        params.insert("USERNAME".into(), req.username.clone());
        self.add_secret_hash(&mut params, &req.username);
        add_step_up(&mut params, req)?;
        let mut srp = None;
        match req.preferred_challenge {
            Some(PreferredChallenge::Password) => {
                let password = required_password("password", req.password.as_ref())?;
                params.insert("PASSWORD".into(), password.to_owned());
            }
            Some(PreferredChallenge::PasswordSrp) => {
                let password = required_password("password", req.password.as_ref())?;
                let client = SrpClient::new().map_err(|e| AuthError::Upstream(srp_failure(e)))?;
                params.insert("SRP_A".into(), client.public_a_hex());
                srp = Some((client, password));
            }
            Some(PreferredChallenge::EmailOtp | PreferredChallenge::SmsOtp | PreferredChallenge::WebAuthn) | None
                if req.password.is_some() =>
            {
                return Err(AuthError::bad_input(
                    "password",
                    "password goes with preferredChallenge PASSWORD or PASSWORD_SRP; otherwise answer the \
                     challenge with it.",
                ));
            }
            Some(PreferredChallenge::EmailOtp | PreferredChallenge::SmsOtp | PreferredChallenge::WebAuthn) | None => {}
        }
        if let Some(preferred) = req.preferred_challenge {
            params.insert("PREFERRED_CHALLENGE".into(), preferred.as_str().into());
        }
        let result = self.pool.initiate_auth(AuthFlow::UserAuth, params, context).await.map_err(sign_in_error)?;
        match srp {
            Some((client, password)) => self.prove_password(result, client, password, &req.username, context).await,
            None => Ok(self.respond(result, &req.username, ChallengeApi::Client)),
        }
    }

    /// Signs `username` in at once with the `session` a confirmation answered (`USER_AUTH` with
    /// `Session`): the person just proved their address with the code. A used or expired
    /// session is [`AuthError::InvalidSession`].
    pub async fn sign_in_confirmed(
        &self,
        username: &str,
        session: &Secret,
        context: &ContextData,
    ) -> Result<SignInResponse, AuthError> {
        let mut params = AuthParameters::new();
        params.insert("USERNAME".into(), username.to_owned());
        self.add_secret_hash(&mut params, username);
        let result = self
            .pool
            .initiate_auth_with_session(params, session.expose(), context)
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ChallengeAnswer, err))?;
        Ok(self.respond(result, username, ChallengeApi::Client))
    }

    /// Answers a `PASSWORD_VERIFIER` challenge with the SRP proof of `password` from `client`;
    /// any other answer is passed on as it is.
    pub(crate) async fn prove_password(
        &self,
        answer: AuthResult,
        client: SrpClient,
        password: &str,
        given_username: &str,
        context: &ContextData,
    ) -> Result<SignInResponse, AuthError> {
        let (session, parameters) = match answer {
            AuthResult::Challenge { name: ChallengeName::PasswordVerifier, session, parameters, .. } => {
                (session, parameters)
            }
            other => return Ok(self.respond(other, given_username, ChallengeApi::Client)),
        };
        let param = |key: &str| parameters.get(key).map(String::as_str).ok_or_else(|| unexpected(key));
        // USER_ID_FOR_SRP is the internal username: the proof, the answer's USERNAME and its
        // SECRET_HASH are all over it, never over the alias (email) the user typed.
        let user_id = param("USER_ID_FOR_SRP").map_err(AuthError::Upstream)?;
        let internal = parameters.get("USERNAME").map(String::as_str).unwrap_or(user_id);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let claim = client
            .password_claim(
                &self.config.user_pool_id,
                user_id,
                password,
                param("SRP_B").map_err(AuthError::Upstream)?,
                param("SALT").map_err(AuthError::Upstream)?,
                param("SECRET_BLOCK").map_err(AuthError::Upstream)?,
                &srp::timestamp(now as i64),
            )
            .map_err(|e| AuthError::Upstream(srp_failure(e)))?;
        let mut responses = AuthParameters::new();
        responses.insert("USERNAME".into(), internal.to_string());
        responses.insert("TIMESTAMP".into(), claim.timestamp);
        responses
            .insert("PASSWORD_CLAIM_SECRET_BLOCK".into(), param("SECRET_BLOCK").map_err(AuthError::Upstream)?.into());
        responses.insert("PASSWORD_CLAIM_SIGNATURE".into(), claim.signature);
        self.add_secret_hash(&mut responses, internal);
        let session = (!session.is_empty()).then_some(session.expose());
        let result = self
            .pool
            .respond_to_challenge(ChallengeApi::Client, &ChallengeName::PasswordVerifier, session, responses, context)
            .await
            .map_err(sign_in_error)?;
        Ok(self.respond(result, internal, ChallengeApi::Client))
    }

    /// Adds `SECRET_HASH` for `username` when the client has a secret.
    pub(crate) fn add_secret_hash(&self, params: &mut AuthParameters, username: &str) {
        if let Some(hash) = self.config.secret_hash(username) {
            params.insert("SECRET_HASH".into(), hash);
        }
    }

    fn session_key(&self) -> Option<aws_lc_rs::hmac::Key> {
        Some(self.config.client_secret.as_ref()?.derived_key(b"admin-session-marker"))
    }

    /// The session as a client gets it: marked when the admin flow started it (and the client
    /// has a secret to key the mark; without one, sessions go out unmarked).
    pub(crate) fn client_session(&self, session: Secret, api: ChallengeApi) -> Secret {
        match self.session_key().filter(|_| api == ChallengeApi::Admin) {
            Some(key) => {
                let mac = aws_lc_rs::hmac::sign(&key, session.expose().as_bytes());
                let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.as_ref());
                format!("{ADMIN_SESSION_PREFIX}{mac}:{}", session.expose()).into()
            }
            None => session,
        }
    }

    /// The Cognito session of a client's, and the call that answers it ([`ChallengeApi::Admin`]
    /// when the admin flow started it). A mark that does not verify is
    /// [`AuthError::InvalidSession`].
    pub(crate) fn cognito_session<'a>(&self, session: &'a str) -> Result<(ChallengeApi, &'a str), AuthError> {
        let Some(marked) = session.strip_prefix(ADMIN_SESSION_PREFIX) else {
            return Ok((ChallengeApi::Client, session));
        };
        let (mac, inner) = marked.split_once(':').ok_or(AuthError::InvalidSession)?;
        let mac =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac).map_err(|_| AuthError::InvalidSession)?;
        let key = self.session_key().ok_or(AuthError::InvalidSession)?;
        aws_lc_rs::hmac::verify(&key, inner.as_bytes(), &mac).map_err(|_| AuthError::InvalidSession)?;
        Ok((ChallengeApi::Admin, inner))
    }

    /// Turns Cognito's answer into the API's, naming the pool's internal username: the one to
    /// hash SECRET_HASH over in every later call, whatever alias the user signed in with.
    /// Sessions of the admin flow are marked (see [`SignInService::client_session`]).
    pub(crate) fn respond(&self, result: AuthResult, given_username: &str, api: ChallengeApi) -> SignInResponse {
        let result = match result {
            AuthResult::Challenge { name, session, parameters, available } => {
                AuthResult::Challenge { name, session: self.client_session(session, api), parameters, available }
            }
            other => other,
        };
        match result {
            AuthResult::Tokens(tokens) => SignInResponse::Tokens {
                username: unverified_claim(tokens.id_token.expose(), "cognito:username")
                    .unwrap_or_else(|| given_username.to_string()),
                tokens: wire_tokens(tokens),
            },
            AuthResult::Challenge { name, session, mut parameters, available } => {
                let username = parameters
                    .get("USER_ID_FOR_SRP")
                    .or_else(|| parameters.get("USERNAME"))
                    .cloned()
                    .unwrap_or_else(|| given_username.to_string());
                let credential_request_options = credential_request_options(&name, &mut parameters);
                SignInResponse::Challenge {
                    username,
                    challenge: Challenge {
                        name,
                        session,
                        parameters: parameters.into_iter().map(|(k, v)| (k, Secret::from(v))).collect(),
                        available_challenges: available,
                        credential_request_options,
                    },
                }
            }
        }
    }
}

/// A password the flow needs: present, not blank, not oversized.
pub(crate) fn required_password<'a>(field: &'static str, password: Option<&'a Secret>) -> Result<&'a str, AuthError> {
    let password = password.map(Secret::expose).unwrap_or_default();
    check_text(field, password, PASSWORD_MAX_CHARS)?;
    Ok(password)
}

/// A step-up's parameters ("Step-up authentication with the USER_AUTH flow", Cognito developer
/// guide): `TARGET_ACR_VALUES` from `acrValues` (1 to 4 level names of 1 to 64 characters
/// without `"` or `\`, space-separated), `MAX_AGE` from `maxAge`, `ACCESS_TOKEN` from
/// `accessToken`, which Cognito takes only with a target (a 400 on `acrValues` otherwise). Which
/// names the pool has, and whether the token is the person's, live and below the target,
/// Cognito checks.
fn add_step_up(params: &mut AuthParameters, req: &SignInRequest) -> Result<(), AuthError> {
    if let Some(acr_values) = &req.acr_values {
        check_text("acrValues", acr_values, ACR_VALUES_MAX_CHARS)?;
        let names: Vec<&str> = acr_values.split(' ').collect();
        if names.len() > 4 || !names.iter().all(|name| is_acr_value(name)) {
            return Err(AuthError::bad_input(
                "acrValues",
                "acrValues is 1 to 4 level names of 1 to 64 visible ASCII characters (no \" or \\), separated by \
                 single spaces.",
            ));
        }
        params.insert("TARGET_ACR_VALUES".into(), acr_values.clone());
    }
    if let Some(max_age) = req.max_age {
        if req.access_token.is_none() {
            return Err(AuthError::bad_input("maxAge", "maxAge goes with accessToken."));
        }
        params.insert("MAX_AGE".into(), max_age.to_string());
    }
    if let Some(token) = &req.access_token {
        if req.acr_values.is_none() {
            return Err(AuthError::bad_input("acrValues", "acrValues is required with accessToken."));
        }
        check_text("accessToken", token.expose(), TOKEN_MAX_CHARS)?;
        params.insert("ACCESS_TOKEN".into(), token.expose().to_owned());
    }
    Ok(())
}

/// Every Cognito call of a sign-in, the SRP `PASSWORD_VERIFIER` answer included: an unknown user
/// and a wrong password look the same.
fn sign_in_error(err: CognitoError) -> AuthError {
    AuthError::from_cognito(CognitoCall::SignIn, err)
}

fn unexpected(what: &str) -> CognitoError {
    CognitoError { kind: CognitoErrorKind::Other, code: "UnexpectedChallenge".into(), message: what.into() }
}

/// A PASSWORD_VERIFIER challenge our SRP refuses (a `B` that is 0 mod N, ...): Cognito, or
/// something posing as it, misbehaved.
pub(crate) fn srp_failure(err: srp::SrpError) -> CognitoError {
    CognitoError { kind: CognitoErrorKind::Other, code: "SrpFailure".into(), message: err.to_string() }
}

/// The API's tokens from Cognito's.
pub fn wire_tokens(t: IssuedTokens) -> Tokens {
    Tokens {
        id_token: t.id_token,
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_in: t.expires_in,
        token_type: t.token_type,
    }
}

/// `WEB_AUTHN`'s `CREDENTIAL_REQUEST_OPTIONS`, which Cognito sends as a JSON string, taken out of
/// `parameters` as the JSON object a browser's `PublicKeyCredential.parseRequestOptionsFromJSON`
/// takes. Left in `parameters` (and logged) when it is not a JSON object, so nothing is lost.
fn credential_request_options(
    name: &ChallengeName,
    parameters: &mut std::collections::BTreeMap<String, String>,
) -> Option<serde_json::Value> {
    const KEY: &str = "CREDENTIAL_REQUEST_OPTIONS";
    if *name != ChallengeName::WebAuthn {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(parameters.get(KEY)?) {
        Ok(options) if options.is_object() => {
            parameters.remove(KEY);
            Some(options)
        }
        _ => {
            tracing::warn!("WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS is not a JSON object");
            None
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use base64::Engine;

    use super::*;
    use crate::{
        ClientSecret,
        testing::{Call, ScriptedPool, ScriptedReply, error},
    };

    fn service(
        secret: Option<&str>,
        replies: Vec<Result<ScriptedReply, CognitoError>>,
    ) -> (SignInService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        let config = CognitoConfig {
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_pool".into(),
            client_id: "client".into(),
            client_secret: secret.map(ClientSecret::new),
            write_attributes: Default::default(),
        };
        (SignInService::new(pool.clone(), config), pool)
    }

    pub(crate) fn id_token_for(username: &str) -> String {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::json!({ "cognito:username": username, "sub": username }).to_string());
        format!("h.{payload}.s")
    }

    pub(crate) fn tokens(username: &str) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::Auth(AuthResult::Tokens(IssuedTokens {
            id_token: id_token_for(username).into(),
            access_token: id_token_for(username).into(),
            refresh_token: Some("r".into()),
            expires_in: 3600,
            token_type: "Bearer".into(),
        })))
    }

    fn request(flow: Option<SignInFlow>) -> SignInRequest {
        serde_json::from_value(serde_json::json!({"username": "ann@example.com", "password": "pw"}))
            .map(|r: SignInRequest| SignInRequest { flow, ..r })
            .unwrap()
    }

    fn initiate(pool: &ScriptedPool, i: usize) -> (AuthFlow, AuthParameters) {
        match &pool.calls()[i] {
            Call::InitiateAuth(flow, params) => (*flow, params.clone()),
            other => panic!("expected InitiateAuth, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn password_sign_in_sends_secret_hash_and_returns_internal_username() {
        // GIVEN a client with a secret, and Cognito issuing tokens for internal user "u-123"
        let (svc, pool) = service(Some("secret"), vec![tokens("u-123")]);
        // WHEN Ann signs in with her email
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth)), &ContextData::default()).await.unwrap();
        // THEN SECRET_HASH is over the name she signed in with, and the answer names "u-123"
        let (flow, params) = initiate(&pool, 0);
        assert_eq!(flow, AuthFlow::UserPassword);
        assert_eq!(params["SECRET_HASH"], ClientSecret::new("secret").secret_hash("ann@example.com", "client"));
        assert!(matches!(out, SignInResponse::Tokens { username, .. } if username == "u-123"));
    }

    #[tokio::test]
    async fn no_secret_means_no_secret_hash() {
        let (svc, pool) = service(None, vec![tokens("u")]);
        svc.sign_in(&request(Some(SignInFlow::AdminUserPasswordAuth)), &ContextData::default()).await.unwrap();
        let (flow, params) = initiate(&pool, 0);
        assert_eq!(flow, AuthFlow::AdminUserPassword);
        assert!(!params.contains_key("SECRET_HASH"));
    }

    #[tokio::test]
    async fn challenge_names_the_user_id_for_srp() {
        let parameters = [("USER_ID_FOR_SRP".to_string(), "u-9".to_string())].into();
        let answer = AuthResult::Challenge {
            name: "NEW_PASSWORD_REQUIRED".into(),
            session: "s".into(),
            parameters,
            available: Vec::new(),
        };
        let (svc, _) = service(None, vec![Ok(ScriptedReply::Auth(answer))]);
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth)), &ContextData::default()).await.unwrap();
        assert!(
            matches!(out, SignInResponse::Challenge { username, challenge } if username == "u-9" && challenge.session == "s")
        );
    }

    #[tokio::test]
    async fn unknown_user_is_invalid_credentials() {
        let (svc, _) = service(None, vec![Err(error("UserNotFoundException"))]);
        let out = svc.sign_in(&request(Some(SignInFlow::UserPasswordAuth)), &ContextData::default()).await;
        assert!(matches!(out, Err(AuthError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn empty_or_oversized_inputs_are_refused_before_cognito() {
        let (svc, pool) = service(None, vec![]);
        let mut req = request(Some(SignInFlow::UserPasswordAuth));
        req.password = Some(" ".into());
        assert!(
            matches!(svc.sign_in(&req, &ContextData::default()).await, Err(AuthError::BadInput { field, .. }) if field == "password")
        );
        req.password = Some("p".into());
        req.username = "x".repeat(129);
        assert!(
            matches!(svc.sign_in(&req, &ContextData::default()).await, Err(AuthError::BadInput { field, .. }) if field == "username")
        );
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_username_with_a_stray_space_is_a_400_naming_it_never_trimmed_nor_sent() {
        // GIVEN a sign-in whose name was pasted with a space before or after it
        let (svc, pool) = service(None, vec![]);
        for name in [" ann@example.com", "ann@example.com ", "ann@example.com\u{200b}"] {
            let mut req = request(Some(SignInFlow::UserPasswordAuth));
            req.username = name.into();
            // WHEN it is sent, THEN the API says what is wrong with the name, and Cognito is not asked
            let err = svc.sign_in(&req, &ContextData::default()).await.unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "username"), "{name:?}: {err:?}");
        }
        assert!(pool.calls().is_empty());
    }

    pub(crate) fn password_verifier(b: &str) -> Result<ScriptedReply, CognitoError> {
        let parameters = [
            ("SALT", "00a1b2c3d4"),
            ("SRP_B", b),
            ("SECRET_BLOCK", "c2VjcmV0"),
            ("USER_ID_FOR_SRP", "u-123"),
            ("USERNAME", "u-123"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Ok(ScriptedReply::Auth(AuthResult::Challenge {
            name: "PASSWORD_VERIFIER".into(),
            session: "sess-1".into(),
            parameters,
            available: Vec::new(),
        }))
    }

    pub(crate) const B: &str = "2b7e151628aed2a6abf7158809cf4f3c";

    #[tokio::test]
    async fn srp_sign_in_with_an_email_hashes_the_internal_username_in_the_answer() {
        // GIVEN a client with a secret, and Ann known internally as "u-123"
        let (svc, pool) = service(Some("secret"), vec![password_verifier(B), tokens("u-123")]);
        // WHEN she signs in with her email and the default flow
        let out = svc.sign_in(&request(None), &ContextData::default()).await.unwrap();
        // THEN the start carries A and SECRET_HASH over the email she typed ...
        let (flow, start) = initiate(&pool, 0);
        assert_eq!(flow, AuthFlow::UserSrp);
        assert!(!start.contains_key("PASSWORD"), "the password must never go to Cognito");
        assert!(start["SRP_A"].len() > 500);
        assert_eq!(start["SECRET_HASH"], ClientSecret::new("secret").secret_hash("ann@example.com", "client"));
        // ... and the answer names "u-123" and hashes over "u-123", not over the alias
        let Call::Respond { api, challenge, session, responses } = &pool.calls()[1] else { panic!("no answer") };
        assert_eq!(*api, ChallengeApi::Client);
        assert_eq!((challenge.as_str(), session.as_deref()), ("PASSWORD_VERIFIER", Some("sess-1")));
        assert_eq!(responses["USERNAME"], "u-123");
        assert_eq!(responses["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
        assert_eq!(responses["PASSWORD_CLAIM_SECRET_BLOCK"], "c2VjcmV0");
        let ts: Vec<&str> = responses["TIMESTAMP"].split(' ').collect();
        assert_eq!((ts.len(), ts[4]), (6, "UTC"), "{}", responses["TIMESTAMP"]);
        assert!(!ts[2].starts_with('0'), "day not zero-padded: {}", responses["TIMESTAMP"]);
        assert!(!responses.values().any(|v| v == "pw"), "no password in the answer");
        assert!(matches!(out, SignInResponse::Tokens { username, .. } if username == "u-123"));
    }

    #[tokio::test]
    async fn both_calls_of_an_srp_sign_in_tell_cognito_the_caller() {
        let (svc, pool) = service(Some("secret"), vec![password_verifier(B), tokens("u-123")]);
        svc.sign_in(&request(None), &crate::testing::browser_context()).await.unwrap();
        let caller = crate::testing::browser_context();
        assert_eq!(pool.contexts(), [("InitiateAuth", caller.clone()), ("RespondToAuthChallenge", caller)]);
    }

    #[tokio::test]
    async fn srp_wrong_password_is_invalid_credentials() {
        let (svc, _) = service(None, vec![password_verifier(B), Err(error("NotAuthorizedException"))]);
        assert!(matches!(
            svc.sign_in(&request(None), &ContextData::default()).await,
            Err(AuthError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn srp_refuses_a_forged_b_without_answering() {
        let (svc, pool) = service(None, vec![password_verifier("0")]);
        assert!(matches!(svc.sign_in(&request(None), &ContextData::default()).await, Err(AuthError::Upstream(_))));
        assert_eq!(pool.calls().len(), 1);
    }

    fn by_choice(preferred: Option<PreferredChallenge>, password: Option<&str>) -> SignInRequest {
        SignInRequest {
            username: "ann@example.com".into(),
            password: password.map(Secret::from),
            flow: Some(SignInFlow::UserAuth),
            preferred_challenge: preferred,
            access_token: None,
            acr_values: None,
            max_age: None,
        }
    }

    #[tokio::test]
    async fn a_step_up_sends_the_access_token_the_target_levels_and_the_max_age_to_user_auth() {
        // GIVEN Ann, signed in with an emailed code, stepping up with her password to level 4 or 3
        let (svc, pool) = service(Some("secret"), vec![tokens("u-123")]);
        let req = SignInRequest {
            access_token: Some("access-token".into()),
            acr_values: Some("urn:cognito:loa:4 urn:cognito:loa:3".into()),
            max_age: Some(900),
            ..by_choice(Some(PreferredChallenge::Password), Some("pw"))
        };
        svc.sign_in(&req, &ContextData::default()).await.unwrap();
        // THEN Cognito's USER_AUTH gets them as its step-up parameters, with the first factor
        let (flow, params) = initiate(&pool, 0);
        assert_eq!(flow, AuthFlow::UserAuth);
        assert_eq!(
            (params["ACCESS_TOKEN"].as_str(), params["TARGET_ACR_VALUES"].as_str(), params["MAX_AGE"].as_str()),
            ("access-token", "urn:cognito:loa:4 urn:cognito:loa:3", "900")
        );
        assert_eq!((params["PREFERRED_CHALLENGE"].as_str(), params["PASSWORD"].as_str()), ("PASSWORD", "pw"));
    }

    #[tokio::test]
    async fn four_level_names_of_64_characters_are_the_longest_target_and_are_sent() {
        let (svc, pool) = service(None, vec![tokens("u-123")]);
        let longest = ["a", "b", "c", "d"].map(|c| c.repeat(64)).join(" ");
        let req = SignInRequest { acr_values: Some(longest.clone()), ..by_choice(None, None) };
        svc.sign_in(&req, &ContextData::default()).await.unwrap();
        assert_eq!(initiate(&pool, 0).1["TARGET_ACR_VALUES"], longest);
    }

    #[tokio::test]
    async fn a_malformed_step_up_is_a_400_naming_the_field_before_cognito() {
        let (svc, pool) = service(None, vec![]);
        let step_up = |token: Option<&str>, acr: Option<&str>, flow| SignInRequest {
            access_token: token.map(Secret::from),
            acr_values: acr.map(str::to_owned),
            flow: Some(flow),
            ..by_choice(None, None)
        };
        let long = "a".repeat(65);
        for (req, field) in [
            (step_up(Some("t"), None, SignInFlow::UserAuth), "acrValues"),
            (step_up(None, Some(""), SignInFlow::UserAuth), "acrValues"),
            (step_up(None, Some("a  b"), SignInFlow::UserAuth), "acrValues"),
            (step_up(None, Some("a b c d e"), SignInFlow::UserAuth), "acrValues"),
            (step_up(None, Some("a \"b\""), SignInFlow::UserAuth), "acrValues"),
            (step_up(None, Some(&long), SignInFlow::UserAuth), "acrValues"),
            (step_up(Some(" "), Some("a"), SignInFlow::UserAuth), "accessToken"),
            (step_up(Some("t"), Some("a"), SignInFlow::UserPasswordAuth), "accessToken"),
            (step_up(None, Some("a"), SignInFlow::UserSrpAuth), "acrValues"),
            (SignInRequest { max_age: Some(5), ..step_up(None, None, SignInFlow::AdminUserPasswordAuth) }, "maxAge"),
            (SignInRequest { max_age: Some(5), ..step_up(None, Some("a"), SignInFlow::UserAuth) }, "maxAge"),
        ] {
            let err = svc.sign_in(&req, &ContextData::default()).await.unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field: f, .. } if f == field), "{field}: {err:?}");
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_step_up_on_a_plan_without_it_is_a_400_not_a_502() {
        let (svc, _pool) = service(None, vec![Err(error("FeatureUnavailableInTierException"))]);
        let req = SignInRequest { acr_values: Some("urn:cognito:loa:3".into()), ..by_choice(None, None) };
        let err = api_types::ApiError::from(svc.sign_in(&req, &ContextData::default()).await.unwrap_err());
        assert_eq!((err.status().as_u16(), err.code), (400, api_types::ErrorCode::InvalidParameter));
        assert_eq!(err.field.as_deref(), Some("acrValues"));
        assert!(err.message.contains("sign in again"), "{}", err.message);
    }

    fn select_challenge(available: &[&str]) -> Result<ScriptedReply, CognitoError> {
        select_challenge_for("u-123", available)
    }

    fn select_challenge_for(username: &str, available: &[&str]) -> Result<ScriptedReply, CognitoError> {
        Ok(ScriptedReply::Auth(AuthResult::Challenge {
            name: "SELECT_CHALLENGE".into(),
            session: "sess-1".into(),
            parameters: [("USERNAME".to_string(), username.to_string())].into(),
            available: available.iter().map(|c| ChallengeName::from(*c)).collect(),
        }))
    }

    #[tokio::test]
    async fn choice_based_sign_in_without_a_preference_answers_the_choice_naming_the_internal_username() {
        // GIVEN a client with a secret, and Cognito offering Ann three first factors
        let (svc, pool) = service(Some("secret"), vec![select_challenge(&["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])]);
        // WHEN she starts a USER_AUTH sign-in with her email and no preference
        let out = svc.sign_in(&by_choice(None, None), &ContextData::default()).await.unwrap();
        // THEN Cognito got her name and SECRET_HASH over it, and nothing else
        let (flow, params) = initiate(&pool, 0);
        assert_eq!(flow, AuthFlow::UserAuth);
        assert_eq!(params.keys().collect::<Vec<_>>(), ["SECRET_HASH", "USERNAME"]);
        assert_eq!(params["SECRET_HASH"], ClientSecret::new("secret").secret_hash("ann@example.com", "client"));
        // AND the answer is the choice, for the internal username
        let SignInResponse::Challenge { challenge, username } = out else { panic!("expected the choice") };
        assert_eq!((challenge.name.as_str(), username.as_str()), ("SELECT_CHALLENGE", "u-123"));
        assert_eq!(
            challenge.available_challenges.iter().map(ChallengeName::as_str).collect::<Vec<_>>(),
            ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
        );
    }

    #[tokio::test]
    async fn a_preferred_password_srp_is_proven_by_the_api_and_the_password_never_sent() {
        let (svc, pool) = service(Some("secret"), vec![password_verifier(B), tokens("u-123")]);
        let req = by_choice(Some(PreferredChallenge::PasswordSrp), Some("pw"));
        let out = svc.sign_in(&req, &ContextData::default()).await.unwrap();
        let (flow, params) = initiate(&pool, 0);
        assert_eq!((flow, params["PREFERRED_CHALLENGE"].as_str()), (AuthFlow::UserAuth, "PASSWORD_SRP"));
        assert!(params["SRP_A"].len() > 500 && !params.contains_key("PASSWORD"));
        let Call::Respond { challenge, session, responses, .. } = &pool.calls()[1] else { panic!("no proof") };
        assert_eq!((challenge.as_str(), session.as_deref()), ("PASSWORD_VERIFIER", Some("sess-1")));
        assert_eq!(responses["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
        assert!(!responses.values().any(|v| v == "pw"));
        assert!(matches!(out, SignInResponse::Tokens { username, .. } if username == "u-123"));
    }

    #[tokio::test]
    async fn a_preferred_password_goes_with_the_start_and_a_code_factor_takes_none() {
        let (svc, pool) = service(None, vec![tokens("u-123")]);
        svc.sign_in(&by_choice(Some(PreferredChallenge::Password), Some("pw")), &ContextData::default()).await.unwrap();
        let (_, params) = initiate(&pool, 0);
        assert_eq!((params["PREFERRED_CHALLENGE"].as_str(), params["PASSWORD"].as_str()), ("PASSWORD", "pw"));
        for (req, field) in [
            (by_choice(Some(PreferredChallenge::EmailOtp), Some("pw")), "password"),
            (by_choice(None, Some("pw")), "password"),
            (by_choice(Some(PreferredChallenge::Password), None), "password"),
            (by_choice(Some(PreferredChallenge::PasswordSrp), Some(" ")), "password"),
            (SignInRequest { flow: None, ..by_choice(Some(PreferredChallenge::EmailOtp), None) }, "preferredChallenge"),
            (SignInRequest { flow: None, ..by_choice(None, None) }, "password"),
        ] {
            let out = svc.sign_in(&req, &ContextData::default()).await;
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if f == field), "{field}: {out:?}");
        }
        assert_eq!(pool.calls().len(), 1, "refused before Cognito");
    }

    #[tokio::test]
    async fn a_passkey_sign_in_answers_the_request_options_as_an_object_ready_for_the_browser() {
        // GIVEN Cognito's WEB_AUTHN challenge, its options a JSON string
        let options = r#"{"challenge":"Y2g","rpId":"example.com","allowCredentials":[],"userVerification":"required"}"#;
        let challenge = AuthResult::Challenge {
            name: ChallengeName::WebAuthn,
            session: "sess-1".into(),
            parameters: [
                ("CREDENTIAL_REQUEST_OPTIONS".to_string(), options.to_string()),
                ("USERNAME".to_string(), "u-123".to_string()),
            ]
            .into(),
            available: Vec::new(),
        };
        let (svc, pool) = service(Some("secret"), vec![Ok(ScriptedReply::Auth(challenge))]);
        // WHEN the person asks for a passkey sign-in, without a password
        let out = svc.sign_in(&by_choice(Some(PreferredChallenge::WebAuthn), None), &ContextData::default()).await;
        // THEN Cognito was asked for WEB_AUTHN, and the options come back as an object, once
        let (_, params) = initiate(&pool, 0);
        assert_eq!(params["PREFERRED_CHALLENGE"], "WEB_AUTHN");
        assert!(!params.contains_key("PASSWORD"));
        let Ok(SignInResponse::Challenge { challenge, username }) = out else { panic!("{out:?}") };
        assert_eq!((challenge.name, username.as_str()), (ChallengeName::WebAuthn, "u-123"));
        let parsed: serde_json::Value = serde_json::from_str(options).unwrap();
        assert_eq!(challenge.credential_request_options, Some(parsed));
        assert!(!challenge.parameters.contains_key("CREDENTIAL_REQUEST_OPTIONS"));
        // AND a password with a passkey preference is refused before Cognito
        let out =
            svc.sign_in(&by_choice(Some(PreferredChallenge::WebAuthn), Some("pw")), &ContextData::default()).await;
        assert!(matches!(&out, Err(AuthError::BadInput { field, .. }) if field == "password"), "{out:?}");
    }

    #[tokio::test]
    async fn a_confirmation_session_signs_in_the_person_just_confirmed() {
        let (svc, pool) = service(Some("secret"), vec![tokens("u-9")]);
        let out = svc.sign_in_confirmed("ann@example.com", &"sess-c".into(), &ContextData::default()).await.unwrap();
        assert!(matches!(out, SignInResponse::Tokens { username, .. } if username == "u-9"));
        let Call::InitiateAuthWithSession(params, session) = &pool.calls()[0] else { panic!("no sign-in") };
        assert_eq!(session, "sess-c");
        assert_eq!(params["USERNAME"], "ann@example.com");
        assert_eq!(params["SECRET_HASH"], ClientSecret::new("secret").secret_hash("ann@example.com", "client"));
    }

    #[tokio::test]
    async fn the_choice_for_an_unknown_person_reads_like_a_known_ones() {
        // On the scripted Cognito, what it answers under PreventUserExistenceErrors: for a known
        // person and for a name nobody has, a choice under an internal (or made-up) UUID
        let choice = |id: &str| select_challenge_for(id, &["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]);
        let known_id = "7d3c1f0a-5b2e-4c8d-9e6f-0a1b2c3d4e5f";
        let fake_id = "0b1e2d3c-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
        let (svc, _) = service(Some("secret"), vec![choice(known_id), choice(fake_id)]);
        let ask = |name: &str| SignInRequest { username: name.into(), ..by_choice(None, None) };
        let known = svc.sign_in(&ask("ann@example.com"), &ContextData::default()).await.unwrap();
        let unknown = svc.sign_in(&ask("nobody@example.com"), &ContextData::default()).await.unwrap();
        // THEN the API's answers differ only in the UUID and the session, never in shape, and
        // neither names the typed address
        let shape = |answer: &SignInResponse| {
            let mut json = serde_json::to_value(answer).unwrap();
            json["username"] = serde_json::json!("<uuid>");
            json["challenge"]["parameters"]["USERNAME"] = serde_json::json!("<uuid>");
            json
        };
        assert_eq!(shape(&known), shape(&unknown));
        let text = serde_json::to_string(&unknown).unwrap();
        assert!(text.contains(fake_id) && !text.contains("nobody@"), "{text}");
    }
}
