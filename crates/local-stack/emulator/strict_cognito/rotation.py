"""Refresh tokens through ``GetTokensFromRefreshToken``, and their rotation.

- ``GetTokensFromRefreshToken`` takes ``ClientId``, ``RefreshToken`` and, for a client with a
  secret, ``ClientSecret`` itself (no ``SECRET_HASH``, so no username). It answers new ID and
  access tokens.
- With the client's ``RefreshTokenRotation.Feature`` ENABLED it also answers a new refresh token,
  and the one given keeps working for ``RetryGracePeriodSeconds`` (0-60) more, so that a retry or
  a second tab refreshing at the same time still succeeds; after that it is
  NotAuthorizedException. ``REFRESH_TOKEN_AUTH`` is then refused for the client.
- A refresh token that was revoked, or whose user is disabled or deleted, is NotAuthorized, as on
  ``REFRESH_TOKEN_AUTH``.

Here, a retry within the grace period answers the same new refresh token as the first refresh
(what a retry after a lost answer needs); AWS does not document whether real Cognito answers the
same one or another. Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetTokensFromRefreshToken.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RefreshTokenRotationType.html
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html

moto does not implement GetTokensFromRefreshToken.
"""

import threading

from . import clock, errors

_lock = threading.Lock()
# (pool id, rotated-out refresh token) -> (its successor, when the grace period ends)
_rotated: dict[tuple[str, str], tuple[str, float]] = {}


def settings(client) -> tuple[bool, int]:
    """(rotation on, grace period in seconds) of `client`."""
    rotation = client.extended_config.get("RefreshTokenRotation") or {}
    grace = rotation.get("RetryGracePeriodSeconds", 0)
    return rotation.get("Feature") == "ENABLED", int(grace) if isinstance(grace, int) else 0


def require_valid(parameters: dict) -> None:
    """CreateUserPoolClient / UpdateUserPoolClient: the grace period is 0-60 seconds."""
    rotation = parameters.get("RefreshTokenRotation") or {}
    grace = rotation.get("RetryGracePeriodSeconds", 0)
    if not isinstance(grace, int) or not 0 <= grace <= 60:
        raise errors.invalid_parameter("RetryGracePeriodSeconds must be between 0 and 60.")


def refuse_old_flow(client) -> None:
    """REFRESH_TOKEN_AUTH on a client that rotates its refresh tokens."""
    if settings(client)[0]:
        raise errors.invalid_parameter("Refresh token rotation is enabled: use GetTokensFromRefreshToken.")


def rotate(pool, client, token: str, username: str) -> str:
    """The refresh token that replaces `token` (the same one again within the grace period);
    `token` keeps working until the grace period ends, then it is RefreshTokenReuseException
    (the error AWS names for a token rotation invalidated), and revoked once forgotten."""
    now = clock.monotonic()
    with _lock:
        rotated = _rotated.get((pool.id, token))
        if rotated is not None:
            successor, until = rotated
            if now > until:
                raise errors.CognitoError("RefreshTokenReuseException", "The refresh token has been rotated.")
            return successor
        # Tokens rotated out more than a minute (the longest grace period) ago: revoked, forgotten.
        for key in [k for k, (_s, until) in _rotated.items() if k[0] == pool.id and until < now - 60]:
            pool.refresh_tokens[key[1]] = None
            del _rotated[key]
        successor, _origin = pool.create_refresh_token(client.id, username)
        _rotated[(pool.id, token)] = (successor, now + settings(client)[1])
    return successor
