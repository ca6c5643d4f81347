"""The temporary lockout after repeated failed sign-ins.

After five failed sign-in attempts Cognito locks the user out for a time that starts
at one second and doubles with each further failed attempt, up to about 15 minutes. An attempt
during a lockout fails with NotAuthorizedException "Password attempts exceeded" whatever the
password, and does not lengthen the lockout; a successful sign-in clears the count. Source:
https://docs.aws.amazon.com/cognito/latest/developerguide/authentication.html (lockout behavior
for failed sign-in attempts).

moto has no lockout. The first lockout's length can be raised for tests with
``STRICT_COGNITO_LOCKOUT_BASE_SECONDS`` (a loaded machine can take longer than one second
between two requests).
"""

import os
import threading
import time

from . import errors

FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 15 * 60
BASE_SECONDS = float(os.environ.get("STRICT_COGNITO_LOCKOUT_BASE_SECONDS", "1"))

_lock = threading.Lock()
# (pool id, internal username) -> (failures, locked until)
_state: dict[tuple[str, str], tuple[int, float]] = {}


def check(pool, user) -> None:
    """Refuses the attempt while the user is locked out."""
    with _lock:
        _failures, until = _state.get((pool.id, user.username), (0, 0.0))
    if time.monotonic() < until:
        raise errors.not_authorized("Password attempts exceeded")


def failed(pool, user) -> None:
    """Counts a wrong password; from the fifth, locks the user out."""
    key = (pool.id, user.username)
    with _lock:
        failures, _until = _state.get(key, (0, 0.0))
        failures += 1
        until = 0.0
        if failures >= FREE_ATTEMPTS:
            until = time.monotonic() + min(BASE_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_LOCK_SECONDS)
        _state[key] = (failures, until)


def succeeded(pool, user) -> None:
    with _lock:
        _state.pop((pool.id, user.username), None)
