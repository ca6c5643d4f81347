"""User states against the calls the API makes.

Cognito's user states (``UserStatus`` and ``Enabled``) and what each call answers in them:

- unknown or deleted user: sign-in is NotAuthorizedException "Incorrect username or password."
  when the client has ``PreventUserExistenceErrors`` ENABLED (UserNotFoundException otherwise),
  counted towards a lockout like a wrong password; an SRP start gets a challenge that looks like
  a real one and fails at the answer.
  Source: https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html
- disabled (AdminDisableUser): NotAuthorizedException "User is disabled." on sign-in and refresh.
  Source: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html
- RESET_REQUIRED (AdminResetUserPassword): every sign-in flow answers
  PasswordResetRequiredException until ConfirmForgotPassword sets a new password (CONFIRMED).
  Source: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html
- UNCONFIRMED (after SignUp): UserNotConfirmedException once the password is proven.
  Source: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors
- FORCE_CHANGE_PASSWORD (AdminCreateUser, AdminSetUserPassword not permanent): the temporary
  password leads to NEW_PASSWORD_REQUIRED; ForgotPassword is NotAuthorizedException "User
  password cannot be reset in the current state.".
  Source: https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-create-user-accounts.html
- CONFIRMED: ConfirmSignUp is NotAuthorizedException "User cannot be confirmed. Current status
  is CONFIRMED"; ResendConfirmationCode is InvalidParameterException "User is already confirmed.".

moto ignores RESET_REQUIRED on sign-in, refreshes disabled users' tokens and checks UNCONFIRMED
before the password.
"""

from . import errors, lockout
from .moto_store import UserStatus


def prevents_existence_errors(client) -> bool:
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def unknown_user(client) -> errors.CognitoError:
    """The error a sign-in of an unknown user gets."""
    return errors.not_authorized() if prevents_existence_errors(client) else errors.user_not_found()


def before_password(pool, client, user, name: str) -> None:
    """What refuses a sign-in before its password is looked at. An unknown name is a failed
    attempt (counted towards the lockout when existence errors are prevented)."""
    if user is None:
        failed_attempt(pool, client, None, name)
    lockout.check(pool, lockout.who(user, name))
    if not user.enabled:
        raise errors.not_authorized("User is disabled.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise errors.password_reset_required()


def failed_attempt(pool, client, user, name: str):
    """A wrong password, or an unknown name: counted, then the sign-in error. Raises."""
    if user is not None or prevents_existence_errors(client):
        key = lockout.who(user, name)
        lockout.check(pool, key)
        lockout.failed(pool, key)
    raise errors.not_authorized() if user is not None else unknown_user(client)


def after_password(pool, user) -> None:
    """A proven password: clears the failure count; an unconfirmed user goes no further."""
    lockout.succeeded(pool, user.username)
    if user.status == UserStatus.UNCONFIRMED:
        raise errors.user_not_confirmed()


def before_refresh(user) -> None:
    if user is None:
        raise errors.not_authorized("User does not exist.")
    if not user.enabled:
        raise errors.not_authorized("User is disabled.")


def before_reset_code(user) -> None:
    """ForgotPassword: who may get a reset code."""
    if not user.enabled:
        raise errors.not_authorized("User is disabled.")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        raise errors.not_authorized("User password cannot be reset in the current state.")
    if (
        user.attribute_lookup.get("email_verified") != "true"
        and user.attribute_lookup.get("phone_number_verified") != "true"
    ):
        raise errors.invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )


def before_confirm_sign_up(user) -> None:
    if user.status != UserStatus.UNCONFIRMED:
        raise errors.not_authorized(
            f"User cannot be confirmed. Current status is {getattr(user.status, 'value', user.status)}"
        )


def before_resend(user) -> None:
    if user.status != UserStatus.UNCONFIRMED:
        raise errors.invalid_parameter("User is already confirmed.")
