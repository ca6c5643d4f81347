"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in the contract test, tests/tests/contract.rs.

Hypothesis names lambda filters in its reports by parsing the source of their module, and on the
CPython this machine's virtualenv runs (3.11.7) `ast.parse` deep in a call stack can raise
`SystemError: AST constructor recursion depth mismatch` (a CPython bug, fixed in later releases).
schemathesis then reports a "Runtime Error" for whichever operation was being generated. Only the
lambda's printable name is lost, so give it a placeholder name instead of failing the run.
"""

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _lambda_description(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda: <source unavailable>"


lambda_sources.lambda_description = _lambda_description
