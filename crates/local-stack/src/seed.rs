//! Seeds the emulator with the user pool `template.yaml` deploys, an app client with a secret,
//! the admins group and two demo users.
//!
//! [`POOL_SPEC`] holds the pool's settings; a test checks it against `template.yaml`, so the
//! local pool cannot drift from the deployed one.

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::{
    Client,
    types::{
        AccountRecoverySettingType, AdvancedSecurityModeType, AttributeType, AuthFactorType, EmailConfigurationType,
        EmailMfaConfigType, EmailSendingAccountType, ExplicitAuthFlowsType, FeatureType, MessageActionType,
        PasswordPolicyType, PreventUserExistenceErrorTypes, RecoveryOptionNameType, RecoveryOptionType,
        RefreshTokenRotationType, SignInPolicyType, SoftwareTokenMfaConfigType, UserAttributeUpdateSettingsType,
        UserPoolAddOnsType, UserPoolMfaType, UserPoolPolicyType, UserPoolTierType, UserVerificationType,
        UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType, WebAuthnConfigurationType,
        WebAuthnFactorConfigurationType,
    },
};

/// The settings of the user pool and app client, as `template.yaml` declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSpec {
    /// `UsernameAttributes`: users sign in with their email address.
    pub username_attributes: &'static [&'static str],
    /// `AutoVerifiedAttributes`.
    pub auto_verified_attributes: &'static [&'static str],
    /// `UsernameConfiguration.CaseSensitive`: false, so `Demo@Example.com` is `demo@example.com`.
    pub case_sensitive_usernames: bool,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate` (none: the
    /// setting is left out): a changed email stays pending, and the old one signs in, until the
    /// code sent to the new one comes back.
    pub attributes_require_verification_before_update: &'static [&'static str],
    /// `PasswordPolicy.MinimumLength`.
    pub password_min_length: i32,
    /// `PasswordPolicy.RequireLowercase/Uppercase/Numbers/Symbols`, all required.
    pub password_require_all_classes: bool,
    /// `PasswordPolicy.TemporaryPasswordValidityDays`.
    pub temporary_password_validity_days: i32,
    /// `MfaConfiguration`.
    pub mfa_configuration: &'static str,
    /// `EnabledMfas`, as deployed with an email sender (`EmailSenderArn`): email MFA with it.
    pub enabled_mfas: &'static [&'static str],
    /// `Policies.SignInPolicy.AllowedFirstAuthFactors`, as deployed with an email sender
    /// (`EmailSenderArn`: the local stack's outbox is its email sender) and passkeys on.
    pub allowed_first_auth_factors: &'static [&'static str],
    /// `WebAuthnRelyingPartyID`, as deployed with `PasskeyRelyingPartyId` set to the web app's
    /// host (`localhost`: the app's origin is `http://localhost:5173`).
    pub web_authn_relying_party_id: &'static str,
    /// `WebAuthnUserVerification`: the template's default, `required`.
    pub web_authn_user_verification: &'static str,
    /// `WebAuthnFactorConfiguration`, as deployed with `PasskeyFactorConfiguration`
    /// `MULTI_FACTOR_WITH_USER_VERIFICATION` (the template's default is `SINGLE_FACTOR`): a
    /// person who turns passkey MFA on (`PUT /mfa/preference`) signs in with a passkey where MFA
    /// applies. For everyone else it is `SINGLE_FACTOR`'s behaviour.
    pub web_authn_factor_configuration: &'static str,
    /// The app client's `ExplicitAuthFlows`.
    pub explicit_auth_flows: &'static [&'static str],
    /// The app client's `PreventUserExistenceErrors`.
    pub prevent_user_existence_errors: &'static str,
    /// The app client's `ReadAttributes`.
    pub read_attributes: &'static [&'static str],
    /// The app client's `WriteAttributes`: what users may set about themselves. `email_verified`
    /// and the like are not among them.
    pub write_attributes: &'static [&'static str],
    /// The app client has a secret.
    pub generate_secret: bool,
    /// The app client's `RefreshTokenRotation.Feature` is ENABLED: refreshes answer a new refresh
    /// token (its grace period is a parameter: the template's `RefreshTokenGracePeriodSeconds`,
    /// the local stack's [`crate::StackOptions::refresh_grace_period`]).
    pub rotate_refresh_tokens: bool,
    /// The app client's `EnablePropagateAdditionalUserContextData`: Cognito takes the caller's
    /// address the functions send (`UserContextData.IpAddress`) as the caller's.
    pub propagate_additional_user_context_data: bool,
}

/// The pool `template.yaml` deploys.
pub const POOL_SPEC: PoolSpec = PoolSpec {
    username_attributes: &["email"],
    auto_verified_attributes: &["email"],
    case_sensitive_usernames: false,
    attributes_require_verification_before_update: &["email"],
    password_min_length: 8,
    password_require_all_classes: true,
    temporary_password_validity_days: 7,
    mfa_configuration: "OPTIONAL",
    enabled_mfas: &["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
    allowed_first_auth_factors: &["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"],
    web_authn_relying_party_id: "localhost",
    web_authn_user_verification: "required",
    web_authn_factor_configuration: "MULTI_FACTOR_WITH_USER_VERIFICATION",
    // No ALLOW_REFRESH_TOKEN_AUTH: with rotation, refreshes go through GetTokensFromRefreshToken.
    explicit_auth_flows: &[
        "ALLOW_USER_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    ],
    prevent_user_existence_errors: "ENABLED",
    read_attributes: &["email", "email_verified", "name", "given_name", "family_name", "locale"],
    write_attributes: &["email", "name", "given_name", "family_name", "locale"],
    generate_secret: true,
    propagate_additional_user_context_data: true,
    rotate_refresh_tokens: true,
};

/// A demo user's sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// Email address (the sign-in name).
    pub email: String,
    /// Password.
    pub password: String,
}

/// What was created.
#[derive(Debug, Clone)]
pub struct SeededPool {
    /// Region.
    pub region: String,
    /// Pool id.
    pub pool_id: String,
    /// App client id.
    pub client_id: String,
    /// App client secret.
    pub client_secret: String,
    /// The admins group.
    pub admin_group: String,
    /// The plain demo user.
    pub user: DemoUser,
    /// The demo admin (in the admins group).
    pub admin: DemoUser,
    /// The identity pool trusting the user pool (set by [`seed_identity`]).
    pub identity_pool_id: String,
    /// The bucket the identity pool's signed-in users may read (set by [`seed_identity`]).
    pub bucket: String,
}

/// The SES identity the local pool "sends" its email from (the outbox receives it).
pub const LOCAL_EMAIL_SENDER: &str = "arn:aws:ses:us-east-1:000000000000:identity/no-reply@example.com";

/// The bucket the local stack creates for the identity pool's users.
pub const BUCKET: &str = "local-data-bucket";

/// Creates the identity pool trusting the user pool's app client, and the bucket its users may
/// read (the template's `IdentityPool` and `DataBucket`).
pub async fn seed_identity(sdk: &aws_config::SdkConfig, pool: &mut SeededPool) -> anyhow::Result<()> {
    use aws_sdk_cognitoidentity::types::CognitoIdentityProvider;
    let identity = aws_sdk_cognitoidentity::Client::new(sdk);
    let provider = CognitoIdentityProvider::builder()
        .provider_name(format!("cognito-idp.{}.amazonaws.com/{}", pool.region, pool.pool_id))
        .client_id(&pool.client_id)
        .server_side_token_check(true)
        .build();
    let created = identity
        .create_identity_pool()
        .identity_pool_name("local_identities")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(provider)
        .send()
        .await
        .context("CreateIdentityPool")?;
    pool.identity_pool_id = created.identity_pool_id;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build());
    s3.create_bucket().bucket(BUCKET).send().await.context("CreateBucket")?;
    pool.bucket = BUCKET.into();
    Ok(())
}

/// The feature plan `template.yaml` gives a pool with threat protection in `mode`
/// (`UserPoolTier`): Plus when it is on, which it needs, else Essentials.
pub fn feature_tier(mode: &AdvancedSecurityModeType) -> UserPoolTierType {
    if *mode == AdvancedSecurityModeType::Off { UserPoolTierType::Essentials } else { UserPoolTierType::Plus }
}

/// The settings `template.yaml`'s parameters choose for the seeded pool.
#[derive(Debug, Clone)]
pub struct SeedParameters {
    /// Threat protection (`ThreatProtection`; off by default).
    pub threat_protection: AdvancedSecurityModeType,
    /// How long a rotated-out refresh token keeps working (`RefreshTokenGracePeriodSeconds`),
    /// seconds, 0-60.
    pub refresh_grace_period_seconds: i32,
}

/// Creates the pool, client, group and demo users, with the settings `parameters` choose.
pub async fn seed(
    client: &Client,
    region: &str,
    admin_group: &str,
    parameters: &SeedParameters,
    user: DemoUser,
    admin: DemoUser,
) -> anyhow::Result<SeededPool> {
    let threat_protection = &parameters.threat_protection;
    let spec = &POOL_SPEC;
    let all = spec.password_require_all_classes;
    let password_policy = PasswordPolicyType::builder()
        .minimum_length(spec.password_min_length)
        .require_lowercase(all)
        .require_uppercase(all)
        .require_numbers(all)
        .require_symbols(all)
        .temporary_password_validity_days(spec.temporary_password_validity_days)
        .build();
    let sign_in_policy = SignInPolicyType::builder()
        .set_allowed_first_auth_factors(Some(
            spec.allowed_first_auth_factors.iter().map(|f| AuthFactorType::from(*f)).collect(),
        ))
        .build();
    let recovery = AccountRecoverySettingType::builder()
        .recovery_mechanisms(
            RecoveryOptionType::builder().name(RecoveryOptionNameType::VerifiedEmail).priority(1).build()?,
        )
        .build();
    let mut create = client
        .create_user_pool()
        .pool_name("local-pool")
        .policies(UserPoolPolicyType::builder().password_policy(password_policy).sign_in_policy(sign_in_policy).build())
        .mfa_configuration(UserPoolMfaType::from(spec.mfa_configuration))
        .username_configuration(
            UsernameConfigurationType::builder().case_sensitive(spec.case_sensitive_usernames).build()?,
        )
        .account_recovery_setting(recovery)
        // As deployed with `EmailSenderArn`: email through SES, which email MFA and email codes
        // need; the outbox stands in for SES.
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn(LOCAL_EMAIL_SENDER)
                .build(),
        )
        .user_pool_tier(feature_tier(threat_protection))
        .user_pool_add_ons(UserPoolAddOnsType::builder().advanced_security_mode(threat_protection.clone()).build()?);
    for attr in spec.username_attributes {
        create = create.username_attributes(UsernameAttributeType::from(*attr));
    }
    for attr in spec.auto_verified_attributes {
        create = create.auto_verified_attributes(VerifiedAttributeType::from(*attr));
    }
    if !spec.attributes_require_verification_before_update.is_empty() {
        let settings = UserAttributeUpdateSettingsType::builder()
            .set_attributes_require_verification_before_update(Some(
                spec.attributes_require_verification_before_update
                    .iter()
                    .map(|a| VerifiedAttributeType::from(*a))
                    .collect(),
            ))
            .build();
        create = create.user_attribute_update_settings(settings);
    }
    let pool = create.send().await.context("CreateUserPool")?;
    let pool_id = pool.user_pool.and_then(|p| p.id).context("CreateUserPool returned no id")?;

    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::from(spec.mfa_configuration))
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(spec.enabled_mfas.contains(&"SOFTWARE_TOKEN_MFA")).build(),
        )
        .set_email_mfa_configuration(spec.enabled_mfas.contains(&"EMAIL_OTP").then(|| {
            EmailMfaConfigType::builder().subject("Your sign-in code").message("Your sign-in code is {####}").build()
        }))
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id(spec.web_authn_relying_party_id)
                .user_verification(UserVerificationType::from(spec.web_authn_user_verification))
                .factor_configuration(WebAuthnFactorConfigurationType::from(spec.web_authn_factor_configuration))
                .build(),
        )
        .send()
        .await
        .context("SetUserPoolMfaConfig")?;

    let mut create_client = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("local-api")
        .generate_secret(spec.generate_secret)
        .enable_propagate_additional_user_context_data(spec.propagate_additional_user_context_data)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(if spec.rotate_refresh_tokens { FeatureType::Enabled } else { FeatureType::Disabled })
                .retry_grace_period_seconds(parameters.refresh_grace_period_seconds)
                .build()?,
        )
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::from(spec.prevent_user_existence_errors));
    for flow in spec.explicit_auth_flows {
        create_client = create_client.explicit_auth_flows(ExplicitAuthFlowsType::from(*flow));
    }
    for attr in spec.read_attributes {
        create_client = create_client.read_attributes(*attr);
    }
    for attr in spec.write_attributes {
        create_client = create_client.write_attributes(*attr);
    }
    let app = create_client.send().await.context("CreateUserPoolClient")?.user_pool_client.context("no client")?;
    let client_id = app.client_id.context("CreateUserPoolClient returned no id")?;
    let client_secret = app.client_secret.context("CreateUserPoolClient returned no secret")?;

    client.create_group().user_pool_id(&pool_id).group_name(admin_group).send().await.context("CreateGroup")?;
    create_user(client, &pool_id, &user).await?;
    create_user(client, &pool_id, &admin).await?;
    client
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username(&admin.email)
        .group_name(admin_group)
        .send()
        .await
        .context("AdminAddUserToGroup")?;

    Ok(SeededPool {
        region: region.to_string(),
        pool_id,
        client_id,
        client_secret,
        admin_group: admin_group.into(),
        user,
        admin,
        identity_pool_id: String::new(),
        bucket: String::new(),
    })
}

/// Creates a confirmed user with a verified email and a permanent password.
pub async fn create_user(client: &Client, pool_id: &str, user: &DemoUser) -> anyhow::Result<()> {
    client
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(&user.email)
        .user_attributes(AttributeType::builder().name("email").value(&user.email).build()?)
        .user_attributes(AttributeType::builder().name("email_verified").value("true").build()?)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .with_context(|| format!("AdminCreateUser {}", user.email))?;
    client
        .admin_set_user_password()
        .user_pool_id(pool_id)
        .username(&user.email)
        .password(&user.password)
        .permanent(true)
        .send()
        .await
        .with_context(|| format!("AdminSetUserPassword {}", user.email))?;
    Ok(())
}
