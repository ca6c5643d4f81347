"""The Cognito actions the API calls, one module per API family, each action composed from the
behaviour modules one level up; every action here replaces moto's handler of the same name, and
moto's models stay the store (through ``moto_store``). Actions the API does not call are moto's
own; an action moto does not implement fails loudly (:func:`call_action`).

- ``sign_in``: signing in and answering challenges (``InitiateAuth``, ``RespondToAuthChallenge``
  and their ``Admin`` forms; the SRP start, the choice-based first factors, MFA challenges).
- ``sign_up``: ``SignUp``, ``ConfirmSignUp``, ``ResendConfirmationCode``.
- ``passwords``: ``ForgotPassword``, ``ConfirmForgotPassword``, ``AdminResetUserPassword``,
  temporary passwords.
- ``tokens``: refreshing (``GetTokensFromRefreshToken``, the refresh flows), ``RevokeToken``.
- ``mfa``: the MFA settings of the pool and the person, ``VerifySoftwareToken``.
- ``account``: the person's own account through their access token.
- ``admin``: an administrator's calls on users (``AdminCreateUser``, ...).
- ``pools``: setting up user pools and app clients.
- ``passkeys``: registering, listing and deleting a person's passkeys (the WebAuthn calls); the
  ``WEB_AUTHN`` challenge is ``sign_in``'s, the pool's ``WebAuthnConfiguration`` ``pools``'.
- ``calls``: where a call lands (pool, app client, required parameters), shared by the families.
"""

import json

from .. import errors, iam, moto_store, shapes, threat_protection
from .. import passwords as password_policy
from . import account, admin, mfa, passkeys, passwords, pools, sign_in, sign_up, tokens

# Every action this package answers itself, by family.
FAMILIES = {
    "sign-in and challenges": (
        sign_in.initiate_auth,
        sign_in.admin_initiate_auth,
        sign_in.respond_to_auth_challenge,
        sign_in.admin_respond_to_auth_challenge,
    ),
    "sign-up": (sign_up.sign_up, sign_up.confirm_sign_up, sign_up.resend_confirmation_code),
    "passwords": (passwords.forgot_password, passwords.confirm_forgot_password, passwords.admin_reset_user_password),
    "tokens": (tokens.revoke_token, tokens.get_tokens_from_refresh_token),
    "MFA": (
        mfa.verify_software_token,
        mfa.set_user_mfa_preference,
        mfa.admin_set_user_mfa_preference,
    ),
    "account": (
        account.get_user,
        account.update_user_attributes,
        account.get_user_attribute_verification_code,
        account.verify_user_attribute,
        account.delete_user,
        account.admin_delete_user,
    ),
    "admin": (admin.admin_create_user, threat_protection.admin_list_user_auth_events),
    "pools and app clients": (
        pools.create_user_pool,
        pools.update_user_pool,
        pools.create_user_pool_client,
        pools.update_user_pool_client,
        # mfa's, with the pool's WebAuthnConfiguration
        pools.set_user_pool_mfa_config,
        pools.get_user_pool_mfa_config,
    ),
    "passkeys": (
        passkeys.start_web_authn_registration,
        passkeys.complete_web_authn_registration,
        passkeys.list_web_authn_credentials,
        passkeys.delete_web_authn_credential,
    ),
}

_call_action = moto_store.handler("call_action")


def call_action(self):
    """Every request: read as AWS's JSON protocol reads it and held to IAM first (``iam``: an
    operation spelled as the model spells it, parameters from the body alone, and the caller's
    policy granting an IAM-authorized action), then its shape (``shapes``); an action moto does
    not implement and this package does not answer answers an error naming it, where moto
    answered an HTML 500."""
    refused = iam.refusal(self, "cognito-idp")
    if refused is not None:
        return refused
    name = moto_store.action_name(self)
    try:
        if name and not moto_store.is_implemented(self, name):
            raise errors.not_emulated(f"the action {name}")
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            raise errors.CognitoError("SerializationException", "The request body is not JSON") from None
        shapes.check(params)
    except errors.CognitoError as error:
        return moto_store.error_response(self, error)
    return _call_action(self)


def install() -> None:
    """Every request through :func:`call_action`, the password policy on moto's own paths, and
    each family's actions in place of moto's (``access_tokens`` then guards some of them)."""
    moto_store.override(call_action)
    password_policy.install()
    passwords.install()
    for actions in FAMILIES.values():
        for action in actions:
            moto_store.override(action)
