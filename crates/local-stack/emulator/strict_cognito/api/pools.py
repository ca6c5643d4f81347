"""Setting up user pools and app clients: ``CreateUserPool``, ``UpdateUserPool``,
``CreateUserPoolClient``, ``UpdateUserPoolClient``: moto's, held first to the feature plan
(``threat_protection``, ``choice``, ``acr``) and the refresh-token settings (``rotation``), with
the pool's ``AcrConfiguration`` (``acr``: the effective level names, defaults merged in; none
where the claims are not rolled out). The pool's
passkey settings, ``WebAuthnConfiguration`` in ``SetUserPoolMfaConfig`` and
``GetUserPoolMfaConfig`` (``passkeys``), which moto does not know."""

from .. import acr, choice, moto_store, passkeys, rotation, threat_protection
from . import mfa

_create_user_pool = moto_store.handler("create_user_pool")
_update_user_pool = moto_store.handler("update_user_pool")


def create_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan, passwordless first factors
    and custom ACR level names on Lite, and the effective ``AcrConfiguration`` kept."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    names = acr.checked_configuration(self.parameters)
    result = _create_user_pool(self)
    created = moto_store.answer_of(result)["UserPool"]
    _keep_names(self.backend.describe_user_pool(created["Id"]), names)
    if names is None:
        created.pop("AcrConfiguration", None)
    else:
        created["AcrConfiguration"] = names
    return result


def update_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan, passwordless first factors
    and custom ACR level names on Lite, and the effective ``AcrConfiguration`` kept (the names
    given replace the pool's; a level not named is back to its default)."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    names = acr.checked_configuration(self.parameters)
    result = _update_user_pool(self)
    _keep_names(self.backend.describe_user_pool(self._get_param("UserPoolId")), names)
    return result


def _keep_names(pool, names) -> None:
    """The pool's effective level names, or none at all (``acr`` claims not rolled out: moto would
    otherwise keep and answer the request's map, which such a pool reads back as null)."""
    if names is None:
        pool.extended_config.pop("AcrConfiguration", None)
    else:
        pool.extended_config["AcrConfiguration"] = names


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


_get_user_pool_mfa_config = moto_store.handler("get_user_pool_mfa_config")
# Parameters of SetUserPoolMfaConfig other than the pool and its WebAuthnConfiguration.
_MFA_SETTINGS = ("MfaConfiguration", "SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")


def set_user_pool_mfa_config(self):
    """``mfa``'s, with ``WebAuthnConfiguration`` (API ``API_SetUserPoolMfaConfig.html``,
    ``API_WebAuthnConfigurationType.html``), and in the answer. Every setting is checked before
    anything changes: the ``WebAuthnConfiguration`` first, then the MFA settings (``mfa`` checks
    them before it stores them), and only then is the ``WebAuthnConfiguration`` stored, so a
    refused request changes nothing. A request with only a ``WebAuthnConfiguration`` leaves the MFA
    settings as they are (moto would require ``MfaConfiguration``)."""
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    web_authn = self._get_param("WebAuthnConfiguration")
    checked = passkeys.checked_configuration(web_authn) if web_authn is not None else None
    if web_authn is not None and all(self._get_param(name) is None for name in _MFA_SETTINGS):
        answer = dict(moto_store.answer_of(_get_user_pool_mfa_config(self)) or {})
    else:
        answer = dict(moto_store.answer_of(mfa.set_user_pool_mfa_config(self)) or {})
    if checked is not None:
        passkeys.store_configuration(pool, checked)
    answer["WebAuthnConfiguration"] = passkeys.configuration(pool)
    return moto_store.ActionResult(answer)


def get_user_pool_mfa_config(self):
    """moto's, with the pool's ``WebAuthnConfiguration`` (``UserVerification`` ``preferred`` when
    unset)."""
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    answer = dict(moto_store.answer_of(_get_user_pool_mfa_config(self)) or {})
    answer["WebAuthnConfiguration"] = passkeys.configuration(pool)
    return moto_store.ActionResult(answer)
