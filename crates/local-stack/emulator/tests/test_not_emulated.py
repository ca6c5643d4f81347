"""What is not emulated fails loudly, naming it; sessions are checked."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, error_of


def test_an_unknown_challenge_is_an_error_naming_it_not_an_empty_success(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session="s" * 30,
            ChallengeResponses={"USERNAME": EMAIL},
        )
    assert error_of(err) == (
        "UnsupportedOperationException",
        "strict_cognito does not emulate challenge CUSTOM_CHALLENGE",
    )


@pytest.mark.parametrize("name", ["PASSWORD", "PASSWORD_SRP"])
def test_an_answer_to_a_choice_challenge_without_a_live_session_is_not_authorized(pool, name):
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName=name,
            Session="s" * 30,
            ChallengeResponses={"USERNAME": EMAIL, "PASSWORD": "Any-passw0rd"},
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_custom_auth_is_not_emulated_and_says_so(pool):
    pool.idp.update_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=pool.client_id, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"]
    )
    with pytest.raises(ClientError) as err:
        pool.idp.initiate_auth(ClientId=pool.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": EMAIL})
    assert error_of(err) == ("UnsupportedOperationException", "strict_cognito does not emulate AuthFlow CUSTOM_AUTH")


def test_a_made_up_session_is_not_authorized(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session="s" * 30,
            ChallengeResponses={"USERNAME": EMAIL, "NEW_PASSWORD": "x"},
        )
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_an_action_moto_lacks_is_an_error_naming_it_not_an_html_500(pool):
    result = pool.password_auth(EMAIL, "Demo-passw0rd")["AuthenticationResult"]
    with pytest.raises(ClientError) as err:
        pool.idp.get_user_auth_factors(AccessToken=result["AccessToken"])
    assert error_of(err) == (
        "UnsupportedOperationException",
        "strict_cognito does not emulate the action GetUserAuthFactors",
    )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
