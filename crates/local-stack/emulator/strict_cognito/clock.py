"""The emulator's clock: every decision that depends on time (session expiry, the lockout, the
refresh-token grace period, TOTP steps, an ID token's expiry as a login, attribute verification
codes' lifetime and hourly limit, temporary passwords' validity) reads it, so that a test
can move time instead of sleeping against a short window, which a loaded machine can miss.

Times the emulator hands out stay on the system's clock (tokens' ``iat`` and ``exp``, credentials'
expiry, auth-event and outbox dates): the API's own token verifier reads the system's clock, which
a test cannot move, and would take a token issued on a moved clock for one from the future. One
time is in the past, so a moved clock can age it safely: a token's ``auth_time`` (``acr``) is its
sign-in's system time less the seconds :func:`advance` has moved the clock since (:func:`advanced`),
so that after ``advance(960)`` a refresh's tokens are fresh (``iat`` now) but say the person signed
in 16 minutes ago. :func:`freeze` ages nothing: on a stopped clock ``auth_time`` stays put.

Unmoved, it is the system's clock: :func:`monotonic` is ``time.monotonic()`` and :func:`time` is
``time.time()``. Tests move it:

- in the emulator's own process (its pytest suite): :func:`freeze` stops it, :func:`advance`
  moves it forward, :func:`reset` gives the system's clock back;
- over HTTP, only when the local stack starts the emulator for tests
  (``STRICT_COGNITO_TEST_CLOCK=1``; ``make dev`` never sets it):
  ``POST /moto-api/strict-cognito/clock`` with ``{"advance": seconds}`` (or ``{"freeze": true}``,
  ``{"reset": true}``, as above) answers ``{"offset": seconds}``, how far it has been moved in
  all. Without the setting the route does not exist (404), like any unknown ``/moto-api`` path.
"""

import json
import os
import threading
import time as _system

from . import moto_store

ENV = "STRICT_COGNITO_TEST_CLOCK"
ROUTE = "{0}/moto-api/strict-cognito/clock$"

_lock = threading.Lock()
# Seconds the clock is ahead of the system's.
_offset = 0.0
# While frozen: the system's (monotonic, wall) readings it stopped at.
_frozen: tuple[float, float] | None = None
# Seconds advance() has moved the clock since the process started; reset() does not undo it.
_advanced = 0.0


def monotonic() -> float:
    """``time.monotonic()`` on this clock: for windows (expiry, lockout, grace periods)."""
    with _lock:
        return (_system.monotonic() if _frozen is None else _frozen[0]) + _offset


def time() -> float:
    """``time.time()`` on this clock: for times that leave the emulator (token claims, dates)."""
    with _lock:
        return (_system.time() if _frozen is None else _frozen[1]) + _offset


def advance(seconds: float) -> float:
    """Moves the clock `seconds` forward (never back: windows only ever close); returns how far
    it has been moved in all."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds < 10**9:
        raise ValueError("advance takes a number of seconds, 0 or more")
    global _offset, _advanced
    with _lock:
        _offset += seconds
        _advanced += seconds
        return _offset


def advanced() -> float:
    """Seconds :func:`advance` has moved the clock since the emulator started, never less: the
    difference between two readings is how much older the clock has made what happened between
    them (a sign-in's ``auth_time``). :func:`freeze` and :func:`reset` leave it: a reset gives
    windows the system's clock back, it does not make a sign-in younger."""
    with _lock:
        return _advanced


def freeze() -> None:
    """Stops the clock where it is: it moves only by :func:`advance` until :func:`reset`."""
    global _frozen
    with _lock:
        if _frozen is None:
            _frozen = (_system.monotonic(), _system.time())


def reset() -> None:
    """The system's clock again."""
    global _offset, _frozen
    with _lock:
        _offset, _frozen = 0.0, None


def _control(request, _full_url, _headers):
    """``POST /moto-api/strict-cognito/clock``: the test clock over HTTP."""
    if request.method != "POST":
        return 405, {}, json.dumps({"error": "POST {advance|freeze|reset}"})
    try:
        body = json.loads(request.data or b"{}")
        if not isinstance(body, dict) or not set(body) <= {"advance", "freeze", "reset"}:
            raise ValueError("the body is an object with advance, freeze or reset")
        if body.get("reset"):
            reset()
        if body.get("freeze"):
            freeze()
        if "advance" in body:
            advance(body["advance"])
    except ValueError as err:
        return 400, {}, json.dumps({"error": str(err)})
    return 200, {"Content-Type": "application/json"}, json.dumps({"offset": _offset})


def install() -> None:
    """Serves the control route when the emulator runs for tests (``STRICT_COGNITO_TEST_CLOCK``)."""
    if os.environ.get(ENV) != "1":
        return
    moto_store.add_route(ROUTE, _control)
