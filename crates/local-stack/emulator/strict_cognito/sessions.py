"""Challenge sessions: what a sign-in is waiting for, for whom, until when.

A session names one pending challenge of one user through one app client; it expires after the
client's ``AuthSessionValidity`` minutes (default 3), is used up by the answer that completes it,
and dies after ``MAX_WRONG_ANSWERS`` wrong codes. An unknown, expired or used session is
NotAuthorizedException "Invalid session for the user, session is expired.". Source:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
(AWS does not document how many wrong codes a session takes; five here.)

Only MFA_SETUP sessions enter moto's own session table (``backend.sessions``), because moto's
AssociateSoftwareToken / VerifySoftwareToken look sessions up there; any other session there
would let VerifySoftwareToken turn a session that proved nothing into an MFA set-up.
"""

import secrets
import threading
from dataclasses import dataclass

from . import clock, errors, moto_store

MFA_SETUP = "MFA_SETUP"
MAX_WRONG_ANSWERS = 5

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
    typed_name: str = ""  # the name the sign-in started with (counts an unknown name's failures)
    software_token_verified: bool = False  # MFA_SETUP: VerifySoftwareToken succeeded on it
    mfa: bool = False  # EMAIL_OTP as the second factor (email MFA), not the first
    wrong_answers: int = 0
    progress: object = None  # acr.Progress: the factors proven so far, a step-up's target


def validity_seconds(client) -> float:
    return 60.0 * float(client.extended_config.get("AuthSessionValidity") or 3)


def _prune(backend, now: float) -> None:
    for token in [t for t, s in _sessions.items() if s.expires < now]:
        del _sessions[token]
        moto_store.forget_session(backend, token)


def open_session(backend, pool, client, username: str, challenge: str, admin: bool, token=None, **kwargs) -> str:
    """Opens a session waiting for `challenge`; returns its token (`token`, or a new one)."""
    token = token or secrets.token_urlsafe(96)
    now = clock.monotonic()
    session = Session(pool.id, client.id, username, challenge, now + validity_seconds(client), admin, **kwargs)
    with _lock:
        _prune(backend, now)
        _sessions[token] = session
    if challenge == MFA_SETUP:
        moto_store.remember_session(backend, token, username, pool)
    return token


def get(token, client_id: str, challenge: str, admin: bool) -> Session:
    """The live session `token` of `client_id` waiting for `challenge`."""
    with _lock:
        session = _sessions.get(token) if isinstance(token, str) else None
    if (
        session is None
        or clock.monotonic() > session.expires
        or session.client_id != client_id
        or session.admin != admin
    ):
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    if session.challenge != challenge:
        raise errors.invalid_parameter(f"The session is waiting for {session.challenge}, not {challenge}.")
    return session


def take(backend, token, client_id: str, challenge: str, admin: bool) -> Session:
    """The live session `token` (as :func:`get`), used up in the same step: of two answers at
    once, one gets it."""
    session = get(token, client_id, challenge, admin)
    with _lock:
        taken = _sessions.pop(token, None)
    moto_store.forget_session(backend, token)
    if taken is not session:
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    return session


def wrong_answer(backend, token: str, session: Session) -> None:
    """Counts a wrong code; the session dies at ``MAX_WRONG_ANSWERS``."""
    with _lock:
        session.wrong_answers += 1
        dead = session.wrong_answers >= MAX_WRONG_ANSWERS
    if dead:
        close(backend, token)


def wrong_answer_to(backend, token: str) -> None:
    """Counts a wrong code against the session `token`, if it is one of ours."""
    with _lock:
        session = _sessions.get(token)
    if session is not None:
        wrong_answer(backend, token, session)


def close(backend, token: str) -> None:
    with _lock:
        _sessions.pop(token, None)
    moto_store.forget_session(backend, token)


def adopt_verified(backend, old: str, new: str) -> None:
    """moto's VerifySoftwareToken answers a sign-in's MFA_SETUP session with a new session: the
    new one continues the sign-in, marked as having verified a software token; the old one is
    used up. Any other session is not continued."""
    with _lock:
        session = _sessions.pop(old, None)
        if session is not None and session.challenge == MFA_SETUP:
            _sessions[new] = Session(**{**session.__dict__, "software_token_verified": True})
    moto_store.forget_session(backend, old)
