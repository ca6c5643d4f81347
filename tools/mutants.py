"""`make mutants`: cargo-mutants over the security core, failing on any survivor not judged
equivalent in tests/mutants-equivalent.txt.

Each scope is one cargo-mutants run (-j 1: this machine has two cores), its own output under
target/mutants/<scope>, building in target/mutants-build so that a second run rebuilds only what
changed. A mutant that makes the tests hang until the timeout counts as caught (the suite did not
pass); one that is missed must be listed, with a one-line reason, in the equivalents file; a
listed one that is now caught, or no longer generated, fails too, so the file stays true.

  python tools/mutants.py [scope ...]      # every scope when none is named
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EQUIVALENTS = REPO / "tests" / "mutants-equivalent.txt"
SCOPES: dict[str, list[str]] = {
    # the token verifier: every check on the verification path, the JWKS client and cache
    "verifier": ["-p", "cognito-verifier"],
    # the authorizer's policy: what it writes and how it reads a cached one
    "policy": ["-p", "authorizer", "--file", "authorizer/src/policy.rs"],
    # SECRET_HASH and the session mark, SRP, the input rules, the step-up check
    "domain": [
        "-p",
        "auth-domain",
        "--file",
        "crates/domain/src/secret_hash.rs",
        "--file",
        "crates/domain/src/srp.rs",
        "--file",
        "crates/domain/src/input.rs",
        "--file",
        "crates/domain/src/step_up.rs",
    ],
}


def equivalents() -> dict[str, str]:
    """Mutant name (as cargo-mutants prints it, `path:line:col: description`) -> reason."""
    listed = {}
    for number, line in enumerate(EQUIVALENTS.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, reason = line.partition("  # ")
        if not sep or not reason.strip():
            sys.exit(f"{EQUIVALENTS.name}:{number}: write `<mutant>  # <why it is equivalent>`")
        listed[name.strip()] = reason.strip()
    return listed


def lines(path: Path) -> set[str]:
    return {line.strip() for line in path.read_text().splitlines() if line.strip()} if path.exists() else set()


def run(scope: str) -> tuple[set[str], set[str], set[str]]:
    """Runs one scope: (every mutant generated, the missed, the timed out)."""
    output = REPO / "target" / "mutants" / scope
    output.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CARGO_TARGET_DIR=str(REPO / "target" / "mutants-build"))
    command = ["cargo", "mutants", "-j", "1", "--timeout", "60", "--no-shuffle", "--output", str(output)]
    started = time.monotonic()
    print(f"==> cargo mutants {' '.join(SCOPES[scope])}", flush=True)
    done = subprocess.run([*command, *SCOPES[scope]], check=False, cwd=REPO, env=env)
    # 0: all caught; 2: some missed; 3: some timed out. Anything else is a failed run.
    if done.returncode not in (0, 2, 3):
        sys.exit(f"cargo mutants failed for {scope} (exit {done.returncode}): see {output}/mutants.out/debug.log")
    print(f"    {scope}: {time.monotonic() - started:.0f} s", flush=True)
    out = output / "mutants.out"
    generated = set()
    for name in ("caught.txt", "missed.txt", "timeout.txt", "unviable.txt"):
        generated |= lines(out / name)
    return generated, lines(out / "missed.txt"), lines(out / "timeout.txt")


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in SCOPES]
    if unknown:
        sys.exit(f"unknown scope {unknown}; scopes: {', '.join(SCOPES)}")
    listed = equivalents()
    problems = []
    for scope in names or list(SCOPES):
        generated, missed, timed_out = run(scope)
        for mutant in sorted(missed - listed.keys()):
            problems.append(f"survived, not listed as equivalent: {mutant}")
        paths = {arg for arg in SCOPES[scope] if arg.endswith(".rs")}
        for mutant in sorted(listed):
            path = mutant.split(":", 1)[0]
            in_scope = path in paths if paths else mutant in generated or path.startswith("crates/verifier/")
            if in_scope and mutant not in missed:
                problems.append(f"listed as equivalent but {'caught' if mutant in generated else 'gone'}: {mutant}")
        for mutant in sorted(timed_out):
            print(f"    timeout (counts as caught): {mutant}")
    if problems:
        print("\n".join(["", *problems, "", f"Kill each survivor with a test, or list it in {EQUIVALENTS.name}."]))
        return 1
    print("every mutant is caught, timed out, or listed as equivalent")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
