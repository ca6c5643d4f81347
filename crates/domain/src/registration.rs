//! Sign-up, confirmation and new confirmation codes.
//!
//! Account-existence privacy: resending a code answers the same for an unknown or already
//! confirmed user as for a waiting one, and a confirmation for an unknown user fails exactly like
//! a wrong code. Sign-up itself must say when a username is taken (the user has to pick another);
//! that, and sign-in's `UserNotConfirmed`, are the outcomes that can still reveal an account.

use std::sync::Arc;

use api_types::{
    Secret,
    wire::{CodeDelivery, ConfirmSignUpRequest, SignUpRequest, SignUpResponse, UsernameRequest},
};

use crate::{
    AuthError, CognitoConfig, ContextData, RegistrationPort,
    cognito_errors::{CognitoCall, Outcome, outcome},
    input::{
        ATTRIBUTES_MAX, SIGN_IN_ATTRIBUTES, check_confirmation_code, check_password, check_user_attribute,
        check_username,
    },
    user_pool,
};

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
        })
    }

    /// `ConfirmSignUp`. A wrong or expired code, an unknown user and an already confirmed one
    /// all fail alike, as [`AuthError::CodeMismatch`]. Returns the session Cognito answers when
    /// the app client allows `USER_AUTH` ([`crate::sign_in::SignInService::sign_in_confirmed`]).
    pub async fn confirm(
        &self,
        req: &ConfirmSignUpRequest,
        context: &ContextData,
    ) -> Result<Option<Secret>, AuthError> {
        check_username("username", &req.username)?;
        check_confirmation_code(req.code.expose())?;
        self.pool
            .confirm_sign_up(&req.username, req.code.expose(), self.config.secret_hash(&req.username), context)
            .await
            .map(|session| session.map(Secret::from))
            .map_err(|err| AuthError::from_cognito(CognitoCall::ConfirmSignUp, err))
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

fn wire_delivery(d: user_pool::CodeDeliveryDetails) -> CodeDelivery {
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
        let req = ConfirmSignUpRequest { username: "x@example.com".into(), code: "123456".into(), sign_in: false };
        for _ in 0..3 {
            assert!(
                matches!(svc.confirm(&req, &ContextData::default()).await, Err(AuthError::CodeMismatch { field }) if field == "code")
            );
        }
        let spaced = ConfirmSignUpRequest { username: "x@example.com".into(), code: "123 456".into(), sign_in: false };
        assert!(
            matches!(svc.confirm(&spaced, &ContextData::default()).await, Err(AuthError::BadInput { field, .. }) if field == "code")
        );
    }
}
