"""Challenge sessions: what a sign-in is waiting for, for whom, until when.

A session names one pending challenge of one user through one app client; it expires after the
client's ``AuthSessionValidity`` minutes (default 3) and is used up by the answer that completes
it. An unknown, expired or used session is NotAuthorizedException "Invalid session for the
user, session is expired.". Source:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html

moto's own session table (``backend.sessions``) is kept in step, so its software-token calls
(AssociateSoftwareToken / VerifySoftwareToken with a session) find them.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

from . import errors

_lock = threading.Lock()
_sessions: dict[str, "Session"] = {}


@dataclass
class Session:
    pool_id: str
    client_id: str
    username: str  # internal
    challenge: str
    expires: float
    admin: bool
    srp: object = None  # srp.Exchange for PASSWORD_VERIFIER
    known: bool = True  # False: a made-up challenge for an unknown user
    extra: dict = field(default_factory=dict)


def validity_seconds(client) -> float:
    return 60.0 * float(client.extended_config.get("AuthSessionValidity") or 3)


def open_session(backend, pool, client, username: str, challenge: str, admin: bool, token=None, **kwargs) -> str:
    """Opens a session waiting for `challenge`; returns its token (`token`, or a new one)."""
    token = token or secrets.token_urlsafe(96)
    session = Session(pool.id, client.id, username, challenge, time.monotonic() + validity_seconds(client), admin, **kwargs)
    with _lock:
        _sessions[token] = session
    backend.sessions[token] = (username, pool)
    return token


def get(token, client_id: str, challenge: str, admin: bool) -> Session:
    """The live session `token` of `client_id` waiting for `challenge`."""
    with _lock:
        session = _sessions.get(token) if isinstance(token, str) else None
    if (
        session is None
        or time.monotonic() > session.expires
        or session.client_id != client_id
        or session.admin != admin
    ):
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    if session.challenge != challenge:
        raise errors.invalid_parameter(f"The session is waiting for {session.challenge}, not {challenge}.")
    return session


def close(backend, token: str) -> None:
    with _lock:
        _sessions.pop(token, None)
    backend.sessions.pop(token, None)


def adopt(backend, old: str, new: str, challenge: str) -> None:
    """moto's VerifySoftwareToken answers with a new session: it continues the old one."""
    with _lock:
        session = _sessions.get(old)
        if session is not None:
            _sessions[new] = Session(**{**session.__dict__, "challenge": challenge})
