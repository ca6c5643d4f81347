"""The shape of a request, checked before any action runs, as Cognito's front end does: a
parameter of the wrong JSON type, a string outside its documented length, or one that does not
match its documented pattern, is a 400 naming it (moto raised Python errors, HTTP 500, and checked
no pattern). Sources: the Request Parameters of each action, e.g.
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_RequestParameters
(and botocore's service model, which carries the same constraints), and
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html

The message names the member as AWS's validation messages do, in lowerCamelCase: "1 validation
error detected: Value at 'username' failed to satisfy constraint: ...".
"""

import re
import unicodedata

from . import errors

# String parameters and their maximum lengths (the API reference's Length Constraints).
STRINGS = {
    "AccessToken": 16384,
    # AttributeNameType (GetUserAttributeVerificationCode, VerifyUserAttribute): at most 32 (its
    # pattern allows any letter, mark, symbol, number, punctuation or space: nothing to check).
    "AttributeName": 32,
    "AuthFlow": 64,
    "ChallengeName": 64,
    "ClientId": 128,
    "ClientSecret": 64,
    # VerifyUserAttribute's Code is a ConfirmationCodeType, as ConfirmationCode is.
    "Code": 2048,
    "ConfirmationCode": 2048,
    "FriendlyDeviceName": 256,
    "GroupName": 128,
    "MessageAction": 16,
    "Password": 256,
    "PreviousPassword": 256,
    "ProposedPassword": 256,
    "SecretHash": 128,
    # SessionType: 20 to 4096 (the model; older pages said 2048).
    "Session": 4096,
    "TemporaryPassword": 256,
    "Token": 16384,
    "UserCode": 6,
    "UserPoolId": 55,
    "Username": 128,
    "Filter": 256,
    "PaginationToken": 8192,
    "NextToken": 8192,
}
# Minimum lengths above 1 (SessionType: 20); an empty required string is left to the action's
# "Missing required parameter", as before.
MIN_LENGTHS = {"Session": 20}
# Whitespace as the patterns' ``\s`` means it in Java's regular expressions (which the quoted
# patterns are written in): ASCII only, so a no-break space is not whitespace to them; ``.`` is
# anything but a line terminator. AWS does not say which engine it runs; this is the reading.
_SPACE = " \t\n\x0b\f\r"
_PASSWORD = re.compile(f"[^{_SPACE}]+[^\n\r\x85\u2028\u2029]*[^{_SPACE}]+")


def username_ok(value: str) -> bool:
    """``UsernameType``'s pattern, ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+``: letters, marks, symbols,
    numbers and punctuation; no whitespace, control or format characters anywhere."""
    return bool(value) and all(unicodedata.category(c)[0] in "LMSNP" for c in value)


def no_whitespace(value: str) -> bool:
    """``[\\S]+``: at least one character, none of them (ASCII) whitespace."""
    return bool(value) and not any(c in _SPACE for c in value)


def password_ok(value: str) -> bool:
    """``PasswordType``'s pattern as Cognito applies it: botocore's model says ``[\\S]+``, and
    Cognito's answers quote ``^[\\S]+.*[\\S]+$``: no whitespace at either end, spaces inside
    allowed (the developer guide counts them as special characters)."""
    return _PASSWORD.fullmatch(value) is not None


# Parameters with a documented pattern: (the pattern as Cognito's message quotes it, its check).
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html#CognitoUserPools-SignUp-request-Username
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html#CognitoUserPools-SignUp-request-Password
USERNAME_PATTERN = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
PASSWORD_PATTERN = "^[\\S]+.*[\\S]+$"
PATTERNS = {
    "Username": (USERNAME_PATTERN, username_ok),
    "GroupName": (USERNAME_PATTERN, username_ok),
    "Password": (PASSWORD_PATTERN, password_ok),
    "PreviousPassword": (PASSWORD_PATTERN, password_ok),
    "ProposedPassword": (PASSWORD_PATTERN, password_ok),
    "TemporaryPassword": (PASSWORD_PATTERN, password_ok),
    # ConfirmationCodeType (ConfirmSignUp, ConfirmForgotPassword).
    "ConfirmationCode": ("[\\S]+", no_whitespace),
    "Code": ("[\\S]+", no_whitespace),
}
# Maps of string to string.
MAPS = ("AuthParameters", "ChallengeResponses", "ClientMetadata")
# Lists of {"Name": string, "Value": string}.
ATTRIBUTE_LISTS = ("UserAttributes", "ValidationData")
ENUMS = {"MessageAction": ("RESEND", "SUPPRESS")}
# The caller's context: UserContextDataType (public calls) and ContextDataType (admin calls), each
# string at most 131072 characters; ContextData's IpAddress, ServerName, ServerPath and
# HttpHeaders ([{headerName, headerValue}]) are required.
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserContextDataType.html
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ContextDataType.html
CONTEXT_MAX = 131072
CONTEXT_STRINGS = {
    "UserContextData": (("IpAddress", False), ("EncodedData", False)),
    "ContextData": (("IpAddress", True), ("ServerName", True), ("ServerPath", True), ("EncodedData", False)),
}


def member(name: str) -> str:
    """A parameter's name as AWS's validation messages write it: each part in lowerCamelCase
    (``Username`` -> ``username``, ``ContextData.IpAddress`` -> ``contextData.ipAddress``)."""
    return ".".join(part[:1].lower() + part[1:] for part in name.split("."))


def _invalid(name: str, what: str) -> errors.CognitoError:
    return errors.invalid_parameter(
        f"1 validation error detected: Value at '{member(name)}' failed to satisfy constraint: {what}"
    )


def check(params) -> None:
    """Raises a 400 for the first parameter of the wrong shape."""
    if not isinstance(params, dict):
        raise errors.CognitoError("SerializationException", "The request body is not a JSON object")
    for name, value in params.items():
        if value is None:
            continue
        if name in STRINGS:
            if not isinstance(value, str):
                raise _invalid(name, "Member must be a string")
            if len(value) > STRINGS[name]:
                raise _invalid(name, f"Member must have length less than or equal to {STRINGS[name]}")
            if len(value) < MIN_LENGTHS.get(name, 0):
                raise _invalid(name, f"Member must have length greater than or equal to {MIN_LENGTHS[name]}")
            if name in ENUMS and value not in ENUMS[name]:
                raise _invalid(name, f"Member must satisfy enum value set: {list(ENUMS[name])}")
            if name in PATTERNS and not PATTERNS[name][1](value):
                raise _invalid(name, f"Member must satisfy regular expression pattern: {PATTERNS[name][0]}")
        elif name in MAPS:
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise _invalid(name, "Member must be a map of strings")
        elif name in CONTEXT_STRINGS:
            _check_context(name, value)
        elif name in ATTRIBUTE_LISTS:
            if not isinstance(value, list) or not all(
                isinstance(a, dict) and isinstance(a.get("Name"), str) and isinstance(a.get("Value", ""), str)
                for a in value
            ):
                raise _invalid(name, "Member must be a list of {Name, Value} strings")


def _check_context(name: str, value) -> None:
    if not isinstance(value, dict):
        raise _invalid(name, "Member must be a structure")
    for member, required in CONTEXT_STRINGS[name]:
        field = value.get(member)
        if field is None:
            if required:
                raise _invalid(f"{name}.{member}", "Member must not be null")
            continue
        if not isinstance(field, str):
            raise _invalid(f"{name}.{member}", "Member must be a string")
        if len(field) > CONTEXT_MAX:
            raise _invalid(f"{name}.{member}", f"Member must have length less than or equal to {CONTEXT_MAX}")
    if name == "ContextData":
        headers = value.get("HttpHeaders")
        if not isinstance(headers, list) or not all(
            isinstance(h, dict) and all(isinstance(h.get(k, ""), str) for k in ("headerName", "headerValue"))
            for h in headers
        ):
            raise _invalid(f"{name}.HttpHeaders", "Member must be a list of {headerName, headerValue} strings")
