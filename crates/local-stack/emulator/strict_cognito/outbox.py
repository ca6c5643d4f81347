"""The codes Cognito would email or text, delivered to a local outbox instead.

Cognito sends a sign-up confirmation code, a password-reset code (ForgotPassword, and after
AdminResetUserPassword), SMS MFA codes, invitations with a temporary password and the codes that
verify an email address or phone number (``account``); the person reads them and the API gets
them back. Here each message is kept in memory (the code that works)
and, when ``STRICT_COGNITO_OUTBOX`` names a file, appended to it as one JSON object a line:
``{"time", "userPoolId", "username", "to", "medium", "kind", "code"}``. Only the latest code
of a kind works, once, and dies after five wrong tries; a code sent with a lifetime (attribute
verification codes: ``account``) is refused as expired once it has passed (on the emulator's
``clock``). Destinations are masked in API answers as Cognito masks them (``d***@e***``). Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ForgotPassword.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmSignUp.html

moto accepts any sign-up code, and any reset code without its "moto-confirmation-code:" prefix.
"""

import json
import os
import secrets
import threading
import time

from . import clock, timing

SIGN_UP = "sign-up"
RESET_PASSWORD = "reset-password"
SMS_MFA = "sms-mfa"
# Email MFA codes (EMAIL_OTP after the password): 6 digits.
EMAIL_MFA = "email-mfa"
INVITATION = "invitation"
# Passwordless sign-in codes (choice-based sign-in's EMAIL_OTP and SMS_OTP): 8 digits.
EMAIL_OTP = "email-otp"
SMS_OTP = "sms-otp"
# Codes that verify an attribute (UpdateUserAttributes, GetUserAttributeVerificationCode), sent to
# the address or number being verified: ``account``.
VERIFY_EMAIL = "verify-email"
VERIFY_PHONE_NUMBER = "verify-phone-number"

# What :func:`redeem` finds.
TAKEN = "taken"
WRONG = "wrong"
EXPIRED = "expired"

# A code dies after this many wrong tries; the person asks for a new one (AWS does not document
# the number).
MAX_WRONG_TRIES = 5

_lock = threading.Lock()
# (pool id, internal username, kind) -> [code, wrong tries, expires (clock.monotonic) or None]
_codes: dict[tuple[str, str, str], list] = {}


def masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def delivery(user) -> dict:
    """Cognito's ``CodeDeliveryDetails`` for the user's email."""
    return {
        "Destination": masked(user.attribute_lookup.get("email", "")),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def send(
    pool,
    user,
    kind: str,
    code: str | None = None,
    medium: str = "EMAIL",
    digits: int = 6,
    to: str | None = None,
    lifetime: float | None = None,
) -> str:
    """Delivers a new code (or `code`) of `kind` and `digits` to `user`, at `to` (by default the
    user's email address or phone number, as `medium` says); it replaces the previous one, and
    expires after `lifetime` seconds (never, without one)."""
    code = code or new_code(digits)
    if to is None:
        to = user.attribute_lookup.get("phone_number" if medium == "SMS" else "email", "")
    expires = clock.monotonic() + lifetime if lifetime is not None else None
    with _lock:
        _codes[(pool.id, user.username, kind)] = [code, 0, expires]
    path = os.environ.get("STRICT_COGNITO_OUTBOX")
    if path:
        message = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "userPoolId": pool.id,
            "username": user.username,
            "to": to,
            "medium": medium,
            "kind": kind,
            "code": code,
        }
        with _lock, open(path, "a", encoding="utf-8") as outbox:
            outbox.write(json.dumps(message) + "\n")
    return code


def redeem(pool, user, kind: str, code) -> str:
    """``TAKEN`` when `code` is the code of `kind` last sent to `user` (it is used up), ``EXPIRED``
    when that code's lifetime has passed (whatever `code` is: there is no live code to compare
    with), ``WRONG`` otherwise (no code sent, or another one). A code tried wrongly
    ``MAX_WRONG_TRIES`` times is dropped."""
    key = (pool.id, user.username, kind)
    with _lock:
        sent = _codes.get(key)
        if sent is None:
            return WRONG
        if sent[2] is not None and clock.monotonic() > sent[2]:
            return EXPIRED
        if timing.equal(sent[0], code):
            del _codes[key]
            return TAKEN
        sent[1] += 1
        if sent[1] >= MAX_WRONG_TRIES:
            del _codes[key]
        return WRONG


def take(pool, user, kind: str, code) -> bool:
    """Whether `code` is the live code of `kind` last sent to `user` (see :func:`redeem`)."""
    return redeem(pool, user, kind, code) == TAKEN


def forget(pool, username: str) -> None:
    """Drops every code sent to `username` (a deleted user)."""
    with _lock:
        for key in [k for k in _codes if k[:2] == (pool.id, username)]:
            del _codes[key]
