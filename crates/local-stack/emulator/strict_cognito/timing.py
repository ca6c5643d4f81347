"""Comparisons of secrets in constant time, for any text (hmac.compare_digest takes ASCII
strings only, and a password or a typed code may be any Unicode)."""

import hmac


def equal(expected, given) -> bool:
    """Whether `given` is the string `expected`; anything not a string is not equal."""
    if not isinstance(expected, str) or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
