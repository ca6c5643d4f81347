"""The one module that knows moto: every import from ``moto`` and every reach into its handlers,
backends and private methods is here, and the rest of the package calls what this exposes.
Leaving moto for a store of the emulator's own means rewriting this module (and providing
records with the fields listed below), not the families in ``api``.

What it exposes:

- Requests: moto's response handlers are the request objects every action receives
  (``_get_param``, ``parameters``, ``body``, ``headers``, ``region``, ``current_account``,
  ``normalized_request.remote_addr``, ``backend``); :func:`action_name`, :func:`is_implemented`,
  :func:`body_params_only` and :func:`error_response` answer the rest, :func:`answer_of` reads an
  action's answer.
- Handlers: :func:`handler` / :func:`override` (user pools) and :func:`identity_handler` /
  :func:`override_identity` (identity pools) read and replace the action of a name.
- Store methods: :func:`backend_method` / :func:`replace_backend_method`, likewise for the user
  pool (``pool_*``) and the user (``user_*``); :func:`add_route` serves an extra ``/moto-api`` path.
- Lookups: :func:`backend_for_client`, :func:`backend_for_access_token`,
  :func:`user_pool_backends`, :func:`identity_backends`, and the backend's session table
  (:func:`remember_session`, :func:`session_owner`, :func:`forget_session`).
- Values: ``UserStatus``, ``STANDARD_SCHEMA``, ``expand_attrs``, the results ``ActionResult`` /
  ``EmptyResult``, the error base ``JsonRESTError`` and moto's own ``ResourceNotFoundError`` /
  ``NotAuthorizedError``; :func:`serve` runs moto_server.

The records the rest reads and writes are moto's: a pool (``id``, ``region``, ``users``,
``clients``, ``extended_config``, ``schema_attributes``, ``mfa_config``, ``token_mfa_config``,
``refresh_tokens``, ``access_tokens``, ``id_tokens``, ``json_web_key`` (``usernames`` mints the
tokens with it), ``backend``, ``create_refresh_token``, ``create_tokens_from_refresh_token``), a
client (``id``, ``generate_secret``, ``secret``, ``extended_config``), a user (``username``,
``id``, ``password``, ``status``, ``enabled``, ``attribute_lookup``, ``update_attributes``,
``delete_attributes``, ``to_json``, the MFA fields) and a backend (``user_pools``,
``describe_user_pool``, ``admin_get_user``, ``admin_create_user``, ``admin_delete_user``,
``sign_up``); the identity backends' ``regions`` and ``identity_pools``. A store of the emulator's
own provides those.
"""

from moto.cognitoidentity import models as identity_models
from moto.cognitoidentity import responses as identity_responses
from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import NotAuthorizedError, ResourceNotFoundError
from moto.cognitoidp.models import UserStatus, cognitoidp_backends
from moto.cognitoidp.utils import expand_attrs
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores, method_names_from_class

__all__ = [
    "STANDARD_SCHEMA",
    "ActionResult",
    "EmptyResult",
    "JsonRESTError",
    "NotAuthorizedError",
    "ResourceNotFoundError",
    "UserStatus",
    "expand_attrs",
]

# The standard attributes' schema entries (name -> entry), as moto holds them.
STANDARD_SCHEMA = models.CognitoIdpUserPoolAttribute.STANDARD_SCHEMA


# --- requests -----------------------------------------------------------------------------------


def action_name(response) -> str | None:
    """The operation a request names (``X-Amz-Target``), as sent."""
    return response._get_action()


def body_params_only(response) -> None:
    """From now on `response`'s parameters are its JSON body's alone (moto would also read the
    query string), as in AWS's JSON protocol."""
    response.querystring = {}


def answer_of(result):
    """The answer (a dict) of an action's `result`, or None when it has none."""
    if isinstance(result, ActionResult) and isinstance(result.result, dict):
        return result.result
    return None


def is_implemented(response, name: str) -> bool:
    """Whether the user-pool handler of `response` has an action for operation `name`."""
    return camelcase_to_underscores(name) in method_names_from_class(type(response))


def error_response(response, error: JsonRESTError):
    """The HTTP answer (status, headers, body) carrying `error` for `response`'s request."""
    headers = {**dict(error.get_headers() or []), "status": error.code}
    status, headers, body = response._transform_response(response.response_headers, (error.description, headers))
    return (status, *response._enrich_response(headers, body))


# --- handlers and store methods ------------------------------------------------------------------


def handler(name: str):
    """moto's user-pool action `name` (snake_case), as currently installed, or None."""
    return getattr(responses.CognitoIdpResponse, name, None)


def override(action, name: str | None = None) -> None:
    """Installs `action` as the user-pool action `name` (by default its own name)."""
    setattr(responses.CognitoIdpResponse, name or action.__name__, action)


def identity_handler(name: str):
    return getattr(identity_responses.CognitoIdentityResponse, name)


def override_identity(action, name: str | None = None) -> None:
    setattr(identity_responses.CognitoIdentityResponse, name or action.__name__, action)


def backend_method(name: str):
    return getattr(models.CognitoIdpBackend, name)


def replace_backend_method(name: str, method) -> None:
    setattr(models.CognitoIdpBackend, name, method)


def pool_method(name: str):
    return getattr(models.CognitoIdpUserPool, name)


def replace_pool_method(name: str, method) -> None:
    setattr(models.CognitoIdpUserPool, name, method)


def user_method(name: str):
    return getattr(models.CognitoIdpUser, name)


def replace_user_method(name: str, method) -> None:
    setattr(models.CognitoIdpUser, name, method)


def add_route(path: str, route) -> None:
    """Serves `route` at `path` (a ``/moto-api`` URL pattern)."""
    from moto.moto_api._internal import urls

    urls.url_paths[path] = route


def serve(argv: list) -> None:
    """Runs moto_server with `argv` (``-H host -p port``)."""
    from moto.server import main

    main(argv)


# --- lookups -------------------------------------------------------------------------------------


def backend_for_client(response, client_id):
    """The user-pool backend (region) holding app client `client_id`."""
    return response._get_region_agnostic_backend()._find_backend_for_clientid(client_id)


def backend_for_access_token(response, token):
    """The user-pool backend (region) that issued access token `token`."""
    return response._get_region_agnostic_backend()._find_backend_by_access_token(token)


def user_pool_backends(account: str):
    """The user-pool backends of `account`, by region (``.regions`` lists them)."""
    return cognitoidp_backends[account]


def identity_backends(account: str):
    """The identity-pool backends of `account`, by region (``.regions`` lists them)."""
    return identity_models.cognitoidentity_backends[account]


def remember_session(backend, token: str, username: str, pool) -> None:
    """Puts `token` in the backend's session table, where moto's software-token calls find it."""
    backend.sessions[token] = (username, pool)


def session_owner(backend, token):
    """(internal username, pool) of `token` in the backend's session table, or None."""
    return backend.sessions.get(token)


def forget_session(backend, token) -> None:
    backend.sessions.pop(token, None)


def record_identity(account: str, region: str, identity_pool_id: str, identity_id: str) -> None:
    """Adds `identity_id` to moto's own list of the identity pool's identities (ListIdentities)."""
    backend = identity_models.cognitoidentity_backends[account][region]
    backend.pools_identities[identity_pool_id]["Identities"].append({"IdentityId": identity_id})
