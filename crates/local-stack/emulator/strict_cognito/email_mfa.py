"""Email MFA: a code by email as the second factor, after the password.

- The pool turns it on with ``SetUserPoolMfaConfig`` ``EmailMfaConfiguration``; it needs the
  Essentials plan or higher and email sent through Amazon SES (``EmailConfiguration``
  ``EmailSendingAccount`` DEVELOPER): otherwise InvalidParameterException.
- A person turns it on with ``SetUserMFAPreference`` / ``AdminSetUserMFAPreference``
  ``EmailMfaSettings`` (``Enabled``, ``PreferredMfa``), which needs an email address (codes go
  to an unverified one too, which the first code that arrives verifies) and the pool's email MFA;
  ``GetUser`` then lists ``EMAIL_OTP`` in ``UserMFASettingList`` (and as ``PreferredMfaSetting``
  when preferred; a factor turned off is never preferred).
- At sign-in, after the password: the challenge ``EMAIL_OTP`` with ``CODE_DELIVERY_*``, answered
  with ``EMAIL_OTP_CODE``; among several factors with none preferred, ``SELECT_MFA_TYPE`` offers
  ``EMAIL_OTP``. The code goes to the outbox as ``email-mfa``, 6 digits, as SMS MFA codes (AWS
  does not state the length of email MFA codes; passwordless sign-in codes are 8).

Sources:
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-sms-email-message.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserPoolMfaConfig.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailMfaSettingsType.html

moto knows neither setting.
"""

from . import errors, moto_store

EMAIL_OTP = "EMAIL_OTP"
CODE_DIGITS = 6


def pool_allows(pool) -> bool:
    return pool.extended_config.get("EmailMfaConfiguration") is not None


def require_pool_can_send(pool) -> None:
    """SetUserPoolMfaConfig with EmailMfaConfiguration: Essentials or Plus, and SES."""
    if pool.extended_config.get("UserPoolTier") == "LITE":
        raise errors.CognitoError(
            "FeatureUnavailableInTierException", "Email MFA is not available on the Lite feature plan."
        )
    sending = (pool.extended_config.get("EmailConfiguration") or {}).get("EmailSendingAccount")
    if sending != "DEVELOPER":
        raise errors.invalid_parameter("Email MFA requires the user pool to send email with Amazon SES (DEVELOPER).")


def enabled(user) -> bool:
    return bool(getattr(user, "email_mfa_enabled", False))


def check(pool, user, settings) -> None:
    """Refuses ``EmailMfaSettings`` that cannot apply, before anything changes."""
    if settings and settings.get("Enabled"):
        if not pool_allows(pool):
            raise errors.invalid_parameter("Email MFA is not enabled for this user pool.")
        if not user.attribute_lookup.get("email"):
            raise errors.invalid_parameter("Email MFA needs an email address.")


def apply(user, settings) -> None:
    """A person's ``EmailMfaSettings`` (checked by :func:`check`), after moto applied the others."""
    if not settings:
        return
    user.email_mfa_enabled = bool(settings.get("Enabled"))
    if settings.get("PreferredMfa") and user.email_mfa_enabled:
        user.preferred_mfa_setting = EMAIL_OTP
    elif user.preferred_mfa_setting == EMAIL_OTP:
        user.preferred_mfa_setting = ""


def install() -> None:
    """``GetUser`` / ``AdminGetUser`` list email MFA among the person's factors."""
    to_json = moto_store.user_method("to_json")

    def with_email_mfa(self, *args, **kwargs):
        answer = to_json(self, *args, **kwargs)
        if enabled(self) and isinstance(answer.get("UserMFASettingList"), list):
            answer["UserMFASettingList"].append(EMAIL_OTP)
        return answer

    moto_store.replace_user_method("to_json", with_email_mfa)
