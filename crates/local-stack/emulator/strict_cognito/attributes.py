"""User attributes held to the pool's schema and to Cognito's formats, wherever they are written:
SignUp, AdminCreateUser, UpdateUserAttributes, AdminUpdateUserAttributes and the
``userAttributes.*`` of a NEW_PASSWORD_REQUIRED answer.

- Names: a standard attribute ("Amazon Cognito assigns all users a set of standard attributes
  based on the OpenID Connect specification": the list below), or a custom attribute the pool
  declares in its schema, written with its ``custom:`` prefix ("For custom attributes, you must
  add a custom: prefix to the attribute name"). Anything else: InvalidParameterException
  "Attributes did not conform to the schema: Type for attribute {name} could not be determined".
- Values: "standard and custom attribute values can be any string with a length of up to 2048
  characters" (``AttributeType.Value``: at most 2048), and "when you choose an AttributeDataType,
  Amazon Cognito validates the input against the data type" (``SchemaAttributeType``): a
  ``String`` within its ``StringAttributeConstraints`` (``MinLength`` / ``MaxLength``; a
  standard attribute's defaults, e.g. ``birthdate``'s 10, unless the pool's schema sets its
  own); a ``Number`` (a custom one, or the standard ``updated_at``) a decimal number, an
  exponent allowed, within its ``NumberAttributeConstraints`` (``MinValue`` / ``MaxValue``;
  ``updated_at``: at least 0).
- ``Mutable: false`` ("If an attribute is immutable, Amazon Cognito throws an error when it
  attempts to update the attribute"): set when the user is created (SignUp, AdminCreateUser),
  never written again (UpdateUserAttributes, AdminUpdateUserAttributes, a NEW_PASSWORD_REQUIRED
  answer): InvalidParameterException "user.{name}: Attribute cannot be updated." (the message as
  Cognito answers it in aws-amplify/amplify-swift#3981).
- ``phone_number``: "A phone number must start with a plus (+) sign, followed immediately by the
  country code. A phone number can only contain the + sign and digits" (E.164, +14325551212):
  "Invalid phone number format."
- ``email``: "Invalid email address format." AWS does not publish its grammar; refused here is
  only what cannot be an address (not exactly one ``@``, an empty side, whitespace or control
  characters), so the local stack refuses nothing Cognito would take.
- An empty value is held to the same rules as any other: an empty ``phone_number`` is "Invalid
  phone number format." (Cognito refuses it in pools made since 2024: aws-amplify/amplify-js#13391),
  an empty ``email`` "Invalid email address format." (not documented; nothing can be an address
  without an ``@``), and an empty value is shorter than any ``MinLength`` above 0.

Sources: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AttributeType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SchemaAttributeType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StringAttributeConstraintsType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_NumberAttributeConstraintsType.html
(The schema messages' exact wording for lengths and numbers is not documented; the type message
is Cognito's.)

moto stores any attribute name and value it is given.
"""

import re
import unicodedata
from decimal import Decimal

from . import errors, moto_store

STANDARD = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "picture",
        "preferred_username",
        "profile",
        "sub",
        "updated_at",
        "website",
        "zoneinfo",
        # Set by Cognito or an administrator, never by the person (see ``app_client``).
        "email_verified",
        "phone_number_verified",
    }
)
VALUE_MAX = 2048
PHONE_NUMBER = re.compile(r"\+[0-9]+")
EMAIL = re.compile(r"[^@]+@[^@]+")
# A decimal number, as Java's BigDecimal reads one (AWS does not say how Cognito parses them).
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _schema_error(what: str) -> errors.CognitoError:
    return errors.invalid_parameter(f"Attributes did not conform to the schema: {what}")


def _declared(pool, name: str):
    """The pool's schema entry for `name` (moto keeps custom ones under ``custom:``), or None."""
    return pool.schema_attributes.get(name)


def _standard(name: str) -> dict:
    return moto_store.STANDARD_SCHEMA.get(name, {})


def _data_type(pool, name: str) -> str:
    declared = _declared(pool, name)
    return getattr(declared, "data_type", None) or _standard(name).get("AttributeDataType") or "String"


def _mutable(pool, name: str) -> bool:
    declared = _declared(pool, name)
    return bool(declared.mutable if declared is not None else _standard(name).get("Mutable", True))


def _constraints(pool, name: str, key: str, attribute: str) -> dict:
    """The attribute's ``StringAttributeConstraints`` / ``NumberAttributeConstraints`` (`key`,
    moto's `attribute`): the pool's, else the standard attribute's."""
    declared = _declared(pool, name)
    limits = getattr(declared, attribute, None) if declared is not None else None
    return limits or _standard(name).get(key) or {}


def _string_limits(pool, name: str) -> tuple[int, int]:
    limits = _constraints(pool, name, "StringAttributeConstraints", "string_constraints")
    return int(limits.get("MinLength") or 0), int(limits.get("MaxLength") or VALUE_MAX)


def _check_number(pool, name: str, value: str) -> None:
    if not NUMBER.fullmatch(value):
        raise _schema_error(f"{name}: Value must be a number")
    limits = _constraints(pool, name, "NumberAttributeConstraints", "number_constraints")
    low, high = limits.get("MinValue"), limits.get("MaxValue")
    if low not in (None, "") and Decimal(value) < Decimal(low):
        raise _schema_error(f"{name}: Number must be no less than {low}")
    if high not in (None, "") and Decimal(value) > Decimal(high):
        raise _schema_error(f"{name}: Number must be no greater than {high}")


def is_email_address(value: str) -> bool:
    """One ``@`` with something either side, and no whitespace or control character (Unicode's:
    a no-break space, U+0085 and U+0080-U+009F included), as ``input.rs`` reads it."""
    return EMAIL.fullmatch(value) is not None and not any(c.isspace() or unicodedata.category(c) == "Cc" for c in value)


def check_one(pool, name, value) -> None:
    """Raises InvalidParameterException for an attribute the pool cannot hold."""
    if not isinstance(name, str) or not (name in STANDARD or (name.startswith("custom:") and _declared(pool, name))):
        raise _schema_error(f"Type for attribute {{{name}}} could not be determined")
    if not isinstance(value, str):
        return  # the request's shape (``shapes``) refuses it
    if len(value) > VALUE_MAX:
        raise _schema_error(f"{name}: String must be no longer than {VALUE_MAX} characters")
    if _data_type(pool, name) == "Number":
        _check_number(pool, name, value)
        return
    low, high = _string_limits(pool, name)
    if len(value) > min(high, VALUE_MAX):
        raise _schema_error(f"{name}: String must be no longer than {min(high, VALUE_MAX)} characters")
    if len(value) < low:
        raise _schema_error(f"{name}: String must be at least {low} characters")
    if name == "phone_number" and not PHONE_NUMBER.fullmatch(value):
        raise errors.invalid_parameter("Invalid phone number format.")
    if name == "email" and not is_email_address(value):
        raise errors.invalid_parameter("Invalid email address format.")


def _pairs(attributes):
    """`attributes`: Cognito's ``[{"Name": ..., "Value": ...}]`` or a ``{name: value}`` map."""
    if isinstance(attributes, dict):
        return list(attributes.items())
    return [(a.get("Name"), a.get("Value")) for a in attributes or []]


def check(pool, attributes) -> None:
    """The attributes of a user being created (SignUp, AdminCreateUser)."""
    for name, value in _pairs(attributes):
        check_one(pool, name, value)


def check_update(pool, attributes) -> None:
    """The attributes written to an existing user: as at creation, and none immutable."""
    for name, value in _pairs(attributes):
        check_one(pool, name, value)
        if not _mutable(pool, name):
            raise errors.invalid_parameter(f"user.{name}: Attribute cannot be updated.")


def install() -> None:
    """Every moto path that writes attributes checks them first."""
    sign_up, admin_create_user = moto_store.backend_method("sign_up"), moto_store.backend_method("admin_create_user")
    update = moto_store.backend_method("update_user_attributes")
    admin_update = moto_store.backend_method("admin_update_user_attributes")

    def checked_sign_up(self, client_id, username, password, attributes):
        for pool in self.user_pools.values():
            if client_id in pool.clients:
                check(pool, attributes)
        return sign_up(self, client_id, username, password, attributes)

    def checked_admin_create_user(self, user_pool_id, username, message_action, temporary_password, attributes):
        check(self.describe_user_pool(user_pool_id), attributes)
        return admin_create_user(self, user_pool_id, username, message_action, temporary_password, attributes)

    def checked_update(self, access_token, attributes):
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                check_update(pool, attributes)
        return update(self, access_token, attributes)

    def checked_admin_update(self, user_pool_id, username, attributes):
        check_update(self.describe_user_pool(user_pool_id), attributes)
        return admin_update(self, user_pool_id, username, attributes)

    moto_store.replace_backend_method("sign_up", checked_sign_up)
    moto_store.replace_backend_method("admin_create_user", checked_admin_create_user)
    moto_store.replace_backend_method("update_user_attributes", checked_update)
    moto_store.replace_backend_method("admin_update_user_attributes", checked_admin_update)
