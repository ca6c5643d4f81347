"""Calls made with a user's access token (GetUser, GlobalSignOut, ChangePassword, the software
token and MFA-preference calls): the token must belong to a user who still exists and is
enabled. AdminDisableUser "deactivates a user profile and revokes all access tokens for the
user". Source: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html

moto lets a disabled user's access token sign out, change the password and enrol TOTP.
"""

from moto.cognitoidp import responses

from . import errors

ACTIONS = (
    "get_user", "global_sign_out", "change_password", "associate_software_token", "verify_software_token",
    "set_user_mfa_preference", "update_user_attributes", "delete_user",
)


def require_live(response) -> None:
    token = response._get_param("AccessToken")
    if not token:
        return  # a session-based call (MFA set-up during sign-in), checked by moto
    backend = response._get_region_agnostic_backend()._find_backend_by_access_token(token)
    for pool in backend.user_pools.values():
        issued = pool.access_tokens.get(token)
        if issued is not None:
            user = pool.users.get(issued[1])
            if user is None or not user.enabled:
                raise errors.not_authorized("Access Token has been revoked")
            return


def install() -> None:
    for name in ACTIONS:
        original = getattr(responses.CognitoIdpResponse, name, None)
        if original is None:
            continue

        def guarded(self, _original=original):
            require_live(self)
            return _original(self)

        guarded.__name__ = name
        setattr(responses.CognitoIdpResponse, name, guarded)
