//! The one home of the rules every input meets before any Cognito call: lengths, code formats and
//! user-writable attributes. A failed check is [`AuthError::BadInput`], a 400 naming the field.
//!
//! Limits follow Cognito's documented request constraints (the "Length Constraints" of each
//! action's Request Parameters in the Amazon Cognito user pools API reference, e.g.
//! <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html>),
//! so a request the API accepts is one Cognito can take; where the API allows more, the constant
//! says why.

use crate::{AuthError, config::WriteAttributes};

/// `Username`: 1 to 128 characters (SignUp, InitiateAuth's `USERNAME`, the admin calls).
pub const USERNAME_MAX_CHARS: usize = 128;
/// `Password`, `PreviousPassword`, `ProposedPassword`, `TemporaryPassword`: at most 256.
pub const PASSWORD_MAX_CHARS: usize = 256;
/// ID, access and refresh tokens. Cognito sets no length; its tokens are a few KiB, so 16 KiB
/// bounds what reaches it without refusing a real one.
pub const TOKEN_MAX_CHARS: usize = 16 * 1024;
/// A challenge `Session`: Cognito's are at most 2048 characters (RespondToAuthChallenge); the
/// API's admin-flow sessions carry a short HMAC mark on top, and 8 KiB leaves room for both.
pub const SESSION_MAX_CHARS: usize = 8 * 1024;
/// One value of `ChallengeResponses`: 2048, as an attribute value.
pub const CHALLENGE_ANSWER_MAX_CHARS: usize = 2048;
/// `AttributeType.Name`: 1 to 32 characters.
pub const ATTRIBUTE_NAME_MAX_CHARS: usize = 32;
/// `AttributeType.Value`: at most 2048 characters.
pub const ATTRIBUTE_VALUE_MAX_CHARS: usize = 2048;
/// Attributes in one sign-up: a pool has at most 50 custom attributes besides the standard ones,
/// so 50 in one request is already more than a client has reason to send.
pub const ATTRIBUTES_MAX: usize = 50;
/// `GroupName`: 1 to 128 characters.
pub const GROUP_NAME_MAX_CHARS: usize = 128;
/// An email address: RFC 5321 allows 254 characters in a path; 256 rounds it up.
pub const EMAIL_MAX_CHARS: usize = 256;
/// ListUsers' `Filter`: at most 256 characters.
pub const LIST_FILTER_MAX_CHARS: usize = 256;
/// ListUsers' `PaginationToken`, which the API hands out as `next`: no documented limit; Cognito's
/// are well under 4 KiB.
pub const PAGINATION_TOKEN_MAX_CHARS: usize = 4096;
/// `FriendlyDeviceName` of VerifySoftwareToken (no documented limit; a name to show a person).
pub const DEVICE_NAME_MAX_CHARS: usize = 128;
/// A `ConfirmationCode` as the API accepts it: Cognito allows up to 2048 non-space characters,
/// and sends 6 digits by default; 64 bounds what a person types.
pub const CONFIRMATION_CODE_MAX_CHARS: usize = 64;

/// Attributes a user never sets about themself: Cognito or an admin vouches for them.
pub const PROTECTED_ATTRIBUTES: &[&str] = &["sub", "email_verified", "phone_number_verified", "cognito:user_status"];

/// The pool's sign-in attributes (`UsernameAttributes`): a change to one changes what the person
/// signs in with, so it happens only through a verified update (`template.yaml` sets
/// `AttributesRequireVerificationBeforeUpdate` for it), never as a side effect of another call.
pub const SIGN_IN_ATTRIBUTES: &[&str] = &["email"];

/// Refuses an empty or overlong text field with a 400 naming it.
pub fn check_text(field: &'static str, value: &str, max_chars: usize) -> Result<(), AuthError> {
    if value.trim().is_empty() {
        return Err(AuthError::bad_input(field, format!("{field} must not be empty.")));
    }
    if value.chars().count() > max_chars {
        return Err(AuthError::bad_input(field, format!("{field} is longer than {max_chars} characters.")));
    }
    Ok(())
}

/// A one-time password from an authenticator app (TOTP, RFC 6238) or an SMS MFA text: 6 digits.
pub fn check_one_time_password(field: &'static str, code: &str) -> Result<(), AuthError> {
    check_code(field, code, &[6])
}

/// Passwordless sign-in codes (`EMAIL_OTP` / `SMS_OTP` as a first factor) have 8 digits, fixed by
/// Cognito; MFA codes have 6 ("Passwordless sign-in", Cognito developer guide).
pub const PASSWORDLESS_CODE_DIGITS: usize = 8;

/// A code of digits, of one of the `lengths`.
pub fn check_code(field: &'static str, code: &str, lengths: &[usize]) -> Result<(), AuthError> {
    if lengths.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let lengths: Vec<String> = lengths.iter().map(usize::to_string).collect();
    Err(AuthError::bad_input(field, format!("{field} must be a {}-digit code.", lengths.join("- or "))))
}

/// A confirmation code (sign-up, password reset): 1 to [`CONFIRMATION_CODE_MAX_CHARS`] visible
/// characters.
pub fn check_confirmation_code(code: &str) -> Result<(), AuthError> {
    if code.is_empty() || code.len() > CONFIRMATION_CODE_MAX_CHARS || code.chars().any(char::is_whitespace) {
        return Err(AuthError::bad_input("code", "code must be the code that was sent, without spaces."));
    }
    Ok(())
}

/// Whether `name` has the shape of an attribute name: letters, digits, `_` and `:` (for
/// `custom:`), 1 to [`ATTRIBUTE_NAME_MAX_CHARS`].
pub fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= ATTRIBUTE_NAME_MAX_CHARS
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// An attribute a user sets about themself (at sign-up, or answering `NEW_PASSWORD_REQUIRED`):
/// a valid name, not one Cognito or an admin vouches for, one the app client may write
/// (`writable`, its `WriteAttributes`), a bounded value. `field` names it in the 400.
pub fn check_user_attribute(field: &str, name: &str, value: &str, writable: &WriteAttributes) -> Result<(), AuthError> {
    if !is_attribute_name(name) {
        return Err(AuthError::bad_input(field.to_string(), format!("`{name}` is not a valid attribute name.")));
    }
    if PROTECTED_ATTRIBUTES.contains(&name) {
        return Err(AuthError::bad_input(field.to_string(), format!("{name} cannot be set by the user.")));
    }
    if !writable.allows(name) {
        let allowed = writable.names().collect::<Vec<_>>().join(", ");
        return Err(AuthError::bad_input(
            field.to_string(),
            format!("{name} cannot be set through this app client (it may set: {allowed})."),
        ));
    }
    if value.chars().count() > ATTRIBUTE_VALUE_MAX_CHARS {
        return Err(AuthError::bad_input(
            field.to_string(),
            format!("{name} is longer than {ATTRIBUTE_VALUE_MAX_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_six_digits_and_confirmation_codes_any_visible_text() {
        assert!(check_one_time_password("code", "012345").is_ok());
        for bad in ["12345", "1234567", "12a456", "١٢٣٤٥٦"] {
            assert!(check_one_time_password("code", bad).is_err(), "{bad}");
        }
        assert!(check_confirmation_code("123456").is_ok());
        assert!(check_confirmation_code("abc-DEF").is_ok());
        for bad in ["", "12 34", &"1".repeat(CONFIRMATION_CODE_MAX_CHARS + 1)] {
            assert!(check_confirmation_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_fields_are_non_empty_and_bounded_in_characters_not_bytes() {
        assert!(check_text("username", "ä".repeat(USERNAME_MAX_CHARS).as_str(), USERNAME_MAX_CHARS).is_ok());
        assert!(check_text("username", "a".repeat(USERNAME_MAX_CHARS + 1).as_str(), USERNAME_MAX_CHARS).is_err());
        assert!(check_text("username", "  ", USERNAME_MAX_CHARS).is_err());
    }
}
