"""SRP-6a as Cognito runs it (``USER_SRP_AUTH``), server side.

Cognito's variant of RFC 5054: the 3072-bit group of RFC 3526 with g = 2, SHA-256,
k = H(00 | N | 0 | g), x = H(salt | H(poolName | userIdForSrp | ":" | password)), u = H(A | B),
the session key K = HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key")[0:16], and the
claim PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(K, poolName | userIdForSrp | SECRET_BLOCK
bytes | TIMESTAMP)). Sources: the USER_SRP_AUTH flow,
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html#amazon-cognito-user-pools-authentication-flow-methods-srp
and RFC 5054 section 2.5; checked against pycognito's independent client in ../tests.

moto answers a ``PASSWORD_VERIFIER`` challenge with random ``SRP_B`` and ``SALT`` and accepts any
signature. Here the verifier v = g^x comes from the user's stored password, so only a client
that knows the password produces the signature.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
HEX = re.compile(r"[0-9a-fA-F]{1,2048}")
# "Sat Nov 21 22:44:32 UTC 2026": day of month not zero-padded.
TIMESTAMP = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [1-9]\d? \d{2}:\d{2}:\d{2} UTC \d{4}")


def _pad_hex(value) -> str:
    """Cognito's padding: even length, and a leading 00 when the top bit is set (so the number
    reads as positive)."""
    text = value if isinstance(value, str) else format(value, "x")
    if len(text) % 2 == 1:
        text = "0" + text
    elif text[0] in "89abcdefABCDEF":
        text = "00" + text
    return text


def _hash_hex(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest().rjust(64, "0")


K = int(_hash_hex("00" + N_HEX + "0" + format(G, "x")), 16)


def pool_name(pool_id: str) -> str:
    """The part of the pool id after the region: what Cognito hashes into x and the claim."""
    return pool_id.split("_", 1)[1]


def _x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return int(_hash_hex(_pad_hex(salt_hex) + inner.rjust(64, "0")), 16)


@dataclass
class Exchange:
    """The server's side of one SRP exchange, kept with the challenge session."""

    user_id: str
    big_a: int  # the client's public A
    b: int
    big_b: int
    salt_hex: str
    verifier: int | None  # None: no such user; no signature verifies

    def challenge_parameters(self) -> dict:
        return {"SRP_B": format(self.big_b, "x"), "SALT": self.salt_hex, "USER_ID_FOR_SRP": self.user_id}


def start(pool_id: str, user_id: str, password: str | None, srp_a_hex: str) -> Exchange:
    """Answers a client's A. `password` None is an unknown user: the challenge looks the same,
    but no claim can verify (Cognito's PreventUserExistenceErrors). A with A mod N = 0 is
    refused, as RFC 5054 requires."""
    if not isinstance(srp_a_hex, str) or not HEX.fullmatch(srp_a_hex):
        raise ValueError("SRP_A is not hexadecimal")
    a = int(srp_a_hex, 16)
    if a % N == 0:
        raise ValueError("SRP_A is zero modulo N")
    salt_hex = secrets.token_hex(16)
    verifier = pow(G, _x(pool_id, user_id, password, salt_hex), N) if password is not None else None
    while True:
        b = secrets.randbelow(N - 2) + 2
        big_b = (K * (verifier or pow(G, secrets.randbelow(N), N)) + pow(G, b, N)) % N
        if big_b != 0:
            return Exchange(user_id, a, b, big_b, salt_hex, verifier)


def scrambler(a: int, big_b: int) -> int:
    """u = H(A | B)."""
    return int(_hash_hex(_pad_hex(a) + _pad_hex(big_b)), 16)


def signature(pool_id: str, user_id: str, s: int, u: int, secret_block: str, timestamp: str) -> str:
    """The claim over the shared secret S (either side's)."""
    prk = hmac.new(bytes.fromhex(_pad_hex(u)), bytes.fromhex(_pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]
    message = pool_name(pool_id).encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def expected_signature(pool_id: str, exchange: Exchange, secret_block: str, timestamp: str) -> str | None:
    """The server's S = (A * v^u)^b, and the claim a client that knows the password sends."""
    if exchange.verifier is None:
        return None
    u = scrambler(exchange.big_a, exchange.big_b)
    if u == 0:
        return None
    s = pow(exchange.big_a * pow(exchange.verifier, u, N), exchange.b, N)
    return signature(pool_id, exchange.user_id, s, u, secret_block, timestamp)


def verify(pool_id: str, exchange: Exchange, secret_block: str, timestamp: str, claim: str) -> bool:
    """Whether `claim` (PASSWORD_CLAIM_SIGNATURE) proves the password behind the exchange's verifier."""
    if not TIMESTAMP.fullmatch(timestamp or ""):
        return False
    expected = expected_signature(pool_id, exchange, secret_block, timestamp)
    return expected is not None and hmac.compare_digest(expected.encode(), (claim or "").encode("utf-8"))
