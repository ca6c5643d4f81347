"""The local stack's Cognito emulator: moto_server with three gaps closed, so the local API answers
the way it does against Cognito. Run as `python -c <this file> -H 127.0.0.1 -p PORT` with the
virtualenv's interpreter (crates/local-stack/src/moto.rs); moto itself is pinned in
requirements-dev.txt, so these patches apply to a known version.

1. SECRET_HASH: moto encodes the username as latin-1 and answers HTTP 500 for any username
   outside it; Cognito hashes UTF-8.
2. ResendConfirmationCode: not implemented by moto (HTTP 500).
3. RevokeToken: not implemented by moto (HTTP 500).
4. Refreshing the tokens of a deleted user: moto fails (HTTP 500); Cognito refuses it
   (NotAuthorizedException).
5. Refreshing the tokens of a disabled user: moto issues them; Cognito refuses it
   (NotAuthorizedException "User is disabled.", the message moto's sign-in uses too).
"""

import base64
import hashlib
import hmac
import sys

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import NotAuthorizedError, ResourceNotFoundError
from moto.core.responses import ActionResult, EmptyResult
from moto.server import main


def check_secret_hash(app_client_secret, app_client_id, username, secret_hash):
    key = str(app_client_secret).encode("utf-8")
    msg = str(username + app_client_id).encode("utf-8")
    expected = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
    return isinstance(secret_hash, str) and hmac.compare_digest(expected, secret_hash)


models.check_secret_hash = check_secret_hash


def _pool_for_client(response, client_id):
    backend = response._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return backend, pool, pool.clients[client_id]
    raise ResourceNotFoundError(client_id)


def _masked_email(email):
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def resend_confirmation_code(self):
    client_id = self._get_param("ClientId")
    username = self._get_param("Username")
    backend, pool, client = _pool_for_client(self, client_id)
    if client.generate_secret and not check_secret_hash(
        client.secret, client.id, username, self._get_param("SecretHash")
    ):
        raise NotAuthorizedError("Client is configured with secret but SECRET_HASH was not received")
    user = backend.admin_get_user(pool.id, username)  # UserNotFoundException, as Cognito
    email = user.attribute_lookup.get("email", "")
    return ActionResult(
        {
            "CodeDeliveryDetails": {
                "Destination": _masked_email(email),
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        }
    )


def revoke_token(self):
    client_id = self._get_param("ClientId")
    _, pool, client = _pool_for_client(self, client_id)
    if client.generate_secret and self._get_param("ClientSecret") != client.secret:
        raise NotAuthorizedError("Invalid client secret")
    token = self._get_param("Token")
    issued = pool.refresh_tokens.get(token)
    if issued is not None and issued[0] == client_id:
        pool.refresh_tokens[token] = None
    return EmptyResult()


_create_tokens_from_refresh_token = models.CognitoIdpUserPool.create_tokens_from_refresh_token


def create_tokens_from_refresh_token(self, refresh_token):
    issued = self.refresh_tokens.get(refresh_token)
    if issued is not None:
        user = self._get_user(issued[1])
        if user is None:
            raise NotAuthorizedError("Refresh Token has been revoked")
        if not user.enabled:
            raise NotAuthorizedError("User is disabled.")
    return _create_tokens_from_refresh_token(self, refresh_token)


models.CognitoIdpUserPool.create_tokens_from_refresh_token = create_tokens_from_refresh_token
responses.CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code
responses.CognitoIdpResponse.revoke_token = revoke_token

if __name__ == "__main__":
    main(sys.argv[1:])
