"""The pool's password policy wherever Cognito applies it: SignUp, NEW_PASSWORD_REQUIRED answers,
ChangePassword, ConfirmForgotPassword, AdminSetUserPassword and AdminCreateUser's temporary
password, with Cognito's messages ("Password did not conform with policy: ..."). Source:
https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html#user-pool-settings-policies

What counts (the page above): uppercase and lowercase Basic Latin letters (``A-Z``, ``a-z``: an
``É`` or a ``ß`` is allowed in a password but is neither), the digits ``0-9``, and the special
characters ``^ $ * . [ ] { } ( ) ? " ! @ # % & / \\ , > < ' : ; | _ ~ ` = + -``; "the space
character is also treated as a special character", but a password cannot begin or end with one:
the ``Password`` parameters' pattern (``shapes``) refuses that before any policy is applied. The
new password of a NEW_PASSWORD_REQUIRED answer travels in a map that has no pattern; it is held to
the same rule here, as InvalidPasswordException (AWS does not document that case).

moto checks the policy on some of these calls only (not on temporary passwords nor on
ConfirmForgotPassword) and says only "does not confirm to the configured password policy".
"""

import re

from . import errors, moto_store, shapes

# The symbols Cognito counts as special characters (the page above), the space included.
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def problem(policy: dict, password: str) -> str | None:
    """What is wrong with `password` under `policy` (Cognito's ``PasswordPolicy``), or None."""
    if password is None or len(password) < policy.get("MinimumLength", 8):
        return "Password not long enough"
    if len(password) > 256:
        return "Password is too long"
    if policy.get("RequireLowercase", True) and not re.search(r"[a-z]", password):
        return "Password must have lowercase characters"
    if policy.get("RequireUppercase", True) and not re.search(r"[A-Z]", password):
        return "Password must have uppercase characters"
    if policy.get("RequireNumbers", True) and not re.search(r"[0-9]", password):
        return "Password must have numeric characters"
    if policy.get("RequireSymbols", True) and not any(c in SYMBOLS for c in password):
        return "Password must have symbol characters"
    if not shapes.password_ok(password):
        return "Password must not begin or end with whitespace"
    return None


def policy_of(pool) -> dict:
    return (pool.extended_config.get("Policies") or {}).get("PasswordPolicy") or {}


def require_valid(pool, password: str) -> None:
    """Raises InvalidPasswordException naming what the password lacks."""
    found = problem(policy_of(pool), password)
    if found:
        raise errors.invalid_password(f"Password did not conform with policy: {found}")


def install() -> None:
    """Every moto path that validates a password uses this policy check and its messages."""

    def validate(self, user_pool_id, password):
        # A passwordless sign-up (``choice``) has none to check.
        if password is not None:
            require_valid(self.describe_user_pool(user_pool_id), password)

    moto_store.replace_backend_method("_validate_password", validate)
