"""How someone signed in: ``acr`` and ``amr`` in the tokens of every sign-in, kept by refresh with
``auth_time``, the pool's names for the levels, and step-up through ``USER_AUTH``.

- Levels (fixed; only their names change): 1 "Password only"; 2 "A single one-time password
  delivered by SMS or email" (not a passkey); 3 "A passkey (platform or roaming) on its own; or a
  password with an SMS one-time code; or a password with an email one-time code"; 4 "A password
  with a time-based one-time password (TOTP)". "Amazon Cognito assigns the highest authentication
  level that the user's completed factors fully satisfy" (:func:`level_of`).
- ``amr``: a value per factor completed (``pwd`` password or SRP, ``otp`` TOTP, ``sms``, ``email_otp``,
  ``swk`` / ``hwk`` a passkey) and ``mfa`` "when the user completes two or more distinct factors".
  The only order AWS shows is ``["pwd", "otp", "mfa"]``: here factors in the order proven, ``mfa``
  last (:func:`amr_of`). How Cognito tells ``swk`` from ``hwk`` is not documented: here the
  ``authenticatorAttachment`` the browser reported at registration, ``cross-platform`` (a roaming
  key) ``hwk``, ``platform`` or none ``swk``.
- Flows AWS does not name (derived from the tables): every password flow (``USER_PASSWORD_AUTH``,
  ``USER_SRP_AUTH``, ``ADMIN_USER_PASSWORD_AUTH``) is level 1 ``["pwd"]``; the sign-in with the
  ``Session`` of ``ConfirmSignUp`` counts the emailed confirmation code ("the primary
  authentication factor"), level 2 ``["email_otp"]``; a passkey standing for MFA (passkey MFA) is
  a passkey alone, level 3, without ``mfa`` (one factor completed). The emulator's choices where
  the tables say nothing: an MFA set-up at sign-in (``MFA_SETUP``) credits the password only (the
  TOTP code proves a secret the same session was just handed); the claims are issued on every
  feature plan. ``CUSTOM_AUTH`` and remembered devices are not emulated.
- Refresh (``REFRESH_TOKEN_AUTH``, ``GetTokensFromRefreshToken``, rotation included) keeps
  ``auth_time``, ``acr`` and ``amr`` of the sign-in: each refresh token's origin (``origin_jti``)
  names its sign-in, a rotated refresh token's successor the same one, and every token minted
  from it carries that sign-in's claims (:func:`install`). ``auth_time`` is on the system's clock,
  as ``iat``, less the seconds the test clock has been advanced since the sign-in (``clock``: a
  test ages a sign-in without waiting; never advanced, it is the sign-in's system time, and a
  stopped clock keeps it put); ``MAX_AGE`` is measured on the emulator's clock.
- ``AcrConfiguration`` (``CreateUserPool``, ``UpdateUserPool``; ``Level1``-``Level4``, each
  ``{AcrValue}``, 1-64 characters without space, ``"`` or ``\\``, unique across the four levels
  with the default names included) needs Essentials or Plus (FeatureUnavailableInTierException on
  Lite: the error AWS names for configuring a feature the plan lacks). Answers carry the effective
  configuration, the defaults ``urn:cognito:loa:N`` merged in; an update replaces the names (a
  level it does not name, or an update without the member, is back to its default, as
  ``UpdateUserPool`` resets what it is not given).
- Step-up: ``USER_AUTH`` with ``TARGET_ACR_VALUES`` (the pool's level names, space-separated,
  highest priority first; unknown ones ignored), optional ``MAX_AGE`` (seconds) and the person's
  ``ACCESS_TOKEN``. With a token whose sign-in is within ``MAX_AGE``, its factors count and only
  the missing ones are asked; otherwise the sign-in starts from scratch and goes on until the
  first target the person can reach. The answer is new tokens (refresh token included) at the
  level reached, ``amr`` the token's factors and the new ones, ``auth_time`` the step-up's (not
  documented; RFC 9470 measures from the last active authentication). Which challenge asks for a
  missing factor is not documented: here, before a password, the choice of first factors
  (``SELECT_CHALLENGE``) among those that lead to the level; after it, the missing factor as MFA
  (``SOFTWARE_TOKEN_MFA``, ``SMS_MFA``, ``EMAIL_OTP``; ``SELECT_MFA_TYPE`` among several) and a
  passkey (``WEB_AUTHN``) only when no MFA factor reaches the level. A target met or exceeded
  counts as reached. Errors: Lite is FeatureUnavailableInTierException (documented); a token
  without a target, no recognized target, a bad ``MAX_AGE``, a token already at the level, and a
  person without the factors for any target are InvalidParameterException (AWS says "returns an
  error" without naming it); a token that is unknown, revoked, expired, of another pool or app
  client, or not the ``USERNAME``'s is NotAuthorizedException, as the calls that take an access
  token answer (that the token must be the ``USERNAME``'s is documented, the exception is the emulator's;
  the app-client rule is the emulator's reading).
- Not rolled out yet (:data:`ENV` ``STRICT_COGNITO_ACR_CLAIMS=0``, read at start; ``1``, the
  default, is all of the above): a pool as a third party saw one live on 2026-10-06, the API
  shapes shipped before the behaviour (not documented; not authoritative). Tokens carry
  ``auth_time`` (kept by refresh, documented long before) and no ``acr`` or ``amr``; ``USER_AUTH``
  ignores ``TARGET_ACR_VALUES``, ``MAX_AGE`` and ``ACCESS_TOKEN`` (a plain choice-based sign-in,
  on Lite as well); ``AcrConfiguration`` is taken by ``CreateUserPool`` / ``UpdateUserPool`` (its
  shape checked, as the API model is; no plan or uniqueness rule) and answered by none ("reads
  back null"). An API in front of such a pool serves routes without a requirement and refuses
  the others with its step-up challenge. Any other value is a ValueError at start.

Sources: Guide ``cognito-user-pools-step-up-authentication.html`` ("Authentication levels with ACR
and AMR claims"), ``authentication-flows-selection-sdk.html#cognito-user-pools-step-up-user-auth``
("Step-up authentication with the USER_AUTH flow"); API ``API_InitiateAuth.html``
(AuthParameters), ``API_AcrLevelConfigType.html``, ``API_CreateUserPool.html``
(AcrConfiguration); RFC 9470 §6.1. moto knows none of it and resets ``auth_time`` on refresh.
"""

import enum
import os
import re
import threading
import time
from dataclasses import dataclass, replace

from joserfc import jwt
from joserfc.errors import JoseError

from . import access_tokens, choice, clock, errors, moto_store, passkeys

# Level -> the sets of factors that satisfy it ("passkey": ``swk`` or ``hwk``).
LEVELS = {
    1: (frozenset({"pwd"}),),
    2: (frozenset({"sms"}), frozenset({"email_otp"})),
    3: (frozenset({"passkey"}), frozenset({"pwd", "sms"}), frozenset({"pwd", "email_otp"})),
    4: (frozenset({"pwd", "otp"}),),
}
DEFAULT_NAMES = {level: f"urn:cognito:loa:{level}" for level in LEVELS}
PASSKEY_AMR = ("swk", "hwk")
_KEY = re.compile(r"Level[1-4]")
_VALUE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,64}")
# The challenge that asks for each MFA factor, and the first-factor challenges of each factor.
_MFA_FACTOR = {"SOFTWARE_TOKEN_MFA": "otp", "SMS_MFA": "sms", "EMAIL_OTP": "email_otp"}
_FIRST_CHALLENGES = (
    ("pwd", ("PASSWORD", "PASSWORD_SRP")),
    ("passkey", ("WEB_AUTHN",)),
    ("email_otp", ("EMAIL_OTP",)),
    ("sms", ("SMS_OTP",)),
)


# --- whether the claims are issued -----------------------------------------------------------------

ENV = "STRICT_COGNITO_ACR_CLAIMS"


class Claims(enum.Enum):
    """Whether the pools' tokens say how someone signed in (:data:`ENV`)."""

    ISSUED = "1"  # acr, amr, level names and step-up, as documented
    NOT_ROLLED_OUT = "0"  # as seen live on 2026-10-06: the API shapes, not the behaviour


def claims_from_env(environ=None) -> Claims:
    """The mode :data:`ENV` names (``1`` when unset); ValueError for anything else, so a typo
    fails the emulator's start instead of quietly emulating the other pool."""
    value = (os.environ if environ is None else environ).get(ENV, Claims.ISSUED.value)
    try:
        return Claims(value)
    except ValueError:
        raise ValueError(f"{ENV} must be 1 (acr and amr issued) or 0 (not rolled out yet), not {value!r}") from None


_mode = Claims.ISSUED


def claims() -> Claims:
    """The emulator's mode, read from :data:`ENV` by :func:`install` (tests patch this)."""
    return _mode


def rolled_out() -> bool:
    return claims() is Claims.ISSUED


# --- levels ---------------------------------------------------------------------------------------


def _kinds(factors) -> frozenset:
    return frozenset("passkey" if f in PASSKEY_AMR else f for f in factors)


def level_of(factors) -> int:
    """The highest level `factors` (``amr`` values) fully satisfy; 0 for none."""
    kinds = _kinds(factors)
    return max((level for level, sets in LEVELS.items() if any(s <= kinds for s in sets)), default=0)


def amr_of(factors) -> list:
    """The ``amr`` claim of `factors`: each once, in the order proven, ``mfa`` last when two or
    more distinct factors were completed."""
    amr = list(dict.fromkeys(factors))
    return [*amr, "mfa"] if len(_kinds(amr)) >= 2 else amr


def passkey_amr(credential) -> str:
    """``hwk`` for a roaming authenticator (``cross-platform``), ``swk`` otherwise."""
    return "hwk" if credential.attachment == "cross-platform" else "swk"


def names(pool) -> dict:
    """Level -> its name in `pool` (``AcrConfiguration``, defaults where not customized)."""
    config = pool.extended_config.get("AcrConfiguration") or {}
    return {level: (config.get(f"Level{level}") or {}).get("AcrValue") or DEFAULT_NAMES[level] for level in LEVELS}


def _invalid_value(where: str, what: str) -> errors.CognitoError:
    return errors.invalid_parameter(
        f"1 validation error detected: Value at '{where}' failed to satisfy constraint: {what}"
    )


def checked_configuration(parameters: dict) -> dict | None:
    """CreateUserPool / UpdateUserPool: the effective ``AcrConfiguration`` of a request (all four
    levels), or a refusal: a key other than ``Level1``-``Level4`` or a name outside the model
    (InvalidParameterException), custom names on Lite (FeatureUnavailableInTierException), two
    levels with the same name, defaults included (InvalidParameterException). Claims not rolled
    out: None (nothing to keep or answer) once the model's checks pass."""
    given = parameters.get("AcrConfiguration")
    given = {} if given is None else given
    _check_shape(given)
    if not rolled_out():
        return None
    if given and (parameters.get("UserPoolTier") or "ESSENTIALS") == "LITE":
        raise errors.CognitoError(
            "FeatureUnavailableInTierException", "Custom ACR level names are not available on the Lite feature plan."
        )
    effective = {
        f"Level{level}": {"AcrValue": (given.get(f"Level{level}") or {}).get("AcrValue") or default}
        for level, default in DEFAULT_NAMES.items()
    }
    values = [v["AcrValue"] for v in effective.values()]
    if len(set(values)) != len(values):
        raise errors.invalid_parameter("Each AcrValue must be unique across all four levels, default names included.")
    return effective


def _check_shape(given) -> None:
    """What the API model checks: a map, keys ``Level1``-``Level4``, names in the pattern."""
    if not isinstance(given, dict):
        raise _invalid_value("acrConfiguration", "Member must be a map")
    for key, value in given.items():
        if not _KEY.fullmatch(key):
            raise _invalid_value("acrConfiguration", "Map keys must satisfy regular expression pattern: Level[1-4]")
        name = value.get("AcrValue") if isinstance(value, dict) else None
        if not isinstance(name, str) or not _VALUE.fullmatch(name):
            raise _invalid_value(
                f"acrConfiguration.{key}.member.acrValue",
                "Member must have length between 1 and 64 and contain no space, double quotation mark or backslash",
            )


# --- sign-ins and their tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """One sign-in, which every token minted from its refresh tokens carries."""

    auth_time: int  # on the system's clock, as the tokens' iat
    at: float  # clock.monotonic() then: MAX_AGE is measured on it
    aged: float  # clock.advanced() then: the tokens' auth_time is earlier by what it has grown since
    factors: tuple  # amr values proven, in order, without "mfa"
    acr: str | None  # the level's name when it was reached (a refresh carries it unchanged)


_lock = threading.Lock()
# (pool id, origin_jti of the refresh token) -> the sign-in it belongs to.
_sign_ins: dict[tuple[str, str], SignIn] = {}


def log_in(pool, client, user, factors) -> dict:
    """Signs `user` in through `client` with `factors` proven: a new refresh token, its sign-in
    recorded before any token is minted from it; the answer's ``AuthenticationResult``."""
    refresh_token, origin = pool.create_refresh_token(client.id, user.username)
    factors = tuple(dict.fromkeys(factors))
    level = level_of(factors)
    signed_in = SignIn(
        int(time.time()), clock.monotonic(), clock.advanced(), factors, names(pool)[level] if level else None
    )
    with _lock:
        _sign_ins[(pool.id, origin)] = signed_in
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "IdToken": id_token,
            "AccessToken": access_token,
            "RefreshToken": refresh_token,
            "ExpiresIn": expires_in,
            "TokenType": "Bearer",
        },
    }


def sign_in_of(pool, refresh_token: str):
    """The sign-in `refresh_token` continues (None for a token the pool does not hold). Read it
    before rotating: the token may be revoked while its successor is made."""
    found = pool.refresh_tokens.get(refresh_token)
    if found is None:
        return None
    with _lock:
        return _sign_ins.get((pool.id, found[2]))


def carry_over(pool, signed_in, successor: str) -> None:
    """Rotation: `successor` continues `signed_in` (:func:`sign_in_of` the token it replaces)."""
    new = pool.refresh_tokens.get(successor)
    if signed_in is None or new is None:
        return
    with _lock:
        _sign_ins[(pool.id, new[2])] = signed_in


def _claims(pool, origin) -> dict:
    with _lock:
        signed_in = _sign_ins.get((pool.id, origin))
    if signed_in is None:
        return {}
    claims = {"auth_time": signed_in.auth_time - round(clock.advanced() - signed_in.aged)}
    if signed_in.acr is not None and rolled_out():
        claims.update(acr=signed_in.acr, amr=amr_of(signed_in.factors))
    return claims


def install() -> None:
    """Reads the mode (:data:`ENV`; ValueError when it is neither ``1`` nor ``0``). Every token
    minted from a refresh token carries its sign-in's ``auth_time``, and ``acr`` and ``amr`` unless
    they are not rolled out (after ``usernames.install``, whose ``create_jwt`` this wraps)."""
    global _mode
    _mode = claims_from_env()
    create_jwt = moto_store.pool_method("create_jwt")

    def with_sign_in(self, client_id, username, token_use, expires_in=60 * 60, extra_data=None):
        extra = dict(extra_data or {})
        extra.update(_claims(self, extra.get("origin_jti")))
        return create_jwt(self, client_id, username, token_use, expires_in, extra)

    moto_store.replace_pool_method("create_jwt", with_sign_in)


# --- step-up --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A sign-in under way, carried by its challenge sessions: the factors proven so far (``amr``
    values, in order) and, for a step-up, the levels it aims at (highest priority first) and the
    first factors it offered."""

    factors: tuple = ()
    targets: tuple | None = None
    offered: tuple = ()

    def plus(self, factor: str) -> "Progress":
        return replace(self, factors=(*self.factors, factor), offered=())

    def offering(self, challenges) -> "Progress":
        return replace(self, offered=tuple(challenges))

    def chosen(self) -> "Progress":
        return replace(self, offered=())


def progress_of(session) -> Progress:
    """The progress a challenge session carries (none for sessions opened elsewhere)."""
    return getattr(session, "progress", None) or Progress()


@dataclass(frozen=True)
class Step:
    """What a step-up asks for next: challenge names, after a proven password (MFA challenges
    and ``WEB_AUTHN``) or before one (first factors, offered with ``SELECT_CHALLENGE``)."""

    challenges: tuple
    after_password: bool


def without_step_up(params: dict) -> dict:
    """A ``USER_AUTH`` request's parameters as the pool reads them: all of them, or, claims not
    rolled out, without ``TARGET_ACR_VALUES``, ``MAX_AGE`` and ``ACCESS_TOKEN`` (a plain sign-in)."""
    if rolled_out():
        return params
    return {k: v for k, v in params.items() if k not in ("TARGET_ACR_VALUES", "MAX_AGE", "ACCESS_TOKEN")}


def requested(pool, params: dict) -> tuple | None:
    """The levels a ``USER_AUTH`` request steps up to (``TARGET_ACR_VALUES`` as the pool names
    them, highest priority first), or None for a sign-in without step-up. Checks the request:
    Lite, a token without a target, no recognized target, a ``MAX_AGE`` that is not a
    non-negative integer. `params`: :func:`without_step_up`'s."""
    target, token = params.get("TARGET_ACR_VALUES"), params.get("ACCESS_TOKEN")
    if target is None and token is None:
        return None
    if pool.extended_config.get("UserPoolTier") == "LITE":
        raise errors.CognitoError(
            "FeatureUnavailableInTierException", "Step-up authentication is not available on the Lite feature plan."
        )
    if not isinstance(target, str):
        raise errors.invalid_parameter("ACCESS_TOKEN requires TARGET_ACR_VALUES.")
    by_name = {name: level for level, name in names(pool).items()}
    levels = tuple(dict.fromkeys(by_name[v] for v in target.split() if v in by_name))
    if not levels:
        raise errors.invalid_parameter("None of the TARGET_ACR_VALUES is an authentication level of the user pool.")
    max_age(params)
    return levels


def max_age(params: dict) -> int | None:
    value = params.get("MAX_AGE")
    if value is None:
        return None
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise errors.invalid_parameter("MAX_AGE must be a non-negative integer.")
    return int(value)


def credited(pool, client, user, token: str, oldest: int | None) -> tuple:
    """The factors the person's access token `token` counts toward a step-up of `user` through
    `client`: its sign-in's, or none when that sign-in is older than `oldest` seconds (a fresh
    start; the token stays valid). NotAuthorizedException for a token that is not a live,
    unexpired access token of `pool` and `client` issued to `user`."""
    client_id, holder = access_tokens.in_pool(pool, token)
    try:
        claims = jwt.decode(token, pool.json_web_key, algorithms=["RS256"]).claims
    except (JoseError, ValueError):
        raise errors.not_authorized("Invalid Access Token") from None
    if not isinstance(claims.get("exp"), int) or claims["exp"] < int(clock.time()):
        raise errors.not_authorized("Access Token has expired")
    if client_id != client.id:
        raise errors.not_authorized("Invalid Access Token")
    if holder is not user:
        raise errors.not_authorized("The access token was not issued to the user named by USERNAME.")
    with _lock:
        signed_in = _sign_ins.get((pool.id, claims.get("origin_jti")))
    if signed_in is None or (oldest is not None and clock.monotonic() - signed_in.at > oldest):
        return ()
    return signed_in.factors


def _passkey_usable(pool, user) -> bool:
    return (
        "WEB_AUTHN" in choice.allowed_first_factors(pool)
        and passkeys.has_passkey(pool, user)
        and choice.passwordless_allowed(pool, user, "WEB_AUTHN")
    )


def _plan(pool, user, factors, targets, mfa_options):
    """(target, the factors that may come next) for the first target `user` can reach from
    `factors` (none next: reached already), or None when they can reach none."""
    have = _kinds(factors)
    second = {_MFA_FACTOR[c] for c in mfa_options}
    first = {
        factor
        for factor, challenge in (("email_otp", "EMAIL_OTP"), ("sms", "SMS_OTP"))
        if challenge in choice.allowed_first_factors(pool)
        and choice.can_receive(user, challenge)
        and choice.passwordless_allowed(pool, user, challenge)
    }
    passkey = _passkey_usable(pool, user)

    def can(kind: str, after_password: bool) -> bool:
        if kind == "pwd":
            return bool(user.password)
        if kind == "passkey":
            return passkey
        return kind in (second if after_password else first)

    for target in targets:
        if level_of(factors) >= target:
            return target, frozenset()
        following: set = set()
        for level in range(target, max(LEVELS) + 1):
            for needed in LEVELS[level]:
                missing = needed - have
                after_password = "pwd" in needed or "pwd" in have
                if all(can(kind, after_password) for kind in missing):
                    following |= {"pwd"} if "pwd" in missing else missing
        if following:
            return target, frozenset(following)
    return None


def _step(following, after_password: bool, mfa_options) -> Step:
    if after_password:
        asked = [c for c in mfa_options if _MFA_FACTOR[c] in following]
        asked += ["WEB_AUTHN"] if "passkey" in following else []
    else:
        asked = [c for factor, challenges in _FIRST_CHALLENGES if factor in following for c in challenges]
    return Step(tuple(asked), after_password)


def next_step(pool, user, progress: Progress, mfa_options, token_given: bool = False) -> Step | None:
    """What a step-up asks for next, or None where none is under way or its level is reached.
    `mfa_options`: the MFA challenges `user` can answer. InvalidParameterException when `user`
    can reach none of its levels, or (`token_given`: the start, from a token's factors) when the
    token already meets the level."""
    if progress.targets is None:
        return None
    planned = _plan(pool, user, progress.factors, progress.targets, mfa_options)
    if planned is None:
        raise errors.invalid_parameter("The user has no authentication factors that reach the TARGET_ACR_VALUES.")
    _target, following = planned
    if not following and token_given:
        raise errors.invalid_parameter("The access token already meets the requested authentication level.")
    if not following:
        return None
    return _step(following, "pwd" in _kinds(progress.factors), mfa_options)
