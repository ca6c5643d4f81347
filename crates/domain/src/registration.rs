//! Sign-up, confirmation and new confirmation codes.
//!
//! Account-existence privacy: resending a code answers the same for an unknown or already
//! confirmed user as for a waiting one, and a confirmation for an unknown user fails exactly like
//! a wrong code. Sign-up itself must say when a username is taken (the user has to pick another);
//! that, and sign-in's `UserNotConfirmed`, are the outcomes that can still reveal an account.
//!
//! Signing in at confirmation needs the sign-up's receipt ([`SignUpReceipt`]). Without it anyone
//! who can read the mailbox could confirm a sign-up someone else made of their address, with a
//! password that someone else keeps, and be signed in to it without ever learning a password
//! exists (sign-up pre-hijacking). With it, only the caller who made the sign-up is signed in;
//! anyone else confirms the account (204) and signs in as usual, where "forgot password" takes
//! it back (a reset ends every session).

use std::sync::Arc;

use api_types::{
    Secret,
    wire::{CodeDelivery, ConfirmSignUpRequest, SignUpRequest, SignUpResponse, UsernameRequest},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    AuthError, CognitoConfig, ContextData, RegistrationPort,
    cognito_errors::{CognitoCall, Outcome, outcome},
    input::{
        ATTRIBUTES_MAX, SIGN_IN_ATTRIBUTES, check_confirmation_code, check_password, check_text, check_user_attribute,
        check_username,
    },
    user_pool,
};

/// How long a sign-up's receipt is good for: as long as the confirmation code Cognito sends with
/// it ("valid for 24 hours", Cognito developer guide, "Signing up and confirming user accounts").
pub const RECEIPT_LIFETIME_SECONDS: u64 = 24 * 60 * 60;

/// The longest receipt taken (`SignUpReceipt`'s `maxLength` in `openapi.yaml`):
/// `{expiry}.{43 characters of base64url}` is 54.
pub const RECEIPT_MAX_CHARS: usize = 128;

/// Proof that a caller made a sign-up: `{expiry}.{mac}`, the MAC (HMAC-SHA256 under a key
/// derived from the app client secret for this purpose alone) over the app client, the username
/// in lower case (the pool's names are case-insensitive) and the expiry, in seconds since the
/// epoch. Nothing in it is secret but the key; it binds the username and expires.
pub struct SignUpReceipt;

impl SignUpReceipt {
    /// The key and the signed message for `username` and `expiry`; `None` without a client secret.
    fn signing(config: &CognitoConfig, username: &str, expiry: u64) -> Option<(aws_lc_rs::hmac::Key, String)> {
        let key = config.client_secret.as_ref()?.derived_key(b"sign-up-receipt");
        Some((key, format!("{}\0{}\0{expiry}", config.client_id, username.to_lowercase())))
    }

    /// The receipt for a sign-up of `username` made at `now` (seconds since the epoch); `None`
    /// when the app client has no secret to key it.
    pub fn issue(config: &CognitoConfig, username: &str, now: u64) -> Option<Secret> {
        let expiry = now.saturating_add(RECEIPT_LIFETIME_SECONDS);
        let (key, message) = Self::signing(config, username, expiry)?;
        let mac = aws_lc_rs::hmac::sign(&key, message.as_bytes());
        Some(format!("{expiry}.{}", URL_SAFE_NO_PAD.encode(mac.as_ref())).into())
    }

    /// Whether `receipt` proves a sign-up of `username` that has not expired at `now`.
    pub fn proves(config: &CognitoConfig, username: &str, receipt: &str, now: u64) -> bool {
        if receipt.len() > RECEIPT_MAX_CHARS {
            return false;
        }
        let Some((expiry, mac)) = receipt.split_once('.') else { return false };
        let (Ok(expiry), Ok(mac)) = (expiry.parse::<u64>(), URL_SAFE_NO_PAD.decode(mac)) else { return false };
        let Some((key, message)) = Self::signing(config, username, expiry) else { return false };
        now < expiry && aws_lc_rs::hmac::verify(&key, message.as_bytes(), &mac).is_ok()
    }
}

/// Sign-up and confirmation for one app client.
#[derive(Clone)]
pub struct RegistrationService {
    pool: Arc<dyn RegistrationPort>,
    config: CognitoConfig,
}

impl RegistrationService {
    /// A service for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn RegistrationPort>, config: CognitoConfig) -> Self {
        Self { pool, config }
    }

    /// `SignUp`. A taken username is [`AuthError::UsernameExists`] (409). Attributes are checked
    /// first ([`check_user_attribute`]): one the app client may not write is a 400 naming it.
    pub async fn sign_up(&self, req: &SignUpRequest, context: &ContextData) -> Result<SignUpResponse, AuthError> {
        check_username("username", &req.username)?;
        if let Some(password) = &req.password {
            check_password("password", password.expose())?;
        }
        if req.attributes.len() > ATTRIBUTES_MAX {
            return Err(AuthError::bad_input("attributes", format!("at most {ATTRIBUTES_MAX} attributes.")));
        }
        for (name, value) in &req.attributes {
            // The sign-in name is the username: a second, different address would become the
            // account's sign-in name unverified.
            if SIGN_IN_ATTRIBUTES.contains(&name.as_str()) && !value.eq_ignore_ascii_case(&req.username) {
                return Err(AuthError::bad_input(
                    format!("attributes.{name}"),
                    format!("{name} is the sign-in name: it must be the username."),
                ));
            }
            check_user_attribute(&format!("attributes.{name}"), name, value, &self.config.write_attributes)?;
        }
        let attributes: Vec<(String, String)> = req.attributes.clone().into_iter().collect();
        let out = self
            .pool
            .sign_up(
                &req.username,
                req.password.as_ref().map(Secret::expose),
                &attributes,
                self.config.secret_hash(&req.username),
                context,
            )
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::SignUp, err))?;
        Ok(SignUpResponse {
            user_confirmed: out.user_confirmed,
            user_sub: out.user_sub,
            code_delivery: out.code_delivery.map(wire_delivery),
            receipt: SignUpReceipt::issue(&self.config, &req.username, crate::unix_time()),
        })
    }

    /// `ConfirmSignUp`. A wrong or expired code, an unknown user and an already confirmed one
    /// all fail alike, as [`AuthError::CodeMismatch`]. Returns the session Cognito answers when
    /// the app client allows `USER_AUTH`, for signing in at once
    /// ([`crate::sign_in::SignInService::sign_in_confirmed`]), only when the request asks for it
    /// with the sign-up's receipt ([`SignUpReceipt`]); otherwise the account is confirmed all the
    /// same and no session is returned.
    pub async fn confirm(
        &self,
        req: &ConfirmSignUpRequest,
        context: &ContextData,
    ) -> Result<Option<Secret>, AuthError> {
        check_username("username", &req.username)?;
        check_confirmation_code(req.code.expose())?;
        if let Some(receipt) = &req.receipt {
            check_text("receipt", receipt.expose(), RECEIPT_MAX_CHARS)?;
        }
        let receipt = req.receipt.as_ref().filter(|_| req.sign_in);
        let proven =
            receipt.is_some_and(|r| SignUpReceipt::proves(&self.config, &req.username, r.expose(), crate::unix_time()));
        let session = self
            .pool
            .confirm_sign_up(&req.username, req.code.expose(), self.config.secret_hash(&req.username), context)
            .await
            .map_err(|err| AuthError::from_cognito(CognitoCall::ConfirmSignUp, err))?;
        if req.sign_in && !proven {
            tracing::info!("confirmation asked to sign in without a valid receipt: confirmed only");
        }
        Ok(session.filter(|_| proven).map(Secret::from))
    }

    /// `ResendConfirmationCode`. Answers the same whether or not the user exists or is
    /// already confirmed; only throttling and Cognito failures come back as errors.
    pub async fn resend_code(&self, req: &UsernameRequest, context: &ContextData) -> Result<(), AuthError> {
        check_username("username", &req.username)?;
        let hash = self.config.secret_hash(&req.username);
        let Err(err) = self.pool.resend_confirmation_code(&req.username, hash, context).await else {
            return Ok(());
        };
        match outcome(CognitoCall::ResendCode, err) {
            Outcome::AnswerAsSuccess(err) => {
                // Answered as success for privacy; logged, since a wrong client secret or a pool
                // without auto-verification look the same from outside.
                tracing::warn!(code = %err.code, "resend-code refused by Cognito; answered 202");
                Ok(())
            }
            Outcome::Fail(err) => Err(err),
        }
    }
}

/// Where a code went, as the API answers it.
pub(crate) fn wire_delivery(d: user_pool::CodeDeliveryDetails) -> CodeDelivery {
    CodeDelivery { destination: d.destination, delivery_medium: d.medium, attribute_name: d.attribute }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClientSecret, CognitoError,
        testing::{Call, ScriptedPool, ScriptedReply, error},
        user_pool::SignedUp,
    };

    fn service(replies: Vec<Result<ScriptedReply, CognitoError>>) -> (RegistrationService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (RegistrationService::new(pool.clone(), crate::testing::config()), pool)
    }

    #[test]
    fn a_receipt_proves_its_own_sign_up_until_it_expires() {
        // GIVEN the receipt of a sign-up of Ann@Example.com made at t
        let config = crate::testing::config();
        let t = 1_800_000_000;
        let receipt = SignUpReceipt::issue(&config, "Ann@Example.com", t).unwrap();
        let proves = |username: &str, receipt: &str, now: u64| SignUpReceipt::proves(&config, username, receipt, now);
        // THEN it proves that sign-up, in any letter case, until its 24 hours are over
        assert!(proves("Ann@Example.com", receipt.expose(), t));
        assert!(proves("ann@example.com", receipt.expose(), t + RECEIPT_LIFETIME_SECONDS - 1));
        assert!(!proves("ann@example.com", receipt.expose(), t + RECEIPT_LIFETIME_SECONDS));
        // AND no other sign-up, nor a receipt with its expiry moved, nor anything else
        assert!(!proves("bob@example.com", receipt.expose(), t));
        let (_, mac) = receipt.expose().split_once('.').unwrap();
        assert!(!proves("ann@example.com", &format!("{}.{mac}", t + 2 * RECEIPT_LIFETIME_SECONDS), t));
        for garbage in ["", ".", "1.", "x.y", &format!("{}.", u64::MAX), &"9".repeat(200)] {
            assert!(!proves("ann@example.com", garbage, t), "{garbage:?}");
        }
        // AND a receipt is the client secret's: another secret, or none, proves nothing
        let other = crate::CognitoConfig { client_secret: Some(ClientSecret::new("other")), ..config.clone() };
        assert!(!SignUpReceipt::proves(&other, "ann@example.com", receipt.expose(), t));
        let no_secret = crate::CognitoConfig { client_secret: None, ..config.clone() };
        assert!(SignUpReceipt::issue(&no_secret, "ann@example.com", t).is_none());
        assert!(!SignUpReceipt::proves(&no_secret, "ann@example.com", receipt.expose(), t));
    }

    #[tokio::test]
    async fn a_confirmation_signs_in_only_with_the_sign_ups_own_receipt() {
        // GIVEN a sign-up that answered a receipt, and Cognito answering each confirmation with a
        // session
        let (svc, _) = service(vec![
            Ok(ScriptedReply::SignedUp(SignedUp { user_confirmed: false, user_sub: "s".into(), code_delivery: None })),
            Ok(ScriptedReply::Session("session".into())),
            Ok(ScriptedReply::Session("session".into())),
            Ok(ScriptedReply::Session("session".into())),
            Ok(ScriptedReply::Session("session".into())),
        ]);
        let made = svc.sign_up(&sign_up(&[]), &ContextData::default()).await.unwrap();
        let receipt = made.receipt.expect("a receipt");
        let confirm = |sign_in: bool, receipt: Option<Secret>| ConfirmSignUpRequest {
            username: "new@example.com".into(),
            code: "123456".into(),
            sign_in,
            receipt,
        };
        let context = ContextData::default();
        // WHEN the confirmation asks to sign in with it THEN the session comes back
        assert!(svc.confirm(&confirm(true, Some(receipt.clone())), &context).await.unwrap().is_some());
        // AND without it, with another sign-up's, or without asking, the account is confirmed only
        assert!(svc.confirm(&confirm(true, None), &context).await.unwrap().is_none());
        let theirs = SignUpReceipt::issue(&crate::testing::config(), "other@example.com", crate::unix_time());
        assert!(svc.confirm(&confirm(true, theirs), &context).await.unwrap().is_none());
        assert!(svc.confirm(&confirm(false, Some(receipt)), &context).await.unwrap().is_none());
    }

    fn sign_up(attributes: &[(&str, &str)]) -> SignUpRequest {
        SignUpRequest {
            username: "new@example.com".into(),
            password: Some("New-passw0rd".into()),
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[tokio::test]
    async fn sign_up_sends_the_secret_hash_and_the_attributes() {
        let out = SignedUp { user_confirmed: false, user_sub: "s-1".into(), code_delivery: None };
        let (svc, pool) = service(vec![Ok(ScriptedReply::SignedUp(out))]);
        let answer = svc.sign_up(&sign_up(&[("name", "New")]), &ContextData::default()).await.unwrap();
        assert!(!answer.user_confirmed);
        let hash = ClientSecret::new("secret").secret_hash("new@example.com", "client");
        assert_eq!(
            pool.calls()[0],
            Call::SignUp(
                "new@example.com".into(),
                "New-passw0rd".into(),
                vec![("name".into(), "New".into())],
                Some(hash)
            )
        );
    }

    #[tokio::test]
    async fn a_sign_up_email_other_than_the_username_is_refused() {
        let (svc, pool) = service(vec![]);
        let err =
            svc.sign_up(&sign_up(&[("email", "someone-else@example.com")]), &ContextData::default()).await.unwrap_err();
        assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "attributes.email"), "{err:?}");
        assert!(pool.calls().is_empty());
        // The username itself, in any case, is fine.
        let out = SignedUp { user_confirmed: false, user_sub: "s-1".into(), code_delivery: None };
        let (svc, _) = service(vec![Ok(ScriptedReply::SignedUp(out))]);
        svc.sign_up(&sign_up(&[("email", "New@Example.com")]), &ContextData::default()).await.unwrap();
    }

    #[tokio::test]
    async fn users_cannot_vouch_for_their_own_attributes() {
        let (svc, pool) = service(vec![]);
        for (name, value) in
            [("email_verified", "true"), ("phone_number_verified", "true"), ("sub", "x"), ("bad name", "x")]
        {
            let err = svc.sign_up(&sign_up(&[(name, value)]), &ContextData::default()).await.unwrap_err();
            assert!(
                matches!(&err, AuthError::BadInput { field, .. } if *field == format!("attributes.{name}")),
                "{err:?}"
            );
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn attributes_the_app_client_may_not_write_are_refused_naming_the_field_before_cognito() {
        // GIVEN the template's WriteAttributes (email, name, given_name, family_name, locale)
        let (svc, pool) = service(vec![]);
        for name in ["phone_number", "custom:plan", "address"] {
            // WHEN someone signs up setting another attribute
            let err =
                svc.sign_up(&sign_up(&[("name", "New"), (name, "x")]), &ContextData::default()).await.unwrap_err();
            // THEN a 400 names it, and Cognito is not called
            let api = api_types::ApiError::from(err);
            assert_eq!((api.status().as_u16(), api.field.clone()), (400, Some(format!("attributes.{name}"))));
            assert!(api.message.contains(name), "{}", api.message);
        }
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_password_with_whitespace_at_either_end_is_refused_naming_it_but_a_space_inside_is_not() {
        // GIVEN a sign-up whose password ends with a space (Cognito: "Member must satisfy regular
        // expression pattern: ^[\S]+.*[\S]+$")
        let out = SignedUp { user_confirmed: false, user_sub: "s-1".into(), code_delivery: None };
        let (svc, pool) = service(vec![Ok(ScriptedReply::SignedUp(out))]);
        for password in ["New-passw0rd ", " New-passw0rd", "New-passw0rd\n"] {
            let mut req = sign_up(&[]);
            req.password = Some(password.into());
            // WHEN it is sent, THEN a 400 names the password and Cognito is not called
            let err = svc.sign_up(&req, &ContextData::default()).await.unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "password"), "{password:?}: {err:?}");
        }
        assert!(pool.calls().is_empty());
        // A space inside is a special character like any other: the request goes to Cognito as it is.
        let mut req = sign_up(&[]);
        req.password = Some("Correct horse 1".into());
        assert!(svc.sign_up(&req, &ContextData::default()).await.is_ok());
    }

    #[tokio::test]
    async fn a_taken_username_is_reported() {
        let (svc, _) = service(vec![Err(error("UsernameExistsException"))]);
        assert!(matches!(svc.sign_up(&sign_up(&[]), &ContextData::default()).await, Err(AuthError::UsernameExists)));
    }

    #[tokio::test]
    async fn resending_a_code_answers_the_same_whether_or_not_the_account_exists() {
        let (svc, _) = service(vec![
            Ok(ScriptedReply::Delivery(None)),
            Err(error("UserNotFoundException")),
            Err(error("InvalidParameterException")),
            Err(error("TooManyRequestsException")),
        ]);
        let req = UsernameRequest { username: "someone@example.com".into() };
        assert!(svc.resend_code(&req, &ContextData::default()).await.is_ok(), "waiting account");
        assert!(svc.resend_code(&req, &ContextData::default()).await.is_ok(), "unknown account");
        assert!(svc.resend_code(&req, &ContextData::default()).await.is_ok(), "already confirmed account");
        assert!(matches!(svc.resend_code(&req, &ContextData::default()).await, Err(AuthError::Throttled)));
    }

    #[tokio::test]
    async fn confirming_an_unknown_account_fails_like_a_wrong_code() {
        let (svc, _) = service(vec![
            Err(error("CodeMismatchException")),
            Err(error("UserNotFoundException")),
            Err(error("NotAuthorizedException")),
        ]);
        let req = ConfirmSignUpRequest {
            username: "x@example.com".into(),
            code: "123456".into(),
            sign_in: false,
            receipt: None,
        };
        for _ in 0..3 {
            assert!(
                matches!(svc.confirm(&req, &ContextData::default()).await, Err(AuthError::CodeMismatch { field }) if field == "code")
            );
        }
        let spaced = ConfirmSignUpRequest {
            username: "x@example.com".into(),
            code: "123 456".into(),
            sign_in: false,
            receipt: None,
        };
        assert!(
            matches!(svc.confirm(&spaced, &ContextData::default()).await, Err(AuthError::BadInput { field, .. }) if field == "code")
        );
    }
}
