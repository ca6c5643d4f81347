"""The temporary lockout after repeated failed sign-ins.

After five failed sign-in attempts Cognito locks the user out for a time that starts at one
second and doubles with each further failed attempt, up to about 15 minutes. An attempt during a
lockout fails with NotAuthorizedException "Password attempts exceeded" whatever the password, and
does not lengthen the lockout; a successful sign-in clears the count. Source:
https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html (lockout behavior
for failed sign-in attempts).

With ``PreventUserExistenceErrors`` an unknown name is counted and locked out the same way, so
the lockout does not tell an existing account from an unknown one (AWS does not document this
case; it is what the setting promises: unknown names answer like existing ones).

moto has no lockout. Lockouts run on the emulator's clock (``clock``), which tests stop and move
across them; the first lockout's length can also be set with ``STRICT_COGNITO_LOCKOUT_BASE_SECONDS``.
"""

import os
import threading

from . import clock, errors

FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 15 * 60
BASE_SECONDS = float(os.environ.get("STRICT_COGNITO_LOCKOUT_BASE_SECONDS", "1"))

_lock = threading.Lock()
# (pool id, who) -> (failures, locked until); who: an internal username, or "?" + an unknown name
_state: dict[tuple[str, str], tuple[int, float]] = {}


def who(user, name: str) -> str:
    """The key attempts are counted under: the user, or the unknown name as typed (any case)."""
    return user.username if user is not None else "?" + name.lower()


def check(pool, key: str) -> None:
    """Refuses the attempt while `key` is locked out."""
    with _lock:
        _failures, until = _state.get((pool.id, key), (0, 0.0))
    if clock.monotonic() < until:
        raise errors.not_authorized("Password attempts exceeded")


def failed(pool, key: str) -> None:
    """Counts a failed attempt; from the fifth, locks `key` out."""
    with _lock:
        failures, _until = _state.get((pool.id, key), (0, 0.0))
        failures += 1
        until = 0.0
        if failures >= FREE_ATTEMPTS:
            until = clock.monotonic() + min(BASE_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_SECONDS)
        _state[(pool.id, key)] = (failures, until)


def succeeded(pool, key: str) -> None:
    with _lock:
        _state.pop((pool.id, key), None)
