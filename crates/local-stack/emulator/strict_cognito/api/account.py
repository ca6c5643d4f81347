"""The person's own account, through their access token: ``GetUser``,
``UpdateUserAttributes``, ``GetUserAttributeVerificationCode``, ``VerifyUserAttribute``,
``DeleteUser``.

- ``UpdateUserAttributes`` writes only what the token's app client may write (``app_client``;
  ``access_tokens`` checks it with the token) and what the pool's schema takes (``attributes``).
  ``email_verified`` and ``phone_number_verified`` are Cognito's to set (after a code) or an
  administrator's (``AdminUpdateUserAttributes``), never the person's: NotAuthorizedException "A
  client attempted to write unauthorized attribute", whatever the app client's ``WriteAttributes``
  (the answer Cognito gives a client that sends them, aws/aws-sdk-js#3603). A blank value deletes
  the attribute ("To delete an attribute from the user, submit the attribute in your API request
  with a blank value"); a blank ``email`` or ``phone_number`` is refused by its format first.
- An ``email`` or ``phone_number`` that signs another user in (the pool's ``UsernameAttributes``)
  is AliasExistsException "An account with the given email already exists." at
  ``UpdateUserAttributes`` ("The email or phone number must be unique, and it must not already be
  in use by another user ... if the email or phone number is not already in use, it becomes the
  new username"), and again at ``VerifyUserAttribute`` if someone took it meanwhile (AliasExists
  is among VerifyUserAttribute's errors).
- A changed ``email`` or ``phone_number`` listed in the pool's
  ``UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`` is pending: "this
  request doesn't immediately update the value of that attribute ... Your user can sign in and
  receive messages with the original attribute value until they verify the new value"; a code goes
  to the new value and the answer's ``CodeDeliveryDetailsList`` says where. Without the setting the
  value changes at once and ``<attribute>_verified`` becomes false (the person then signs in with
  the new address: aws-amplify/amplify-js#6755); a code goes to the new value when the pool's
  ``AutoVerifiedAttributes`` lists it ("This behavior happens in user pools configured to
  automatically verify changes to those attributes").
- ``GetUserAttributeVerificationCode`` (``AttributeName`` email or phone_number) sends a fresh code
  to the pending value, else the current one; only the latest code works (``outbox``). A code "is
  valid for 24 hours", then ExpiredCodeException. Cognito limits how often codes may be asked
  for (LimitExceededException "Attempt limit exceeded, please try after some time.") but AWS does
  not publish the number ("we do not share externally the exact limits":
  amazon-archives/amazon-cognito-identity-js#548, where the sixth request within the hour was
  refused). Here: at most ``CODES_PER_HOUR`` (5) requests per person in any hour, a conservative
  reading of that report.
- ``VerifyUserAttribute`` (``AttributeName``, ``Code``): a wrong code is CodeMismatchException
  "Invalid verification code provided, please try again.", an expired one ExpiredCodeException
  "Invalid code provided, please request a code again."; then "the user's attribute becomes
  verified and the attribute email_verified or phone_number_verified becomes true ... this
  operation updates the affected attribute to its pending value". A code sent to a value the
  account no longer has (changed since) verifies nothing: CodeMismatchException.
- ``DeleteUser`` (and ``AdminDeleteUser``, moto's, followed by the same forgetting): the user
  is gone ("A deleted user profile can no longer be used to sign in and
  can't be restored"); their refresh tokens no longer refresh and their access tokens are
  UserNotFoundException "User does not exist." (``access_tokens``).
- ``GetUser`` answers for any user whose access token is live, whatever their status (the user
  states table in docs/cognito-conformance.md: RESET_REQUIRED users' tokens still work).

All windows run on the emulator's ``clock``. Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UpdateUserAttributes.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserAttributeUpdateSettingsType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_GetUserAttributeVerificationCode.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_VerifyUserAttribute.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DeleteUser.html
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-email-phone-verification.html
("The verification code or link is valid for 24 hours"; verifying attribute updates)
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-aliases-settings-option-2
(botocore's cognito-idp service model carries the same texts.) AWS documents no message for an
attribute name that cannot be verified; the one here is the emulator's.

moto has no GetUserAttributeVerificationCode, VerifyUserAttribute nor DeleteUser, writes
UpdateUserAttributes at once (letting the person set email_verified), refuses GetUser for any
status but CONFIRMED ("username").
"""

import threading

from .. import access_tokens, app_client, attributes, clock, errors, moto_store, outbox, passkeys, usernames
from . import passwords

# The attributes Cognito verifies with a code: how the code travels, and its kind in the outbox.
VERIFIABLE = {"email": ("EMAIL", outbox.VERIFY_EMAIL), "phone_number": ("SMS", outbox.VERIFY_PHONE_NUMBER)}
# Set by Cognito after a code, or by an administrator; never by the person.
ONLY_COGNITO_VERIFIES = ("email_verified", "phone_number_verified")
CODE_LIFETIME = 24 * 60 * 60
# GetUserAttributeVerificationCode requests per person in any hour (AWS does not publish the limit).
CODES_PER_HOUR = 5
HOUR = 60 * 60

_lock = threading.Lock()
# (pool id, internal username, attribute) -> the value waiting for its code
_pending: dict[tuple[str, str, str], str] = {}
# (pool id, internal username, attribute) -> the value the latest code was sent to
_sent_to: dict[tuple[str, str, str], str] = {}
# (pool id, internal username) -> when GetUserAttributeVerificationCode was answered (clock.monotonic)
_requests: dict[tuple[str, str], list[float]] = {}


# --- whose account ------------------------------------------------------------------------------


def _caller(response):
    """(pool, user) of the access token (``access_tokens`` already refused a dead one)."""
    found = access_tokens.issued(response, response._get_param("AccessToken"))
    if found is None or found[2] is None:
        raise errors.not_authorized("Invalid Access Token")
    pool, _client_id, user = found
    return pool, user


def _require_verifiable(name) -> None:
    if name not in VERIFIABLE:
        raise errors.invalid_parameter(f"Attribute {name} cannot be verified: only email and phone_number can.")


def _masked(attribute: str, value: str) -> str:
    return "+*******" + value[-4:] if attribute == "phone_number" else outbox.masked(value)


def _send_code(pool, user, attribute: str, value: str) -> dict:
    """A new code for `attribute` to `value` (it replaces the last one); Cognito's
    ``CodeDeliveryDetails`` for it."""
    medium, kind = VERIFIABLE[attribute]
    outbox.send(pool, user, kind, medium=medium, to=value, lifetime=CODE_LIFETIME)
    with _lock:
        _sent_to[(pool.id, user.username, attribute)] = value
    return {"Destination": _masked(attribute, value), "DeliveryMedium": medium, "AttributeName": attribute}


def _verify_before_update(pool) -> list:
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    return settings.get("AttributesRequireVerificationBeforeUpdate") or []


def pending(pool, user, attribute: str) -> str | None:
    """The value of `attribute` waiting for its code, if any."""
    with _lock:
        return _pending.get((pool.id, user.username, attribute))


def forget(pool, username: str) -> None:
    """Drops everything kept about `username` (a deleted user)."""
    with _lock:
        for table in (_pending, _sent_to):
            for key in [k for k in table if k[:2] == (pool.id, username)]:
                del table[key]
        _requests.pop((pool.id, username), None)
    passwords.forget_temporary(pool, username)
    outbox.forget(pool, username)
    passkeys.forget(pool, username)


# --- the actions --------------------------------------------------------------------------------


def get_user(self):
    """GetUser: the token's user, whatever their status."""
    _pool, user = _caller(self)
    return moto_store.ActionResult(user.to_json(extended=True, attributes_key="UserAttributes"))


def update_user_attributes(self):
    pool, user = _caller(self)
    given = self._get_param("UserAttributes") or []
    pairs = [(a.get("Name"), a.get("Value", "")) for a in given]
    if any(name in ONLY_COGNITO_VERIFIES for name, _value in pairs):
        raise errors.not_authorized(app_client.UNAUTHORIZED_ATTRIBUTE)
    attributes.check_update(pool, given)
    current = user.attribute_lookup
    changed = [(n, v) for n, v in pairs if v != current.get(n)]
    # Every refusal before anything changes.
    for name, value in changed:
        if name in VERIFIABLE and value:
            usernames.require_unused(pool, name, value, user)
    writes, deletes, deliveries, to_verify = [], [], [], []
    for name, value in changed:
        key = (pool.id, user.username, name)
        if value == "":
            deletes.append(name)
        elif name in VERIFIABLE and name in _verify_before_update(pool):
            # The old value stays (and signs in) until the new one's code comes back.
            with _lock:
                _pending[key] = value
            deliveries.append(_send_code(pool, user, name, value))
        else:
            writes.append({"Name": name, "Value": value})
            if name in VERIFIABLE:
                writes.append({"Name": f"{name}_verified", "Value": "false"})
                with _lock:
                    _pending.pop(key, None)
                if name in (pool.extended_config.get("AutoVerifiedAttributes") or []):
                    to_verify.append((name, value))
    if writes:
        user.update_attributes(writes)
    if deletes:
        present = [name for name in deletes if name in user.attribute_lookup]
        if present:
            user.delete_attributes(present)
    deliveries += [_send_code(pool, user, name, value) for name, value in to_verify]
    return moto_store.ActionResult({"CodeDeliveryDetailsList": deliveries}) if deliveries else moto_store.EmptyResult()


def _count_request(pool, user) -> None:
    """One more GetUserAttributeVerificationCode for `user`, or LimitExceededException."""
    now = clock.monotonic()
    key = (pool.id, user.username)
    with _lock:
        recent = [t for t in _requests.get(key, []) if t > now - HOUR]
        if len(recent) >= CODES_PER_HOUR:
            _requests[key] = recent
            raise errors.limit_exceeded()
        _requests[key] = [*recent, now]


def get_user_attribute_verification_code(self):
    pool, user = _caller(self)
    name = self._get_param("AttributeName")
    _require_verifiable(name)
    value = pending(pool, user, name) or user.attribute_lookup.get(name)
    if not value:
        raise errors.invalid_parameter(f"The user has no {name} to verify.")
    _count_request(pool, user)
    return moto_store.ActionResult({"CodeDeliveryDetails": _send_code(pool, user, name, value)})


def verify_user_attribute(self):
    pool, user = _caller(self)
    name = self._get_param("AttributeName")
    _require_verifiable(name)
    _medium, kind = VERIFIABLE[name]
    found = outbox.redeem(pool, user, kind, self._get_param("Code"))
    if found == outbox.EXPIRED:
        raise errors.expired_code()
    if found != outbox.TAKEN:
        raise errors.code_mismatch()
    key = (pool.id, user.username, name)
    with _lock:
        target, waiting = _sent_to.get(key), _pending.get(key)
    if target is not None and target == waiting:
        usernames.require_unused(pool, name, target, user)
        user.update_attributes([{"Name": name, "Value": target}, {"Name": f"{name}_verified", "Value": "true"}])
    elif target is not None and target == user.attribute_lookup.get(name):
        user.update_attributes([{"Name": f"{name}_verified", "Value": "true"}])
    else:
        raise errors.code_mismatch()
    with _lock:
        _sent_to.pop(key, None)
        if _pending.get(key) == target:
            del _pending[key]
    return moto_store.EmptyResult()


def delete_user(self):
    pool, user = _caller(self)
    # moto's own deletion (groups included); refresh and access tokens then find no user.
    pool.backend.admin_delete_user(pool.id, user.username)
    forget(pool, user.username)
    return moto_store.EmptyResult()


_admin_delete_user = moto_store.handler("admin_delete_user")


def admin_delete_user(self):
    """moto's AdminDeleteUser, then everything kept beside moto's record of the user is dropped
    (:func:`forget`: pending attributes, codes, passkeys), as for DeleteUser."""
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    user = usernames.find_user(pool, self._get_param("Username"))
    result = _admin_delete_user(self)
    if user is not None:
        forget(pool, user.username)
    return result
