"""`make bench`'s frontend rows: what the browser downloads, and how long a sign-in takes in it.

- The gzipped size (level 9) of the typed client with its session helper (`npm run size` in
  clients/typescript: one minified ESM bundle, openapi-fetch included), beside its budget, and of
  the whole reference app (every file of web/dist, each gzipped alone, as a server sends them).
- The time from "Sign in" clicked to the account page showing the person's details (the sign-in
  call, then GET /me through the authorizer), in headless Chromium against the local stack: one
  warm-up, then the median of SIGN_IN_RUNS (default 11) runs, each in a fresh browser context.

Not collected by `pytest web/tests` (its name does not start with `test_`): `make bench` names it,
and `make bench-quick` runs it once with SIGN_IN_RUNS=1 so a broken bench fails `make test`.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import time

from playwright.sync_api import Browser, expect

from app import expect_account, heading, open_app
from conftest import REPO, Stack

RUNS = int(os.environ.get("SIGN_IN_RUNS", "11"))
AMPLIFY_GZIP_BYTES = 40 * 1024  # aws-amplify 6.22.1's signIn + fetchAuthSession, esbuild 0.28 (issue 22)


def client_size() -> dict[str, int]:
    """`npm run size`'s JSON line: client_gzip_bytes, client_min_bytes, budget_gzip_bytes."""
    run = subprocess.run(
        ["npm", "run", "--silent", "size"], cwd=REPO / "clients" / "typescript", capture_output=True, text=True
    )
    assert run.returncode == 0, f"npm run size failed (over budget?):\n{run.stdout}\n{run.stderr}"
    return json.loads(run.stdout.strip().splitlines()[-1])


def app_gzip_bytes() -> int:
    dist = REPO / "web" / "dist"
    return sum(len(gzip.compress(f.read_bytes(), 9)) for f in dist.rglob("*") if f.is_file())


def sign_in_once(browser: Browser, stack: Stack) -> float:
    """Seconds from the click on "Sign in" to the account page with the person's email."""
    user = stack.info["demoUser"]
    context = browser.new_context()
    try:
        page = context.new_page()
        open_app(page, stack)
        expect(heading(page, "Sign in")).to_be_visible()
        page.get_by_label("Email", exact=True).fill(user["email"])
        page.get_by_label("Password", exact=True).fill(user["password"])
        button = page.get_by_role("button", name="Sign in", exact=True)
        started = time.perf_counter()
        button.click()
        expect_account(page, user["email"])
        return time.perf_counter() - started
    finally:
        context.close()


def test_bench_bundle_sizes_and_sign_in_time(stack: Stack, browser: Browser) -> None:
    client = client_size()
    app_bytes = app_gzip_bytes()
    sign_in_once(browser, stack)  # warm-up: the JWKS fetch, the first SRP, Chromium's caches
    times = sorted(sign_in_once(browser, stack) for _ in range(RUNS))
    median_ms = statistics.median(times) * 1000
    print(
        "\n"
        f"client + session helper, gzip -9: {client['client_gzip_bytes']:>6} B"
        f"  (budget {client['budget_gzip_bytes']} B; minified {client['client_min_bytes']} B;"
        f" Amplify's signIn + fetchAuthSession: {AMPLIFY_GZIP_BYTES} B,"
        f" {client['client_gzip_bytes'] / AMPLIFY_GZIP_BYTES:.2f}x of it)\n"
        f"reference app (web/dist), gzip -9: {app_bytes:>6} B\n"
        f'sign-in in headless Chromium ("Sign in" clicked -> account page), {RUNS} runs:'
        f" median {median_ms:.0f} ms (min {times[0] * 1000:.0f}, max {times[-1] * 1000:.0f})"
    )
    print(
        json.dumps(
            {
                "client_gzip_bytes": client["client_gzip_bytes"],
                "client_budget_gzip_bytes": client["budget_gzip_bytes"],
                "app_gzip_bytes": app_bytes,
                "sign_in_runs": RUNS,
                "sign_in_median_ms": round(median_ms, 1),
            }
        )
    )
