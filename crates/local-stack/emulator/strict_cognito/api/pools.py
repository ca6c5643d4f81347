"""Setting up user pools and app clients: ``CreateUserPool``, ``UpdateUserPool``,
``CreateUserPoolClient``, ``UpdateUserPoolClient``: moto's, held first to the feature plan
(``threat_protection``, ``choice``) and the refresh-token settings (``rotation``)."""

from .. import choice, moto_store, rotation, threat_protection

_create_user_pool = moto_store.handler("create_user_pool")
_update_user_pool = moto_store.handler("update_user_pool")


def create_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan and passwordless first
    factors on Lite."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    return _create_user_pool(self)


def update_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan and passwordless first
    factors on Lite."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    return _update_user_pool(self)


_create_user_pool_client = moto_store.handler("create_user_pool_client")
_update_user_pool_client = moto_store.handler("update_user_pool_client")


def create_user_pool_client(self):
    """moto's, with the caller's address propagated only by clients with a secret, and the
    refresh-token grace period held to 0-60 s."""
    threat_protection.require_secret_to_propagate(self.parameters, bool(self._get_param("GenerateSecret")))
    rotation.require_valid(self.parameters)
    return _create_user_pool_client(self)


def update_user_pool_client(self):
    """moto's, with the caller's address propagated only by clients with a secret, and the
    refresh-token grace period held to 0-60 s."""
    rotation.require_valid(self.parameters)
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    client = pool.clients.get(self._get_param("ClientId"))
    has_secret = client is not None and client.generate_secret
    threat_protection.require_secret_to_propagate(self.parameters, has_secret)
    return _update_user_pool_client(self)
