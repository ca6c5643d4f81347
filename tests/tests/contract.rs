//! The running API against `openapi.yaml`: schemathesis generates requests for every operation
//! (the spec's examples, boundary and wrong-type values, then random ones), valid and invalid by
//! the schema, and sends them through the local gateway with a demo admin's ID or access token,
//! as each operation's `security` names it, against a fresh stack. Any 5xx, any response that does not match its schema, status or content type, a
//! missing `x-request-id`, a valid request the API refuses (a 400 of its own checks) or an
//! invalid one it accepts fails it. What counts as refusing and accepting, and the few rules a
//! schema cannot state, are in `tests/schemathesis.toml` and `tests/schemathesis_hooks.py`.
//!
//! The run is reproducible (a fixed seed); `SCHEMATHESIS_SEED` and `SCHEMATHESIS_MAX_EXAMPLES`
//! widen it, e.g. `SCHEMATHESIS_SEED=$RANDOM SCHEMATHESIS_MAX_EXAMPLES=200 make test`.

use std::{path::PathBuf, process::Stdio, time::Duration};

use e2e::{
    TestStack,
    local_stack::{StackOptions, moto::default_moto_bin},
};

const CHECKS: &str = "not_a_server_error,response_schema_conformance,status_code_conformance,\
                      content_type_conformance,response_headers_conformance,positive_data_acceptance,negative_data_rejection";

fn repo_file(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_contract_violation_on_any_route() {
    let report = std::env::temp_dir().join(format!("schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&report).expect("report dir");
    let moto_log = report.join("moto.log");
    let t = TestStack::start_with(StackOptions { moto_log: Some(moto_log.clone()), ..StackOptions::for_tests() }).await;
    // Each operation gets the token its `security` names (schemathesis_hooks.py): the admin's,
    // but for those that end every session of the caller when they succeed (sign-out, a password
    // change, deleting the account), which get the plain demo user's, so the admin's session
    // lives through the run.
    let admin = t.sign_in(t.admin()).await;
    let session_ending = t.access_token(t.user()).await;
    // The virtualenv that provides moto provides schemathesis too.
    let schemathesis = default_moto_bin().with_file_name("schemathesis");
    assert!(schemathesis.exists(), "{} not found: run `make venv`", schemathesis.display());
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
    let mut command = tokio::process::Command::new(&schemathesis);
    command
        .arg("--config-file")
        .arg(repo_file("tests/schemathesis.toml"))
        .arg("run")
        .arg(repo_file("openapi.yaml"))
        .args(["--url", &t.stack.url])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &var("SCHEMATHESIS_MAX_EXAMPLES", "25")])
        .args(["--seed", &var("SCHEMATHESIS_SEED", "20261122")])
        .args(["--workers", "2", "--request-timeout", "15", "--no-color"])
        .arg("--report-dir")
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", repo_file("tests/schemathesis_hooks.py"))
        .env("CONTRACT_ID_TOKEN", e2e::text(&admin, "/tokens/idToken"))
        .env("CONTRACT_ACCESS_TOKEN", e2e::text(&admin, "/tokens/accessToken"))
        .env("CONTRACT_SESSION_ENDING_ACCESS_TOKEN", &session_ending)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let run = tokio::time::timeout(Duration::from_secs(600), command.output())
        .await
        .expect("schemathesis finishes within 10 minutes")
        .expect("schemathesis starts");
    let output = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        // The emulator's tracebacks tell a moto failure (a 500 we answer 502 for) from ours.
        let moto = std::fs::read_to_string(&moto_log).unwrap_or_default();
        let tracebacks: Vec<&str> = moto.split("Error on request:").skip(1).collect();
        panic!(
            "schemathesis found problems:\n{output}\n{}\nmoto tracebacks:\n{}",
            String::from_utf8_lossy(&run.stderr),
            tracebacks.join("\n---\n")
        );
    }
    let _ = std::fs::remove_dir_all(&report);
    // A run that tested nothing would pass too: every operation must have been exercised.
    let operations = api_types::routes::ROUTES.len();
    assert!(
        output.contains(&format!("Tested: {operations}")),
        "not all {operations} operations were tested:\n{output}"
    );
}
