//! Answering the challenges a sign-in returns, chained until tokens come back: a new password
//! (with the attributes the pool requires), an SMS or TOTP code, the choice of MFA type, and
//! TOTP enrolment during sign-in (`MFA_SETUP`: once without answers to get the secret, then with
//! the first code).

use std::collections::BTreeMap;

use api_types::{
    Secret,
    challenge::{ChallengeName, MfaFactor, PreferredChallenge},
    wire::{Challenge, ChallengeRequest, SignInResponse},
};

use crate::{
    AuthError, ContextData,
    cognito_errors::{CognitoCall, is_resource_not_found},
    input::{
        CHALLENGE_ANSWER_MAX_CHARS, PASSWORDLESS_CODE_DIGITS, SESSION_MAX_CHARS, SIGN_IN_ATTRIBUTES,
        WEB_AUTHN_CREDENTIAL_MAX_CHARS, check_code, check_one_time_password, check_password, check_text,
        check_user_attribute, check_username,
    },
    mfa,
    sign_in::{SignInService, required_password, srp_failure},
    srp::SrpClient,
    user_pool::{AuthParameters, ChallengeApi, TokenOwner},
};

/// The challenges the API answers (`POST /auth/challenge`'s `name`; `openapi.yaml`'s
/// `ChallengeName`, which a test keeps equal): the names Cognito documents that
/// [`ChallengeName::answers`] has answers for, in [`ChallengeName::KNOWN`]'s order.
pub fn answered_challenges() -> Vec<ChallengeName> {
    ChallengeName::KNOWN.iter().filter(|name| name.answers().is_some()).cloned().collect()
}

/// The answer a refused password or code of challenge `name` was given in (`responses` when
/// the challenge takes neither).
fn answer_field(name: &ChallengeName) -> String {
    name.refused_answer().map_or_else(|| "responses".to_string(), |key| format!("responses.{key}"))
}

/// The 400 for a challenge the API does not answer: Cognito's (a passkey, a custom challenge),
/// or a name nobody knows. The name is echoed only when short enough to be one.
fn not_answered(name: &ChallengeName) -> AuthError {
    let answered = answered_challenges().iter().map(ChallengeName::as_str).collect::<Vec<_>>().join(", ");
    let name = name.as_str();
    let message = if name.trim().is_empty() {
        format!("name is required: the challenge answered, one of {answered}.")
    } else if name.chars().count() > NAME_ECHO_MAX_CHARS {
        format!("name is not a challenge this API answers (it answers {answered}).")
    } else {
        format!("{name} is not a challenge this API answers (it answers {answered}).")
    };
    AuthError::bad_input("name", message)
}

/// `names` as a 400 lists them: `A, B or C`.
fn or_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

/// The longest `name` a 400 repeats: every challenge name is far shorter.
const NAME_ECHO_MAX_CHARS: usize = 64;

impl SignInService {
    /// Answers a challenge for the caller `context` describes; returns tokens or the next
    /// challenge.
    pub async fn answer_challenge(
        &self,
        req: &ChallengeRequest,
        context: &ContextData,
    ) -> Result<SignInResponse, AuthError> {
        check_username("username", &req.username)?;
        check_text("session", req.session.expose(), SESSION_MAX_CHARS)?;
        let allowed = req.name.answers().ok_or_else(|| not_answered(&req.name))?;
        for (key, value) in &req.responses {
            let attribute =
                key.strip_prefix("userAttributes.").filter(|_| req.name == ChallengeName::NewPasswordRequired);
            if let Some(name) = attribute {
                let field = format!("responses.{key}");
                // An unverified address must never become the sign-in name through this answer.
                if SIGN_IN_ATTRIBUTES.contains(&name) {
                    return Err(AuthError::bad_input(
                        field,
                        format!(
                            "{name} is the account's sign-in name: it cannot be changed while answering a challenge."
                        ),
                    ));
                }
                check_user_attribute(&field, name, value.expose(), &self.config.write_attributes)?;
            } else if !allowed.contains(&key.as_str()) {
                return Err(AuthError::bad_input(
                    "responses",
                    format!("responses.{key} is not an answer to {}.", req.name),
                ));
            }
            let max_chars =
                if key == "CREDENTIAL" { WEB_AUTHN_CREDENTIAL_MAX_CHARS } else { CHALLENGE_ANSWER_MAX_CHARS };
            if value.expose().chars().count() > max_chars {
                return Err(AuthError::bad_input(format!("responses.{key}"), format!("responses.{key} is too long.")));
            }
        }
        let answer = |key: &str| req.responses.get(key).map(Secret::expose);
        let require = |key: &str| {
            answer(key).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                AuthError::bad_input(format!("responses.{key}"), format!("responses.{key} is required."))
            })
        };
        match &req.name {
            ChallengeName::NewPasswordRequired => check_password("responses.NEW_PASSWORD", require("NEW_PASSWORD")?)?,
            ChallengeName::SoftwareTokenMfa => {
                check_one_time_password("responses.SOFTWARE_TOKEN_MFA_CODE", require("SOFTWARE_TOKEN_MFA_CODE")?)?
            }
            ChallengeName::SmsMfa => check_one_time_password("responses.SMS_MFA_CODE", require("SMS_MFA_CODE")?)?,
            ChallengeName::SelectMfaType => {
                if MfaFactor::from_name(require("ANSWER")?).is_none() {
                    return Err(AuthError::bad_input(
                        "responses.ANSWER",
                        format!("responses.ANSWER must be one of {}.", or_list(MfaFactor::ALL.map(MfaFactor::as_str))),
                    ));
                }
            }
            ChallengeName::SelectChallenge => match PreferredChallenge::from_name(require("ANSWER")?) {
                Some(factor) if factor.takes_password() => {
                    required_password("responses.PASSWORD", req.responses.get("PASSWORD"))?;
                }
                Some(_) if answer("PASSWORD").is_some() => {
                    let password_factors = PreferredChallenge::ALL.into_iter().filter(|f| f.takes_password());
                    return Err(AuthError::bad_input(
                        "responses.PASSWORD",
                        format!(
                            "responses.PASSWORD goes with ANSWER {} only.",
                            or_list(password_factors.map(PreferredChallenge::as_str))
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(AuthError::bad_input(
                        "responses.ANSWER",
                        format!(
                            "responses.ANSWER must be one of {}.",
                            or_list(PreferredChallenge::ALL.map(PreferredChallenge::as_str))
                        ),
                    ));
                }
            },
            ChallengeName::Password | ChallengeName::PasswordSrp => {
                required_password("responses.PASSWORD", req.responses.get("PASSWORD"))?;
            }
            // The same challenge serves passwordless sign-in (8 digits) and email MFA (6).
            ChallengeName::EmailOtp => check_code("responses.EMAIL_OTP_CODE", require("EMAIL_OTP_CODE")?, &[6, 8])?,
            ChallengeName::SmsOtp => {
                check_code("responses.SMS_OTP_CODE", require("SMS_OTP_CODE")?, &[PASSWORDLESS_CODE_DIGITS])?
            }
            // Without a code it asks for the secret, with one it enrols it: checked below.
            ChallengeName::MfaSetup => {}
            // The browser's assertion, as a JSON string: Cognito checks the rest.
            ChallengeName::WebAuthn => {
                let credential = require("CREDENTIAL")?;
                if !serde_json::from_str::<serde_json::Value>(credential).is_ok_and(|c| c.is_object()) {
                    return Err(AuthError::bad_input(
                        "responses.CREDENTIAL",
                        "responses.CREDENTIAL must be the browser's PublicKeyCredential as JSON \
                         (JSON.stringify of its toJSON()).",
                    ));
                }
            }
            // Refused above (they take no answers); refused again, should that check move.
            ChallengeName::PasswordVerifier
            | ChallengeName::CustomChallenge
            | ChallengeName::DeviceSrpAuth
            | ChallengeName::DevicePasswordVerifier
            | ChallengeName::AdminNoSrpAuth
            | ChallengeName::Unknown(_) => return Err(not_answered(&req.name)),
        }

        let (api, session) = self.cognito_session(req.session.expose())?;
        let session = Secret::from(session);
        let srp_password = match (&req.name, answer("ANSWER")) {
            (ChallengeName::SelectChallenge, Some("PASSWORD_SRP")) | (ChallengeName::PasswordSrp, _) => {
                answer("PASSWORD")
            }
            _ => None,
        };
        if let Some(password) = srp_password {
            return self.answer_with_srp(req, api, &session, password, context).await;
        }
        let (session, mut responses) = if req.name == ChallengeName::MfaSetup {
            let Some(code) = answer("SOFTWARE_TOKEN_MFA_CODE") else {
                return self.start_totp_enrolment(&req.username, &session, api).await;
            };
            check_one_time_password("responses.SOFTWARE_TOKEN_MFA_CODE", code)?;
            let (accepted, next) = self
                .pool
                .verify_software_token(TokenOwner::Session(&session), code, answer("DEVICE_NAME"))
                .await
                .map_err(|err| challenge_error(err).in_field("responses.SOFTWARE_TOKEN_MFA_CODE"))?;
            if !accepted {
                return Err(AuthError::code_mismatch("responses.SOFTWARE_TOKEN_MFA_CODE"));
            }
            (next.map(Secret::from).unwrap_or(session), AuthParameters::new())
        } else {
            let responses: AuthParameters =
                req.responses.iter().map(|(key, value)| (key.clone(), value.expose().to_owned())).collect();
            (session, responses)
        };
        responses.insert("USERNAME".into(), req.username.clone());
        self.add_secret_hash(&mut responses, &req.username);
        let result =
            self.pool.respond_to_challenge(api, &req.name, Some(session.expose()), responses, context).await.map_err(
                |err| match challenge_error(err) {
                    // Cognito refuses an assertion it cannot verify as it refuses a dead session.
                    AuthError::InvalidSession if req.name == ChallengeName::WebAuthn => AuthError::PasskeyNotAccepted,
                    err => err.in_field(answer_field(&req.name)),
                },
            )?;
        Ok(self.respond(result, &req.username, api))
    }

    /// `PASSWORD_SRP`, chosen (`SELECT_CHALLENGE`) or asked for: the API sends `SRP_A` in place
    /// of the password and answers the `PASSWORD_VERIFIER` that follows with the proof, so the
    /// password never reaches Cognito.
    async fn answer_with_srp(
        &self,
        req: &ChallengeRequest,
        api: ChallengeApi,
        session: &Secret,
        password: &str,
        context: &ContextData,
    ) -> Result<SignInResponse, AuthError> {
        let client = SrpClient::new().map_err(|e| AuthError::Upstream(srp_failure(e)))?;
        let mut responses = AuthParameters::new();
        if req.name == ChallengeName::SelectChallenge {
            responses.insert("ANSWER".into(), "PASSWORD_SRP".into());
        }
        responses.insert("SRP_A".into(), client.public_a_hex());
        responses.insert("USERNAME".into(), req.username.clone());
        self.add_secret_hash(&mut responses, &req.username);
        let verifier = self
            .pool
            .respond_to_challenge(api, &req.name, Some(session.expose()), responses, context)
            .await
            .map_err(challenge_error)?;
        self.prove_password(verifier, client, password, &req.username, context).await
    }

    /// `MFA_SETUP` without a code: the TOTP secret to enrol, as the same challenge with a new
    /// session and `secretCode` / `otpauthUri` parameters.
    async fn start_totp_enrolment(
        &self,
        username: &str,
        session: &Secret,
        api: ChallengeApi,
    ) -> Result<SignInResponse, AuthError> {
        let (secret, next) =
            self.pool.associate_software_token(TokenOwner::Session(session)).await.map_err(challenge_error)?;
        let mut parameters = BTreeMap::new();
        parameters
            .insert("otpauthUri".to_string(), Secret::from(mfa::otpauth_uri(mfa::TOTP_ISSUER, username, &secret)));
        parameters.insert("secretCode".to_string(), Secret::from(secret));
        let session = self.client_session(next.map(Secret::from).unwrap_or_else(|| session.clone()), api);
        Ok(SignInResponse::Challenge {
            challenge: Challenge {
                name: ChallengeName::MfaSetup,
                session,
                parameters,
                available_challenges: Vec::new(),
                credential_request_options: None,
            },
            username: username.to_string(),
        })
    }
}

/// Every Cognito call answering a challenge. What the errors mean is the table's
/// ([`CognitoCall::ChallengeAnswer`]: a dead session is `InvalidSession`); an unknown session
/// (`ResourceNotFoundException`) can also be a wrong pool or client, so it is kept visible here.
fn challenge_error(err: crate::CognitoError) -> AuthError {
    if is_resource_not_found(&err) {
        tracing::warn!(code = %err.code, message = %err.message, "challenge answer: resource not found");
    }
    AuthError::from_cognito(CognitoCall::ChallengeAnswer, err)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use api_types::wire::{SignInFlow, SignInRequest};

    use super::*;
    use crate::{
        ClientSecret,
        sign_in::tests::tokens,
        testing::{Call, ScriptedPool, ScriptedReply, error},
        user_pool::AuthResult,
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (SignInService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (SignInService::new(pool.clone(), crate::testing::config()), pool)
    }

    fn answer(name: &str, session: &str, responses: &[(&str, &str)]) -> ChallengeRequest {
        ChallengeRequest {
            username: "u-123".into(),
            name: name.into(),
            session: session.into(),
            responses: responses.iter().map(|(k, v)| (k.to_string(), Secret::from(*v))).collect(),
        }
    }

    fn challenge(name: &str, session: &str) -> Result<ScriptedReply, crate::CognitoError> {
        Ok(ScriptedReply::Auth(AuthResult::Challenge {
            name: name.into(),
            session: session.into(),
            parameters: BTreeMap::new(),
            available: Vec::new(),
        }))
    }

    fn respond_call(pool: &ScriptedPool, i: usize) -> (ChallengeApi, ChallengeName, Option<String>, AuthParameters) {
        match &pool.calls()[i] {
            Call::Respond { api, challenge, session, responses } => {
                (*api, challenge.clone(), session.clone(), responses.clone())
            }
            other => panic!("expected a challenge answer, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_new_password_is_answered_for_the_internal_username_with_its_secret_hash() {
        let (svc, pool) = service(vec![tokens("u-123")]);
        let req =
            answer("NEW_PASSWORD_REQUIRED", "s1", &[("NEW_PASSWORD", "N3w-passw0rd"), ("userAttributes.name", "Ann")]);
        let out = svc.answer_challenge(&req, &ContextData::default()).await.unwrap();
        assert!(matches!(out, SignInResponse::Tokens { .. }));
        let (api, name, session, responses) = respond_call(&pool, 0);
        assert_eq!(api, ChallengeApi::Client);
        assert_eq!((name.as_str(), session.as_deref()), ("NEW_PASSWORD_REQUIRED", Some("s1")));
        assert_eq!(responses["USERNAME"], "u-123");
        assert_eq!(responses["userAttributes.name"], "Ann");
        assert_eq!(responses["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
    }

    #[tokio::test]
    async fn challenges_chain_until_tokens_come_back() {
        // New password, then TOTP, then tokens: each answer's result is passed on.
        let (svc, _) = service(vec![challenge("SOFTWARE_TOKEN_MFA", "s2"), tokens("u-123")]);
        let next = svc
            .answer_challenge(
                &answer("NEW_PASSWORD_REQUIRED", "s1", &[("NEW_PASSWORD", "N3w-pw")]),
                &ContextData::default(),
            )
            .await;
        let SignInResponse::Challenge { challenge, username } = next.unwrap() else { panic!("expected the MFA step") };
        assert_eq!(
            (challenge.name.as_str(), challenge.session.expose(), username.as_str()),
            ("SOFTWARE_TOKEN_MFA", "s2", "u-123")
        );
        let done = svc
            .answer_challenge(
                &answer("SOFTWARE_TOKEN_MFA", "s2", &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]),
                &ContextData::default(),
            )
            .await;
        assert!(matches!(done.unwrap(), SignInResponse::Tokens { .. }));
    }

    #[tokio::test]
    async fn sessions_of_the_admin_flow_are_marked_and_answered_with_the_admin_api() {
        let (svc, pool) = service(vec![challenge("NEW_PASSWORD_REQUIRED", "s1"), tokens("u-123")]);
        let sign_in: SignInRequest = serde_json::from_value(serde_json::json!({
            "username": "ann@example.com", "password": "Temp-passw0rd", "flow": "ADMIN_USER_PASSWORD_AUTH"
        }))
        .unwrap();
        let SignInResponse::Challenge { challenge, .. } = svc.sign_in(&sign_in, &ContextData::default()).await.unwrap()
        else {
            panic!()
        };
        let marked = challenge.session.expose();
        assert!(marked.starts_with("admin.") && marked.ends_with(":s1"), "{marked}");
        assert_eq!(sign_in.flow, Some(SignInFlow::AdminUserPasswordAuth));
        svc.answer_challenge(
            &answer("NEW_PASSWORD_REQUIRED", challenge.session.expose(), &[("NEW_PASSWORD", "N3w-pw")]),
            &ContextData::default(),
        )
        .await
        .unwrap();
        let (api, _, session, _) = respond_call(&pool, 1);
        assert_eq!(api, ChallengeApi::Admin);
        assert_eq!(session.as_deref(), Some("s1"));
    }

    #[tokio::test]
    async fn a_client_cannot_mark_a_session_as_the_admin_flows() {
        // GIVEN a session a client marked itself, or one whose mark was moved to another session
        let (svc, pool) = service(vec![challenge("NEW_PASSWORD_REQUIRED", "s1")]);
        let sign_in: SignInRequest = serde_json::from_value(serde_json::json!({
            "username": "ann@example.com", "password": "Temp-passw0rd", "flow": "ADMIN_USER_PASSWORD_AUTH"
        }))
        .unwrap();
        let SignInResponse::Challenge { challenge, .. } = svc.sign_in(&sign_in, &ContextData::default()).await.unwrap()
        else {
            panic!()
        };
        let mac = challenge.session.expose().trim_start_matches("admin.").split(':').next().unwrap().to_string();
        for forged in
            ["admin.AAAA:s1".to_string(), format!("admin.{mac}:s2"), "admin.:s1".into(), "admin.nocolon".into()]
        {
            // WHEN it is answered, THEN it is refused before any Cognito call
            let out = svc
                .answer_challenge(
                    &answer("NEW_PASSWORD_REQUIRED", &forged, &[("NEW_PASSWORD", "N3w-pw")]),
                    &ContextData::default(),
                )
                .await;
            assert!(matches!(out, Err(AuthError::InvalidSession)), "{forged}: {out:?}");
        }
        assert_eq!(pool.calls().len(), 1);
    }

    #[tokio::test]
    async fn a_session_marked_under_another_client_secret_is_refused() {
        // GIVEN a session the admin flow marked for the app client with secret `secret`
        let (svc, _) = service(vec![challenge("NEW_PASSWORD_REQUIRED", "s1")]);
        let sign_in: SignInRequest = serde_json::from_value(serde_json::json!({
            "username": "ann@example.com", "password": "Temp-passw0rd", "flow": "ADMIN_USER_PASSWORD_AUTH"
        }))
        .unwrap();
        let SignInResponse::Challenge { challenge, .. } = svc.sign_in(&sign_in, &ContextData::default()).await.unwrap()
        else {
            panic!("expected the new-password challenge")
        };
        let marked = challenge.session.expose().to_string();
        // WHEN it is answered through a client with another secret, or with none (a mark anyone
        // could make, were its key not the secret's)
        for secret in [Some("another-secret"), Some(""), None] {
            let pool = Arc::new(ScriptedPool::new([]));
            let config =
                crate::CognitoConfig { client_secret: secret.map(ClientSecret::new), ..crate::testing::config() };
            let other = SignInService::new(pool.clone(), config);
            let out = other
                .answer_challenge(
                    &answer("NEW_PASSWORD_REQUIRED", &marked, &[("NEW_PASSWORD", "N3w-pw")]),
                    &ContextData::default(),
                )
                .await;
            // THEN it is refused as a dead session, before any Cognito call
            assert!(matches!(out, Err(AuthError::InvalidSession)), "{secret:?}: {out:?}");
            assert!(pool.calls().is_empty(), "{secret:?}");
        }
    }

    #[tokio::test]
    async fn a_session_and_an_answer_at_their_limits_reach_cognito_and_one_more_is_a_400_naming_them() {
        // GIVEN a session of the longest length the API takes (8 KiB: SESSION_MAX_CHARS), and an
        // answer of the longest value (2048 characters: CHALLENGE_ANSWER_MAX_CHARS)
        let session = "s".repeat(8 * 1024);
        let name = "ä".repeat(2048);
        let (svc, pool) = service(vec![tokens("u-123")]);
        let at_limit = answer(
            "NEW_PASSWORD_REQUIRED",
            &session,
            &[("NEW_PASSWORD", "N3w-passw0rd"), ("userAttributes.name", name.as_str())],
        );
        // WHEN it is answered, THEN it reaches Cognito as it is
        let out = svc.answer_challenge(&at_limit, &ContextData::default()).await;
        assert!(matches!(out, Ok(SignInResponse::Tokens { .. })), "{out:?}");
        let (_, _, sent, responses) = respond_call(&pool, 0);
        assert_eq!(
            (sent.as_deref(), responses["userAttributes.name"].as_str()),
            (Some(session.as_str()), name.as_str())
        );
        // AND one character more of either is a 400 naming it, before any Cognito call
        let longer_session = format!("{session}s");
        let longer_name = format!("{name}ä");
        for (req, field) in [
            (answer("SOFTWARE_TOKEN_MFA", &longer_session, &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]), "session"),
            (
                answer(
                    "NEW_PASSWORD_REQUIRED",
                    "s1",
                    &[("NEW_PASSWORD", "N3w-passw0rd"), ("userAttributes.name", longer_name.as_str())],
                ),
                "responses.userAttributes.name",
            ),
            (
                answer("SELECT_CHALLENGE", "s1", &[("ANSWER", "PASSWORD"), ("PASSWORD", &"p".repeat(2049))]),
                "responses.PASSWORD",
            ),
        ] {
            let api = api_types::ApiError::from(svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err());
            assert_eq!((api.status().as_u16(), api.field.as_deref()), (400, Some(field)));
        }
        assert_eq!(pool.calls().len(), 1);
    }

    #[tokio::test]
    async fn new_password_answers_cannot_change_the_sign_in_email() {
        let (svc, pool) = service(vec![]);
        let req = answer(
            "NEW_PASSWORD_REQUIRED",
            "s1",
            &[("NEW_PASSWORD", "N3w-passw0rd!"), ("userAttributes.email", "attacker@example.com")],
        );
        let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
        assert!(
            matches!(&err, AuthError::BadInput { field, .. } if field == "responses.userAttributes.email"),
            "{err:?}"
        );
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn new_password_answers_cannot_set_protected_attributes() {
        let (svc, pool) = service(vec![]);
        for name in ["email_verified", "phone_number_verified", "sub"] {
            let key = format!("userAttributes.{name}");
            let req = answer("NEW_PASSWORD_REQUIRED", "s1", &[("NEW_PASSWORD", "N3w-pw"), (&key, "true")]);
            let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
            assert!(
                matches!(&err, AuthError::BadInput { field, .. } if *field == format!("responses.{key}")),
                "{err:?}"
            );
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn new_password_answers_cannot_set_attributes_the_app_client_may_not_write() {
        let (svc, pool) = service(vec![]);
        let req = answer(
            "NEW_PASSWORD_REQUIRED",
            "s1",
            &[("NEW_PASSWORD", "N3w-pw"), ("userAttributes.name", "Ann"), ("userAttributes.phone_number", "+1555")],
        );
        let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
        let api = api_types::ApiError::from(err);
        assert_eq!((api.status().as_u16(), api.field.as_deref()), (400, Some("responses.userAttributes.phone_number")));
        assert!(pool.calls().is_empty(), "refused before Cognito");
    }

    #[tokio::test]
    async fn a_wrong_first_totp_code_is_a_400_not_a_5xx() {
        let (svc, _) = service(vec![Err(error("EnableSoftwareTokenMFAException"))]);
        let req = answer("MFA_SETUP", "s1", &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]);
        let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
        assert_eq!(api_types::ApiError::from(err).status(), 400);
    }

    #[tokio::test]
    async fn unknown_challenges_answers_and_bad_codes_are_refused_naming_the_field() {
        let (svc, pool) = service(vec![]);
        let cases = [
            (answer("CUSTOM_THING", "s", &[]), "name"),
            (answer("NEW_PASSWORD_REQUIRED", "s", &[]), "responses.NEW_PASSWORD"),
            (answer("NEW_PASSWORD_REQUIRED", "s", &[("NEW_PASSWORD", "Chosen-passw0rd1 ")]), "responses.NEW_PASSWORD"),
            (answer("NEW_PASSWORD_REQUIRED", "s", &[("NEW_PASSWORD", "x"), ("USERNAME", "admin")]), "responses"),
            (answer("NEW_PASSWORD_REQUIRED", "s", &[("NEW_PASSWORD", "x"), ("SECRET_HASH", "forged")]), "responses"),
            (
                answer("SOFTWARE_TOKEN_MFA", "s", &[("SOFTWARE_TOKEN_MFA_CODE", "12345")]),
                "responses.SOFTWARE_TOKEN_MFA_CODE",
            ),
            (answer("SMS_MFA", "s", &[("SMS_MFA_CODE", "12a456")]), "responses.SMS_MFA_CODE"),
            (answer("SELECT_MFA_TYPE", "s", &[("ANSWER", "EMAIL")]), "responses.ANSWER"),
            (answer("MFA_SETUP", "s", &[("SOFTWARE_TOKEN_MFA_CODE", "1")]), "responses.SOFTWARE_TOKEN_MFA_CODE"),
            (answer("SOFTWARE_TOKEN_MFA", "", &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]), "session"),
        ];
        for (req, field) in cases {
            match svc.answer_challenge(&req, &ContextData::default()).await {
                Err(AuthError::BadInput { field: f, .. }) => assert_eq!(f, field, "{:?}", req.responses),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert!(pool.calls().is_empty(), "nothing reaches Cognito");
    }

    #[tokio::test]
    async fn an_answer_for_a_username_with_a_stray_space_is_a_400_naming_it_never_sent() {
        // GIVEN challenge answers whose username has whitespace or an invisible character in it
        let (svc, pool) = service(vec![]);
        for name in [" u-123", "u-123 ", "u-123\u{200b}", "u\t123", ""] {
            let mut req = answer("SOFTWARE_TOKEN_MFA", "s1", &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]);
            req.username = name.into();
            // WHEN they are answered, THEN the API names the username, and Cognito is not asked
            let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "username"), "{name:?}: {err:?}");
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn totp_enrolment_during_sign_in_takes_two_steps() {
        let (svc, pool) = service(vec![
            Ok(ScriptedReply::Secret("JBSWY3DPEHPK3PXP".into(), Some("s2".into()))),
            Ok(ScriptedReply::Verified(true, Some("s3".into()))),
            tokens("u-123"),
        ]);
        // Step 1: no code, the secret comes back as the same challenge with a new session.
        let first = svc.answer_challenge(&answer("MFA_SETUP", "s1", &[]), &ContextData::default()).await.unwrap();
        let SignInResponse::Challenge { challenge, .. } = first else { panic!() };
        assert_eq!((challenge.name.as_str(), challenge.session.expose()), ("MFA_SETUP", "s2"));
        assert_eq!(challenge.parameters["secretCode"], "JBSWY3DPEHPK3PXP");
        assert_eq!(
            challenge.parameters["otpauthUri"],
            "otpauth://totp/Cognito:u%2D123?secret=JBSWY3DPEHPK3PXP&issuer=Cognito"
        );
        // Step 2: the first code verifies the token, then MFA_SETUP is answered with its session.
        let second = svc
            .answer_challenge(
                &answer("MFA_SETUP", "s2", &[("SOFTWARE_TOKEN_MFA_CODE", "123456"), ("DEVICE_NAME", "phone")]),
                &crate::testing::browser_context(),
            )
            .await
            .unwrap();
        assert!(matches!(second, SignInResponse::Tokens { .. }));
        assert_eq!(
            pool.calls()[1],
            Call::VerifySoftwareToken("Session", "s2".into(), "123456".into(), Some("phone".into()))
        );
        let (_, name, session, responses) = respond_call(&pool, 2);
        assert_eq!((name.as_str(), session.as_deref()), ("MFA_SETUP", Some("s3")));
        assert_eq!(responses["USERNAME"], "u-123");
        // AND the MFA_SETUP answer told Cognito the caller (the software-token calls take none)
        assert_eq!(pool.contexts(), [("RespondToAuthChallenge", crate::testing::browser_context())]);
    }

    #[test]
    fn the_answered_challenges_are_the_sign_in_mfa_and_first_factor_ones() {
        let answered: Vec<_> = answered_challenges().iter().map(|name| name.as_str().to_owned()).collect();
        assert_eq!(
            answered,
            [
                "NEW_PASSWORD_REQUIRED",
                "SOFTWARE_TOKEN_MFA",
                "SMS_MFA",
                "SELECT_MFA_TYPE",
                "MFA_SETUP",
                "SELECT_CHALLENGE",
                "PASSWORD",
                "PASSWORD_SRP",
                "EMAIL_OTP",
                "SMS_OTP",
                "WEB_AUTHN"
            ]
        );
        for other in ["", "CUSTOM_CHALLENGE", "DEVICE_SRP_AUTH", "PASSWORD_VERIFIER", "sms_mfa"] {
            assert!(ChallengeName::from(other).answers().is_none(), "{other}");
        }
    }

    #[tokio::test]
    async fn a_challenge_the_api_does_not_answer_is_a_400_naming_it_and_what_it_answers() {
        // GIVEN answers to a challenge Cognito knows and the API does not answer, to a made-up
        // one, to an empty name, and to an absurdly long one
        let (svc, pool) = service(vec![]);
        let long = "X".repeat(1000);
        for (name, says) in [
            ("DEVICE_SRP_AUTH", "DEVICE_SRP_AUTH is not a challenge this API answers"),
            ("CUSTOM_THING", "CUSTOM_THING is not a challenge this API answers"),
            ("", "name is required"),
            (long.as_str(), "name is not a challenge this API answers"),
        ] {
            // WHEN they are answered
            let err = svc.answer_challenge(&answer(name, "s", &[]), &ContextData::default()).await.unwrap_err();
            // THEN the 400 names `name`, says why and lists the challenges the API answers
            let api = api_types::ApiError::from(err);
            assert_eq!((api.status().as_u16(), api.field.as_deref()), (400, Some("name")), "{name}");
            assert!(api.message.starts_with(says), "{name}: {}", api.message);
            assert!(api.message.contains("NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA"), "{}", api.message);
            assert!(!api.message.contains(&long), "a long name is not repeated");
        }
        assert!(pool.calls().is_empty(), "nothing reaches Cognito");
    }

    #[tokio::test]
    async fn a_wrong_mfa_code_is_invalid_code_and_a_dead_session_says_so() {
        let (svc, _) = service(vec![Err(error("CodeMismatchException")), Err(error("NotAuthorizedException"))]);
        let req = answer("SOFTWARE_TOKEN_MFA", "s", &[("SOFTWARE_TOKEN_MFA_CODE", "123456")]);
        assert!(
            matches!(svc.answer_challenge(&req, &ContextData::default()).await, Err(AuthError::CodeMismatch { field }) if field == "responses.SOFTWARE_TOKEN_MFA_CODE")
        );
        assert!(matches!(svc.answer_challenge(&req, &ContextData::default()).await, Err(AuthError::InvalidSession)));
    }

    #[tokio::test]
    async fn choosing_the_password_sends_it_with_the_choice_and_secret_hash_over_the_internal_username() {
        let (svc, pool) = service(vec![tokens("u-123")]);
        let req = answer("SELECT_CHALLENGE", "s1", &[("ANSWER", "PASSWORD"), ("PASSWORD", "pw")]);
        let out = svc.answer_challenge(&req, &ContextData::default()).await.unwrap();
        assert!(matches!(out, SignInResponse::Tokens { .. }));
        let (_, name, session, responses) = respond_call(&pool, 0);
        assert_eq!((name.as_str(), session.as_deref()), ("SELECT_CHALLENGE", Some("s1")));
        assert_eq!((responses["ANSWER"].as_str(), responses["PASSWORD"].as_str()), ("PASSWORD", "pw"));
        assert_eq!(responses["USERNAME"], "u-123");
        assert_eq!(responses["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
    }

    #[tokio::test]
    async fn choosing_srp_sends_srp_a_and_the_api_proves_the_password() {
        use crate::sign_in::tests::{B, password_verifier};
        for (name, chosen) in [("SELECT_CHALLENGE", Some("PASSWORD_SRP")), ("PASSWORD_SRP", None)] {
            let (svc, pool) = service(vec![password_verifier(B), tokens("u-123")]);
            let mut given = vec![("PASSWORD", "pw")];
            given.extend(chosen.map(|c| ("ANSWER", c)));
            let out = svc.answer_challenge(&answer(name, "s1", &given), &ContextData::default()).await.unwrap();
            assert!(matches!(out, SignInResponse::Tokens { .. }), "{name}");
            let (_, first, session, responses) = respond_call(&pool, 0);
            assert_eq!((first.as_str(), session.as_deref()), (name, Some("s1")));
            assert_eq!(responses.get("ANSWER").map(String::as_str), chosen);
            assert!(responses["SRP_A"].len() > 500, "{name}");
            assert!(!responses.values().any(|v| v == "pw"), "{name}: the password never goes to Cognito");
            let (_, second, session, proof) = respond_call(&pool, 1);
            assert_eq!((second.as_str(), session.as_deref()), ("PASSWORD_VERIFIER", Some("sess-1")));
            assert!(!proof.values().any(|v| v == "pw"), "{name}");
        }
    }

    #[tokio::test]
    async fn passwordless_codes_are_eight_digits_and_the_email_challenge_takes_six_for_mfa() {
        let (svc, pool) = service(vec![tokens("u-123"), tokens("u-123"), tokens("u-123")]);
        for (name, key, code) in [
            ("EMAIL_OTP", "EMAIL_OTP_CODE", "12345678"),
            ("EMAIL_OTP", "EMAIL_OTP_CODE", "123456"),
            ("SMS_OTP", "SMS_OTP_CODE", "12345678"),
        ] {
            let out = svc.answer_challenge(&answer(name, "s1", &[(key, code)]), &ContextData::default()).await;
            assert!(matches!(out, Ok(SignInResponse::Tokens { .. })), "{name} {code}: {out:?}");
        }
        // A 6-digit check reused for SMS sign-in codes would refuse every real one, and the other
        // way round: each length where it belongs.
        for (name, key, code) in [
            ("SMS_OTP", "SMS_OTP_CODE", "123456"),
            ("EMAIL_OTP", "EMAIL_OTP_CODE", "1234567"),
            ("EMAIL_OTP", "EMAIL_OTP_CODE", "1234567a"),
            ("SMS_MFA", "SMS_MFA_CODE", "12345678"),
        ] {
            let out = svc.answer_challenge(&answer(name, "s1", &[(key, code)]), &ContextData::default()).await;
            let field = format!("responses.{key}");
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if *f == field), "{name} {code}: {out:?}");
        }
        assert_eq!(pool.calls().len(), 3);
    }

    #[tokio::test]
    async fn choices_are_checked_before_cognito() {
        let (svc, pool) = service(vec![]);
        for (responses, field) in [
            (vec![("ANSWER", "EMAIL_OTP"), ("PASSWORD", "pw")], "responses.PASSWORD"),
            (vec![("ANSWER", "PASSWORD")], "responses.PASSWORD"),
            (vec![("ANSWER", "WEB_AUTHN"), ("PASSWORD", "pw")], "responses.PASSWORD"),
            (vec![("ANSWER", "CUSTOM_CHALLENGE")], "responses.ANSWER"),
            (vec![("ANSWER", "SOFTWARE_TOKEN_MFA")], "responses.ANSWER"),
            (vec![("ANSWER", "PASSWORD"), ("PASSWORD", "pw"), ("SRP_A", "ab")], "responses"),
            (vec![], "responses.ANSWER"),
        ] {
            let out =
                svc.answer_challenge(&answer("SELECT_CHALLENGE", "s1", &responses), &ContextData::default()).await;
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if f == field), "{responses:?}: {out:?}");
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_passkey_assertion_is_sent_whole_as_credential_with_secret_hash_over_the_internal_username() {
        // GIVEN the browser's assertion, as JSON, for the WEB_AUTHN challenge
        let (svc, pool) = service(vec![tokens("u-123")]);
        let assertion = r#"{"id":"AbC","rawId":"AbC","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"SZY","signature":"MEU","userHandle":"dS0x"},"clientExtensionResults":{}}"#;
        // WHEN it answers the challenge
        let req = answer("WEB_AUTHN", "s1", &[("CREDENTIAL", assertion)]);
        svc.answer_challenge(&req, &ContextData::default()).await.unwrap();
        // THEN Cognito gets it unchanged, for the internal username, with its SECRET_HASH
        let (_, name, _, responses) = respond_call(&pool, 0);
        assert_eq!((name.as_str(), responses["CREDENTIAL"].as_str()), ("WEB_AUTHN", assertion));
        assert_eq!(responses["USERNAME"], "u-123");
        assert!(responses.contains_key("SECRET_HASH"));
    }

    #[tokio::test]
    async fn a_passkey_cognito_does_not_accept_is_a_401_saying_so_on_credential() {
        let (svc, _) = service(vec![Err(error("NotAuthorizedException"))]);
        let req = answer("WEB_AUTHN", "s1", &[("CREDENTIAL", r#"{"id":"AbC"}"#)]);
        let err = svc.answer_challenge(&req, &ContextData::default()).await.unwrap_err();
        let api = api_types::ApiError::from(err);
        assert_eq!((api.status().as_u16(), api.field.as_deref()), (401, Some("responses.CREDENTIAL")));
        assert!(api.message.starts_with("The passkey was not accepted"), "{}", api.message);
    }

    #[tokio::test]
    async fn an_assertion_with_the_longest_credential_id_reaches_cognito() {
        // A 1,023-byte credential id is 1,364 characters of base64url, twice (`id`, `rawId`).
        let (svc, pool) = service(vec![tokens("u-123")]);
        let id = "A".repeat(1_364);
        let assertion = format!(
            r#"{{"id":"{id}","rawId":"{id}","type":"public-key","response":{{"clientDataJSON":"e30","authenticatorData":"SZY","signature":"MEU"}}}}"#
        );
        let req = answer("WEB_AUTHN", "s1", &[("CREDENTIAL", &assertion)]);
        svc.answer_challenge(&req, &ContextData::default()).await.unwrap();
        assert_eq!(respond_call(&pool, 0).3["CREDENTIAL"], assertion);
    }

    #[tokio::test]
    async fn a_passkey_answer_that_is_not_an_assertion_is_a_400_on_credential_never_sent() {
        let (svc, pool) = service(vec![]);
        let huge = format!("{{\"id\":\"{}\"}}", "A".repeat(crate::input::WEB_AUTHN_CREDENTIAL_MAX_CHARS));
        for (credential, field) in [
            ("", "responses.CREDENTIAL"),
            ("not json", "responses.CREDENTIAL"),
            ("[1,2]", "responses.CREDENTIAL"),
            (huge.as_str(), "responses.CREDENTIAL"),
        ] {
            let req = answer("WEB_AUTHN", "s1", &[("CREDENTIAL", credential)]);
            let out = svc.answer_challenge(&req, &ContextData::default()).await;
            assert!(matches!(&out, Err(AuthError::BadInput { field: f, .. }) if f == field), "{out:?}");
        }
        let out =
            svc.answer_challenge(&answer("WEB_AUTHN", "s1", &[("PASSWORD", "pw")]), &ContextData::default()).await;
        assert!(matches!(&out, Err(AuthError::BadInput { field, .. }) if field == "responses"), "{out:?}");
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn an_sms_code_as_the_first_factor_is_answered_for_the_internal_username() {
        // SMS delivery is real Cognito's (SNS): on the scripted Cognito, the 8-digit code the
        // person typed goes back with SECRET_HASH over the internal username
        let (svc, pool) = service(vec![tokens("u-123")]);
        let req = answer("SMS_OTP", "s1", &[("SMS_OTP_CODE", "12345678")]);
        assert!(matches!(svc.answer_challenge(&req, &ContextData::default()).await, Ok(SignInResponse::Tokens { .. })));
        let (_, name, session, responses) = respond_call(&pool, 0);
        assert_eq!((name.as_str(), session.as_deref()), ("SMS_OTP", Some("s1")));
        assert_eq!((responses["SMS_OTP_CODE"].as_str(), responses["USERNAME"].as_str()), ("12345678", "u-123"));
        assert_eq!(responses["SECRET_HASH"], ClientSecret::new("secret").secret_hash("u-123", "client"));
    }
}
