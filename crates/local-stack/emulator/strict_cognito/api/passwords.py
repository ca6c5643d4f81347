"""Passwords: ``ForgotPassword``, ``ConfirmForgotPassword``, ``AdminResetUserPassword``, and
temporary passwords (generated for ``AdminCreateUser``, ``admin``; and how long they last). The
pool's password policy itself is the ``passwords`` behaviour module's.

- A temporary password (``AdminCreateUser``, its ``RESEND``, ``AdminSetUserPassword`` not
  permanent) lasts the pool's ``PasswordPolicy.TemporaryPasswordValidityDays`` (default 7; 0 means
  the default). After that, signing in with it, in any flow, is NotAuthorizedException "Temporary
  password has expired and must be reset by an administrator." (checked once the password is
  proven, so a wrong password still reads as one), until ``AdminCreateUser`` with ``RESEND``
  gives a new one ("to reset the temporary-password duration with a new temporary password"), or
  ``AdminSetUserPassword`` sets another. ``RESEND`` for a user in any other state is
  UnsupportedUserStateException (``admin``).

The windows run on the emulator's ``clock``. Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html
The expired temporary password's message is the one apps match on today; Cognito's older wording
was "User account has expired, it must be reset by an administrator." (Stack Overflow question
51109154).

moto lets temporary passwords live for ever.
"""

import secrets
import threading

from .. import clock, errors, lockout, moto_store, outbox, user_states, usernames
from .. import passwords as password_policy
from . import calls

DAY = 24 * 60 * 60
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7
TEMPORARY_PASSWORD_EXPIRED = "Temporary password has expired and must be reset by an administrator."

_lock = threading.Lock()
# (pool id, internal username) -> when the temporary password was set (clock.monotonic)
_temporary: dict[tuple[str, str], float] = {}


def forgot_password(self):
    return calls.send_code(self, user_states.before_reset_code, outbox.RESET_PASSWORD, "ForgotPassword")


def confirm_forgot_password(self):
    password = calls.require(self.parameters, "Password")
    _backend, pool, client, name = calls.named(self)
    # The policy before the lookup: a weak password is refused alike for any name.
    password_policy.require_valid(pool, password)
    user = usernames.find_user(pool, name)
    if user is None:
        raise errors.code_mismatch() if user_states.prevents_existence_errors(client) else errors.user_not_found()
    if not outbox.take(pool, user, outbox.RESET_PASSWORD, self._get_param("ConfirmationCode")):
        raise errors.code_mismatch()
    user.password = password
    if user.status == moto_store.UserStatus.RESET_REQUIRED:
        user.status = moto_store.UserStatus.CONFIRMED
    lockout.succeeded(pool, user.username)
    return moto_store.EmptyResult()


_admin_reset_user_password = moto_store.handler("admin_reset_user_password")


def admin_reset_user_password(self):
    """moto's state rules, and the reset code Cognito sends (to the outbox)."""
    result = _admin_reset_user_password(self)
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    user = usernames.find_user(pool, self._get_param("Username"))
    outbox.send(pool, user, outbox.RESET_PASSWORD)
    return result


def new_temporary_password(pool) -> str:
    """A temporary password the pool's policy accepts, as Cognito generates one."""
    length = max(password_policy.policy_of(pool).get("MinimumLength", 8), 12)
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return body + secrets.choice("abcdefghijk") + secrets.choice("ABCDEFGH") + secrets.choice("23456789") + "!"


# --- temporary passwords ------------------------------------------------------------------------


def temporary_password_set(pool, user) -> None:
    """`user` was given a temporary password now (AdminCreateUser, RESEND, AdminSetUserPassword)."""
    with _lock:
        _temporary[(pool.id, user.username)] = clock.monotonic()


def temporary_password_days(pool) -> int:
    days = password_policy.policy_of(pool).get("TemporaryPasswordValidityDays")
    return int(days) if isinstance(days, int) and days > 0 else DEFAULT_TEMPORARY_PASSWORD_DAYS


def require_live_temporary_password(pool, user) -> None:
    """After a proven password: a FORCE_CHANGE_PASSWORD user's temporary password must not have
    outlived the pool's ``TemporaryPasswordValidityDays``."""
    if user.status != moto_store.UserStatus.FORCE_CHANGE_PASSWORD:
        return
    with _lock:
        set_at = _temporary.get((pool.id, user.username))
    if set_at is not None and clock.monotonic() > set_at + temporary_password_days(pool) * DAY:
        raise errors.not_authorized(TEMPORARY_PASSWORD_EXPIRED)


def forget_temporary(pool, username: str) -> None:
    """Drops the temporary password's start of `username` (a deleted user)."""
    with _lock:
        _temporary.pop((pool.id, username), None)


def install() -> None:
    """AdminSetUserPassword with Permanent false gives a new temporary password."""
    set_password = moto_store.backend_method("admin_set_user_password")

    def admin_set_user_password(self, user_pool_id, username, password, permanent):
        set_password(self, user_pool_id, username, password, permanent)
        if not permanent:
            pool = self.describe_user_pool(user_pool_id)
            temporary_password_set(pool, usernames.find_user(pool, username))

    moto_store.replace_backend_method("admin_set_user_password", admin_set_user_password)
