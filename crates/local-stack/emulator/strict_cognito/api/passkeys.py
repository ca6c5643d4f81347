"""Passkeys: ``StartWebAuthnRegistration``, ``CompleteWebAuthnRegistration``,
``ListWebAuthnCredentials``, ``DeleteWebAuthnCredential`` (``passkeys``). Signing in with a
passkey (the ``WEB_AUTHN`` challenge) is ``sign_in``'s; the pool's ``WebAuthnConfiguration`` is
``pools``'.

All four are authorized by the person's access token alone (botocore's model: ``authtype``
none, so IAM is not asked, ``iam``): a revoked token, or one of a user who is disabled or deleted,
is refused as on every token-authorized call (``access_tokens``). Passkeys are enabled when the
pool's ``Policies.SignInPolicy.AllowedFirstAuthFactors`` lists ``WEB_AUTHN``; otherwise Start and
Complete are WebAuthnNotEnabledException ("the passkey feature isn't enabled for the user pool").
List and Delete keep working (botocore's model gives them no such error), so a person can still
see and remove the passkeys they registered.

- ``StartWebAuthnRegistration {AccessToken}`` -> ``{CredentialCreationOptions: <object>}``.
- ``CompleteWebAuthnRegistration {AccessToken, Credential: <PublicKeyCredential.toJSON()>}`` -> ``{}``.
- ``ListWebAuthnCredentials {AccessToken, MaxResults 0-20, NextToken}`` -> ``{Credentials: [...],
  NextToken}``, every passkey of the person, whatever relying party it was registered for (20 per
  page when MaxResults is left out; MaxResults 0 is an empty page; a NextToken this pool did not
  issue is InvalidParameterException; none of this is documented).
- ``DeleteWebAuthnCredential {AccessToken, CredentialId}`` -> ``{}``; an id the person has no
  passkey of is ResourceNotFoundException.

Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StartWebAuthnRegistration.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CompleteWebAuthnRegistration.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListWebAuthnCredentials.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteWebAuthnCredential.html
"""

from .. import access_tokens, choice, errors, moto_store, passkeys
from . import calls

MAX_RESULTS = 20


def _caller(self):
    """(pool, app client id, user) of the request's live access token."""
    access_tokens.require_live(self)
    found = access_tokens.issued(self, calls.require(self.parameters, "AccessToken"))
    if found is None:
        raise errors.not_authorized("Invalid Access Token")
    return found


def _enabled(pool) -> None:
    if "WEB_AUTHN" not in choice.allowed_first_factors(pool):
        raise passkeys.not_enabled()


def start_web_authn_registration(self):
    pool, client_id, user = _caller(self)
    _enabled(pool)
    options = passkeys.start_registration(pool, user, client_id)
    return moto_store.ActionResult({"CredentialCreationOptions": options})


def complete_web_authn_registration(self):
    pool, client_id, user = _caller(self)
    _enabled(pool)
    credential = self._get_param("Credential")
    if credential is None:
        raise errors.invalid_parameter("Missing required parameter Credential")
    passkeys.complete_registration(pool, user, client_id, credential)
    return moto_store.ActionResult({})


def _page_size(value) -> int:
    if value is None:
        return MAX_RESULTS
    if not isinstance(value, int) or isinstance(value, bool):
        raise errors.invalid_parameter("MaxResults must be an integer.")
    if not 0 <= value <= MAX_RESULTS:
        bound = f"less than or equal to {MAX_RESULTS}" if value > MAX_RESULTS else "greater than or equal to 0"
        raise errors.invalid_parameter(
            f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )
    return value


def list_web_authn_credentials(self):
    pool, _client_id, user = _caller(self)
    size = _page_size(self._get_param("MaxResults"))
    held = passkeys.credentials(pool, user.username)
    start = 0
    token = self._get_param("NextToken")
    if token is not None:
        ids = [c.credential_id for c in held]
        if token not in ids:
            raise errors.invalid_parameter("The NextToken is not valid.")
        start = ids.index(token)
    page = held[start : start + size]
    answer = {"Credentials": [c.description() for c in page]}
    if start + size < len(held) and size > 0:
        answer["NextToken"] = held[start + size].credential_id
    return moto_store.ActionResult(answer)


def delete_web_authn_credential(self):
    pool, _client_id, user = _caller(self)
    credential_id = calls.require(self.parameters, "CredentialId")
    if not passkeys.delete(pool, user.username, credential_id):
        raise moto_store.ResourceNotFoundError("The passkey credential was not found.")
    return moto_store.ActionResult({})
