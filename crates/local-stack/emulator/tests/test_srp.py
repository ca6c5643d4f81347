"""SRP: only a client that knows the password signs in (pycognito as the independent client)."""

import json
import os

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of, srp_client
from strict_cognito import srp


def test_the_right_password_signs_in_through_pycognitos_srp(pool):
    tokens = srp_client(pool, EMAIL, PASSWORD).authenticate_user()
    assert tokens["AuthenticationResult"]["IdToken"]


def test_a_wrong_password_is_not_authorized(pool):
    with pytest.raises(ClientError) as err:
        srp_client(pool, EMAIL, "Wrong-passw0rd").authenticate_user()
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unknown_user_gets_a_plausible_challenge_then_the_same_error(pool):
    start = pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={
            "USERNAME": "nobody@example.com",
            "SRP_A": "ab" * 384,
            "SECRET_HASH": pool.hash("nobody@example.com"),
        },
    )
    assert start["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(start["ChallengeParameters"]) == {"SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    with pytest.raises(ClientError) as err:
        srp_client(pool, "nobody@example.com", PASSWORD).authenticate_user()
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_a_claim_is_good_once(pool):
    client = srp_client(pool, EMAIL, PASSWORD)
    params = client.get_auth_params()
    start = pool.idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answer = client.process_challenge(start["ChallengeParameters"], params)
    pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_a_of_zero_modulo_n_is_refused(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": EMAIL, "SRP_A": srp.N_HEX, "SECRET_HASH": pool.hash(EMAIL)},
        )
    assert error_of(err)[0] == "InvalidParameterException"


def test_the_shared_math_reproduces_pycognitos_known_answer_vectors():
    """The vectors pycognito generated for the Rust client (crates/domain/tests/data): the
    client-side S = (B - k g^x)^(a + u x) through this module's k, x, u, HKDF and claim gives the
    vector's signature, so the server side, which shares all of them, agrees with pycognito."""
    path = os.path.join(os.path.dirname(__file__), "../../../domain/tests/data/srp_vectors.json")
    with open(path) as f:
        vectors = json.load(f)["vectors"]
    assert vectors
    for v in vectors:
        a, big_b = int(v["a_hex"], 16), int(v["srp_b"], 16)
        assert pow(srp.G, a, srp.N) == int(v["srp_a"], 16)
        x = srp._x(v["pool_id"], v["user_id_for_srp"], v["password"], v["salt"])
        u = srp.scrambler(int(v["srp_a"], 16), big_b)
        s = pow(big_b - srp.K * pow(srp.G, x, srp.N), a + u * x, srp.N)
        assert (
            srp.signature(v["pool_id"], v["user_id_for_srp"], s, u, v["secret_block"], v["timestamp"]) == v["signature"]
        )
