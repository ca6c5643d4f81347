//! The one home of the rules every input meets before any Cognito call: lengths, code formats and
//! user-writable attributes. A failed check is [`AuthError::BadInput`], a 400 naming the field.
//!
//! Limits follow Cognito's documented request constraints (the "Length Constraints" and
//! "Pattern" of each action's Request Parameters in the Amazon Cognito user pools API reference,
//! e.g. <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html>),
//! so a request the API accepts is one Cognito can take, and what Cognito would refuse is a 400
//! naming the field here rather than Cognito's message (or, where Cognito's refusal is answered
//! as success for privacy, nothing at all); where the API allows more, the constant says why.
//! Nothing is trimmed: a stray space is refused, never silently removed (see [`check_username`]).
//! The local Cognito holds itself to the same rules (`crates/local-stack/emulator/strict_cognito`:
//! `shapes.py`, `attributes.py`, `passwords.py`); docs/cognito-conformance.md lists each.

use crate::{AuthError, config::WriteAttributes};

/// `Username`: 1 to 128 characters (SignUp, InitiateAuth's `USERNAME`, the admin calls).
pub const USERNAME_MAX_CHARS: usize = 128;
/// `Password`, `PreviousPassword`, `ProposedPassword`, `TemporaryPassword`: at most 256.
pub const PASSWORD_MAX_CHARS: usize = 256;
/// ID, access and refresh tokens. Cognito sets no length; its tokens are a few KiB, so 16 KiB
/// bounds what reaches it without refusing a real one.
pub const TOKEN_MAX_CHARS: usize = 16 * 1024;
/// A challenge `Session`: Cognito's are 20 to 4096 characters (`SessionType` in the current
/// service model; older reference pages said 2048); the API's admin-flow sessions carry a short
/// HMAC mark on top, and 8 KiB leaves room for both. A session is opaque to the API: one shorter
/// than 20 is none Cognito issued, and Cognito's own refusal of it reaches the client as a 400.
pub const SESSION_MAX_CHARS: usize = 8 * 1024;
/// One value of `ChallengeResponses`: 2048, as an attribute value.
pub const CHALLENGE_ANSWER_MAX_CHARS: usize = 2048;
/// A `WEB_AUTHN` answer (`CREDENTIAL`, the browser's assertion as JSON): 8 KiB. An assertion is
/// well under 2 KiB with a platform passkey's 16-byte id, but an id may be up to 1,023 bytes
/// (WebAuthn Level 3, "Credential ID") and appears twice (`id`, `rawId`), base64url.
pub const WEB_AUTHN_CREDENTIAL_MAX_CHARS: usize = 8 * 1024;
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
/// `GET /users?email=`: the longest address whose filter (`email = "..."`, with `"` and `\`
/// escaped) always fits in [`LIST_FILTER_MAX_CHARS`], however many characters need escaping.
pub const LIST_EMAIL_MAX_CHARS: usize = (LIST_FILTER_MAX_CHARS - "email = \"\"".len()) / 2;
/// ListUsers' `Limit`: 1 to 60 users a page.
pub const PAGE_SIZE_MAX: usize = 60;
/// Groups a user may be created into at once (`POST /users`).
pub const GROUPS_MAX: usize = 25;
/// ListUsers' `PaginationToken`, which the API hands out as `next`: no documented limit; Cognito's
/// are well under 4 KiB.
pub const PAGINATION_TOKEN_MAX_CHARS: usize = 4096;
/// The longest name of an authentication level (`AcrLevelConfigType.AcrValue`: 1 to 64
/// characters).
pub const ACR_VALUE_MAX_CHARS: usize = 64;
/// The longest `acrValues` the API passes on: four level names and the spaces between them.
pub const ACR_VALUES_MAX_CHARS: usize = 4 * ACR_VALUE_MAX_CHARS + 3;

/// `openapi.yaml`'s pattern for `acrValues`: 1 to 4 names [`is_acr_value`] allows, separated by
/// single spaces.
pub fn acr_values_pattern() -> String {
    let name = format!("[!#-\\[\\]-~]{{1,{ACR_VALUE_MAX_CHARS}}}");
    format!("^{name}( {name}){{0,3}}$")
}

/// Whether `name` can name an authentication level: `AcrLevelConfigType.AcrValue`'s pattern
/// `[\x21\x23-\x5B\x5D-\x7E]+`, 1 to [`ACR_VALUE_MAX_CHARS`] characters (visible ASCII without
/// `"` or `\`), so it can be quoted in a `WWW-Authenticate` challenge as it is.
pub fn is_acr_value(name: &str) -> bool {
    (1..=ACR_VALUE_MAX_CHARS).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}
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

/// Cognito's standard attributes ("based on the OpenID Connect specification", Cognito developer
/// guide, "User pool attributes"), with the two it sets on verification.
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
    "email_verified",
    "phone_number_verified",
];

/// A custom attribute's name after `custom:` (`SchemaAttributeType.Name`): 1 to 20 characters.
pub const CUSTOM_ATTRIBUTE_NAME_MAX_CHARS: usize = 20;

/// The characters a name ([`check_username`]) may not contain, as a JSON Schema (ECMA-262)
/// pattern for a whole name: `^[^...]+$`, the excluded characters written as themselves, in
/// ranges. `openapi.yaml` carries it (a test keeps the two equal), so the contract refuses
/// exactly what the API does.
pub fn name_pattern() -> String {
    format!("^[^{}]+$", class_of(|c| !is_name_char(c)))
}

/// Whitespace in the sense of [`check_text`]'s "must not be empty" (Unicode's `White_Space`), as
/// a JSON Schema pattern that a text with at least one other character matches: `[^...]`.
pub fn not_blank_pattern() -> String {
    format!("[^{}]", class_of(char::is_whitespace))
}

/// What [`check_email`] takes as an address, as a JSON Schema pattern: one `@` between two
/// non-empty parts, with no whitespace or control characters.
pub fn email_pattern() -> String {
    let part = format!("[^@{}]+", class_of(|c| c.is_whitespace() || c.is_control()));
    format!("^{part}@{part}$")
}

/// A `GET /users?email=` value as [`AdminService::list`](crate::users::AdminService::list) takes
/// it, as a JSON Schema pattern: no control characters, and not only whitespace.
pub fn filter_value_pattern() -> String {
    let control = class_of(char::is_control);
    let blank_or_control = class_of(|c| c.is_whitespace() || c.is_control());
    format!("^[^{control}]*[^{blank_or_control}][^{control}]*$")
}

/// A password Cognito stores ([`check_password`]) as a JSON Schema pattern: Cognito's
/// `^[\S]+.*[\S]+$`, with Java's `\S` (no ASCII whitespace) and `.` (no line terminator) spelled
/// out, since ECMA-262 reads both differently.
pub fn password_pattern() -> String {
    let solid = format!("[^{}]+", class_of(|c| PASSWORD_SPACE.contains(&c)));
    let any = format!("[^{}]*", class_of(|c| LINE_TERMINATORS.contains(&c)));
    format!("^{solid}{any}{solid}$")
}

/// The characters `excluded` holds, as the inside of a regular-expression character class: each
/// run of consecutive code points as `first-last` (or the one character), written as itself.
/// None of them may be one a class reads specially (`\`, `]`, `^`, `-`).
fn class_of(excluded: impl Fn(char) -> bool) -> String {
    let mut class = String::new();
    let mut run: Option<(char, char)> = None;
    let close = |class: &mut String, (first, last): (char, char)| {
        debug_assert!(![first, last].iter().any(|c| matches!(c, '\\' | ']' | '^' | '-')));
        class.push(first);
        if last != first {
            if u32::from(last) > u32::from(first) + 1 {
                class.push('-');
            }
            class.push(last);
        }
    };
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        if !excluded(c) {
            continue;
        }
        run = match run {
            Some((first, last)) if u32::from(last) + 1 == u32::from(c) => Some((first, c)),
            Some(done) => {
                close(&mut class, done);
                Some((c, c))
            }
            None => Some((c, c)),
        };
    }
    if let Some(done) = run {
        close(&mut class, done);
    }
    class
}

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

/// A username or group name (`UsernameType`, `GroupNameType`: SignUp, ConfirmSignUp,
/// ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword, every admin call): 1 to 128
/// characters matching `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, so letters, marks, symbols, numbers and
/// punctuation of any script, and no whitespace, control or invisible (format) characters
/// anywhere.
///
/// Sign-in is held to it too, although `InitiateAuth` takes the name inside `AuthParameters`,
/// which have no pattern: there Cognito looks the name up as typed and answers "Incorrect
/// username or password.", since no account can have such a name (SignUp and AdminCreateUser
/// refuse it, and a sign-in email cannot contain a space either). The API neither trims the name
/// (which would sign in a name Cognito would not) nor sends it on for a misleading "wrong
/// password": it answers a 400 naming `username`, so a person who pasted a stray space is told so.
pub fn check_username(field: &'static str, value: &str) -> Result<(), AuthError> {
    check_text(field, value, USERNAME_MAX_CHARS)?;
    match value.chars().find(|&c| !is_name_char(c)) {
        None => Ok(()),
        Some(' ') => Err(AuthError::bad_input(field, format!("{field} must not contain spaces."))),
        Some(c) => Err(AuthError::bad_input(
            field,
            format!(
                "{field} must not contain whitespace, control or invisible characters (it contains U+{:04X}).",
                u32::from(c)
            ),
        )),
    }
}

/// Whether `c` is a letter, mark, symbol, number or punctuation (Unicode general categories L, M,
/// S, N, P): not whitespace (Z), control (Cc), format (Cf) or private use (Co). Unassigned code
/// points (Cn) would need Unicode's tables; Cognito's own refusal of those is still a 400
/// ([`AuthError::InvalidParameter`]).
fn is_name_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || is_format(c) || is_private_use(c))
}

/// Unicode's format characters (general category Cf, Unicode 15): soft hyphen, zero-width
/// spaces and joiners, direction marks and embeddings, the byte-order mark, tags, ...
fn is_format(c: char) -> bool {
    matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x890..=0x891
            | 0x8E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// Unicode's private-use characters (general category Co).
fn is_private_use(c: char) -> bool {
    matches!(u32::from(c), 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// A password Cognito stores (`PasswordType`: SignUp's and ConfirmForgotPassword's `Password`,
/// ChangePassword's `PreviousPassword` and `ProposedPassword`, AdminCreateUser's
/// `TemporaryPassword`, AdminSetUserPassword's `Password`), and a `NEW_PASSWORD` answer: 1 to 256
/// characters, no whitespace at either end. Cognito answers such a password with "Member must
/// satisfy regular expression pattern: `^[\S]+.*[\S]+$`" (botocore's model writes `[\S]+`); a space
/// inside is allowed and counts as a special character ("Adding user pool password requirements",
/// Cognito developer guide). Nothing is trimmed. The policy itself (length, character classes) is
/// the pool's, and Cognito's message for it reaches the client as it is.
///
/// A sign-in password is not held to this: `InitiateAuth` takes it in `AuthParameters`, and a
/// wrong password stays "Incorrect username or password.".
pub fn check_password(field: &'static str, value: &str) -> Result<(), AuthError> {
    // Cognito's pattern is the whole rule: a password of no-break spaces is Cognito's to refuse
    // (its policy), as the contract's pattern ([`password_pattern`]) lets it through.
    if value.is_empty() {
        return Err(AuthError::bad_input(field, format!("{field} must not be empty.")));
    }
    if value.chars().count() > PASSWORD_MAX_CHARS {
        return Err(AuthError::bad_input(field, format!("{field} is longer than {PASSWORD_MAX_CHARS} characters.")));
    }
    if matches_password_pattern(value) {
        return Ok(());
    }
    Err(AuthError::bad_input(
        field,
        format!("{field} must not begin or end with whitespace, nor contain a line break."),
    ))
}

/// Java's `\s`: ASCII whitespace only.
const PASSWORD_SPACE: [char; 6] = [' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r'];
/// What Java's `.` does not match.
const LINE_TERMINATORS: [char; 5] = ['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'];

/// `^[\S]+.*[\S]+$` as the service's (Java) regular expressions read it, over the whole value:
/// `\s` is ASCII whitespace only, and `.` is anything but a line terminator.
fn matches_password_pattern(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let solid = |c: &&char| !PASSWORD_SPACE.contains(c);
    let head = chars.iter().take_while(solid).count();
    if head == chars.len() {
        return chars.len() >= 2;
    }
    let tail = chars.iter().rev().take_while(solid).count();
    // The runs at either end absorb as much as they can; what is left must hold no line break.
    head >= 1 && tail >= 1 && !chars[head..chars.len() - tail].iter().any(|c| LINE_TERMINATORS.contains(c))
}

/// Whether an attribute named `name` can exist in a pool: a standard attribute, or `custom:` and
/// 1 to [`CUSTOM_ATTRIBUTE_NAME_MAX_CHARS`] characters. Which custom attributes a pool has is its
/// schema's business: Cognito refuses an undeclared one ("Type for attribute {custom:...} could
/// not be determined", a 400 from the API as [`AuthError::InvalidParameter`]).
pub fn is_pool_attribute(name: &str) -> bool {
    if STANDARD_ATTRIBUTES.contains(&name) {
        return true;
    }
    // `CustomAttributeNameType`: the pattern of usernames, at most 20 characters.
    name.strip_prefix("custom:").is_some_and(|custom| {
        (1..=CUSTOM_ATTRIBUTE_NAME_MAX_CHARS).contains(&custom.chars().count()) && custom.chars().all(is_name_char)
    })
}

/// An attribute name in a request: one that can exist in a pool ([`is_pool_attribute`]), else a
/// 400 naming `field`.
pub fn check_attribute_name(field: &str, name: &str) -> Result<(), AuthError> {
    if is_pool_attribute(name) {
        return Ok(());
    }
    Err(AuthError::bad_input(
        field.to_string(),
        format!("`{name}` is not a valid attribute name (a standard attribute, or custom: and its name)."),
    ))
}

/// An attribute's value in the format Cognito holds it to: at most
/// [`ATTRIBUTE_VALUE_MAX_CHARS`]; `phone_number` in E.164 ("must start with a plus (+) sign,
/// followed immediately by the country code ... can only contain the + sign and digits", Cognito
/// developer guide, "User pool attributes"); `email` something that can be an address (see
/// [`check_email`]); `birthdate` 10 characters (its standard `StringAttributeConstraints`);
/// `updated_at` a number, not negative (its standard type and `NumberAttributeConstraints`).
/// An empty value is held to the same rules: an empty `phone_number`, `email` or `birthdate` is
/// refused (Cognito refuses an empty phone number, aws-amplify/amplify-js#13391; nothing without
/// an `@` is an address; `birthdate` has a minimum length), an empty `name` is a value like any
/// other, as in the local Cognito (`attributes.py`). Custom attributes' types and limits are the
/// pool's schema's, which Cognito holds them to. `field` names it in the 400.
pub fn check_attribute_value(field: &str, name: &str, value: &str) -> Result<(), AuthError> {
    let bad = |message: String| Err(AuthError::bad_input(field.to_string(), message));
    if value.chars().count() > ATTRIBUTE_VALUE_MAX_CHARS {
        return bad(format!("{name} is longer than {ATTRIBUTE_VALUE_MAX_CHARS} characters."));
    }
    match name {
        "phone_number" if !is_phone_number(value) => {
            bad("phone_number must be in E.164 format: a + and the digits only, e.g. +14325551212.".into())
        }
        "email" if !is_email_address(value) => bad("email must be an email address.".into()),
        "birthdate" if value.chars().count() != 10 => bad("birthdate must be a date as YYYY-MM-DD.".into()),
        "updated_at" if !is_number(value) || is_negative(value) => {
            bad("updated_at must be a number of seconds since 1970, not negative.".into())
        }
        _ => Ok(()),
    }
}

/// A decimal number as Cognito's `Number` attributes take one (AWS does not say how it parses
/// them; read as Java's `BigDecimal` does, an exponent allowed), as `attributes.py` reads it:
/// `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?`.
fn is_number(value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (digits(whole) && (fraction.is_empty() || digits(fraction))) || (whole.is_empty() && digits(fraction))
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// Whether a number ([`is_number`]) is below zero: a minus and a digit other than 0 before any
/// exponent (`-0` is zero).
fn is_negative(number: &str) -> bool {
    number
        .strip_prefix('-')
        .is_some_and(|rest| rest.split(['e', 'E']).next().is_some_and(|m| m.bytes().any(|b| matches!(b, b'1'..=b'9'))))
}

/// E.164 as Cognito takes it: `+` then digits.
fn is_phone_number(value: &str) -> bool {
    value.strip_prefix('+').is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// AWS does not publish the grammar behind Cognito's "Invalid email address format."; refused
/// here (and by the local Cognito) is only what cannot be an address: not exactly one `@`, an
/// empty side, whitespace or control characters (Unicode's: a no-break space, U+0085 and the C1
/// controls U+0080-U+009F included). Anything stricter could refuse an address Cognito takes.
fn is_email_address(value: &str) -> bool {
    let mut parts = value.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && !domain.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        _ => false,
    }
}

/// An email address field: bounded, and an address (see [`check_attribute_value`]).
pub fn check_email(field: &'static str, value: &str) -> Result<(), AuthError> {
    check_text(field, value, EMAIL_MAX_CHARS)?;
    check_attribute_value(field, "email", value)
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
    let length = code.chars().count();
    if length == 0 || length > CONFIRMATION_CODE_MAX_CHARS || code.chars().any(char::is_whitespace) {
        return Err(AuthError::bad_input("code", "code must be the code that was sent, without spaces."));
    }
    Ok(())
}

/// Whether `name` is written like an attribute name: ASCII letters, digits, `_` and `:` (for
/// `custom:`), 1 to [`ATTRIBUTE_NAME_MAX_CHARS`]. A loose check of the characters only, for
/// names that do not come from a request: the `WRITE_ATTRIBUTES` setting, and the name Cognito's
/// own message quotes (so no other text of it is echoed). A name in a request is held to
/// [`check_attribute_name`] (whether a pool can have it) instead.
pub fn looks_like_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= ATTRIBUTE_NAME_MAX_CHARS
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// An attribute a user sets about themself (at sign-up, or answering `NEW_PASSWORD_REQUIRED`):
/// a valid name, not one Cognito or an admin vouches for, one the app client may write
/// (`writable`, its `WriteAttributes`), a value in Cognito's format
/// ([`check_attribute_value`]). `field` names it in the 400.
pub fn check_user_attribute(field: &str, name: &str, value: &str, writable: &WriteAttributes) -> Result<(), AuthError> {
    check_attribute_name(field, name)?;
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
    check_attribute_value(field, name, value)
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
    fn usernames_take_any_script_but_no_whitespace_control_or_invisible_character() {
        for good in ["demo@example.com", "ünïcödé+tag@exämple.com", "名前", "o'brien-1", "ﬁ̈x☃", "a"] {
            assert!(check_username("username", good).is_ok(), "{good:?}");
        }
        let bad = [
            " demo@example.com",
            "demo@example.com ",
            "demo @example.com",
            "demo@example.com\t",
            "demo\n",
            "demo\u{a0}",
            "demo\u{3000}",
            "demo\u{200b}",
            "demo\u{feff}",
            "demo\u{2028}",
            "demo\u{85}",
            "demo\u{e000}",
            "",
        ];
        for bad in bad {
            let err = check_username("username", bad).unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "username"), "{bad:?}: {err:?}");
        }
        let message = api_types::ApiError::from(check_username("username", " demo@example.com").unwrap_err());
        assert_eq!(message.status(), 400);
    }

    #[test]
    fn passwords_may_hold_spaces_inside_but_not_at_either_end_nor_line_breaks() {
        for good in ["Demo-passw0rd", "Correct horse 1", "Pässwörd-1", "Ünïcödé\u{a0}-1 ok", "ab", "a\u{2028}b"] {
            assert!(check_password("password", good).is_ok(), "{good:?}");
        }
        let err = check_password("password", "Tab-1\t").unwrap_err();
        assert!(
            matches!(&err, AuthError::BadInput { message, .. } if message.contains("whitespace")),
            "any whitespace is refused, not only a space, and the 400 says so: {err:?}"
        );
        for bad in [
            " Leading-1",
            "Trailing-1 ",
            "Tab-1\t",
            "\tTab-1",
            "Line\nbreak-1",
            "Carriage\rreturn",
            "a b\u{85} c",
            "a",
            "  ",
        ] {
            let err = check_password("password", bad).unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "password"), "{bad:?}: {err:?}");
        }
    }

    #[test]
    fn attributes_are_standard_or_custom_and_phone_numbers_emails_and_birthdates_have_their_format() {
        for name in ["name", "phone_number", "custom:team", "custom:a_b-c"] {
            assert!(is_pool_attribute(name), "{name}");
        }
        for name in ["favourite_colour", "custom:", "custom:twenty-one-characters", "dev:team", "team"] {
            assert!(!is_pool_attribute(name), "{name}");
        }
        let ok = [
            ("phone_number", "+14325551212"),
            ("email", "pat+tag@exämple.com"),
            ("birthdate", "1990-01-01"),
            ("updated_at", "1700000000"),
            ("updated_at", "0"),
            ("updated_at", "-0"),
            ("updated_at", "1.5e9"),
            // An empty value where no format or minimum length applies is a value like any other.
            ("name", ""),
        ];
        for (name, value) in ok {
            assert!(check_attribute_value("attributes", name, value).is_ok(), "{name}={value}");
        }
        let bad = [
            ("phone_number", "+1 425 555 1212"),
            ("phone_number", "14255551212"),
            ("phone_number", "+1(425)5551212"),
            ("phone_number", "+"),
            ("email", "no-at-sign.example.com"),
            ("email", "two@@example.com"),
            ("email", "a b@example.com"),
            ("email", "@example.com"),
            ("birthdate", "1990-1-1"),
            ("name", &"x".repeat(ATTRIBUTE_VALUE_MAX_CHARS + 1)),
            // Whitespace and control characters are Unicode's, as in the local Cognito.
            ("email", "a\u{a0}b@example.com"),
            ("email", "a\u{85}b@example.com"),
            ("email", "a\u{90}b@example.com"),
            ("updated_at", "yesterday"),
            ("updated_at", "-1"),
            ("updated_at", "1e"),
            ("updated_at", "."),
            // An empty phone number, email or birthdate is refused like any other bad value.
            ("phone_number", ""),
            ("email", ""),
            ("birthdate", ""),
        ];
        for (name, value) in bad {
            let err = check_attribute_value(&format!("attributes.{name}"), name, value).unwrap_err();
            assert!(
                matches!(&err, AuthError::BadInput { field, .. } if *field == format!("attributes.{name}")),
                "{name}={value}: {err:?}"
            );
        }
    }

    #[test]
    fn an_attribute_name_no_pool_can_have_is_a_400_naming_the_field() {
        assert!(check_attribute_name("attributes.custom:team", "custom:team").is_ok());
        for name in ["favourite_colour", "custom:", "Name", "dev:custom:x"] {
            let err = check_attribute_name("attributes.x", name).unwrap_err();
            assert!(matches!(&err, AuthError::BadInput { field, .. } if field == "attributes.x"), "{name}: {err:?}");
        }
        // The loose, character-only reading is for names that come from elsewhere, not requests.
        assert!(looks_like_attribute_name("favourite_colour") && !looks_like_attribute_name("a b"));
    }

    #[test]
    fn numbers_are_read_as_the_local_cognito_reads_them() {
        for number in ["0", "+1", "-2", "1.", ".5", "1.5", "1e9", "1E+9", "2.5e-3"] {
            assert!(is_number(number), "{number}");
        }
        for not in ["", "+", "-", ".", "e9", "1e", "1e+", "1.2.3", "١", " 1", "0x10", "NaN", "Infinity"] {
            assert!(!is_number(not), "{not:?}");
        }
        assert!(is_negative("-1") && is_negative("-0.5e3") && !is_negative("-0") && !is_negative("-0.0e5"));
    }

    /// The inside of a character class (`a-cx`), read back as the ranges it holds.
    fn class_ranges(class: &str) -> Vec<(char, char)> {
        let class: Vec<char> = class.chars().collect();
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < class.len() {
            if class.get(i + 1) == Some(&'-') && i + 2 < class.len() {
                ranges.push((class[i], class[i + 2]));
                i += 3;
            } else {
                ranges.push((class[i], class[i]));
                i += 1;
            }
        }
        ranges
    }

    /// Asserts that the class `inside` holds exactly the characters `expected` says.
    fn assert_class_holds(what: &str, inside: &str, expected: impl Fn(char) -> bool) {
        let ranges = class_ranges(inside);
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let held = ranges.iter().any(|&(first, last)| (first..=last).contains(&c));
            assert_eq!(held, expected(c), "{what}: U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_contracts_acr_values_pattern_takes_exactly_the_names_is_acr_value_takes() {
        // GIVEN AcrLevelConfigType.AcrValue's class: `[\x21\x23-\x5B\x5D-\x7E]`
        let in_class = |c: char| c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c);
        // THEN the contract's pattern is one to four such names of 1 to 64, one space apart
        assert_eq!(acr_values_pattern(), r"^[!#-\[\]-~]{1,64}( [!#-\[\]-~]{1,64}){0,3}$");
        // AND a one-character name is taken exactly when its character is in the class
        for c in (0..=0x2FF_u32).filter_map(char::from_u32) {
            assert_eq!(is_acr_value(&c.to_string()), in_class(c), "U+{:04X}", u32::from(c));
        }
        // AND a name is 1 to 64 of them
        assert!(is_acr_value(&"a".repeat(ACR_VALUE_MAX_CHARS)) && !is_acr_value(&"a".repeat(ACR_VALUE_MAX_CHARS + 1)));
        assert!(!is_acr_value(""));
        assert_eq!(ACR_VALUES_MAX_CHARS, 4 * 64 + 3);
    }

    #[test]
    fn the_contracts_name_pattern_excludes_exactly_what_check_username_refuses() {
        // GIVEN the pattern's character class
        let pattern = name_pattern();
        let inside = pattern.strip_prefix("^[^").and_then(|p| p.strip_suffix("]+$")).unwrap();
        // THEN a character is in it exactly when a name may not hold it
        assert_class_holds("name", inside, |c| check_username("name", &format!("a{c}b")).is_err());
        // AND the other patterns are anchored where they must be
        assert!(password_pattern().starts_with("^[^") && email_pattern().ends_with("]+$"));
    }

    #[test]
    fn the_contracts_not_blank_and_filter_patterns_hold_exactly_the_characters_the_checks_refuse() {
        // GIVEN "not only whitespace": one character outside Unicode's White_Space, anywhere
        let not_blank = not_blank_pattern();
        let inside = not_blank.strip_prefix("[^").and_then(|p| p.strip_suffix(']')).unwrap();
        // THEN its class is exactly the whitespace `check_text` trims
        assert_class_holds("not blank", inside, char::is_whitespace);
        // AND an email filter value: no control character, and one that is neither that nor blank
        let filter = filter_value_pattern();
        let parts: Vec<&str> = filter
            .strip_prefix("^[^")
            .and_then(|p| p.strip_suffix("]*$"))
            .unwrap()
            .split("]*[^")
            .flat_map(|part| part.split("][^"))
            .collect();
        assert_eq!(parts.len(), 3, "{filter}");
        assert_class_holds("filter, around", parts[0], char::is_control);
        assert_class_holds("filter, the one", parts[1], |c| c.is_whitespace() || c.is_control());
        assert_class_holds("filter, after", parts[2], char::is_control);
        assert_eq!(filter, format!("^[^{}]*[^{}][^{}]*$", parts[0], parts[1], parts[2]));
    }

    /// The 400 a check gives, as the client sees it: status and field.
    fn refusal(result: Result<(), AuthError>) -> Option<(u16, Option<String>)> {
        result.err().map(|err| {
            let api = api_types::ApiError::from(err);
            (api.status().as_u16(), api.field)
        })
    }

    #[test]
    fn every_limit_takes_a_value_of_its_length_and_refuses_one_more_naming_the_field() {
        // GIVEN each checked input, built to a length in characters (two-byte ones where the
        // rule counts characters, so a count of bytes would refuse the value at the limit); the
        // limits are written out as Cognito documents them (see the constants), so a changed
        // constant fails here too
        let writable = WriteAttributes::default();
        type Check = Box<dyn Fn(&str) -> Result<(), AuthError>>;
        type Value = Box<dyn Fn(usize) -> String>;
        let cases: Vec<(&str, usize, Value, Check)> = vec![
            (
                "refreshToken",
                16 * 1024,
                Box::new(|n| "t".repeat(n)),
                Box::new(|v| check_text("refreshToken", v, TOKEN_MAX_CHARS)),
            ),
            (
                "session",
                8 * 1024,
                Box::new(|n| "s".repeat(n)),
                Box::new(|v| check_text("session", v, SESSION_MAX_CHARS)),
            ),
            ("username", 128, Box::new(|n| "é".repeat(n)), Box::new(|v| check_username("username", v))),
            ("password", 256, Box::new(|n| "é".repeat(n)), Box::new(|v| check_password("password", v))),
            (
                "email",
                256,
                Box::new(|n| format!("{}@example.com", "é".repeat(n - "@example.com".len()))),
                Box::new(|v| check_email("email", v)),
            ),
            ("code", 64, Box::new(|n| "1".repeat(n)), Box::new(check_confirmation_code)),
            (
                "attributes.name",
                2048,
                Box::new(|n| "é".repeat(n)),
                Box::new(|v| check_attribute_value("attributes.name", "name", v)),
            ),
            (
                "attributes.given_name",
                2048,
                Box::new(|n| "é".repeat(n)),
                Box::new(move |v| check_user_attribute("attributes.given_name", "given_name", v, &writable)),
            ),
            (
                "attributes.custom",
                "custom:".len() + 20,
                Box::new(|n| format!("custom:{}", "é".repeat(n - "custom:".len()))),
                Box::new(|v| check_attribute_name("attributes.custom", v)),
            ),
        ];
        for (field, limit, value, check) in cases {
            // WHEN a value of the limit's length is checked, THEN it passes
            assert_eq!(refusal(check(&value(limit))), None, "{field} at {limit}");
            // AND one character more is a 400 naming the field
            assert_eq!(
                refusal(check(&value(limit + 1))),
                Some((400, Some(field.to_string()))),
                "{field} at {limit} + 1"
            );
        }
        // AND the loose check of names that come from settings stops at its limit too
        assert!(looks_like_attribute_name(&"a".repeat(32)));
        assert!(!looks_like_attribute_name(&"a".repeat(33)));
        // AND the shortest values pass: a one-character code, a two-character password
        assert_eq!(refusal(check_confirmation_code("1")), None);
        assert_eq!(refusal(check_password("password", "ab")), None);
        assert_eq!(refusal(check_attribute_name("attributes.custom", "custom:x")), None);
        // AND the longest address `GET /users?email=` takes always fits ListUsers' filter, even
        // with every character escaped, and one more might not
        let filter_of = |chars: usize| "email = \"\"".len() + 2 * chars;
        assert!(filter_of(LIST_EMAIL_MAX_CHARS) <= 256 && filter_of(LIST_EMAIL_MAX_CHARS + 1) > 256);
    }

    #[test]
    fn codes_of_digits_take_each_allowed_length_and_name_the_field_otherwise() {
        assert_eq!(refusal(check_code("code", "12345678", &[6, PASSWORDLESS_CODE_DIGITS])), None);
        assert_eq!(refusal(check_code("code", "123456", &[6, PASSWORDLESS_CODE_DIGITS])), None);
        for bad in ["1234567", "123456789", "12345", "", "１２３４５６"] {
            assert_eq!(
                refusal(check_code("code", bad, &[6, PASSWORDLESS_CODE_DIGITS])),
                Some((400, Some("code".into()))),
                "{bad:?}"
            );
        }
        let message = match check_code("code", "1", &[6, 8]) {
            Err(AuthError::BadInput { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(message, "code must be a 6- or 8-digit code.");
    }

    #[test]
    fn text_fields_are_non_empty_and_bounded_in_characters_not_bytes() {
        assert!(check_text("username", "ä".repeat(USERNAME_MAX_CHARS).as_str(), USERNAME_MAX_CHARS).is_ok());
        assert!(check_text("username", "a".repeat(USERNAME_MAX_CHARS + 1).as_str(), USERNAME_MAX_CHARS).is_err());
        assert!(check_text("username", "  ", USERNAME_MAX_CHARS).is_err());
    }
}
