"""``SECRET_HASH`` on every call that takes it, when the app client has a secret.

SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)), both
UTF-8. The username is the one Cognito names: the name typed in InitiateAuth, SignUp,
ConfirmSignUp, ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword; the internal
username in challenge answers and REFRESH_TOKEN_AUTH, whichever alias signed in. Source:
https://docs.aws.amazon.com/cognito/latest/developerguide/signing-up-users-in-your-app.html#cognito-user-pools-computing-secret-hash

moto checks it only on the SRP start, REFRESH_TOKEN_AUTH and MFA answers, and hashes latin-1
(HTTP 500 for other names).
"""

import base64
import hashlib
import hmac

from . import errors, timing


def compute(client_secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def matches(client, username: str, given) -> bool:
    """Whether `given` is the SECRET_HASH of `username` for `client` (always, without a secret)."""
    if not client.generate_secret:
        return True
    return bool(given) and timing.equal(compute(client.secret, username or "", client.id), given)


def require(client, username: str, given) -> None:
    """Refuses the call unless `given` is the SECRET_HASH of `username` for `client` (or the
    client has no secret)."""
    if not client.generate_secret:
        return
    if not given:
        raise errors.not_authorized(f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    if not timing.equal(compute(client.secret, username or "", client.id), given):
        raise errors.not_authorized(f"Unable to verify secret hash for client {client.id}")
