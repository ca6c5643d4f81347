"""Tokens: refreshing (``GetTokensFromRefreshToken``, and the refresh flows of ``InitiateAuth``
and ``AdminInitiateAuth``, which ``sign_in`` hands here) and ``RevokeToken``. A refreshed token
carries the sign-in's ``auth_time``, ``acr`` and ``amr`` (``acr``)."""

from .. import access_tokens, acr, errors, moto_store, rotation, secret_hash, timing, user_states
from . import calls


def _refresh_token_owner(pool, client, token: str) -> str:
    """The internal username a live refresh token of `client` was issued to."""
    if token not in pool.refresh_tokens:
        raise errors.not_authorized("Invalid Refresh Token")
    issued = pool.refresh_tokens[token]
    if issued is None:
        raise errors.not_authorized("Refresh Token has been revoked")
    client_id, username, _origin = issued
    if client_id != client.id:
        raise errors.not_authorized("Invalid Refresh Token")
    return username


def _fresh_tokens(pool, refresh_token: str) -> dict:
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {"IdToken": id_token, "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer"}


def refresh(pool, client, params: dict) -> dict:
    """InitiateAuth / AdminInitiateAuth with ``REFRESH_TOKEN_AUTH`` (or ``REFRESH_TOKEN``)."""
    token = calls.require(params, "REFRESH_TOKEN")
    rotation.refuse_old_flow(client)
    username = _refresh_token_owner(pool, client, token)
    # Over the internal username the token was issued to, whichever alias signed in.
    secret_hash.require(client, username, params.get("SECRET_HASH"))
    user_states.before_refresh(pool.users.get(username))
    return {"ChallengeParameters": {}, "AuthenticationResult": _fresh_tokens(pool, token)}


def get_tokens_from_refresh_token(self):
    """GetTokensFromRefreshToken (moto: not implemented): the client secret itself, no username;
    with rotation on, a new refresh token too (``rotation``)."""
    _backend, pool, client = calls.public(self)
    token = calls.require(self.parameters, "RefreshToken")
    if client.generate_secret and not timing.equal(client.secret, self._get_param("ClientSecret") or ""):
        raise errors.not_authorized("Invalid client secret")
    username = _refresh_token_owner(pool, client, token)
    user_states.before_refresh(pool.users.get(username))
    rotating, _grace = rotation.settings(client)
    if not rotating:
        return moto_store.ActionResult({"AuthenticationResult": _fresh_tokens(pool, token)})
    signed_in = acr.sign_in_of(pool, token)
    successor = rotation.rotate(pool, client, token, username)
    acr.carry_over(pool, signed_in, successor)  # the same sign-in: auth_time, acr and amr kept
    return moto_store.ActionResult(
        {"AuthenticationResult": {**_fresh_tokens(pool, successor), "RefreshToken": successor}}
    )


def revoke_token(self):
    """RevokeToken (moto: not implemented): the refresh token, and the access tokens issued with
    it, stop working. Source:
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html"""
    _backend, pool, client = calls.public(self)
    token = calls.require(self.parameters, "Token")
    if client.generate_secret and not timing.equal(client.secret, self._get_param("ClientSecret")):
        raise errors.not_authorized("Invalid client secret")
    issued = pool.refresh_tokens.get(token)
    if issued is not None and issued[0] == client.id:
        pool.refresh_tokens[token] = None
        access_tokens.revoke_issued_with(pool, issued[2])
    return moto_store.EmptyResult()
