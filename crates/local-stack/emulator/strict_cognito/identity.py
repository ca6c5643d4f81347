"""The identity pool (cognito-identity): one identity per person, and credentials only for it.

- ``GetId`` with a user pool's ID token in ``Logins`` answers the identity of that person in that
  identity pool: the same ``IdentityId`` every time for the same identity pool, provider and
  subject (the token's ``sub``), another one for another person. Cognito "creates a new identity
  ID" only the first time: "GetId ... Generates (or retrieves) IdentityID".
- The token must come from a provider the identity pool lists (``CognitoIdentityProviders``):
  "Token is not from a supported provider of this identity pool."; be an ID token that provider
  signed ("Couldn't verify signed token."), for the app client the pool names (``aud``), not
  expired. With ``ServerSideTokenCheck`` Cognito also checks "that the user has not been globally
  signed out or deleted": here the user must still exist and be enabled, and the token must still
  be one the pool issued and has not revoked (RevokeToken, and GlobalSignOut /
  AdminUserGlobalSignOut, which "invalidate the identity, access, and refresh tokens": see
  ``access_tokens.sign_out_everywhere``); without it, none of that is asked. Anything else is
  ``NotAuthorizedException`` "Invalid login token. ...". Without ``Logins``, a pool that does not
  allow unauthenticated identities refuses.
- ``GetCredentialsForIdentity`` answers credentials for an identity only with a login that
  identity was created from ("Logins don't match. Please include at least one valid login for
  this identity or identity pool."); an identity the pool never issued is
  ``ResourceNotFoundException``. The credentials are an STS session's: fresh ``ASIA`` keys, one
  hour.

Sources: https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetId.html
https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html
https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_CognitoIdentityProvider.html
(ServerSideTokenCheck), https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GlobalSignOut.html
("no longer accepts a signed-out user's ID token in a GetId request to an identity pool with
ServerSideTokenCheck enabled") and https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html
(the enhanced flow: GetId, then GetCredentialsForIdentity). The messages are those Cognito answers
in public reports ("Token expired: {now} >= {exp}", "Couldn't verify signed token.").

moto answers every ``GetId`` with a new random identity, whatever the token (or none), and
fixed credentials for any identity id.
"""

import json
import secrets
import string
import threading
import time
import uuid

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError

from . import clock, errors, moto_store

CREDENTIALS_SECONDS = 3600

_lock = threading.Lock()
# (identity pool id, provider name, sub) -> identity id
_identities: dict[tuple[str, str, str], str] = {}
# identity id -> (identity pool id, {(provider name, sub)}); unauthenticated identities: empty set
_logins: dict[str, tuple[str, set]] = {}


def _invalid_login(why: str) -> errors.CognitoError:
    return errors.not_authorized(f"Invalid login token. {why}")


def _identity_pool(response, pool_id):
    region = pool_id.split(":")[0] if isinstance(pool_id, str) else ""
    backends = moto_store.identity_backends(response.current_account)
    pool = backends[region].identity_pools.get(pool_id) if region in backends.regions else None
    if pool is None:
        raise errors.CognitoError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")
    return pool


def _user_pool(response, provider: str):
    """The user pool behind `provider` (``cognito-idp.{region}.amazonaws.com/{poolId}``), or None."""
    host, _, pool_id = provider.partition("/")
    region = host.removeprefix("cognito-idp.").removesuffix(".amazonaws.com")
    backends = moto_store.user_pool_backends(response.current_account)
    if region not in backends.regions:
        return None
    return backends[region].user_pools.get(pool_id)


def subject(response, pool, provider: str, token) -> str:
    """The ``sub`` of the ID token `token` from `provider`, checked as Cognito checks a login."""
    listed = {p.get("ProviderName"): p for p in pool.cognito_identity_providers or []}
    if provider not in listed:
        raise errors.not_authorized("Token is not from a supported provider of this identity pool.")
    user_pool = _user_pool(response, provider)
    if user_pool is None or not isinstance(token, str):
        raise _invalid_login("Issuer doesn't match providerName")
    try:
        # The pool's own key and algorithm only, whatever the token's header says.
        claims = jwt.decode(token, user_pool.json_web_key, algorithms=["RS256"]).claims
    except BadSignatureError:
        raise _invalid_login("Couldn't verify signed token.") from None
    except (JoseError, ValueError):
        raise _invalid_login("Not a valid OpenId Connect identity token.") from None
    if claims.get("iss") != f"https://{provider}":
        raise _invalid_login("Issuer doesn't match providerName")
    client_id = listed[provider].get("ClientId")
    if claims.get("token_use") != "id" or (client_id and claims.get("aud") != client_id):
        raise _invalid_login("Incorrect token audience.")
    now = int(clock.time())
    if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
        raise _invalid_login(f"Token expired: {now} >= {claims.get('exp')}")
    if listed[provider].get("ServerSideTokenCheck"):
        # Issued by the pool and not revoked since (``access_tokens`` drops revoked ones, and
        # every ID token of a user signed out everywhere), to a user who still exists and is
        # enabled.
        user = user_pool.users.get(claims.get("cognito:username", ""))
        if token not in user_pool.id_tokens or user is None or not user.enabled:
            raise _invalid_login("Token has been revoked.")
    return claims["sub"]


def _logins_of(response, pool) -> set:
    logins = response._get_param("Logins") or {}
    if not isinstance(logins, dict):
        raise errors.invalid_parameter("Logins must be a map of provider names to tokens")
    return {(provider, subject(response, pool, provider, token)) for provider, token in logins.items()}


def _new_identity_id(region: str) -> str:
    return f"{region}:{uuid.uuid4()}"


def get_id(self):
    pool = _identity_pool(self, self._get_param("IdentityPoolId"))
    logins = _logins_of(self, pool)
    if not logins and not pool.allow_unauthenticated_identities:
        raise errors.not_authorized("Unauthenticated access is not supported for this identity pool.")
    region = pool.identity_pool_id.split(":")[0]
    keys = [(pool.identity_pool_id, *login) for login in logins]
    # Looked up and recorded in one step: two first calls at once for the same person must not
    # make two identities (and answer the one that was not kept).
    with _lock:
        identity_id = next((_identities[key] for key in keys if key in _identities), None)
        if identity_id is None:
            identity_id = _new_identity_id(region)
            # moto's own record, for ListIdentities.
            moto_store.record_identity(self.current_account, region, pool.identity_pool_id, identity_id)
        for key in keys:
            _identities.setdefault(key, identity_id)
        _pool_id, linked = _logins.setdefault(identity_id, (pool.identity_pool_id, set()))
        linked.update(logins)
    return json.dumps({"IdentityId": identity_id})


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def get_credentials_for_identity(self):
    identity_id = self._get_param("IdentityId")
    with _lock:
        found = _logins.get(identity_id) if isinstance(identity_id, str) else None
    if found is None:
        raise errors.CognitoError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")
    pool_id, linked = found
    logins = _logins_of(self, _identity_pool(self, pool_id))
    if linked and not logins & linked:
        raise errors.not_authorized(
            "Logins don't match. Please include at least one valid login for this identity or identity pool."
        )
    upper = string.ascii_uppercase + string.digits
    return json.dumps(
        {
            "Credentials": {
                "AccessKeyId": "ASIA" + _random(upper, 16),
                "SecretKey": _random(string.ascii_letters + string.digits + "+/", 40),
                "SessionToken": _random(string.ascii_letters + string.digits + "+/", 356),
                "Expiration": time.time() + CREDENTIALS_SECONDS,
            },
            "IdentityId": identity_id,
        }
    )


def install() -> None:
    moto_store.override_identity(get_id)
    moto_store.override_identity(get_credentials_for_identity)
