//! The catalog of Cognito's challenges and factors: every name a sign-in can ask for
//! ([`ChallengeName`]), what each carries and what the API takes to answer it
//! ([`ChallengeName::cognito_parameters`], [`ChallengeName::answers`]), the first factors of
//! choice-based sign-in ([`PreferredChallenge`]) and the second factors ([`MfaFactor`]). The
//! domain, the wire types, `authctl` and the contract all read them from here (a test holds
//! `openapi.yaml` and the emulator's list of challenges to them), so a new challenge is one
//! variant, and the compiler lists every `match` that must say what to do with it.
//!
//! AWS: `ChallengeNameType` and `AuthFactorType` in the Cognito API reference; "Choice-based
//! authentication" and "Adding MFA to a user pool" in the Cognito developer guide.

use serde::{Deserialize, Serialize};

/// The first factor a choice-based sign-in should start with (Cognito's `PREFERRED_CHALLENGE`).
/// When the person cannot use it, the answer is the choice (`SELECT_CHALLENGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreferredChallenge {
    /// The password, sent to Cognito (`password` is required).
    #[serde(rename = "PASSWORD")]
    Password,
    /// The password, proven with SRP by the API (`password` is required; it never reaches
    /// Cognito).
    #[serde(rename = "PASSWORD_SRP")]
    PasswordSrp,
    /// An 8-digit code sent to the person's verified email address.
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp,
    /// An 8-digit code sent by SMS to the person's verified phone number.
    #[serde(rename = "SMS_OTP")]
    SmsOtp,
    /// A passkey of the person's: the answer is a `WEB_AUTHN` challenge with the options for
    /// `navigator.credentials.get`.
    #[serde(rename = "WEB_AUTHN")]
    WebAuthn,
}

impl PreferredChallenge {
    /// Every first factor, in the contract's order (`FirstFactor` in `openapi.yaml`).
    pub const ALL: [PreferredChallenge; 5] =
        [Self::Password, Self::PasswordSrp, Self::EmailOtp, Self::SmsOtp, Self::WebAuthn];

    /// The factor Cognito's name `name` spells, exactly; `None` when it spells none (a
    /// `SELECT_CHALLENGE` answer, an `AvailableChallenges` entry).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|factor| factor.as_str() == name)
    }

    /// Whether the person answers it with their password (`PASSWORD`, `PASSWORD_SRP`); the
    /// others send a code.
    pub fn takes_password(self) -> bool {
        matches!(self, Self::Password | Self::PasswordSrp)
    }

    /// The challenge Cognito asks when this factor is chosen (its name is the factor's).
    pub fn challenge(self) -> ChallengeName {
        match self {
            Self::Password => ChallengeName::Password,
            Self::PasswordSrp => ChallengeName::PasswordSrp,
            Self::EmailOtp => ChallengeName::EmailOtp,
            Self::SmsOtp => ChallengeName::SmsOtp,
            Self::WebAuthn => ChallengeName::WebAuthn,
        }
    }

    /// Cognito's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
        }
    }
}

/// A challenge, by Cognito's name for it (the `ChallengeName` of `InitiateAuth` and
/// `RespondToAuthChallenge`): what a sign-in asks for (`Challenge.name`) and what
/// `POST /auth/challenge` answers (`ChallengeRequest.name`). On the wire it is Cognito's
/// spelling, exactly. Which of these the API answers, and with what, is
/// [`ChallengeName::answers`]; Cognito can ask for the others too (a pool
/// with custom auth triggers, passkeys or remembered devices), and the API passes them on to the
/// client, which cannot answer them through it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChallengeName {
    /// `NEW_PASSWORD_REQUIRED`: an invited user sets a password (and the attributes the pool
    /// requires).
    NewPasswordRequired,
    /// `SOFTWARE_TOKEN_MFA`: a code from the authenticator app.
    SoftwareTokenMfa,
    /// `SMS_MFA`: a code sent by SMS, as a second factor.
    SmsMfa,
    /// `SELECT_MFA_TYPE`: the choice between the second factors the user has on.
    SelectMfaType,
    /// `MFA_SETUP`: the pool requires MFA and the user has none; enrol an authenticator app.
    MfaSetup,
    /// `SELECT_CHALLENGE`: choice-based sign-in's choice of first factor.
    SelectChallenge,
    /// `PASSWORD`: the password as the first factor, sent to Cognito.
    Password,
    /// `PASSWORD_SRP`: the password as the first factor, proven with SRP.
    PasswordSrp,
    /// `EMAIL_OTP`: a code sent by email (a passwordless first factor, or email MFA).
    EmailOtp,
    /// `SMS_OTP`: a code sent by SMS as the first factor.
    SmsOtp,
    /// `WEB_AUTHN`: a passkey, as the first factor.
    WebAuthn,
    /// `PASSWORD_VERIFIER`: the second step of SRP (the API answers it itself during a sign-in).
    PasswordVerifier,
    /// `CUSTOM_CHALLENGE`: a challenge of the pool's custom auth Lambda triggers.
    CustomChallenge,
    /// `DEVICE_SRP_AUTH`: SRP for a remembered device.
    DeviceSrpAuth,
    /// `DEVICE_PASSWORD_VERIFIER`: the second step of a remembered device's SRP.
    DevicePasswordVerifier,
    /// `ADMIN_NO_SRP_AUTH`: a legacy name Cognito documents among its challenges.
    AdminNoSrpAuth,
    /// A name none of the above spells: one Cognito added after this list, or a client's
    /// mistake. Kept as it came, so a client sees what Cognito asked for; the API answers none.
    Unknown(UnknownChallengeName),
}

/// A challenge name that is none of [`ChallengeName`]'s known ones. Only reading a name makes
/// one ([`ChallengeName::from`]), so it never spells a known name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownChallengeName(String);

impl UnknownChallengeName {
    /// The name as it came.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ChallengeName {
    /// Every name Cognito documents, the ones the API answers first, in the contract's order.
    pub const KNOWN: &[ChallengeName] = &[
        Self::NewPasswordRequired,
        Self::SoftwareTokenMfa,
        Self::SmsMfa,
        Self::SelectMfaType,
        Self::MfaSetup,
        Self::SelectChallenge,
        Self::Password,
        Self::PasswordSrp,
        Self::EmailOtp,
        Self::SmsOtp,
        Self::WebAuthn,
        Self::PasswordVerifier,
        Self::CustomChallenge,
        Self::DeviceSrpAuth,
        Self::DevicePasswordVerifier,
        Self::AdminNoSrpAuth,
    ];

    /// The keys of `POST /auth/challenge`'s `responses` that answer this challenge (besides
    /// `userAttributes.<name>` with `NEW_PASSWORD_REQUIRED`), or `None` when a client cannot answer
    /// it through the API: `PASSWORD_VERIFIER` is answered by the API itself within the sign-in
    /// that started SRP (a client never holds the SRP secret it takes); remembered devices need a
    /// device key the API does not keep, custom
    /// challenges a pool's own triggers; Cognito never issues `ADMIN_NO_SRP_AUTH` in a flow the API
    /// starts, nor a name nobody knows. The keys are Cognito's `ChallengeResponses` names
    /// (`RespondToAuthChallenge` in the Cognito API reference), except that the API takes the
    /// password for `PASSWORD_SRP` and runs SRP itself, and `MFA_SETUP` takes the first TOTP code
    /// (the API calls `VerifySoftwareToken` with it).
    pub fn answers(&self) -> Option<&'static [&'static str]> {
        Some(match self {
            Self::NewPasswordRequired => &["NEW_PASSWORD"],
            Self::SoftwareTokenMfa => &["SOFTWARE_TOKEN_MFA_CODE"],
            Self::SmsMfa => &["SMS_MFA_CODE"],
            Self::SelectMfaType => &["ANSWER"],
            Self::MfaSetup => &["SOFTWARE_TOKEN_MFA_CODE", "DEVICE_NAME"],
            Self::SelectChallenge => &["ANSWER", "PASSWORD"],
            Self::Password | Self::PasswordSrp => &["PASSWORD"],
            Self::EmailOtp => &["EMAIL_OTP_CODE"],
            Self::SmsOtp => &["SMS_OTP_CODE"],
            Self::WebAuthn => &["CREDENTIAL"],
            Self::PasswordVerifier
            | Self::CustomChallenge
            | Self::DeviceSrpAuth
            | Self::DevicePasswordVerifier
            | Self::AdminNoSrpAuth
            | Self::Unknown(_) => return None,
        })
    }

    /// The `responses` key a refused password, code or passkey of this challenge was given in,
    /// for the 400's `field` (`None` when the challenge takes none of them).
    pub fn refused_answer(&self) -> Option<&'static str> {
        match self {
            Self::NewPasswordRequired => Some("NEW_PASSWORD"),
            Self::SoftwareTokenMfa | Self::MfaSetup => Some("SOFTWARE_TOKEN_MFA_CODE"),
            Self::SmsMfa => Some("SMS_MFA_CODE"),
            Self::EmailOtp => Some("EMAIL_OTP_CODE"),
            Self::SmsOtp => Some("SMS_OTP_CODE"),
            Self::Password | Self::PasswordSrp | Self::SelectChallenge => Some("PASSWORD"),
            Self::WebAuthn => Some("CREDENTIAL"),
            Self::SelectMfaType
            | Self::PasswordVerifier
            | Self::CustomChallenge
            | Self::DeviceSrpAuth
            | Self::DevicePasswordVerifier
            | Self::AdminNoSrpAuth
            | Self::Unknown(_) => None,
        }
    }

    /// The `ChallengeParameters` Cognito documents for this challenge (`InitiateAuth` and
    /// `RespondToAuthChallenge` in the Cognito API reference), which the API passes on as
    /// `Challenge.parameters`; Cognito may add `USER_ID_FOR_SRP` to any. `SELECT_CHALLENGE` carries
    /// its choices in `AvailableChallenges` instead, and a custom challenge whatever the pool's
    /// trigger puts there.
    pub fn cognito_parameters(&self) -> &'static [&'static str] {
        match self {
            Self::NewPasswordRequired => &["userAttributes", "requiredAttributes"],
            Self::SmsMfa | Self::EmailOtp | Self::SmsOtp => {
                &["CODE_DELIVERY_DELIVERY_MEDIUM", "CODE_DELIVERY_DESTINATION"]
            }
            Self::SelectMfaType => &["MFAS_CAN_CHOOSE"],
            Self::MfaSetup => &["MFAS_CAN_SETUP"],
            Self::WebAuthn => &["CREDENTIAL_REQUEST_OPTIONS"],
            Self::PasswordVerifier => &["SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"],
            Self::DevicePasswordVerifier => &["SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "DEVICE_KEY"],
            Self::SoftwareTokenMfa
            | Self::SelectChallenge
            | Self::Password
            | Self::PasswordSrp
            | Self::CustomChallenge
            | Self::DeviceSrpAuth
            | Self::AdminNoSrpAuth
            | Self::Unknown(_) => &[],
        }
    }

    /// The first factor of choice-based sign-in this challenge is named after (`PASSWORD`,
    /// `PASSWORD_SRP`, `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`: an entry of `SELECT_CHALLENGE`'s
    /// `AvailableChallenges`), or `None`.
    pub fn first_factor(&self) -> Option<PreferredChallenge> {
        PreferredChallenge::ALL.into_iter().find(|factor| factor.as_str() == self.as_str())
    }

    /// Cognito's name for it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::SmsMfa => "SMS_MFA",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::MfaSetup => "MFA_SETUP",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::Password => "PASSWORD",
            Self::PasswordSrp => "PASSWORD_SRP",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SmsOtp => "SMS_OTP",
            Self::WebAuthn => "WEB_AUTHN",
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::CustomChallenge => "CUSTOM_CHALLENGE",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            Self::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            Self::Unknown(name) => name.as_str(),
        }
    }
}

impl From<&str> for ChallengeName {
    /// The challenge `name` spells, exactly (case matters, as in Cognito); [`ChallengeName::Unknown`]
    /// when it spells none.
    fn from(name: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|known| known.as_str() == name)
            .cloned()
            .unwrap_or_else(|| Self::Unknown(UnknownChallengeName(name.to_owned())))
    }
}

impl std::fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ChallengeName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Any string reads as a name (an unknown one as [`ChallengeName::Unknown`]): whether the API
/// answers it is the domain's check, which says so in a 400 naming `name`, the one message for a
/// name Cognito knows and the API does not answer and for a name nobody knows.
impl<'de> Deserialize<'de> for ChallengeName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Self::from(name.as_str()))
    }
}

/// A second factor (Cognito's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MfaFactor {
    /// An authenticator app (TOTP).
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    /// A code by email (email MFA).
    #[serde(rename = "EMAIL_OTP")]
    Email,
    /// A code by SMS.
    #[serde(rename = "SMS_MFA")]
    Sms,
}

impl MfaFactor {
    /// Every second factor, in the contract's order (`MfaFactor` in `openapi.yaml`).
    pub const ALL: [MfaFactor; 3] = [Self::SoftwareToken, Self::Email, Self::Sms];

    /// The factor Cognito's name `name` spells, exactly (a `SELECT_MFA_TYPE` answer, an entry of
    /// `UserMFASettingList`); `None` when it spells none.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|factor| factor.as_str() == name)
    }

    /// Cognito's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
            Self::Sms => "SMS_MFA",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factor_is_spelled_on_the_wire_as_cognito_names_it() {
        for factor in PreferredChallenge::ALL {
            assert_eq!(serde_json::to_value(factor).unwrap(), factor.as_str());
            assert_eq!(PreferredChallenge::from_name(factor.as_str()), Some(factor));
            assert_eq!(factor.challenge().first_factor(), Some(factor));
        }
        for factor in MfaFactor::ALL {
            assert_eq!(serde_json::to_value(factor).unwrap(), factor.as_str());
            assert_eq!(MfaFactor::from_name(factor.as_str()), Some(factor));
        }
        assert_eq!(PreferredChallenge::from_name("web_authn"), None, "names are exact");
    }

    #[test]
    fn every_answered_challenge_names_the_answer_a_refusal_points_at_among_its_answers() {
        for name in ChallengeName::KNOWN {
            if let (Some(answers), Some(refused)) = (name.answers(), name.refused_answer()) {
                assert!(answers.contains(&refused), "{name}: {refused}");
            }
            let parameters = name.cognito_parameters();
            let mut unique = parameters.to_vec();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), parameters.len(), "{name}");
        }
        assert_eq!(ChallengeName::WebAuthn.cognito_parameters(), ["CREDENTIAL_REQUEST_OPTIONS"]);
    }
}
