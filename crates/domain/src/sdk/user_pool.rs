//! The [`crate::user_pool`] ports over the AWS SDK (`cognito-idp`): one adapter,
//! [`SdkUserPool`], for the configured pool and app client, implementing every port.

use api_types::{
    Secret,
    challenge::{ChallengeName, MfaFactor},
};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::{
    Client,
    primitives::{DateTime, DateTimeFormat},
    types::{
        AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType, CodeDeliveryDetailsType,
        ContextDataType, DeliveryMediumType, EmailMfaSettingsType, HttpHeader, MessageActionType, SmsMfaSettingsType,
        SoftwareTokenMfaSettingsType, UserContextDataType, UserType, VerifySoftwareTokenResponseType,
        WebAuthnMfaSettingsType,
    },
};

use super::{classify, document, unexpected};
use crate::{
    CognitoConfig,
    context_data::ContextData,
    user_pool::{
        AccountPort, AccountRecoveryPort, AccountUser, AdminAction, AdminPort, AuthFlow, AuthParameters, AuthResult,
        ChallengeApi, CodeDeliveryDetails, CognitoError, IssuedTokens, MembershipChange, MfaPreferenceChange,
        MfaSettings, NewUser, PasskeyPort, PasswordPermanence, PoolUser, RefreshPort, RegistrationPort, SignInPort,
        SignedUp, SoftwareTokenPort, TokenOwner, WebAuthnCredential,
    },
};

/// The user pool through the AWS SDK.
#[derive(Clone, Debug)]
pub struct SdkUserPool {
    client: Client,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<crate::ClientSecret>,
}

impl SdkUserPool {
    /// An adapter for the pool and app client of `config`.
    pub fn new(sdk: &SdkConfig, config: &CognitoConfig) -> Self {
        Self {
            client: Client::new(sdk),
            user_pool_id: config.user_pool_id.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        }
    }
}

impl SdkUserPool {
    /// `AdminUserGlobalSignOut`: every refresh token of the user revoked (after a password reset
    /// and in the admin's actions).
    async fn sign_out_everywhere(&self, username: &str) -> Result<(), CognitoError> {
        let pool = &self.user_pool_id;
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(pool)
            .username(username)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// `InitiateAuth` on the app client, with the `Session` a confirmation answered when given.
    async fn initiate_public(
        &self,
        flow: AuthFlowType,
        parameters: AuthParameters,
        session: Option<&str>,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        let out = self
            .client
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(flow)
            .set_auth_parameters(Some(parameters.into_iter().collect()))
            .set_session(session.map(str::to_owned))
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        let answer = (out.challenge_name, out.session, out.challenge_parameters, out.available_challenges);
        auth_result(out.authentication_result, answer)
    }
}

#[async_trait]
impl SignInPort for SdkUserPool {
    async fn initiate_auth(
        &self,
        flow: AuthFlow,
        parameters: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        let flow = match flow {
            AuthFlow::UserPassword => AuthFlowType::UserPasswordAuth,
            AuthFlow::UserSrp => AuthFlowType::UserSrpAuth,
            AuthFlow::UserAuth => AuthFlowType::UserAuth,
            AuthFlow::AdminUserPassword => {
                let out = self
                    .client
                    .admin_initiate_auth()
                    .user_pool_id(&self.user_pool_id)
                    .client_id(&self.client_id)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .set_auth_parameters(Some(parameters.into_iter().collect()))
                    .set_context_data(admin_context(context))
                    .send()
                    .await
                    .map_err(classify)?;
                let answer = (out.challenge_name, out.session, out.challenge_parameters, out.available_challenges);
                return auth_result(out.authentication_result, answer);
            }
        };
        self.initiate_public(flow, parameters, None, context).await
    }

    async fn initiate_auth_with_session(
        &self,
        parameters: AuthParameters,
        session: &str,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        self.initiate_public(AuthFlowType::UserAuth, parameters, Some(session), context).await
    }

    async fn respond_to_challenge(
        &self,
        api: ChallengeApi,
        challenge: &ChallengeName,
        session: Option<&str>,
        responses: AuthParameters,
        context: &ContextData,
    ) -> Result<AuthResult, CognitoError> {
        let name = sdk_challenge_name(challenge);
        let responses = Some(responses.into_iter().collect());
        if api == ChallengeApi::Admin {
            let out = self
                .client
                .admin_respond_to_auth_challenge()
                .user_pool_id(&self.user_pool_id)
                .client_id(&self.client_id)
                .challenge_name(name)
                .set_session(session.map(str::to_string))
                .set_challenge_responses(responses)
                .set_context_data(admin_context(context))
                .send()
                .await
                .map_err(classify)?;
            let answer = (out.challenge_name, out.session, out.challenge_parameters, out.available_challenges);
            auth_result(out.authentication_result, answer)
        } else {
            let out = self
                .client
                .respond_to_auth_challenge()
                .client_id(&self.client_id)
                .challenge_name(name)
                .set_session(session.map(str::to_string))
                .set_challenge_responses(responses)
                .set_user_context_data(user_context(context))
                .send()
                .await
                .map_err(classify)?;
            let answer = (out.challenge_name, out.session, out.challenge_parameters, out.available_challenges);
            auth_result(out.authentication_result, answer)
        }
    }
}

#[async_trait]
impl RefreshPort for SdkUserPool {
    async fn get_tokens_from_refresh_token(&self, refresh_token: &str) -> Result<IssuedTokens, CognitoError> {
        let out = self
            .client
            .get_tokens_from_refresh_token()
            .client_id(&self.client_id)
            .refresh_token(refresh_token)
            .set_client_secret(self.client_secret.as_ref().map(|secret| secret.expose().to_owned()))
            .send()
            .await
            .map_err(classify)?;
        tokens(out.authentication_result.ok_or_else(|| unexpected("no tokens"))?)
    }
}

#[async_trait]
impl AccountPort for SdkUserPool {
    async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError> {
        self.client.global_sign_out().access_token(access_token).send().await.map_err(classify)?;
        Ok(())
    }

    async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError> {
        self.client
            .revoke_token()
            .client_id(&self.client_id)
            .set_client_secret(self.client_secret.as_ref().map(|s| s.expose().to_string()))
            .token(refresh_token)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn change_password(&self, access_token: &str, previous: &str, proposed: &str) -> Result<(), CognitoError> {
        self.client
            .change_password()
            .access_token(access_token)
            .previous_password(previous)
            .proposed_password(proposed)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn update_user_attributes(
        &self,
        access_token: &str,
        attributes: &[(String, String)],
    ) -> Result<Vec<CodeDeliveryDetails>, CognitoError> {
        let out = self
            .client
            .update_user_attributes()
            .access_token(access_token)
            .set_user_attributes(Some(self::attributes(attributes)?))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.code_delivery_details_list.unwrap_or_default().into_iter().map(delivery).collect())
    }

    async fn send_attribute_code(
        &self,
        access_token: &str,
        attribute: &str,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let call = self.client.get_user_attribute_verification_code().access_token(access_token);
        let out = call.attribute_name(attribute).send().await.map_err(classify)?;
        Ok(out.code_delivery_details.map(delivery))
    }

    async fn verify_user_attribute(&self, access_token: &str, attribute: &str, code: &str) -> Result<(), CognitoError> {
        let call = self.client.verify_user_attribute().access_token(access_token).attribute_name(attribute);
        call.code(code).send().await.map_err(classify)?;
        Ok(())
    }

    async fn delete_user(&self, access_token: &str) -> Result<(), CognitoError> {
        self.client.delete_user().access_token(access_token).send().await.map_err(classify)?;
        Ok(())
    }

    async fn get_user(&self, access_token: &str) -> Result<AccountUser, CognitoError> {
        let out = self.client.get_user().access_token(access_token).send().await.map_err(classify)?;
        Ok(AccountUser {
            username: out.username,
            attributes: out.user_attributes.into_iter().map(|a| (a.name, a.value.unwrap_or_default())).collect(),
            mfa: MfaSettings {
                enabled: out.user_mfa_setting_list.unwrap_or_default(),
                preferred: out.preferred_mfa_setting.filter(|p| !p.is_empty()),
            },
        })
    }

    async fn set_mfa_preference(&self, access_token: &str, change: &MfaPreferenceChange) -> Result<(), CognitoError> {
        // A factor is sent when the change turns it on or off (preferring it turns it on).
        let setting = |factor: MfaFactor| change.turns(factor).map(|on| (on, change.preferred == Some(factor)));
        let mut call = self.client.set_user_mfa_preference().access_token(access_token);
        if let Some((enabled, preferred)) = setting(MfaFactor::SoftwareToken) {
            call = call.software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder().enabled(enabled).preferred_mfa(preferred).build(),
            );
        }
        if let Some((enabled, preferred)) = setting(MfaFactor::Email) {
            call = call
                .email_mfa_settings(EmailMfaSettingsType::builder().enabled(enabled).preferred_mfa(preferred).build());
        }
        if let Some((enabled, preferred)) = setting(MfaFactor::Sms) {
            call =
                call.sms_mfa_settings(SmsMfaSettingsType::builder().enabled(enabled).preferred_mfa(preferred).build());
        }
        if let Some(enabled) = change.passkey {
            call = call.web_authn_mfa_settings(WebAuthnMfaSettingsType::builder().enabled(enabled).build());
        }
        call.send().await.map_err(classify)?;
        Ok(())
    }

    async fn prefer_totp(&self, access_token: &str) -> Result<(), CognitoError> {
        self.client
            .set_user_mfa_preference()
            .access_token(access_token)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder().enabled(true).preferred_mfa(true).build(),
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

#[async_trait]
impl RegistrationPort for SdkUserPool {
    async fn sign_up(
        &self,
        username: &str,
        password: Option<&str>,
        attributes: &[(String, String)],
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<SignedUp, CognitoError> {
        let attributes = self::attributes(attributes)?;
        let out = self
            .client
            .sign_up()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .set_password(password.map(str::to_owned))
            .set_user_attributes(Some(attributes))
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        Ok(SignedUp {
            user_confirmed: out.user_confirmed,
            user_sub: out.user_sub,
            code_delivery: out.code_delivery_details.map(delivery),
        })
    }

    async fn confirm_sign_up(
        &self,
        username: &str,
        code: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<String>, CognitoError> {
        let out = self
            .client
            .confirm_sign_up()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .confirmation_code(code)
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.session)
    }

    async fn resend_confirmation_code(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let out = self
            .client
            .resend_confirmation_code()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.code_delivery_details.map(delivery))
    }
}

#[async_trait]
impl SoftwareTokenPort for SdkUserPool {
    async fn associate_software_token(&self, owner: TokenOwner<'_>) -> Result<(String, Option<String>), CognitoError> {
        let (token, session) = split_owner(owner);
        let out = self
            .client
            .associate_software_token()
            .set_access_token(token)
            .set_session(session)
            .send()
            .await
            .map_err(classify)?;
        Ok((out.secret_code.ok_or_else(|| unexpected("no secret code"))?, out.session))
    }

    async fn verify_software_token(
        &self,
        owner: TokenOwner<'_>,
        code: &str,
        device_name: Option<&str>,
    ) -> Result<(bool, Option<String>), CognitoError> {
        let (token, session) = split_owner(owner);
        let out = self
            .client
            .verify_software_token()
            .set_access_token(token)
            .set_session(session)
            .user_code(code)
            .set_friendly_device_name(device_name.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.status == Some(VerifySoftwareTokenResponseType::Success), out.session))
    }
}

#[async_trait]
impl AccountRecoveryPort for SdkUserPool {
    async fn forgot_password(
        &self,
        username: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let out = self
            .client
            .forgot_password()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        Ok(out.code_delivery_details.map(delivery))
    }

    async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
        secret_hash: Option<String>,
        context: &ContextData,
    ) -> Result<(), CognitoError> {
        self.client
            .confirm_forgot_password()
            .client_id(&self.client_id)
            .set_secret_hash(secret_hash)
            .username(username)
            .confirmation_code(code)
            .password(password)
            .set_user_context_data(user_context(context))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn admin_user_global_sign_out(&self, username: &str) -> Result<(), CognitoError> {
        self.sign_out_everywhere(username).await
    }
}

#[async_trait]
impl AdminPort for SdkUserPool {
    async fn admin_create_user(&self, user: &NewUser) -> Result<PoolUser, CognitoError> {
        let attributes = attributes(&user.attributes)?;
        let out = self
            .client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(&user.username)
            .set_user_attributes(Some(attributes))
            .set_temporary_password(user.temporary_password.as_ref().map(|p| p.expose().to_string()))
            .set_message_action((!user.send_invite).then_some(MessageActionType::Suppress))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(classify)?;
        out.user.map(pool_user).ok_or_else(|| unexpected("AdminCreateUser returned no user"))
    }

    async fn admin_get_user(&self, username: &str) -> Result<PoolUser, CognitoError> {
        let out = self
            .client
            .admin_get_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(classify)?;
        // AdminGetUser answers the fields of a UserType under other names.
        let user = UserType::builder()
            .username(out.username)
            .set_attributes(out.user_attributes)
            .set_user_status(out.user_status)
            .enabled(out.enabled)
            .set_user_create_date(out.user_create_date)
            .set_user_last_modified_date(out.user_last_modified_date)
            .build();
        Ok(pool_user(user))
    }

    async fn list_users(
        &self,
        limit: i32,
        next: Option<&str>,
        filter: Option<&str>,
    ) -> Result<(Vec<PoolUser>, Option<String>), CognitoError> {
        let out = self
            .client
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .limit(limit)
            .set_pagination_token(next.map(str::to_string))
            .set_filter(filter.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.users.unwrap_or_default().into_iter().map(pool_user).collect(), out.pagination_token))
    }

    async fn admin_groups(&self, username: &str) -> Result<Vec<String>, CognitoError> {
        let mut groups = Vec::new();
        let mut next = None;
        loop {
            let out = self
                .client
                .admin_list_groups_for_user()
                .user_pool_id(&self.user_pool_id)
                .username(username)
                .limit(60)
                .set_next_token(next)
                .send()
                .await
                .map_err(classify)?;
            groups.extend(out.groups.unwrap_or_default().into_iter().filter_map(|g| g.group_name));
            next = out.next_token;
            if next.is_none() {
                return Ok(groups);
            }
        }
    }

    async fn list_groups(&self, next: Option<&str>) -> Result<(Vec<String>, Option<String>), CognitoError> {
        let out = self
            .client
            .list_groups()
            .user_pool_id(&self.user_pool_id)
            .limit(60)
            .set_next_token(next.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.groups.unwrap_or_default().into_iter().filter_map(|g| g.group_name).collect(), out.next_token))
    }

    async fn list_users_in_group(
        &self,
        group: &str,
        next: Option<&str>,
    ) -> Result<(Vec<String>, Option<String>), CognitoError> {
        let out = self
            .client
            .list_users_in_group()
            .user_pool_id(&self.user_pool_id)
            .group_name(group)
            .limit(60)
            .set_next_token(next.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        Ok((out.users.unwrap_or_default().into_iter().filter_map(|u| u.username).collect(), out.next_token))
    }

    async fn admin_user_action(&self, action: AdminAction, username: &str) -> Result<(), CognitoError> {
        let pool = &self.user_pool_id;
        // The four calls differ only in their error types: classify each. Each is written on
        // `self.client`, where the least-privilege test reads which calls the adapter makes.
        match action {
            AdminAction::Delete => {
                { self.client.admin_delete_user().user_pool_id(pool).username(username).send().await.map(drop) }
                    .map_err(classify)
            }
            AdminAction::Disable => {
                { self.client.admin_disable_user().user_pool_id(pool).username(username).send().await.map(drop) }
                    .map_err(classify)
            }
            AdminAction::Enable => {
                { self.client.admin_enable_user().user_pool_id(pool).username(username).send().await.map(drop) }
                    .map_err(classify)
            }
            AdminAction::ResetPassword => {
                { self.client.admin_reset_user_password().user_pool_id(pool).username(username).send().await.map(drop) }
                    .map_err(classify)
            }
            AdminAction::SignOut => self.sign_out_everywhere(username).await,
        }
    }

    async fn admin_resend_invitation(&self, username: &str) -> Result<(), CognitoError> {
        self.client
            .admin_create_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .message_action(MessageActionType::Resend)
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn admin_group_membership(
        &self,
        username: &str,
        group: &str,
        change: MembershipChange,
    ) -> Result<(), CognitoError> {
        let pool = &self.user_pool_id;
        if change == MembershipChange::Add {
            self.client
                .admin_add_user_to_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await
                .map_err(classify)?;
        } else {
            self.client
                .admin_remove_user_from_group()
                .user_pool_id(pool)
                .username(username)
                .group_name(group)
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn group_exists(&self, group: &str) -> Result<bool, CognitoError> {
        match self.client.get_group().user_pool_id(&self.user_pool_id).group_name(group).send().await.map_err(classify)
        {
            Ok(_) => Ok(true),
            Err(err) if crate::cognito_errors::is_resource_not_found(&err) => Ok(false),
            Err(err) => Err(err),
        }
    }

    async fn admin_set_password(
        &self,
        username: &str,
        password: &str,
        permanence: PasswordPermanence,
    ) -> Result<(), CognitoError> {
        self.client
            .admin_set_user_password()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .password(password)
            .permanent(permanence == PasswordPermanence::Permanent)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

/// The caller as public calls tell Cognito (`UserContextData`); `None` when nothing is known.
fn user_context(context: &ContextData) -> Option<UserContextDataType> {
    (!context.is_empty()).then(|| {
        UserContextDataType::builder()
            .set_ip_address(context.ip_address.clone())
            .set_encoded_data(context.encoded_data.clone())
            .build()
    })
}

/// The caller as the admin flow's calls tell Cognito (`ContextData`). Its address, server name,
/// path and headers are all required, so without an address (a request that did not come
/// through API Gateway) nothing is sent.
fn admin_context(context: &ContextData) -> Option<ContextDataType> {
    let ip_address = context.ip_address.as_ref()?;
    let headers = context
        .http_headers
        .iter()
        .map(|(name, value)| HttpHeader::builder().header_name(name).header_value(value).build())
        .collect();
    ContextDataType::builder()
        .ip_address(ip_address)
        .server_name(&context.server_name)
        .server_path(&context.server_path)
        .set_http_headers(Some(headers))
        .set_encoded_data(context.encoded_data.clone())
        .build()
        .ok()
}

fn attributes(pairs: &[(String, String)]) -> Result<Vec<AttributeType>, CognitoError> {
    pairs
        .iter()
        .map(|(name, value)| AttributeType::builder().name(name).value(value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unexpected(&e.to_string()))
}

fn rfc3339(t: &DateTime) -> Option<String> {
    t.fmt(DateTimeFormat::DateTime).ok()
}

fn pool_user(u: UserType) -> PoolUser {
    PoolUser {
        username: u.username.unwrap_or_default(),
        attributes: u
            .attributes
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect(),
        status: u.user_status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        enabled: u.enabled,
        created_at: u.user_create_date.as_ref().and_then(rfc3339),
        updated_at: u.user_last_modified_date.as_ref().and_then(rfc3339),
    }
}

fn split_owner(owner: TokenOwner<'_>) -> (Option<String>, Option<String>) {
    match owner {
        TokenOwner::AccessToken(token) => (Some(token.expose().to_string()), None),
        TokenOwner::Session(session) => (None, Some(session.expose().to_string())),
    }
}

fn delivery(d: CodeDeliveryDetailsType) -> CodeDeliveryDetails {
    CodeDeliveryDetails {
        destination: d.destination.unwrap_or_default(),
        medium: d.delivery_medium.map(|m| m.as_str().to_string()).unwrap_or_default(),
        attribute: d.attribute_name.unwrap_or_default(),
    }
}

/// A challenge as the auth calls answer it: `ChallengeName`, `Session`, `ChallengeParameters`,
/// `AvailableChallenges`.
type ChallengeAnswer = (
    Option<ChallengeNameType>,
    Option<String>,
    Option<std::collections::HashMap<String, String>>,
    Option<Vec<ChallengeNameType>>,
);

/// Tokens when Cognito issued them, else the challenge it asks for.
fn auth_result(
    result: Option<AuthenticationResultType>,
    challenge: ChallengeAnswer,
) -> Result<AuthResult, CognitoError> {
    if let Some(result) = result {
        return tokens(result).map(AuthResult::Tokens);
    }
    let (name, session, parameters, available) = challenge;
    match name {
        Some(name) => Ok(AuthResult::Challenge {
            name: challenge_name(&name),
            session: session.unwrap_or_default().into(),
            parameters: parameters.unwrap_or_default().into_iter().collect(),
            available: available.unwrap_or_default().iter().map(challenge_name).collect(),
        }),
        None => Err(unexpected("neither tokens nor a challenge")),
    }
}

/// The challenge the SDK names. One the SDK does not know either (a name Cognito added after it)
/// is passed on as it came, as every unknown name is.
fn challenge_name(name: &ChallengeNameType) -> ChallengeName {
    match name {
        ChallengeNameType::NewPasswordRequired => ChallengeName::NewPasswordRequired,
        ChallengeNameType::SoftwareTokenMfa => ChallengeName::SoftwareTokenMfa,
        ChallengeNameType::SmsMfa => ChallengeName::SmsMfa,
        ChallengeNameType::SelectMfaType => ChallengeName::SelectMfaType,
        ChallengeNameType::MfaSetup => ChallengeName::MfaSetup,
        ChallengeNameType::SelectChallenge => ChallengeName::SelectChallenge,
        ChallengeNameType::Password => ChallengeName::Password,
        ChallengeNameType::PasswordSrp => ChallengeName::PasswordSrp,
        ChallengeNameType::EmailOtp => ChallengeName::EmailOtp,
        ChallengeNameType::SmsOtp => ChallengeName::SmsOtp,
        ChallengeNameType::WebAuthn => ChallengeName::WebAuthn,
        ChallengeNameType::PasswordVerifier => ChallengeName::PasswordVerifier,
        ChallengeNameType::CustomChallenge => ChallengeName::CustomChallenge,
        ChallengeNameType::DeviceSrpAuth => ChallengeName::DeviceSrpAuth,
        ChallengeNameType::DevicePasswordVerifier => ChallengeName::DevicePasswordVerifier,
        ChallengeNameType::AdminNoSrpAuth => ChallengeName::AdminNoSrpAuth,
        // `ChallengeNameType::Unknown`, and whatever a newer SDK adds (the enum is non-exhaustive).
        other => ChallengeName::from(other.as_str()),
    }
}

/// The SDK's name for `name`, the other way round from [`challenge_name`]: the compiler lists
/// every variant here, so a new one cannot be left out.
fn sdk_challenge_name(name: &ChallengeName) -> ChallengeNameType {
    match name {
        ChallengeName::NewPasswordRequired => ChallengeNameType::NewPasswordRequired,
        ChallengeName::SoftwareTokenMfa => ChallengeNameType::SoftwareTokenMfa,
        ChallengeName::SmsMfa => ChallengeNameType::SmsMfa,
        ChallengeName::SelectMfaType => ChallengeNameType::SelectMfaType,
        ChallengeName::MfaSetup => ChallengeNameType::MfaSetup,
        ChallengeName::SelectChallenge => ChallengeNameType::SelectChallenge,
        ChallengeName::Password => ChallengeNameType::Password,
        ChallengeName::PasswordSrp => ChallengeNameType::PasswordSrp,
        ChallengeName::EmailOtp => ChallengeNameType::EmailOtp,
        ChallengeName::SmsOtp => ChallengeNameType::SmsOtp,
        ChallengeName::WebAuthn => ChallengeNameType::WebAuthn,
        ChallengeName::PasswordVerifier => ChallengeNameType::PasswordVerifier,
        ChallengeName::CustomChallenge => ChallengeNameType::CustomChallenge,
        ChallengeName::DeviceSrpAuth => ChallengeNameType::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier => ChallengeNameType::DevicePasswordVerifier,
        ChallengeName::AdminNoSrpAuth => ChallengeNameType::AdminNoSrpAuth,
        ChallengeName::Unknown(name) => ChallengeNameType::from(name.as_str()),
    }
}

fn tokens(result: AuthenticationResultType) -> Result<IssuedTokens, CognitoError> {
    Ok(IssuedTokens {
        id_token: result.id_token.ok_or_else(|| unexpected("no ID token"))?.into(),
        access_token: result.access_token.ok_or_else(|| unexpected("no access token"))?.into(),
        refresh_token: result.refresh_token.map(Secret::from),
        expires_in: result.expires_in,
        token_type: result.token_type.unwrap_or_else(|| "Bearer".to_string()),
    })
}

#[async_trait]
impl PasskeyPort for SdkUserPool {
    async fn start_web_authn_registration(&self, access_token: &str) -> Result<serde_json::Value, CognitoError> {
        let out =
            self.client.start_web_authn_registration().access_token(access_token).send().await.map_err(classify)?;
        Ok(document::to_json(&out.credential_creation_options))
    }

    async fn complete_web_authn_registration(
        &self,
        access_token: &str,
        credential: &serde_json::Value,
    ) -> Result<(), CognitoError> {
        self.client
            .complete_web_authn_registration()
            .access_token(access_token)
            .credential(document::to_document(credential))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn list_web_authn_credentials(
        &self,
        access_token: &str,
        max_results: u8,
        next: Option<&str>,
    ) -> Result<(Vec<WebAuthnCredential>, Option<String>), CognitoError> {
        let out = self
            .client
            .list_web_authn_credentials()
            .access_token(access_token)
            .max_results(i32::from(max_results))
            .set_next_token(next.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        let credentials = out
            .credentials
            .into_iter()
            .map(|c| WebAuthnCredential {
                created_at: rfc3339(&c.created_at).unwrap_or_default(),
                credential_id: c.credential_id,
                friendly_name: c.friendly_credential_name,
                relying_party_id: c.relying_party_id,
                attachment: c.authenticator_attachment,
                transports: c.authenticator_transports,
            })
            .collect();
        Ok((credentials, out.next_token))
    }

    async fn delete_web_authn_credential(&self, access_token: &str, credential_id: &str) -> Result<(), CognitoError> {
        self.client
            .delete_web_authn_credential()
            .access_token(access_token)
            .credential_id(credential_id)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::browser_context;

    #[test]
    fn every_challenge_the_sdk_names_is_a_known_one_and_converts_back_to_itself() {
        // GIVEN every challenge name the SDK knows
        for value in ChallengeNameType::values() {
            let sdk = ChallengeNameType::from(*value);
            // WHEN it is read THEN it is one of ours, spelled as Cognito spells it, and goes back
            let name = challenge_name(&sdk);
            assert!(ChallengeName::KNOWN.contains(&name), "{value} is missing from ChallengeName");
            assert_eq!((name.as_str(), sdk_challenge_name(&name)), (*value, sdk));
        }
        assert_eq!(ChallengeName::KNOWN.len(), ChallengeNameType::values().len());
        // AND a name neither knows is passed on as it came
        let future = challenge_name(&ChallengeNameType::from("FUTURE_CHALLENGE"));
        assert_eq!((future.as_str(), sdk_challenge_name(&future).as_str()), ("FUTURE_CHALLENGE", "FUTURE_CHALLENGE"));
    }

    #[test]
    fn a_challenge_answer_from_the_sdk_is_the_typed_challenge() {
        let sdk = (Some(ChallengeNameType::SoftwareTokenMfa), Some("s".to_string()), None, None);
        let AuthResult::Challenge { name, .. } = auth_result(None, sdk).unwrap() else { panic!("a challenge") };
        assert_eq!(name, ChallengeName::SoftwareTokenMfa);
    }

    #[test]
    fn public_calls_carry_the_callers_address_and_fingerprint() {
        let sent = user_context(&browser_context()).unwrap();
        assert_eq!(sent.ip_address(), Some("203.0.113.7"));
        assert_eq!(sent.encoded_data(), Some("fingerprint-1"));
        assert_eq!(user_context(&ContextData::default()), None);
    }

    #[test]
    fn admin_flow_calls_carry_address_server_path_headers_and_fingerprint() {
        let sent = admin_context(&browser_context()).unwrap();
        assert_eq!(sent.ip_address(), "203.0.113.7");
        assert_eq!(sent.server_name(), "api.example.com");
        assert_eq!(sent.server_path(), "/prod/auth");
        assert_eq!(sent.http_headers().len(), 1);
        assert_eq!(sent.http_headers()[0].header_name(), Some("user-agent"));
        assert_eq!(sent.encoded_data(), Some("fingerprint-1"));
        // Without an address there is no ContextData to send (all of it is required).
        assert_eq!(admin_context(&ContextData { ip_address: None, ..browser_context() }), None);
    }
}
