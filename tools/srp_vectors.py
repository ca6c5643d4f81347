#!/usr/bin/env python3
"""Known-answer vectors for our Cognito SRP client, produced by an independent implementation:
pycognito's aws_srp.py (PyPI `pycognito`), with fixed inputs instead of randomness and the clock.

    python3 -m venv /tmp/pyc && /tmp/pyc/bin/pip install pycognito==2024.5.1
    /tmp/pyc/bin/python tools/srp_vectors.py > crates/domain/tests/data/srp_vectors.json

Each case fixes the client secret `a`, the server's `b`, verifier inputs and the time; `B` is what a
real server would send (k*v + g^b mod N). The Rust tests check A, the timestamp and the claim
signature against these values.
"""
import datetime
import hashlib
import json
import sys
import types

from pycognito import aws_srp

CASES = [
    # (pool id, user id for SRP, password, salt hex, secret block bytes, a, b, UTC time)
    ("us-east-1_AbCdEf123", "0a1b2c3d-4e5f-6789-abcd-ef0123456789", "Demo-passw0rd",
     "3c7f9a2b4d6e8f00112233445566778899aabbcc", b"secret-block-1" * 20,
     0x1234567890ABCDEF * 2**900 + 77, 0xFEDCBA0987654321 * 2**700 + 5, (2026, 11, 21, 22, 44, 32)),
    ("eu-west-1_pool", "alice", "p\u00e4ssw\u00f6rd-\u2603", "00ab12", b"\x00\x01\x02" * 50,
     2**1000 + 3, 2**900 + 11, (2026, 11, 1, 0, 5, 9)),
    ("ap-south-1_Xyz", "u-42", "Another-passw0rd!", "f1e2d3c4b5a69788", b"block",
     3**600, 5**400, (2027, 2, 9, 23, 59, 59)),
    ("us-west-2_OddSalt", "8d6f0c1e-user", "x", "abc", b"odd salt length",
     7**500, 11**300, (2026, 12, 31, 12, 0, 0)),
    # A secret block that is not strictly base64 (emulators send a UUID): decoded leniently.
    ("us-east-1_Moto", "5f0e7a4c-1d2b-4c3e-9f8a-7b6c5d4e3f2a", "Demo-passw0rd", "9f86d081884c7d65",
     "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 13**400, 17**300, (2026, 3, 7, 8, 9, 10)),
]


def server_b(srp, salt_hex, user_id, password, pool_id, b):
    identity = aws_srp.hash_sha256(f"{pool_id.split('_')[1]}{user_id}:{password}".encode())
    x = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + identity))
    v = pow(srp.val_g, x, srp.big_n)
    return (srp.val_k * v + pow(srp.val_g, b, srp.big_n)) % srp.big_n


def main():
    vectors = []
    for pool_id, user_id, password, salt_hex, block, a, b, when in CASES:
        fixed = datetime.datetime(*when)
        aws_srp.datetime = types.SimpleNamespace(datetime=types.SimpleNamespace(utcnow=lambda: fixed))
        srp = aws_srp.AWSSRP(user_id, password, pool_id, "client-id", client=object())
        srp.small_a_value = a % srp.big_n
        srp.large_a_value = srp.calculate_a()
        big_b = server_b(srp, salt_hex, user_id, password, pool_id, b)
        secret_block = block if isinstance(block, str) else __import__("base64").standard_b64encode(block).decode()
        challenge = {
            "USERNAME": user_id, "USER_ID_FOR_SRP": user_id, "SALT": salt_hex,
            "SRP_B": aws_srp.long_to_hex(big_b), "SECRET_BLOCK": secret_block,
        }
        answer = srp.process_challenge(challenge, {"USERNAME": user_id})
        vectors.append({
            "pool_id": pool_id, "user_id_for_srp": user_id, "password": password,
            "a_hex": aws_srp.long_to_hex(srp.small_a_value), "srp_a": aws_srp.long_to_hex(srp.large_a_value),
            "srp_b": challenge["SRP_B"], "salt": salt_hex, "secret_block": secret_block,
            "epoch_seconds": int(fixed.replace(tzinfo=datetime.timezone.utc).timestamp()),
            "timestamp": answer["TIMESTAMP"], "signature": answer["PASSWORD_CLAIM_SIGNATURE"],
        })
    json.dump({"generator": "tools/srp_vectors.py with pycognito " + aws_srp.__dict__.get("__version__", "2024.5.1"),
               "vectors": vectors}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
