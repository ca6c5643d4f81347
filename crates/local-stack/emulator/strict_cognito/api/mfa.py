"""MFA settings: ``SetUserMFAPreference``, ``AdminSetUserMFAPreference`` (with ``email_mfa``'s
and ``passkey_mfa``'s settings, which moto does not know), ``SetUserPoolMfaConfig`` (with
``email_mfa``'s) and
``VerifySoftwareToken`` (``totp``; its session continues a sign-in's MFA_SETUP, ``sessions``).
Answering MFA challenges at sign-in is ``sign_in``'s."""

from .. import access_tokens, email_mfa, errors, moto_store, passkey_mfa, sessions, totp, usernames


def _mfa_preference(self, pool, user, moto_handler):
    """The settings moto knows are moto's; ``EmailMfaSettings`` are ``email_mfa``'s and
    ``WebAuthnMfaSettings`` ``passkey_mfa``'s, both checked before anything changes (a refused
    request changes nothing, not the settings sent alongside either). moto clears any preference
    but its own two when a TOTP or SMS setting is not preferred: an email preference the request
    leaves alone is kept. moto changes nothing when the request has neither a TOTP nor an SMS
    setting (an email-only or passkey-only request)."""
    email = self._get_param("EmailMfaSettings")
    web_authn = self._get_param("WebAuthnMfaSettings")
    software_token = self._get_param("SoftwareTokenMfaSettings")
    sms = self._get_param("SMSMfaSettings")
    if user is not None:
        email_mfa.check(pool, user, email)
        passkey_mfa.check(pool, user, web_authn, software_token, sms, email)
    kept = user.preferred_mfa_setting if user is not None else None
    result = moto_handler(self)
    if user is not None:
        others_preferred = any((settings or {}).get("PreferredMfa") for settings in (software_token, sms))
        if kept == email_mfa.EMAIL_OTP and not others_preferred:
            user.preferred_mfa_setting = kept
        email_mfa.apply(user, email)
        passkey_mfa.apply(user, web_authn)
    return result


_set_user_mfa_preference = moto_store.handler("set_user_mfa_preference")
_admin_set_user_mfa_preference = moto_store.handler("admin_set_user_mfa_preference")
_set_user_pool_mfa_config = moto_store.handler("set_user_pool_mfa_config")


def set_user_mfa_preference(self):
    found = access_tokens.issued(self, self._get_param("AccessToken"))
    pool, user = (found[0], found[2]) if found is not None else (None, None)
    return _mfa_preference(self, pool, user, _set_user_mfa_preference)


def admin_set_user_mfa_preference(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    user = usernames.find_user(pool, self._get_param("Username"))
    return _mfa_preference(self, pool, user, _admin_set_user_mfa_preference)


def set_user_pool_mfa_config(self):
    """moto's, with ``EmailMfaConfiguration`` (``email_mfa``), which moto does not know."""
    email = self._get_param("EmailMfaConfiguration")
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    if email is not None:
        email_mfa.require_pool_can_send(pool)
    others = self._get_param("SmsMfaConfiguration") or self._get_param("SoftwareTokenMfaConfiguration")
    if email is not None and not others:
        mode = self._get_param("MfaConfiguration")
        if mode not in ("ON", "OFF", "OPTIONAL"):
            raise errors.invalid_parameter("[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.")
        pool.mfa_config = mode
        result = moto_store.ActionResult({"MfaConfiguration": mode})
    else:
        result = _set_user_pool_mfa_config(self)
    if email is not None:
        pool.extended_config["EmailMfaConfiguration"] = email
    return result


_verify_software_token = moto_store.handler("verify_software_token")


def verify_software_token(self):
    """moto's, with the session it answers continuing the sign-in's MFA_SETUP session; a wrong
    code counts against that session."""
    old = self._get_param("Session")
    try:
        result = _verify_software_token(self)
    except errors.CognitoError as err:
        if old and err.error_type == totp.ENABLE_FAILED:
            sessions.wrong_answer_to(self.backend, old)
        raise
    answer = moto_store.answer_of(result)
    if old and answer and answer.get("Session"):
        sessions.adopt_verified(self.backend, old, answer["Session"])
    return result
