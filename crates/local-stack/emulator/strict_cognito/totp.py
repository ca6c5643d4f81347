"""TOTP (software-token MFA) with a secret of each person's own.

- ``AssociateSoftwareToken`` returns "a unique generated shared secret key code for the user
  account": a fresh random secret on every call (32 random bytes, base32 without padding: 52
  characters; the model's ``SecretCodeType`` is ``[A-Za-z0-9]+``, at least 16 characters).
- ``VerifySoftwareToken`` checks the code against the secret that person was last given, and
  only then makes it theirs: "Amazon Cognito disassociates an existing software token when you
  verify the new token", so an association that is never verified changes nothing. A wrong code
  is ``EnableSoftwareTokenMFAException`` "Code mismatch and fail enable Software Token MFA" (the
  model's error for "a code mismatch and the service fails to configure the software token";
  the message as Cognito answers it in aws-samples/aws-amplify-auth-starters#15).
- A ``SOFTWARE_TOKEN_MFA`` answer is checked against the person's verified secret.
- Codes are RFC 6238's (HMAC-SHA1, 30-second steps, 6 digits). A code is also accepted in the
  step before and the step after: AWS, in aws-amplify/amplify-js#3873, "It is by design that
  each TOTP code is accepted for a short time after its defined time window" (RFC 6238 §5.2);
  the width of that window is not documented, one step each way is RFC 6238's recommendation.
- A code accepted once is accepted again within its window: RFC 6238 §5.2 says a verifier "MUST
  NOT accept the second attempt of the OTP", but Cognito does not document whether it refuses
  one, and this emulator does not guess (docs/cognito-conformance.md says so).

Sources: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AssociateSoftwareToken.html

moto hands every person the same fixed secret and checks codes against it, in the current step
only, and only with ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP`` set. ``install`` replaces both
backend methods (``associate_software_token``, ``verify_software_token``). That setting is read
only by the second and by moto's own answer to a ``SOFTWARE_TOKEN_MFA`` challenge, which never
runs (``api.sign_in`` answers every challenge), so it has no effect here and is not set. The
responses, and the session bookkeeping in ``api.mfa``, stay as they are.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import threading
import uuid

from . import clock, errors, moto_store
from .moto_store import NotAuthorizedError, ResourceNotFoundError

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted on either side of the current one.
WINDOW = 1
SECRET_BYTES = 32

_lock = threading.Lock()
# (pool id, internal username) -> the secret last associated, not yet verified.
_pending: dict[tuple[str, str], str] = {}
# (pool id, internal username) -> the verified secret sign-ins are checked against.
_verified: dict[tuple[str, str], str] = {}


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def code_at(secret: str, counter: int) -> str:
    """The RFC 6238 code of `secret` (base32, padding optional) for time step `counter`."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


# VerifySoftwareToken's answer to a wrong code.
ENABLE_FAILED = "EnableSoftwareTokenMFAException"


def code_mismatch() -> errors.CognitoError:
    return errors.CognitoError(ENABLE_FAILED, "Code mismatch and fail enable Software Token MFA")


def matches(secret, code, now: float | None = None) -> bool:
    """Whether `code` is `secret`'s code in the step of `now` (the clock by default) or an
    adjacent one."""
    if not secret or not isinstance(code, str) or len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return False
    step = int((clock.time() if now is None else now) // STEP_SECONDS)
    # Every candidate is compared (no early exit), in constant time.
    found = False
    for counter in range(step - WINDOW, step + WINDOW + 1):
        found |= hmac.compare_digest(code_at(secret, counter), code)
    return found


def associate(pool, username: str) -> str:
    """A fresh secret for `username`, waiting for its first code."""
    secret = new_secret()
    with _lock:
        _pending[(pool.id, username)] = secret
    return secret


def verify(pool, username: str, code) -> bool:
    """Whether `code` proves the secret last associated; if so it becomes the person's secret."""
    key = (pool.id, username)
    with _lock:
        secret = _pending.get(key)
    if not matches(secret, code):
        return False
    with _lock:
        if _pending.get(key) == secret:
            del _pending[key]
        _verified[key] = secret
    return True


def check(pool, user, code) -> bool:
    """Whether `code` is right for `user`'s verified secret (a SOFTWARE_TOKEN_MFA answer)."""
    if user is None:
        return False
    with _lock:
        secret = _verified.get((pool.id, user.username))
    return matches(secret, code)


def _whose(backend, access_token, session, unknown_session):
    """(pool, internal username) of a software-token call, found as moto finds it: a set-up
    session in moto's session table (only MFA_SETUP sessions are there, see ``sessions``), or a
    live access token."""
    if session:
        owner = moto_store.session_owner(backend, session)
        if owner is None:
            raise unknown_session(session)
        username, pool = owner
        return pool, username
    for pool in backend.user_pools.values():
        if access_token in pool.access_tokens:
            _client_id, username = pool.access_tokens[access_token]
            backend.admin_get_user(pool.id, username)
            return pool, username
    raise NotAuthorizedError(access_token)


def _associate_software_token(self, access_token, session):
    pool, username = _whose(self, access_token, session, NotAuthorizedError)
    secret = associate(pool, username)
    return {"SecretCode": secret, "Session": session} if session else {"SecretCode": secret}


def _verify_software_token(self, access_token, session, user_code, friendly_device_name):
    pool, username = _whose(self, access_token, session, ResourceNotFoundError)
    user = self.admin_get_user(pool.id, username)
    if not verify(pool, username, user_code):
        raise code_mismatch()
    user.token_verified = True
    if not session:
        # With an access token the person is signed in already: nothing to continue.
        return {"Status": "SUCCESS"}
    # A sign-in's MFA_SETUP continues with a new session (``sessions.adopt_verified``).
    continued = str(uuid.uuid4())
    moto_store.remember_session(self, continued, username, pool)
    return {"Status": "SUCCESS", "Session": continued}


def install() -> None:
    moto_store.replace_backend_method("associate_software_token", _associate_software_token)
    moto_store.replace_backend_method("verify_software_token", _verify_software_token)
