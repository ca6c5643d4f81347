"""Cognito's exceptions, as its JSON protocol carries them (``__type`` and ``message``).

Source: the Errors section of each action in the Amazon Cognito user pools API reference, e.g.
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors
"""

from .moto_store import JsonRESTError


class CognitoError(JsonRESTError):
    """One of Cognito's client errors (HTTP 400)."""

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)
        self.code = 400


def not_authorized(message: str = "Incorrect username or password.") -> CognitoError:
    return CognitoError("NotAuthorizedException", message)


def user_not_found() -> CognitoError:
    return CognitoError("UserNotFoundException", "User does not exist.")


def user_not_confirmed() -> CognitoError:
    return CognitoError("UserNotConfirmedException", "User is not confirmed.")


def password_reset_required() -> CognitoError:
    return CognitoError("PasswordResetRequiredException", "Password reset required for the user")


def invalid_parameter(message: str) -> CognitoError:
    return CognitoError("InvalidParameterException", message)


def invalid_password(message: str) -> CognitoError:
    return CognitoError("InvalidPasswordException", message)


def code_mismatch() -> CognitoError:
    return CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")


def expired_code() -> CognitoError:
    return CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")


def limit_exceeded() -> CognitoError:
    return CognitoError("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def unsupported_user_state(message: str) -> CognitoError:
    return CognitoError("UnsupportedUserStateException", message)


def not_emulated(what: str) -> CognitoError:
    """Something the API might send that this emulator does not implement: a loud error naming
    it (Cognito's ``UnsupportedOperationException``), never an empty success."""
    return CognitoError("UnsupportedOperationException", f"strict_cognito does not emulate {what}")
