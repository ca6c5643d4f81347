"""The app client's ExplicitAuthFlows and WriteAttributes."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of


def test_a_flow_the_client_does_not_list_is_refused(pool):
    pool.idp.update_user_pool_client(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )
    with pytest.raises(ClientError) as err:
        pool.password_auth(EMAIL, PASSWORD)
    assert error_of(err) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    with pytest.raises(ClientError) as err:
        pool.admin_auth(EMAIL, PASSWORD)
    assert error_of(err)[0] == "InvalidParameterException"


def test_sign_up_with_an_attribute_the_client_may_not_write_is_refused(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.sign_up(
            ClientId=pool.client_id,
            Username="new@example.com",
            Password="New-passw0rd1",
            SecretHash=pool.hash("new@example.com"),
            UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
        )
    assert error_of(err) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")


def test_a_new_password_answer_may_set_writable_attributes_only(pool):
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    with pytest.raises(ClientError) as err:
        pool.new_password(internal, session, "Chosen-passw0rd1", {"email_verified": "true"})
    assert error_of(err) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    assert pool.new_password(internal, session, "Chosen-passw0rd1", {"name": "Temp"})["AuthenticationResult"]
    attrs = {
        a["Name"]: a["Value"]
        for a in pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=internal)["UserAttributes"]
    }
    assert attrs["name"] == "Temp"
