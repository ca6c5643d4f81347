"""What the app client allows: its ``ExplicitAuthFlows`` and its ``WriteAttributes``.

- A flow the client does not list is refused (InvalidParameterException). A client created
  without the setting allows USER_SRP_AUTH, CUSTOM_AUTH and REFRESH_TOKEN_AUTH. Source:
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html#CognitoUserPools-CreateUserPoolClient-request-ExplicitAuthFlows
- Writing an attribute outside ``WriteAttributes`` (SignUp, UpdateUserAttributes, the
  ``userAttributes.*`` of a NEW_PASSWORD_REQUIRED answer) is NotAuthorizedException "A client
  attempted to write unauthorized attribute". A client created without the setting may write
  every attribute. Source:
  https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-attribute-permissions-and-scopes
- ``ReadAttributes`` decide what ID tokens carry; moto's token code already honours them.

moto ignores both settings.
"""

from . import errors

UNAUTHORIZED_ATTRIBUTE = "A client attempted to write unauthorized attribute"

DEFAULT_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")

# The ExplicitAuthFlows entry each AuthFlow needs.
FLOW_SETTING = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
}


def require_flow(client, flow: str) -> None:
    allowed = client.extended_config.get("ExplicitAuthFlows") or DEFAULT_FLOWS
    if FLOW_SETTING.get(flow) not in allowed:
        raise errors.invalid_parameter(f"{flow} flow not enabled for this client")


def require_writable(client, attributes) -> None:
    """`attributes`: Cognito's ``[{"Name": ..., "Value": ...}]`` or plain names."""
    writable = client.extended_config.get("WriteAttributes")
    if writable is None:
        return
    for attribute in attributes or []:
        name = attribute.get("Name") if isinstance(attribute, dict) else attribute
        if name not in writable:
            raise errors.not_authorized(UNAUTHORIZED_ATTRIBUTE)
