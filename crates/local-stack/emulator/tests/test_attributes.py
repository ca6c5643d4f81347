"""Attributes: names the pool's schema has, values of their type and within their limits, phone
numbers in E.164, email addresses that can be addresses, and immutable attributes set once,
wherever attributes are written."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of

SCHEMA = "Attributes did not conform to the schema: "
WRITABLE = ["email", "name", "phone_number", "birthdate", "updated_at", "custom:team", "custom:level", "custom:badge"]


@pytest.fixture
def custom(pool):
    """A pool declaring custom:team (2 to 10 characters), custom:level (a number from 1 to 10) and
    custom:badge (immutable), and a client that may write them."""
    made = Pool(
        pool.idp,
        pool_settings={
            "Schema": [
                {
                    "Name": "team",
                    "AttributeDataType": "String",
                    "Mutable": True,
                    "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "10"},
                },
                {
                    "Name": "level",
                    "AttributeDataType": "Number",
                    "Mutable": True,
                    "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"},
                },
                {"Name": "badge", "AttributeDataType": "String", "Mutable": False},
                {"Name": "email", "AttributeDataType": "String", "Required": False, "Mutable": True},
            ]
        },
        client_settings={"WriteAttributes": WRITABLE},
    )
    made.endpoint = pool.endpoint
    return made


def create(pool, name, attributes):
    return pool.idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=name,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )


def sign_up(pool, name, attributes):
    return pool.idp.sign_up(
        ClientId=pool.client_id,
        Username=name,
        Password="New-passw0rd1",
        SecretHash=pool.hash(name),
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )


@pytest.mark.parametrize(
    "attributes,message",
    [
        ({"custom:undeclared": "x"}, SCHEMA + "Type for attribute {custom:undeclared} could not be determined"),
        ({"team": "x"}, SCHEMA + "Type for attribute {team} could not be determined"),
        ({"favourite_colour": "x"}, SCHEMA + "Type for attribute {favourite_colour} could not be determined"),
        ({"custom:team": "x" * 11}, SCHEMA + "custom:team: String must be no longer than 10 characters"),
        ({"custom:team": "x"}, SCHEMA + "custom:team: String must be at least 2 characters"),
        ({"name": "x" * 2049}, SCHEMA + "name: String must be no longer than 2048 characters"),
        ({"birthdate": "1990-1-1"}, SCHEMA + "birthdate: String must be at least 10 characters"),
        ({"phone_number": "+1 425 555 1212"}, "Invalid phone number format."),
        ({"phone_number": "14255551212"}, "Invalid phone number format."),
        ({"phone_number": "+1(425)5551212"}, "Invalid phone number format."),
        ({"custom:level": "ten"}, SCHEMA + "custom:level: Value must be a number"),
        ({"custom:level": "11"}, SCHEMA + "custom:level: Number must be no greater than 10"),
        ({"custom:level": "0.5"}, SCHEMA + "custom:level: Number must be no less than 1"),
        ({"custom:level": ""}, SCHEMA + "custom:level: Value must be a number"),
        ({"updated_at": "yesterday"}, SCHEMA + "updated_at: Value must be a number"),
        ({"updated_at": "-1"}, SCHEMA + "updated_at: Number must be no less than 0"),
        # An empty value is held to the same rules as any other.
        ({"phone_number": ""}, "Invalid phone number format."),
        ({"email": ""}, "Invalid email address format."),
        ({"birthdate": ""}, SCHEMA + "birthdate: String must be at least 10 characters"),
        ({"custom:team": ""}, SCHEMA + "custom:team: String must be at least 2 characters"),
    ],
)
def test_an_attribute_the_schema_or_its_format_refuses_is_invalid_parameter_everywhere(custom, attributes, message):
    tokens = custom.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    writes = [
        lambda: create(custom, "new@example.com", attributes),
        lambda: sign_up(custom, "new@example.com", attributes),
        lambda: custom.idp.admin_update_user_attributes(
            UserPoolId=custom.pool_id,
            Username=EMAIL,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        ),
        lambda: custom.idp.update_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()]
        ),
    ]
    writable = all(name in WRITABLE for name in attributes)
    for public, write in zip((False, True, False, True), writes, strict=True):
        with pytest.raises(ClientError) as err:
            write()
        if public and not writable:
            # The app client's WriteAttributes are checked first (``app_client``).
            assert error_of(err) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
        else:
            assert error_of(err) == ("InvalidParameterException", message)
    # Nothing was written.
    assert len(custom.idp.list_users(UserPoolId=custom.pool_id)["Users"]) == 1


def test_declared_custom_attributes_numbers_e164_phone_numbers_and_any_script_are_accepted(custom):
    written = {
        "custom:team": "ünïcödé",
        "custom:level": "7.5e0",
        "phone_number": "+14325551212",
        "name": "名前 Ö'Brien",
        "birthdate": "1990-01-01",
        "updated_at": "1700000000",
    }
    create(custom, "new@example.com", written)
    user = custom.idp.admin_get_user(UserPoolId=custom.pool_id, Username="new@example.com")
    values = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert {name: values[name] for name in written} == written
    # An empty value where no minimum length applies is a value like any other.
    custom.idp.admin_update_user_attributes(
        UserPoolId=custom.pool_id, Username="new@example.com", UserAttributes=[{"Name": "name", "Value": ""}]
    )


def test_an_immutable_attribute_is_set_when_the_user_is_created_and_never_updated(custom):
    # GIVEN users created with the immutable custom:badge, by an admin and by signing up
    create(custom, "new@example.com", {"custom:badge": "gold"})
    sign_up(custom, "self@example.com", {"custom:badge": "gold"})
    internal = custom.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    tokens = custom.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    session = custom.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    badge = [{"Name": "custom:badge", "Value": "silver"}]
    # WHEN it is written afterwards, by an admin, by the person, or answering NEW_PASSWORD_REQUIRED
    writes = [
        lambda: custom.idp.admin_update_user_attributes(
            UserPoolId=custom.pool_id, Username="new@example.com", UserAttributes=badge
        ),
        lambda: custom.idp.update_user_attributes(AccessToken=tokens["AccessToken"], UserAttributes=badge),
        lambda: custom.new_password(internal, session, "Chosen-passw0rd1", {"custom:badge": "silver"}),
    ]
    for write in writes:
        with pytest.raises(ClientError) as err:
            write()
        # THEN Cognito refuses it, and the value stays
        assert error_of(err) == ("InvalidParameterException", "user.custom:badge: Attribute cannot be updated.")
    user = custom.idp.admin_get_user(UserPoolId=custom.pool_id, Username="new@example.com")
    assert {"Name": "custom:badge", "Value": "gold"} in user["UserAttributes"]


@pytest.mark.parametrize(
    "email",
    [
        "no-at-sign.example.com",
        "two@@example.com",
        "a b@example.com",
        "@example.com",
        "",
        # No-break space, next line (U+0085) and a C1 control (U+0090): whitespace and control
        # characters are Unicode's, as the API reads them.
        "a\u00a0b@example.com",
        "a\u0085b@example.com",
        "a\u0090b@example.com",
    ],
)
def test_an_email_that_cannot_be_an_address_is_refused(pool, email):
    with pytest.raises(ClientError) as err:
        pool.idp.admin_update_user_attributes(
            UserPoolId=pool.pool_id, Username=EMAIL, UserAttributes=[{"Name": "email", "Value": email}]
        )
    assert error_of(err) == ("InvalidParameterException", "Invalid email address format.")


def test_a_new_password_answer_is_held_to_the_schema_too(custom):
    internal = custom.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = custom.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    with pytest.raises(ClientError) as err:
        custom.new_password(internal, session, "Chosen-passw0rd1", {"phone_number": "555-1212"})
    assert error_of(err) == ("InvalidParameterException", "Invalid phone number format.")
