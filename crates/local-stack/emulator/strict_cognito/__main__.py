"""Runs moto_server with the strict layer: ``python -m strict_cognito -H 127.0.0.1 -p PORT``.

Environment:
- ``STRICT_COGNITO_OUTBOX``: a file the codes Cognito would send are appended to (JSON lines).
- ``STRICT_COGNITO_LOCKOUT_BASE_SECONDS``: the first lockout's length (Cognito: 1 s).
- ``STRICT_COGNITO_IAM``: the principals file (``iam``): IAM-authorized calls are checked against
  the caller's policy.
- ``STRICT_COGNITO_TEST_CLOCK=1``: serves ``POST /moto-api/strict-cognito/clock`` (``clock``),
  which moves the emulator's clock; for tests only (``make dev`` does not set it).
- ``STRICT_COGNITO_ACR_CLAIMS``: ``1`` (the default) issues ``acr`` and ``amr`` and does step-up;
  ``0`` is a pool where they have not rolled out yet (``acr``): tokens without ``acr``/``amr``,
  ``USER_AUTH`` ignoring its step-up parameters, ``AcrConfiguration`` taken and not answered.
  Anything else stops the start (ValueError).
"""

import sys

import strict_cognito
from strict_cognito import moto_store

strict_cognito.install()

if __name__ == "__main__":
    moto_store.serve(sys.argv[1:])
