"""Signing up: ``SignUp``, ``ConfirmSignUp`` (whose Session signs the person in through
``USER_AUTH``, ``sign_in``) and ``ResendConfirmationCode``."""

from .. import app_client, choice, errors, moto_store, outbox, sessions, threat_protection, user_states, usernames
from . import calls


def sign_up(self):
    backend, pool, client, name = calls.named(self)
    attributes = self._get_param("UserAttributes", [])
    app_client.require_writable(client, attributes)
    password = self._get_param("Password")
    if password is None:
        choice.require_passwordless_sign_up(pool)
    else:
        password = calls.require(self.parameters, "Password")
    user, _details = backend.sign_up(client_id=client.id, username=name, password=password, attributes=attributes)
    outbox.send(pool, user, outbox.SIGN_UP)
    threat_protection.record(pool, user, "SignUp", "Pass", threat_protection.caller_address(self, client, False))
    return moto_store.ActionResult(
        {
            "UserConfirmed": False,
            "UserSub": user.id,
            "CodeDeliveryDetails": outbox.delivery(user),
        }
    )


def confirm_sign_up(self):
    backend, pool, client, name = calls.named(self)
    user = usernames.find_user(pool, name)
    if user is None:
        raise errors.code_mismatch() if user_states.prevents_existence_errors(client) else errors.user_not_found()
    user_states.before_confirm_sign_up(user)
    if not outbox.take(pool, user, outbox.SIGN_UP, self._get_param("ConfirmationCode")):
        raise errors.code_mismatch()
    user.status = moto_store.UserStatus.CONFIRMED
    if "email" in user.attribute_lookup and "email" in (pool.extended_config.get("AutoVerifiedAttributes") or []):
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    # A client that allows choice-based sign-in gets a session that signs the person in at once.
    if "ALLOW_USER_AUTH" in (client.extended_config.get("ExplicitAuthFlows") or app_client.DEFAULT_FLOWS):
        session = sessions.open_session(backend, pool, client, user.username, choice.SIGN_UP_SESSION, False)
        return moto_store.ActionResult({"Session": session})
    return moto_store.EmptyResult()


def resend_confirmation_code(self):
    return calls.send_code(self, user_states.before_resend, outbox.SIGN_UP, "ResendCode")
