"""The shape of a request, checked before any action runs, as Cognito's front end does: a
parameter of the wrong JSON type, or a string over its documented length, is a 400 naming it
(moto raised Python errors, HTTP 500). Sources: the Request Parameters of each action, e.g.
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_RequestParameters
and https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html
"""

from . import errors

# String parameters and their maximum lengths (the API reference's Length Constraints).
STRINGS = {
    "AccessToken": 16384,
    "AuthFlow": 64,
    "ChallengeName": 64,
    "ClientId": 128,
    "ClientSecret": 64,
    "ConfirmationCode": 2048,
    "FriendlyDeviceName": 256,
    "GroupName": 128,
    "MessageAction": 16,
    "Password": 256,
    "PreviousPassword": 256,
    "ProposedPassword": 256,
    "SecretHash": 128,
    "Session": 2048,
    "TemporaryPassword": 256,
    "Token": 16384,
    "UserCode": 6,
    "UserPoolId": 55,
    "Username": 128,
    "Filter": 256,
    "PaginationToken": 8192,
    "NextToken": 8192,
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


def _invalid(name: str, what: str) -> errors.CognitoError:
    return errors.invalid_parameter(
        f"1 validation error detected: Value at '{name}' failed to satisfy constraint: {what}"
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
            if name in ENUMS and value not in ENUMS[name]:
                raise _invalid(name, f"Member must satisfy enum value set: {list(ENUMS[name])}")
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
