"""An administrator's calls on users: ``AdminCreateUser`` (its ``RESEND`` included) and
``AdminListUserAuthEvents`` (``threat_protection``'s log). The other ``Admin*`` calls on users
are moto's, held to the behaviour modules where they patch moto's backend (``attributes``,
``usernames``, ``access_tokens``, ``api.passwords``)."""

from .. import errors, moto_store, outbox
from .. import passwords as password_policy
from . import calls, passwords


def admin_create_user(self):
    """AdminCreateUser with the temporary password held to the policy (or generated), its validity
    starting now (``passwords``), and the invitation delivered to the outbox unless suppressed;
    ``RESEND`` gives a FORCE_CHANGE_PASSWORD user a new temporary password."""
    backend = self.backend
    pool = backend.describe_user_pool(self._get_param("UserPoolId"))
    name = calls.require(self.parameters, "Username")
    action = self._get_param("MessageAction")
    temporary = self._get_param("TemporaryPassword")
    if temporary is not None:
        password_policy.require_valid(pool, temporary)
    else:
        temporary = passwords.new_temporary_password(pool)
    if action == "RESEND":
        user = backend.admin_get_user(pool.id, name)
        if user.status != moto_store.UserStatus.FORCE_CHANGE_PASSWORD:
            raise errors.unsupported_user_state(
                f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD."
            )
        user.password = temporary
    else:
        user = backend.admin_create_user(pool.id, name, action, temporary, self._get_param("UserAttributes", []))
    passwords.temporary_password_set(pool, user)
    if action != "SUPPRESS":
        outbox.send(pool, user, outbox.INVITATION, code=temporary)
    return moto_store.ActionResult({"User": user.to_json(extended=True)})
