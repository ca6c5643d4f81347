"""Where a call lands, shared by the API families: the pool and app client a request names, its
required parameters, and where a code goes (or would go, for a name no user has)."""

from .. import errors, moto_store, outbox, secret_hash, threat_protection, user_states, usernames


def public(self):
    """(backend, pool, client) of a public call, found by its ClientId."""
    client_id = self._get_param("ClientId")
    backend = moto_store.backend_for_client(self, client_id)
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return backend, pool, pool.clients[client_id]
    raise moto_store.ResourceNotFoundError(client_id)


def named(self):
    """(backend, pool, client, Username) of a public call that names a user, its SECRET_HASH
    checked over that name."""
    backend, pool, client = public(self)
    name = require(self.parameters, "Username")
    secret_hash.require(client, name, self._get_param("SecretHash"))
    return backend, pool, client, name


def admin(self):
    """(backend, pool, client) of an admin call, from UserPoolId and ClientId."""
    backend = self.backend
    pool = backend.describe_user_pool(self._get_param("UserPoolId"))
    client = pool.clients.get(self._get_param("ClientId"))
    if client is None:
        raise moto_store.ResourceNotFoundError(self._get_param("ClientId"))
    return backend, pool, client


def require(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise errors.invalid_parameter(f"Missing required parameter {name}")
    return value


def code_delivery_for(pool, client, user, name: str) -> dict:
    """Where a code went; for an unknown user (existence privacy) where it would have gone."""
    if user is not None:
        return outbox.delivery(user)
    if not user_states.prevents_existence_errors(client):
        raise errors.user_not_found()
    return {
        "Destination": outbox.masked(name if "@" in name else name + "@e"),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def send_code(self, may_receive, kind: str, event_type: str):
    """ResendConfirmationCode and ForgotPassword: a new code of `kind` for a user `may_receive`
    allows, logged as `event_type`; an unknown name gets the same answer without a code
    (existence privacy)."""
    _backend, pool, client, name = named(self)
    user = usernames.find_user(pool, name)
    if user is not None:
        may_receive(user)
        outbox.send(pool, user, kind)
        threat_protection.record(pool, user, event_type, "Pass", threat_protection.caller_address(self, client, False))
    return moto_store.ActionResult({"CodeDeliveryDetails": code_delivery_for(pool, client, user, name)})
