"""Usernames as the pool defines them.

- ``UsernameConfiguration.CaseSensitive = false``: user names and the sign-in attributes
  (email) match whatever their case, in every call that takes a username, sign-up duplicates
  included. Source: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-case-sensitivity.html
- ``UsernameAttributes = [email]``: people sign in with their email address; the user's
  internal username is a generated id (the ``sub``), which is what ``cognito:username``, the
  access token's ``username``, ``USER_ID_FOR_SRP`` and refresh tokens name. Source:
  https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-usernames

moto matches names exactly, and records the name as typed in the tokens it issues (so a refresh
token of an email sign-in belonged to the email, not the user). ``install`` fixes both on moto's
pool model, so every action sees the same rules.
"""

import time
import uuid

from joserfc import jwt

from . import errors, moto_store


def case_sensitive(pool) -> bool:
    """Whether the pool compares usernames exactly (Cognito's default when not configured)."""
    return bool((pool.extended_config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def _same(pool, a, b) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return a == b if case_sensitive(pool) else a.lower() == b.lower()


def find_user(pool, name):
    """The user `name` signs in as: their internal username or a username attribute (email)."""
    if not isinstance(name, str) or not name:
        return None
    exact = pool.users.get(name)
    if exact is not None:
        return exact
    attributes = pool.extended_config.get("UsernameAttributes") or []
    for user in list(pool.users.values()):  # a copy: other requests may add users meanwhile
        if _same(pool, user.username, name):
            return user
        if any(_same(pool, user.attribute_lookup.get(attr), name) for attr in attributes):
            return user
    return None


def internal(pool, name: str) -> str:
    """The internal username behind `name` (unchanged when no user matches)."""
    user = find_user(pool, name)
    return user.username if user is not None else name


def require_unused(pool, attribute: str, value: str, user=None) -> None:
    """A value of a username attribute (``email``, ``phone_number``) that signs another user in
    (any case, when names are case-insensitive) cannot be given to `user`: AliasExistsException."""
    if attribute not in (pool.extended_config.get("UsernameAttributes") or []):
        return
    for other in list(pool.users.values()):
        if other is not user and _same(pool, other.attribute_lookup.get(attribute), value):
            raise errors.CognitoError("AliasExistsException", f"An account with the given {attribute} already exists.")


def require_unused_email(pool, email: str, user=None) -> None:
    """:func:`require_unused` for the email address."""
    require_unused(pool, "email", email, user)


def _create_jwt(self, client_id, username, token_use, expires_in=60 * 60, extra_data=None):
    """moto's ``create_jwt``, naming the internal username and putting attributes in only as
    the client's ``ReadAttributes`` allow (moto copied the typed name into ``email``)."""
    user = find_user(self, username)
    now = int(time.time())
    payload = {
        "iss": f"https://cognito-idp.{self.region}.amazonaws.com/{self.id}",
        "sub": user.id,
        "client_id" if token_use == "access" else "aud": client_id,
        "token_use": token_use,
        "iat": now,
        "auth_time": now,
        "exp": now + expires_in,
        "jti": str(uuid.uuid4()),
    }
    if token_use == "access":
        payload["username"] = user.username
    else:
        payload["cognito:username"] = user.username
    payload.update(extra_data or {})
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, self.json_web_key), expires_in


def install() -> None:
    moto_store.replace_pool_method("_get_user", find_user)
    moto_store.replace_pool_method("create_jwt", _create_jwt)

    # Tokens and sign-out name the internal username, whatever name the caller typed.
    create_refresh_token = moto_store.pool_method("create_refresh_token")
    create_access_token = moto_store.pool_method("create_access_token")
    create_id_token = moto_store.pool_method("create_id_token")
    sign_out = moto_store.pool_method("sign_out")
    moto_store.replace_pool_method(
        "create_refresh_token",
        lambda self, client_id, username: create_refresh_token(self, client_id, internal(self, username)),
    )
    moto_store.replace_pool_method(
        "create_access_token",
        lambda self, client_id, username, origin_jti: create_access_token(
            self, client_id, internal(self, username), origin_jti
        ),
    )
    moto_store.replace_pool_method(
        "create_id_token",
        lambda self, client_id, username, origin_jti: create_id_token(
            self, client_id, internal(self, username), origin_jti
        ),
    )
    moto_store.replace_pool_method("sign_out", lambda self, username: sign_out(self, internal(self, username)))
    # moto's attribute updates check email uniqueness exactly; Cognito in the pool's case rule.
    moto_store.replace_backend_method(
        "_verify_email_is_not_used",
        lambda self, pool_id, email: require_unused_email(self.describe_user_pool(pool_id), email) if email else None,
    )
