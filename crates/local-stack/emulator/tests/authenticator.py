"""A software passkey authenticator for the tests: what a browser and its authenticator answer to
``navigator.credentials.create()`` and ``.get()``, as ``PublicKeyCredential.toJSON()`` (WebAuthn
Level 3 ``RegistrationResponseJSON`` / ``AuthenticationResponseJSON``, binary members base64url).

One credential per authenticator: an ES256 key (EC P-256) by default, or RS256 or EdDSA; "none"
attestation (or any format name, to be refused); the user-presence and user-verification flags,
the origin the browser reports (and whether it calls the ceremony cross-origin) and the relying
party id the authenticator hashes are all
settable, so each check of the relying party can be failed on purpose. Written from the
specification (https://www.w3.org/TR/webauthn-3/ §5.8, §6.1, §6.5), not from any library.
"""

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

UP, UV, AT = 0x01, 0x04, 0x40
ES256, RS256, EDDSA = -7, -257, -8


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    def __init__(self, origin="http://localhost:5173", rp_id=None, alg=ES256, fmt="none", uv=True, up=True):
        """`rp_id`: the relying party the authenticator hashes into its data (None: the one the
        options name)."""
        self.origin, self.rp_id, self.alg, self.fmt, self.uv, self.up = origin, rp_id, alg, fmt, uv, up
        # The client data's crossOrigin: true for a ceremony in a cross-origin iframe.
        self.cross_origin = False
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle = b""
        if alg == ES256:
            self.key = ec.generate_private_key(ec.SECP256R1())
        elif alg == RS256:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.key = ed25519.Ed25519PrivateKey.generate()

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_key(self) -> bytes:
        public = self.key.public_key()
        if self.alg == ES256:
            numbers = public.public_numbers()
            key = {1: 2, 3: ES256, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        elif self.alg == RS256:
            numbers = public.public_numbers()
            key = {1: 3, 3: RS256, -1: numbers.n.to_bytes(256, "big"), -2: numbers.e.to_bytes(3, "big")}
        else:
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            key = {1: 1, 3: EDDSA, -1: 6, -2: raw}
        return cbor2.dumps(key)

    def _flags(self, attested: bool) -> int:
        return (UP if self.up else 0) | (UV if self.uv else 0) | (AT if attested else 0)

    def _auth_data(self, rp_id: str, attested: bool) -> bytes:
        data = hashlib.sha256((self.rp_id or rp_id).encode()).digest()
        data += bytes([self._flags(attested)]) + struct.pack(">I", self.sign_count)
        if attested:
            data += bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self.cose_key()
        return data

    def _client_data(self, kind: str, challenge: str, origin=None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": self.cross_origin}
        ).encode()

    def register(self, options: dict, challenge=None, origin=None) -> dict:
        """The browser's answer to ``create()`` with `options` (CredentialCreationOptions), as
        ``toJSON()`` gives it; `challenge` and `origin` replace what the browser would sign."""
        self.user_handle = unb64url(options["user"]["id"])
        auth_data = self._auth_data(options["rp"]["id"], attested=True)
        attestation = cbor2.dumps({"fmt": self.fmt, "attStmt": {}, "authData": auth_data})
        public_key = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(
                    self._client_data("webauthn.create", challenge or options["challenge"], origin)
                ),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": self.alg,
                "publicKey": b64url(public_key),
            },
        }

    def _sign(self, data: bytes) -> bytes:
        if self.alg == ES256:
            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg == RS256:
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data)

    def sign_in(self, options, origin=None, key=None, count_step=1) -> str:
        """The browser's answer to ``get()`` with `options` (the CREDENTIAL_REQUEST_OPTIONS string
        or its object), as a JSON string; `key` signs instead of the credential's own (a forgery),
        `count_step` moves the sign count (0: an authenticator that does not count)."""
        options = json.loads(options) if isinstance(options, str) else options
        self.sign_count += count_step
        auth_data = self._auth_data(options["rpId"], attested=False)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self._sign(signed) if key is None else key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": b64url(self.user_handle),
                },
            }
        )
