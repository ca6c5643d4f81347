//! The signed-in person's passkeys (WebAuthn credentials), with their access token: registering
//! one (`StartWebAuthnRegistration`, then `CompleteWebAuthnRegistration` with what the browser
//! made of the options), listing them (`ListWebAuthnCredentials`) and deleting one
//! (`DeleteWebAuthnCredential`). Signing in with a passkey is the `WEB_AUTHN` challenge of
//! choice-based sign-in ([`crate::challenge`]).
//!
//! Registering through the API needs a recent sign-in (the access token's `auth_time`, which
//! refreshing keeps): an app session refreshed for weeks cannot add a way into the account. It
//! does not stop a stolen access token, which can call Cognito's own public endpoint directly:
//! short token lifetimes and revocation (sign-out) are what bound that.
//!
//! AWS: "Passkey sign-in" in the Cognito developer guide, and the four calls' API reference pages
//! (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StartWebAuthnRegistration.html>).

use std::sync::Arc;

use api_types::wire::{Passkey, PasskeyList, PasskeyListQuery, PasskeyRegistrationOptions};
use serde_json::Value;

use crate::{
    AuthError, PasskeyPort,
    cognito_errors::{CognitoCall, is_resource_not_found},
    input::{PAGINATION_TOKEN_MAX_CHARS, check_text},
    token::CallerAccessToken,
    user_pool::WebAuthnCredential,
};

/// The most passkeys `ListWebAuthnCredentials` answers at once (its `MaxResults`, 1 to 20), and
/// the page size when `limit` is not given.
pub const PASSKEY_PAGE_MAX: u8 = 20;

/// The longest credential id the API passes on: a WebAuthn credential id is at most 1,023 bytes
/// (WebAuthn Level 3, "Credential ID"), 1,364 characters in base64url.
pub const CREDENTIAL_ID_MAX_CHARS: usize = 1_364;

/// Every call here is authorised by the caller's access token.
fn passkey_error(err: crate::CognitoError) -> AuthError {
    AuthError::from_cognito(CognitoCall::Passkeys, err)
}

/// [`passkey_error`], a parameter Cognito refused naming `field` (the one the request gave it).
fn passkey_error_on(field: &'static str) -> impl FnOnce(crate::CognitoError) -> AuthError {
    move |err| match passkey_error(err) {
        AuthError::InvalidParameter { field: None, message } => {
            AuthError::InvalidParameter { field: Some(field), message }
        }
        other => other,
    }
}

/// The person's passkeys.
#[derive(Clone)]
pub struct PasskeyService {
    pool: Arc<dyn PasskeyPort>,
}

impl PasskeyService {
    /// A service calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn PasskeyPort>) -> Self {
        Self { pool }
    }

    /// `POST /passkeys/registration`: the options for the browser's
    /// `navigator.credentials.create` (W3C `PublicKeyCredentialCreationOptionsJSON`, ready for
    /// `PublicKeyCredential.parseCreationOptionsFromJSON`), with the person's passkeys in
    /// `excludeCredentials`. The route needs a recent sign-in (the route table's
    /// [`api_types::routes::MaxAgeRequirement::PasskeyRegistration`], checked by the function
    /// before it calls this).
    pub async fn start_registration(&self, token: &CallerAccessToken) -> Result<PasskeyRegistrationOptions, AuthError> {
        let options = self.pool.start_web_authn_registration(token.expose()).await.map_err(passkey_error)?;
        Ok(PasskeyRegistrationOptions { credential_creation_options: options })
    }

    /// `POST /passkeys`: the browser's `PublicKeyCredential.toJSON()` of the new passkey, passed
    /// to Cognito whole (Cognito refuses a credential missing any member). Not an object is a 400
    /// naming `credential`; Cognito checks the rest (the challenge, the relying party, the origin,
    /// user verification).
    pub async fn complete_registration(&self, token: &CallerAccessToken, credential: &Value) -> Result<(), AuthError> {
        if !credential.is_object() {
            return Err(AuthError::bad_input(
                "credential",
                "credential must be the browser's PublicKeyCredential, as its toJSON() gives it.",
            ));
        }
        self.pool
            .complete_web_authn_registration(token.expose(), credential)
            .await
            .map_err(passkey_error_on("credential"))?;
        tracing::info!(sub = %token.sub(), "passkey registered");
        Ok(())
    }

    /// `GET /passkeys`: a page of the person's passkeys (`limit`, 1 to 20, default 20) and the
    /// `next` of the following page, when there is one.
    pub async fn list(&self, token: &CallerAccessToken, query: &PasskeyListQuery) -> Result<PasskeyList, AuthError> {
        let limit = match &query.limit {
            None => PASSKEY_PAGE_MAX,
            Some(value) => {
                value.parse::<u8>().ok().filter(|l| (1..=PASSKEY_PAGE_MAX).contains(l)).ok_or_else(|| {
                    AuthError::bad_input("limit", format!("limit must be a whole number from 1 to {PASSKEY_PAGE_MAX}."))
                })?
            }
        };
        if let Some(next) = &query.next {
            check_text("next", next, PAGINATION_TOKEN_MAX_CHARS)?;
        }
        let (credentials, next) = self
            .pool
            .list_web_authn_credentials(token.expose(), limit, query.next.as_deref())
            .await
            .map_err(passkey_error_on("next"))?;
        Ok(PasskeyList { passkeys: credentials.into_iter().map(wire_passkey).collect(), next })
    }

    /// `DELETE /passkeys/{credentialId}`: one of the person's passkeys, by its id (base64url, as
    /// listed). An id they do not hold is [`AuthError::UnknownPasskey`] (404).
    pub async fn delete(&self, token: &CallerAccessToken, credential_id: &str) -> Result<(), AuthError> {
        check_credential_id(credential_id)?;
        self.pool.delete_web_authn_credential(token.expose(), credential_id).await.map_err(|err| {
            // Delete's ResourceNotFound is the id (API_DeleteWebAuthnCredential); on the other
            // calls it would be the pool or client, the deployment's fault (a 502).
            if is_resource_not_found(&err) { AuthError::UnknownPasskey } else { passkey_error(err) }
        })?;
        tracing::info!(sub = %token.sub(), "passkey deleted");
        Ok(())
    }
}

/// A credential id as WebAuthn writes it in JSON: base64url without padding, at most
/// [`CREDENTIAL_ID_MAX_CHARS`]; else a 400 naming `credentialId`.
fn check_credential_id(id: &str) -> Result<(), AuthError> {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if id.is_empty() || id.len() > CREDENTIAL_ID_MAX_CHARS || !id.chars().all(base64url) {
        return Err(AuthError::bad_input(
            "credentialId",
            format!(
                "credentialId must be a passkey's id as listed: base64url, at most {CREDENTIAL_ID_MAX_CHARS} characters."
            ),
        ));
    }
    Ok(())
}

fn wire_passkey(credential: WebAuthnCredential) -> Passkey {
    Passkey {
        credential_id: credential.credential_id,
        name: credential.friendly_name,
        relying_party_id: credential.relying_party_id,
        transports: credential.transports,
        attachment: credential.attachment,
        created_at: credential.created_at,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::{Call, ScriptedPool, ScriptedReply, caller_token_at, error};

    const NOW: u64 = 1_800_000_000;

    fn service(replies: Vec<Result<ScriptedReply, crate::CognitoError>>) -> (PasskeyService, Arc<ScriptedPool>) {
        let pool = Arc::new(ScriptedPool::new(replies));
        (PasskeyService::new(pool.clone()), pool)
    }

    fn api(err: AuthError) -> (u16, Option<String>, String) {
        let api = api_types::ApiError::from(err);
        (api.status().as_u16(), api.field.clone(), api.message)
    }

    #[tokio::test]
    async fn registration_options_come_from_cognito_untouched() {
        let options = json!({"challenge": "Y2g", "pubKeyCredParams": [{"type": "public-key", "alg": -7}]});
        let (svc, pool) = service(vec![Ok(ScriptedReply::Json(options.clone()))]);
        let token = caller_token_at("sub-1", NOW);
        let started = svc.start_registration(&token).await.unwrap();
        // THEN Cognito's options, negative algorithms included
        assert_eq!(started.credential_creation_options, options);
        assert_eq!(pool.calls(), [Call::StartWebAuthnRegistration(token.expose().to_string())]);
    }

    #[tokio::test]
    async fn the_credential_goes_to_cognito_whole_and_only_an_object_is_taken() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done)]);
        let token = caller_token_at("sub-1", NOW);
        let credential = json!({"id": "AbC", "rawId": "AbC", "type": "public-key",
            "response": {"clientDataJSON": "e30", "attestationObject": "o2M", "authenticatorData": "SZY",
                         "transports": ["internal"], "publicKeyAlgorithm": -7, "publicKey": "MFk"}});
        svc.complete_registration(&token, &credential).await.unwrap();
        assert_eq!(pool.calls(), [Call::CompleteWebAuthnRegistration(token.expose().to_string(), credential)]);
        for not_a_credential in [json!("AbC"), json!([1]), json!(null)] {
            let err = svc.complete_registration(&token, &not_a_credential).await.unwrap_err();
            assert_eq!(api(err).1.as_deref(), Some("credential"));
        }
        assert_eq!(pool.calls().len(), 1);
    }

    #[tokio::test]
    async fn cognitos_refusals_of_a_ceremony_are_400s_on_credential_saying_which_check_failed() {
        let cases = [
            ("InvalidParameterException", 400, "detail"),
            ("WebAuthnChallengeNotFoundException", 400, "start it again"),
            ("WebAuthnRelyingPartyMismatchException", 400, "another site"),
            ("WebAuthnOriginNotAllowedException", 400, "page this user pool does not allow"),
            ("WebAuthnClientMismatchException", 400, "another app client"),
            ("WebAuthnCredentialNotSupportedException", 400, "not supported"),
            ("WebAuthnNotEnabledException", 409, "not turned on"),
            ("NotAuthorizedException", 401, "sign in again"),
        ];
        let (svc, _) =
            service(cases.iter().map(|(code, ..)| Err(crate::testing::error_with(code, "detail"))).collect());
        let token = caller_token_at("sub-1", NOW);
        for (code, status, says) in cases {
            let err = svc.complete_registration(&token, &json!({"id": "AbC"})).await.unwrap_err();
            let (got, field, message) = api(err);
            assert_eq!(got, status, "{code}: {message}");
            assert!(message.contains(says), "{code}: {message}");
            if status == 400 {
                assert_eq!(field.as_deref(), Some("credential"), "{code}");
            }
        }
    }

    #[tokio::test]
    async fn a_pool_with_passkeys_on_and_no_relying_party_is_the_deployments_fault_a_502() {
        let (svc, _) = service(vec![Err(error("WebAuthnConfigurationMissingException"))]);
        let err = svc.start_registration(&caller_token_at("sub-1", NOW)).await.unwrap_err();
        assert_eq!(api(err).0, 502);
    }

    #[tokio::test]
    async fn lists_page_by_at_most_twenty_and_check_limit_and_next_first() {
        let passkey = WebAuthnCredential {
            credential_id: "AbC".into(),
            friendly_name: "Phone".into(),
            relying_party_id: "example.com".into(),
            attachment: Some("platform".into()),
            transports: vec!["internal".into()],
            created_at: "2026-12-07T16:00:00Z".into(),
        };
        let (svc, pool) = service(vec![
            Ok(ScriptedReply::Passkeys(vec![passkey.clone()], Some("n2".into()))),
            Ok(ScriptedReply::Passkeys(Vec::new(), None)),
        ]);
        let token = caller_token_at("sub-1", NOW);
        let page = svc.list(&token, &PasskeyListQuery::default()).await.unwrap();
        assert_eq!(page.next.as_deref(), Some("n2"));
        assert_eq!((page.passkeys[0].credential_id.as_str(), page.passkeys[0].name.as_str()), ("AbC", "Phone"));
        let query = PasskeyListQuery { limit: Some("5".into()), next: Some("n2".into()) };
        assert!(svc.list(&token, &query).await.unwrap().passkeys.is_empty());
        let calls = pool.calls();
        assert_eq!(calls[0], Call::ListWebAuthnCredentials(token.expose().to_string(), 20, None));
        assert_eq!(calls[1], Call::ListWebAuthnCredentials(token.expose().to_string(), 5, Some("n2".into())));
        for (query, field) in [
            (PasskeyListQuery { limit: Some("0".into()), next: None }, "limit"),
            (PasskeyListQuery { limit: Some("21".into()), next: None }, "limit"),
            (PasskeyListQuery { limit: Some("ten".into()), next: None }, "limit"),
            (PasskeyListQuery { limit: None, next: Some(" ".into()) }, "next"),
        ] {
            let err = svc.list(&token, &query).await.unwrap_err();
            assert_eq!(api(err).1.as_deref(), Some(field));
        }
        assert_eq!(pool.calls().len(), 2);
    }

    #[tokio::test]
    async fn deleting_takes_a_listed_id_and_an_id_the_person_does_not_hold_is_a_404() {
        let (svc, pool) = service(vec![Ok(ScriptedReply::Done), Err(error("ResourceNotFoundException"))]);
        let token = caller_token_at("sub-1", NOW);
        svc.delete(&token, "AbC-_9").await.unwrap();
        assert_eq!(pool.calls(), [Call::DeleteWebAuthnCredential(token.expose().to_string(), "AbC-_9".into())]);
        assert_eq!(api(svc.delete(&token, "Zz9").await.unwrap_err()).0, 404);
        let too_long = "A".repeat(CREDENTIAL_ID_MAX_CHARS + 1);
        for bad in ["", "a b", "a/b", "a+b=", too_long.as_str()] {
            let err = svc.delete(&token, bad).await.unwrap_err();
            assert_eq!(api(err).1.as_deref(), Some("credentialId"), "{bad:?}");
        }
        assert_eq!(pool.calls().len(), 2);
    }
}
