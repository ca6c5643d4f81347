//! Step-up: whether the caller signed in strongly and recently enough for a route, answered with
//! RFC 9470's challenge ("OAuth 2.0 Step Up Authentication Challenge", section 3) when not.
//!
//! The route table names which requirement applies where ([`SignInRequirement`]); this module
//! gives them their values ([`SignInRequirements`], read once at init) and checks a caller
//! against them from the authorizer's context: the level from the token's `acr`, the age from
//! its `auth_time`. Both are checked when the request arrives, in the function, never in the
//! authorizer's cached policy: the age changes every second, and a level the policy left out would
//! reach the client as API Gateway's 403, which cannot carry the challenge (a gateway response's
//! status is fixed per response type).
//!
//! Cognito's levels ("Authentication levels with ACR and AMR claims", Cognito developer guide):
//! 1, a password; 2, one code sent by SMS or email; 3, a passkey, or a password and an SMS or
//! email code; 4, a password and TOTP. Each pool may rename them (`AcrConfiguration`); the
//! defaults are `urn:cognito:loa:1` to `urn:cognito:loa:4`. A token without `acr` (a pool where
//! the claims have not rolled out), or with a name the configuration does not know, meets no
//! level; one without `auth_time` is never recent: both fail closed on a route that asks.

use std::time::Duration;

use api_types::{
    AuthorizerContext,
    routes::{AcrRequirement, MaxAgeRequirement, SignInRequirement},
};

use crate::{AuthError, ConfigError, config::minutes_within_an_hour, input::is_acr_value};

/// Cognito's default names of levels 1 to 4.
pub const DEFAULT_ACR_VALUES: [&str; 4] =
    ["urn:cognito:loa:1", "urn:cognito:loa:2", "urn:cognito:loa:3", "urn:cognito:loa:4"];

/// The level administration needs by default: 3, a second factor or a passkey.
pub const DEFAULT_ADMIN_MIN_ACR_LEVEL: u8 = 3;

/// How recent an admin's sign-in must be for a change, by default: fifteen minutes.
pub const DEFAULT_ADMIN_CHANGE_MAX_AGE: Duration = Duration::from_secs(15 * 60);

/// How recent a sign-in must be to delete the account, by default: five minutes.
pub const DEFAULT_ACCOUNT_DELETION_MAX_AGE: Duration = Duration::from_secs(5 * 60);

/// How recent a sign-in must be to register a passkey, by default: fifteen minutes.
pub const DEFAULT_PASSKEY_REGISTRATION_MAX_AGE: Duration = Duration::from_secs(15 * 60);

/// How far in the future an `auth_time` may be and still count as now: clocks drift. Further,
/// the sign-in counts as not recent (as does every sign-in when the system clock cannot be read,
/// which [`crate::unix_time`] answers as 0).
pub const AUTH_TIME_CLOCK_SKEW_SECONDS: u64 = 60;

/// The values of the route table's requirements, read once at init.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRequirements {
    /// The pool's names of levels 1 to 4.
    acr_values: [String; 4],
    /// The level administration needs, 1 to 4; `None` when turned off.
    admin_min_level: Option<u8>,
    admin_change_max_age: Duration,
    account_deletion_max_age: Duration,
    passkey_registration_max_age: Duration,
}

impl Default for SignInRequirements {
    /// Cognito's level names; administration at level 3, its changes within fifteen minutes of
    /// the sign-in; account deletion within five, passkey registration within fifteen.
    fn default() -> Self {
        Self {
            acr_values: DEFAULT_ACR_VALUES.map(String::from),
            admin_min_level: Some(DEFAULT_ADMIN_MIN_ACR_LEVEL),
            admin_change_max_age: DEFAULT_ADMIN_CHANGE_MAX_AGE,
            account_deletion_max_age: DEFAULT_ACCOUNT_DELETION_MAX_AGE,
            passkey_registration_max_age: DEFAULT_PASSKEY_REGISTRATION_MAX_AGE,
        }
    }
}

impl SignInRequirements {
    /// Reads the requirements through `lookup` (an environment), each variable's default when it
    /// is unset or blank:
    /// - `ACR_VALUES`: the pool's names of levels 1 to 4 (its `AcrConfiguration`), four
    ///   space-separated, distinct names of 1 to 64 visible ASCII characters without `"` or `\`;
    /// - `ADMIN_MIN_ACR_LEVEL`: the level user administration needs, `1` to `4`, or `0` to turn
    ///   the check off (3 by default);
    /// - `ADMIN_CHANGE_MAX_AGE_MINUTES`, `ACCOUNT_DELETION_MAX_AGE_MINUTES`,
    ///   `PASSKEY_REGISTRATION_MAX_AGE_MINUTES`: 1 to 60 minutes (15, 5 and 15 by default).
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the variable that is malformed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let set = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let acr_values = match set("ACR_VALUES") {
            None => defaults.acr_values,
            Some(list) => parse_acr_values(&list)?,
        };
        let admin_min_level = match set("ADMIN_MIN_ACR_LEVEL").as_deref() {
            None => defaults.admin_min_level,
            Some("0") => None,
            Some(level @ ("1" | "2" | "3" | "4")) => level.parse().ok(),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "ADMIN_MIN_ACR_LEVEL",
                    reason: "must be a level from 1 to 4, or 0 for none".into(),
                });
            }
        };
        Ok(Self {
            acr_values,
            admin_min_level,
            admin_change_max_age: minutes_within_an_hour(
                "ADMIN_CHANGE_MAX_AGE_MINUTES",
                defaults.admin_change_max_age,
                &lookup,
            )?,
            account_deletion_max_age: minutes_within_an_hour(
                "ACCOUNT_DELETION_MAX_AGE_MINUTES",
                defaults.account_deletion_max_age,
                &lookup,
            )?,
            passkey_registration_max_age: minutes_within_an_hour(
                "PASSKEY_REGISTRATION_MAX_AGE_MINUTES",
                defaults.passkey_registration_max_age,
                &lookup,
            )?,
        })
    }

    /// The same requirements with user administration's level check off (as
    /// `ADMIN_MIN_ACR_LEVEL=0`): every other requirement stays.
    pub fn without_admin_level(self) -> Self {
        Self { admin_min_level: None, ..self }
    }

    /// The level, 1 to 4, the pool's name `acr` stands for; `None` for a name it does not have.
    pub fn level_of(&self, acr: &str) -> Option<u8> {
        self.acr_values.iter().position(|name| name == acr).and_then(|i| u8::try_from(i + 1).ok())
    }

    /// The minimum level `requirement` stands for; `None` when that check is off.
    fn min_level(&self, requirement: AcrRequirement) -> Option<u8> {
        match requirement {
            AcrRequirement::Administration => self.admin_min_level,
        }
    }

    /// The window `requirement` stands for.
    fn max_age(&self, requirement: MaxAgeRequirement) -> Duration {
        match requirement {
            MaxAgeRequirement::AdministrationChange => self.admin_change_max_age,
            MaxAgeRequirement::AccountDeletion => self.account_deletion_max_age,
            MaxAgeRequirement::PasskeyRegistration => self.passkey_registration_max_age,
        }
    }

    /// RFC 9470's `acr_values` for a minimum level: the names of that level and every higher
    /// one, space-separated, the highest first (Cognito's `TARGET_ACR_VALUES` takes them in the
    /// same order, and steps up to the first the person can reach).
    fn acr_values_from(&self, min_level: u8) -> String {
        let from = usize::from(min_level.max(1)) - 1;
        self.acr_values[from..].iter().rev().map(String::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Whether `caller` (the authorizer's context) meets `requirement` at `now` (seconds since
    /// the epoch): a level at least the required one by its `acr`, and an `auth_time` no older
    /// than the window (a refresh keeps `auth_time`, so a session refreshed for weeks is not
    /// recent).
    ///
    /// # Errors
    /// [`AuthError::InsufficientUserAuthentication`] naming everything the route asks for (the
    /// `acr_values` and the `max_age` in seconds) when any of it is not met, a missing `acr` or
    /// `auth_time` included.
    pub fn check(&self, requirement: SignInRequirement, caller: &AuthorizerContext, now: u64) -> Result<(), AuthError> {
        let min_level = requirement.acr.and_then(|acr| self.min_level(acr));
        // The windows are at most an hour, so the seconds fit.
        let max_age =
            requirement.max_age.map(|window| u32::try_from(self.max_age(window).as_secs()).unwrap_or(u32::MAX));
        let level_met = min_level.is_none_or(|min| self.level_of(&caller.acr).is_some_and(|level| level >= min));
        let recent =
            max_age.is_none_or(|max_age| caller.auth_time.is_some_and(|at| signed_in_within(at, now, max_age)));
        if level_met && recent {
            return Ok(());
        }
        Err(AuthError::InsufficientUserAuthentication {
            acr_values: min_level.map(|min| self.acr_values_from(min)),
            max_age,
        })
    }
}

/// Whether a sign-in at `auth_time` is at most `max_age` seconds before `now` (a sign-in up to
/// [`AUTH_TIME_CLOCK_SKEW_SECONDS`] ahead of `now` counts as now; further ahead, as not recent).
fn signed_in_within(auth_time: u64, now: u64, max_age: u32) -> bool {
    match now.checked_sub(auth_time) {
        Some(age) => age <= u64::from(max_age),
        None => auth_time - now <= AUTH_TIME_CLOCK_SKEW_SECONDS,
    }
}

/// `ACR_VALUES`: four distinct names, space-separated, each as `AcrLevelConfigType.AcrValue`
/// allows (1 to 64 characters of `[\x21\x23-\x5B\x5D-\x7E]`).
fn parse_acr_values(list: &str) -> Result<[String; 4], ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid { name: "ACR_VALUES", reason: reason.into() };
    let names: Vec<&str> = list.split_ascii_whitespace().collect();
    if !names.iter().all(|name| is_acr_value(name)) {
        return Err(invalid("each name is 1 to 64 visible ASCII characters, without \" or \\"));
    }
    let names: [&str; 4] =
        names.try_into().map_err(|_| invalid("must name the four levels, space-separated, level 1 first"))?;
    if (1..4).any(|i| names[..i].contains(&names[i])) {
        return Err(invalid("the four names must differ"));
    }
    Ok(names.map(String::from))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const NOW: u64 = 1_800_000_000;
    const ADMIN_READ: SignInRequirement =
        SignInRequirement { acr: Some(AcrRequirement::Administration), max_age: None };
    const ADMIN_CHANGE: SignInRequirement = SignInRequirement {
        acr: Some(AcrRequirement::Administration),
        max_age: Some(MaxAgeRequirement::AdministrationChange),
    };
    const DELETION: SignInRequirement =
        SignInRequirement { acr: None, max_age: Some(MaxAgeRequirement::AccountDeletion) };

    fn caller(acr: &str, auth_time: Option<u64>) -> AuthorizerContext {
        AuthorizerContext {
            sub: "sub-1".into(),
            username: "alice".into(),
            email: String::new(),
            email_verified: false,
            groups: "admins".into(),
            token_use: "access".into(),
            client_id: "client".into(),
            auth_time,
            acr: acr.into(),
            amr: String::new(),
        }
    }

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    fn challenge(err: AuthError) -> (Option<String>, Option<u32>) {
        match err {
            AuthError::InsufficientUserAuthentication { acr_values, max_age } => (acr_values, max_age),
            other => panic!("not a step-up challenge: {other:?}"),
        }
    }

    #[test]
    fn an_emailed_code_is_level_2_and_does_not_administer_a_passkey_or_a_second_factor_does() {
        let requirements = SignInRequirements::default();
        for acr in ["urn:cognito:loa:1", "urn:cognito:loa:2"] {
            let err = requirements.check(ADMIN_READ, &caller(acr, Some(NOW)), NOW).unwrap_err();
            // THEN the challenge names the levels that would do, the highest first, and no age
            assert_eq!(challenge(err), (Some("urn:cognito:loa:4 urn:cognito:loa:3".into()), None), "{acr}");
        }
        for acr in ["urn:cognito:loa:3", "urn:cognito:loa:4"] {
            requirements.check(ADMIN_READ, &caller(acr, Some(NOW)), NOW).unwrap();
        }
    }

    #[test]
    fn a_token_without_acr_or_with_a_name_the_pool_does_not_have_meets_no_level() {
        let requirements = SignInRequirements::default();
        for acr in ["", "urn:cognito:loa:9", "URN:COGNITO:LOA:4", "urn:cognito:loa:4 "] {
            assert!(requirements.check(ADMIN_READ, &caller(acr, Some(NOW)), NOW).is_err(), "{acr:?}");
        }
        // AND a route that asks nothing serves it
        requirements.check(SignInRequirement::NONE, &caller("", None), NOW).unwrap();
    }

    #[test]
    fn a_change_needs_the_level_and_a_sign_in_within_the_window_and_the_challenge_names_both() {
        let requirements = SignInRequirements::default();
        let window = DEFAULT_ADMIN_CHANGE_MAX_AGE.as_secs();
        requirements.check(ADMIN_CHANGE, &caller("urn:cognito:loa:4", Some(NOW - window)), NOW).unwrap();
        for refused in [
            caller("urn:cognito:loa:4", Some(NOW - window - 1)),
            caller("urn:cognito:loa:4", None),
            caller("urn:cognito:loa:2", Some(NOW)),
        ] {
            let err = requirements.check(ADMIN_CHANGE, &refused, NOW).unwrap_err();
            assert_eq!(challenge(err), (Some("urn:cognito:loa:4 urn:cognito:loa:3".into()), Some(900)), "{refused:?}");
        }
        // AND reading needs no recent sign-in
        requirements.check(ADMIN_READ, &caller("urn:cognito:loa:3", Some(NOW - 86_400)), NOW).unwrap();
    }

    #[test]
    fn a_sign_in_from_the_future_is_recent_only_within_the_clock_skew_and_a_broken_clock_makes_none_recent() {
        let requirements = SignInRequirements::default();
        let ahead = |by: u64| caller("urn:cognito:loa:4", Some(NOW + by));
        requirements.check(DELETION, &ahead(AUTH_TIME_CLOCK_SKEW_SECONDS), NOW).unwrap();
        assert!(requirements.check(DELETION, &ahead(AUTH_TIME_CLOCK_SKEW_SECONDS + 1), NOW).is_err());
        assert!(requirements.check(DELETION, &caller("urn:cognito:loa:4", Some(NOW)), 0).is_err());
    }

    #[test]
    fn deletion_asks_only_for_a_recent_sign_in_whatever_the_level() {
        let requirements = SignInRequirements::default();
        requirements.check(DELETION, &caller("", Some(NOW - 300)), NOW).unwrap();
        let err = requirements.check(DELETION, &caller("urn:cognito:loa:4", Some(NOW - 301)), NOW).unwrap_err();
        assert_eq!(challenge(err), (None, Some(300)));
    }

    #[test]
    fn the_pools_level_names_and_the_configured_windows_are_honoured() {
        // GIVEN a pool that renamed its levels, administration at level 4, changes within 5 minutes
        let requirements = SignInRequirements::from_lookup(lookup(&[
            ("ACR_VALUES", " a:1  a:2 a:3\ta:4 "),
            ("ADMIN_MIN_ACR_LEVEL", "4"),
            ("ADMIN_CHANGE_MAX_AGE_MINUTES", "5"),
            ("ACCOUNT_DELETION_MAX_AGE_MINUTES", "1"),
            ("PASSKEY_REGISTRATION_MAX_AGE_MINUTES", "60"),
        ]))
        .unwrap();
        // THEN its names count, Cognito's default names do not
        assert_eq!((requirements.level_of("a:4"), requirements.level_of("urn:cognito:loa:4")), (Some(4), None));
        requirements.check(ADMIN_CHANGE, &caller("a:4", Some(NOW - 300)), NOW).unwrap();
        let err = requirements.check(ADMIN_CHANGE, &caller("a:3", Some(NOW)), NOW).unwrap_err();
        assert_eq!(challenge(err), (Some("a:4".into()), Some(300)));
        requirements.check(SignInRequirement::PASSKEY_REGISTRATION, &caller("", Some(NOW - 3600)), NOW).unwrap();
        assert!(requirements.check(DELETION, &caller("", Some(NOW - 61)), NOW).is_err());
    }

    #[test]
    fn the_default_windows_are_15_5_and_15_minutes_and_without_admin_level_leaves_them() {
        let requirements = SignInRequirements::default();
        for (requirement, max_age) in [
            (SignInRequirement::ADMINISTRATION_CHANGE, 900),
            (SignInRequirement::ACCOUNT_DELETION, 300),
            (SignInRequirement::PASSKEY_REGISTRATION, 900),
        ] {
            let stale = caller("urn:cognito:loa:4", Some(NOW - u64::from(max_age) - 1));
            assert_eq!(challenge(requirements.check(requirement, &stale, NOW).unwrap_err()).1, Some(max_age));
        }
        // AND without the administration level, only the level goes
        let off = requirements.clone().without_admin_level();
        off.check(ADMIN_READ, &caller("", None), NOW).unwrap();
        assert_eq!(off, SignInRequirements::from_lookup(lookup(&[("ADMIN_MIN_ACR_LEVEL", "0")])).unwrap());
        assert_ne!(off, requirements);
    }

    #[test]
    fn admin_level_0_turns_the_level_off_and_leaves_the_window() {
        let requirements = SignInRequirements::from_lookup(lookup(&[("ADMIN_MIN_ACR_LEVEL", "0")])).unwrap();
        requirements.check(ADMIN_READ, &caller("", None), NOW).unwrap();
        let err = requirements.check(ADMIN_CHANGE, &caller("", Some(NOW - 901)), NOW).unwrap_err();
        assert_eq!(challenge(err), (None, Some(900)));
    }

    #[test]
    fn malformed_settings_fail_the_cold_start_naming_the_variable() {
        for (name, value) in [
            ("ACR_VALUES", "a b c"),
            ("ACR_VALUES", "a b c d e"),
            ("ACR_VALUES", "a b c a"),
            ("ACR_VALUES", "a b c \"d\""),
            ("ACR_VALUES", "a b c d\\"),
            ("ADMIN_MIN_ACR_LEVEL", "5"),
            ("ADMIN_MIN_ACR_LEVEL", "three"),
            ("ADMIN_CHANGE_MAX_AGE_MINUTES", "0"),
            ("ADMIN_CHANGE_MAX_AGE_MINUTES", "61"),
        ] {
            let err = SignInRequirements::from_lookup(lookup(&[(name, value)])).unwrap_err();
            assert!(matches!(err, ConfigError::Invalid { name: n, .. } if n == name), "{name}={value}: {err:?}");
        }
        let long = format!("a b c {}", "d".repeat(65));
        assert!(SignInRequirements::from_lookup(lookup(&[("ACR_VALUES", &long)])).is_err());
        // AND blank is the default
        assert_eq!(SignInRequirements::from_lookup(lookup(&[("ACR_VALUES", " ")])), Ok(SignInRequirements::default()));
    }
}
