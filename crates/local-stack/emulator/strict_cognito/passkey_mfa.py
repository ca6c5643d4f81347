"""Passkey MFA per person: ``WebAuthnMfaSettings`` (``Enabled``; no ``PreferredMfa``) of
``SetUserMFAPreference`` / ``AdminSetUserMFAPreference``.

- "Turns passkey MFA on and off for the user ... When activated, the user's passkey
  authentication requires user verification, and passkey sign-in is available when MFA is
  required" (``API_WebAuthnMfaSettingsType.html``). At sign-in (``choice``): where MFA applies to
  a person, ``WEB_AUTHN`` is offered and accepted only when the pool's passkeys satisfy MFA
  (``passkeys.satisfies_mfa``) and this flag is on; where MFA does not apply the flag changes
  nothing.
- Turning it on is refused (InvalidParameterException; which exception Cognito raises is not
  documented) where the pool's ``WebAuthnConfiguration.FactorConfiguration`` is not
  ``MULTI_FACTOR_WITH_USER_VERIFICATION`` (botocore's model: "To activate this setting, the
  FactorConfiguration ... must be MULTI_FACTOR_WITH_USER_VERIFICATION"), and when the person
  would have no other MFA factor activated once the request applies (TOTP, SMS or email, the
  request's own settings counted): "The user must also have at least one other MFA method such
  as SMS, TOTP, or email activated to prevent account lockout" (that Cognito refuses rather than
  accepts is not documented). Turning it off is always accepted. Turning the other factors off
  later is not refused (not documented either).
- ``GetUser`` / ``AdminGetUser`` do not report it: ``UserMFASettingList`` holds only
  ``SMS_MFA``, ``EMAIL_OTP`` and ``SOFTWARE_TOKEN_MFA`` (``API_GetUser.html``).
- The flag lives on moto's user record, so a deleted user's goes with it.

Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnMfaSettingsType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserMFAPreference.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnConfigurationType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUser.html

moto knows no such setting.
"""

from . import email_mfa, errors, passkeys


def enabled(user) -> bool:
    """Whether `user` turned passkey MFA on."""
    return bool(getattr(user, "web_authn_mfa_enabled", False))


def satisfies_mfa(pool, user) -> bool:
    """Whether a passkey (with user verification) may stand for MFA for `user`: the pool's passkeys
    satisfy MFA and `user` turned passkey MFA on. `user` None (listing factors for every name
    alike): the pool's setting alone, as some person may have the flag; the answer then checks
    the real person."""
    return passkeys.satisfies_mfa(pool) and (user is None or enabled(user))


def requires_user_verification(pool, user) -> bool:
    """Whether `user`'s passkey must carry user verification because of passkey MFA: "When
    activated, the user's passkey authentication requires user verification", whether or not MFA
    applies to them at this sign-in."""
    return user is not None and passkeys.satisfies_mfa(pool) and enabled(user)


def _turned(settings, now: bool) -> bool:
    """A factor's ``Enabled`` once a request's `settings` for it apply (moto and ``email_mfa``
    leave a factor alone when its settings are absent or empty)."""
    return bool(settings.get("Enabled")) if settings else now


def _invalid(member: str, what: str) -> errors.CognitoError:
    """A value of the wrong JSON type, worded as ``shapes`` words AWS's validation messages."""
    return errors.invalid_parameter(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {what}"
    )


def check(pool, user, settings, software_token, sms, email) -> None:
    """Refuses ``WebAuthnMfaSettings`` `settings` that cannot apply, before anything changes.
    `software_token`, `sms`, `email`: the same request's ``SoftwareTokenMfaSettings``,
    ``SMSMfaSettings`` and ``EmailMfaSettings`` (None when absent), counted as applied.
    InvalidParameterException: not a structure with a boolean ``Enabled`` (the request's shape);
    turned on in a pool whose passkeys do not satisfy MFA; turned on with no other factor
    activated."""
    if settings is None:
        return
    if not isinstance(settings, dict):
        raise _invalid("webAuthnMfaSettings", "Member must be a structure")
    if not isinstance(settings.get("Enabled", False), bool):
        raise _invalid("webAuthnMfaSettings.enabled", "Member must be a boolean")
    if not settings.get("Enabled"):
        return
    if not passkeys.satisfies_mfa(pool):
        raise errors.invalid_parameter("Passkey MFA is not enabled for this user pool.")
    others = (
        _turned(software_token, bool(user.software_token_mfa_enabled)),
        _turned(sms, bool(user.sms_mfa_enabled)),
        _turned(email, email_mfa.enabled(user)),
    )
    if not any(others):
        raise errors.invalid_parameter(
            "Passkey MFA needs another MFA factor activated for the user (SMS, TOTP or email)."
        )


def apply(user, settings) -> None:
    """A person's ``WebAuthnMfaSettings`` (checked by :func:`check`), once the rest applied.
    ``Enabled`` is false when absent (the model's default for the member; the SDKs always send
    it), so ``{}`` turns passkey MFA off."""
    if settings is not None:
        user.web_authn_mfa_enabled = bool(settings.get("Enabled"))
