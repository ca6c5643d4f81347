//! The signed-in person's own account, with their access token: what Cognito knows of them
//! (`GetUser`), the attributes the app client may write (`UpdateUserAttributes`), proving a new
//! address with a code (`GetUserAttributeVerificationCode`, `VerifyUserAttribute`), and deleting
//! the account (`DeleteUser`) after a recent sign-in.
//!
//! Addresses: the pool keeps the old, verified address until the new one is proven
//! (`AttributesRequireVerificationBeforeUpdate` in `template.yaml`; API_UpdateUserAttributes), so
//! a change never leaves the person signing in with an address nobody has proven. An address
//! another account signs in with is a 409. `email_verified` and `phone_number_verified` are never
//! the person's to set: only a code proves an address.

use std::sync::Arc;

use api_types::wire::{
    Account, SendAttributeCodeResponse, UpdateAccountRequest, UpdateAccountResponse, VerifiableAttribute,
    VerifyAttributeRequest,
};

use crate::{
    AccountPort, AuthError,
    cognito_errors::CognitoCall,
    config::WriteAttributes,
    input::{ATTRIBUTES_MAX, check_confirmation_code, check_user_attribute},
    registration::wire_delivery,
    token::CallerAccessToken,
};

/// Every call here is authorised by the caller's access token.
fn account_error(err: crate::CognitoError) -> AuthError {
    AuthError::from_cognito(CognitoCall::AccessToken, err)
}

/// The person's own account, for one app client.
#[derive(Clone)]
pub struct AccountService {
    pool: Arc<dyn AccountPort>,
    write_attributes: WriteAttributes,
}

impl AccountService {
    /// A service calling Cognito through `pool`, writing only `write_attributes` (the app
    /// client's `WriteAttributes`).
    pub fn new(pool: Arc<dyn AccountPort>, write_attributes: WriteAttributes) -> Self {
        Self { pool, write_attributes }
    }

    /// `GET /account`: the username, every attribute and the second factors.
    pub async fn get(&self, token: &CallerAccessToken) -> Result<Account, AuthError> {
        let user = self.pool.get_user(token.expose()).await.map_err(account_error)?;
        Ok(Account { username: user.username, attributes: user.attributes, mfa: user.mfa.into() })
    }

    /// `PATCH /account`: sets the attributes given, each held to the sign-up rules first
    /// ([`check_user_attribute`]: a valid name the app client may write, not one Cognito vouches
    /// for, a value in Cognito's format); a 400 names `attributes.<name>`. Answers where the
    /// codes to prove changed addresses went.
    pub async fn update(
        &self,
        token: &CallerAccessToken,
        req: &UpdateAccountRequest,
    ) -> Result<UpdateAccountResponse, AuthError> {
        if req.attributes.is_empty() {
            return Err(AuthError::bad_input("attributes", "name at least one attribute."));
        }
        if req.attributes.len() > ATTRIBUTES_MAX {
            return Err(AuthError::bad_input("attributes", format!("at most {ATTRIBUTES_MAX} attributes.")));
        }
        for (name, value) in &req.attributes {
            check_user_attribute(&format!("attributes.{name}"), name, value, &self.write_attributes)?;
        }
        let attributes: Vec<(String, String)> = req.attributes.clone().into_iter().collect();
        let sent = self.pool.update_user_attributes(token.expose(), &attributes).await.map_err(account_error)?;
        Ok(UpdateAccountResponse { code_deliveries: sent.into_iter().map(wire_delivery).collect() })
    }

    /// `POST /account/attributes/{attribute}/code`: a code to the address (the new one while a
    /// change waits for it). Cognito limits how many a person may ask for
    /// ([`AuthError::LimitExceeded`], 429).
    pub async fn send_code(
        &self,
        token: &CallerAccessToken,
        attribute: VerifiableAttribute,
    ) -> Result<SendAttributeCodeResponse, AuthError> {
        let sent = self.pool.send_attribute_code(token.expose(), attribute.as_str()).await.map_err(account_error)?;
        Ok(SendAttributeCodeResponse { code_delivery: sent.map(wire_delivery) })
    }

    /// `POST /account/attributes/{attribute}/verify`: proves the address with its code; a
    /// waiting change takes effect. A wrong or expired code is [`AuthError::CodeMismatch`] on
    /// `code`.
    pub async fn verify(
        &self,
        token: &CallerAccessToken,
        attribute: VerifiableAttribute,
        req: &VerifyAttributeRequest,
    ) -> Result<(), AuthError> {
        check_confirmation_code(req.code.expose())?;
        self.pool
            .verify_user_attribute(token.expose(), attribute.as_str(), req.code.expose())
            .await
            .map_err(|err| account_error(err).in_field("code"))
    }

    /// `DELETE /account`. The route needs a recent sign-in (the route table's
    /// [`api_types::routes::MaxAgeRequirement::AccountDeletion`], checked by the function before
    /// it calls this), so a stolen token, or a session refreshed for weeks, cannot destroy the
    /// account.
    pub async fn delete(&self, token: &CallerAccessToken) -> Result<(), AuthError> {
        self.pool.delete_user(token.expose()).await.map_err(account_error)?;
        tracing::info!(sub = %token.sub(), "account deleted by its owner");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{
        testing::{Call, ScriptedPool, ScriptedReply, caller_token, error, error_with},
        user_pool::{AccountUser, CodeDeliveryDetails, MfaSettings},
    };

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (AccountService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (AccountService::new(pool.clone(), WriteAttributes::default()), pool)
    }

    fn update(pairs: &[(&str, &str)]) -> UpdateAccountRequest {
        UpdateAccountRequest { attributes: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    fn delivery(attribute: &str) -> CodeDeliveryDetails {
        CodeDeliveryDetails { destination: "n***@e***".into(), medium: "EMAIL".into(), attribute: attribute.into() }
    }

    #[tokio::test]
    async fn the_account_is_what_cognito_knows_of_the_person() {
        let user = AccountUser {
            username: "u-1".into(),
            attributes: BTreeMap::from([("email".into(), "ann@example.com".into())]),
            mfa: MfaSettings {
                enabled: vec!["SOFTWARE_TOKEN_MFA".into()],
                preferred: Some("SOFTWARE_TOKEN_MFA".into()),
            },
        };
        let (svc, pool) = service(vec![Ok(ScriptedReply::Account(user))]);
        let token = caller_token("sub-1");
        let account = svc.get(&token).await.unwrap();
        assert_eq!(account.username, "u-1");
        assert_eq!(account.attributes["email"], "ann@example.com");
        assert_eq!(account.mfa.preferred, Some(api_types::challenge::MfaFactor::SoftwareToken));
        assert_eq!(pool.calls(), [Call::GetUser(token.expose().into())]);
    }

    #[tokio::test]
    async fn a_change_of_address_answers_where_the_code_to_prove_it_went() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Deliveries(vec![delivery("email")]))]);
        let token = caller_token("sub-1");
        let out = svc.update(&token, &update(&[("email", "new@example.com"), ("name", "Ann")])).await.unwrap();
        assert_eq!(out.code_deliveries.len(), 1);
        assert_eq!(out.code_deliveries[0].attribute_name, "email");
        let sent = vec![("email".into(), "new@example.com".into()), ("name".into(), "Ann".into())];
        assert_eq!(pool.calls(), [Call::UpdateUserAttributes(token.expose().into(), sent)]);
    }

    #[tokio::test]
    async fn the_verified_flags_and_attributes_the_client_may_not_write_are_refused_before_cognito() {
        let (svc, pool) = service(vec![]);
        let token = caller_token("sub-1");
        for (name, value) in [
            ("email_verified", "true"),
            ("phone_number_verified", "true"),
            ("sub", "someone-else"),
            ("custom:not_writable", "x"),
            ("phone_number", "0123"),
        ] {
            let err = svc.update(&token, &update(&[(name, value)])).await.unwrap_err();
            let api = api_types::ApiError::from(err);
            assert_eq!((api.status().as_u16(), api.field.as_deref()), (400, Some(&*format!("attributes.{name}"))));
        }
        let none = api_types::ApiError::from(svc.update(&token, &update(&[])).await.unwrap_err());
        assert_eq!(none.field.as_deref(), Some("attributes"));
        assert!(pool.calls().is_empty());
    }

    #[tokio::test]
    async fn an_address_another_account_signs_in_with_is_a_conflict_not_a_server_error() {
        let (svc, _) =
            service(vec![Err(error_with("AliasExistsException", "An account with the given email already exists."))]);
        let err = svc.update(&caller_token("sub-1"), &update(&[("email", "taken@example.com")])).await.unwrap_err();
        assert_eq!(api_types::ApiError::from(err).status().as_u16(), 409);
    }

    #[tokio::test]
    async fn codes_are_sent_and_checked_for_the_named_address() {
        let (svc, pool) = service(vec![
            Ok(ScriptedReply::Delivery(Some(delivery("email")))),
            Ok(ScriptedReply::Done),
            Err(error("CodeMismatchException")),
            Err(error("LimitExceededException")),
        ]);
        let token = caller_token("sub-1");
        let sent = svc.send_code(&token, VerifiableAttribute::Email).await.unwrap();
        assert_eq!(sent.code_delivery.map(|d| d.attribute_name).as_deref(), Some("email"));
        let code = VerifyAttributeRequest { code: "123456".into() };
        svc.verify(&token, VerifiableAttribute::Email, &code).await.unwrap();
        let wrong = svc.verify(&token, VerifiableAttribute::PhoneNumber, &code).await.unwrap_err();
        assert!(matches!(wrong, AuthError::CodeMismatch { field } if field == "code"));
        let limited = svc.send_code(&token, VerifiableAttribute::Email).await.unwrap_err();
        assert!(matches!(limited, AuthError::LimitExceeded));
        let access = token.expose().to_owned();
        assert_eq!(
            pool.calls()[..3],
            [
                Call::SendAttributeCode(access.clone(), "email".into()),
                Call::VerifyUserAttribute(access.clone(), "email".into(), "123456".into()),
                Call::VerifyUserAttribute(access, "phone_number".into(), "123456".into()),
            ]
        );
    }

    #[tokio::test]
    async fn deleting_the_account_is_cognitos_delete_user_with_the_callers_token() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done)]);
        let token = caller_token("sub-1");
        svc.delete(&token).await.unwrap();
        assert_eq!(pool.calls(), [Call::DeleteUser(token.expose().into())]);
    }
}
