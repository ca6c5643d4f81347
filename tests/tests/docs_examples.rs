//! The documentation's shell examples run as pasted against `make dev`. Each page (README.md and
//! docs/*.md) is one shell session: a fresh local stack with `.dev/stack.json` and
//! `.dev/outbox.jsonl` written as `make dev` writes them, then the page's ```sh (or ```bash)
//! blocks in order under `bash -euo pipefail`, from that directory. A block that fails names its
//! page and line. Blocks that cannot run here say why in a `<!-- not run: REASON -->` line just
//! above them, with one of the reasons in [`NOT_RUN_REASONS`]; every other fenced block must say
//! what it is (```text, ```json, ```yaml, ...), so no shell example hides behind a bare fence.
//!
//! And nothing in the repository names a path outside it (a home directory, a shared folder).

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use e2e::local_stack::{LocalStack, StackOptions};

/// Why a shell block may be left out; anything else is a typo or an excuse.
const NOT_RUN_REASONS: &[&str] = &[
    // `sam deploy`, `aws cognito-idp ...` against a deployed stack.
    "needs an AWS account",
    // `make dev` itself, `make test`: the stack the examples run against, and everything else.
    "starts the local stack",
    // `npm run generate` in clients/typescript, the web app: Node.js and the npm registry.
    "needs Node.js and npm",
];

/// The info strings of blocks that run.
const SHELL: &[&str] = &["sh", "bash", "shell"];

/// How long one page's examples may take (a stack starts in a few seconds; examples are curls).
const PAGE_TIMEOUT: Duration = Duration::from_secs(90);

/// The web app's origin, the only one `make dev`'s API allows by default.
const WEB_ORIGIN: &str = "http://localhost:5173";

/// The marker echoed before each block: the failing block is the last one printed.
const MARKER: &str = ">>> docs example ";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the repository root")
}

/// One fenced block of a page.
#[derive(Debug)]
struct Block {
    /// The opening fence's line, 1-based.
    line: usize,
    info: String,
    body: String,
    /// The reason of a `<!-- not run: REASON -->` line just above the fence.
    not_run: Option<String>,
}

/// The fenced blocks of a Markdown page, indented ones (in lists) included, indentation removed.
fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut last_text = "";
    while let Some((i, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            if !trimmed.is_empty() {
                last_text = trimmed;
            }
            continue;
        };
        let indent = line.len() - trimmed.len();
        let not_run = last_text
            .strip_prefix("<!-- not run:")
            .and_then(|rest| rest.strip_suffix("-->"))
            .map(|reason| reason.trim().to_string());
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim() == "```" {
                break;
            }
            let cut = inner.len() - inner.trim_start().len();
            body.push_str(&inner[cut.min(indent)..]);
            body.push('\n');
        }
        found.push(Block { line: i + 1, info: info.trim().to_string(), body, not_run });
        last_text = "";
    }
    found
}

/// README.md and docs/*.md, relative to the root.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("a docs entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| Path::new("docs").join(path.file_name().expect("a file name")))
        .collect();
    docs.sort();
    pages.extend(docs);
    // The frontend packages' own pages, which a team copying them reads first.
    pages.extend(["clients/typescript/README.md", "web/README.md"].map(PathBuf::from));
    pages
}

/// `.dev/` as `make dev` leaves it: `stack.json` (0600, as authctl requires) and the outbox.
fn write_stack_file(dir: &Path, stack: &LocalStack) {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let text = serde_json::to_string_pretty(&stack.stack_file()).expect("stack file JSON");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join(".dev/stack.json"))
        .expect(".dev/stack.json");
    file.write_all(text.as_bytes()).expect("writing .dev/stack.json");
}

/// `authctl` as `cargo test --workspace` builds it, next to this test's own directory.
fn cargo_bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    // target/debug/deps/docs_examples-HASH -> target/debug
    exe.parent().and_then(Path::parent).expect("the target directory").to_path_buf()
}

/// Runs one page's shell blocks against a fresh stack; `Err` names the failing block and shows
/// the session's output.
async fn run_page(page: &Path, shell: &[&Block]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!(
        "docs-examples-{}-{}",
        std::process::id(),
        page.to_string_lossy().replace(['/', '.'], "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".dev")).expect("a scratch directory");
    // As `make dev` starts it: the outbox in `.dev`, and CORS for the web app's origin only.
    let options = StackOptions {
        outbox: Some(dir.join(".dev/outbox.jsonl")),
        allowed_origins: WEB_ORIGIN.into(),
        ..StackOptions::for_tests()
    };
    let stack = LocalStack::start(options).await.expect("local stack starts (is the venv set up? `make venv`)");
    write_stack_file(&dir, &stack);

    let mut script = String::from("exec 2>&1\n");
    for block in shell {
        let at = format!("{}:{}", page.display(), block.line);
        // On a line of its own: the block before may end its output without a newline (curl).
        writeln!(script, "printf '\\n%s\\n' '{MARKER}{at}'\n{}", block.body).expect("writing to a string");
    }
    writeln!(script, "printf '\\n%s\\n' '{MARKER}done'").expect("writing to a string");
    let script_path = dir.join("examples.sh");
    std::fs::write(&script_path, &script).expect("writing the script");

    let path = format!("{}:{}", cargo_bin_dir().display(), std::env::var("PATH").unwrap_or_default());
    let child = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail"])
        .arg(&script_path)
        .current_dir(&dir)
        .env_clear()
        .envs([
            ("PATH", path.as_str()),
            ("HOME", dir.to_str().expect("a UTF-8 temp dir")),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("bash starts");
    let outcome = tokio::time::timeout(PAGE_TIMEOUT, child.wait_with_output()).await;
    stack.stop().await;
    let result = match outcome {
        Err(_) => Err(format!("{}: the examples did not finish within {PAGE_TIMEOUT:?}", page.display())),
        Ok(output) => {
            let output = output.expect("bash runs");
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            let last =
                text.lines().filter_map(|l| l.strip_prefix(MARKER)).next_back().unwrap_or("before the first block");
            if output.status.success() && last == "done" {
                Ok(())
            } else {
                // The failing block's own output, its end if it is long (tokens are).
                let own = text.rfind(MARKER).map_or(text.as_str(), |at| &text[at..]);
                let tail = own.char_indices().rev().nth(6000).map_or(own, |(at, _)| &own[at..]);
                Err(format!("the block at {last} failed ({}); its output:\n{tail}", output.status))
            }
        }
    };
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shell_example_in_the_docs_runs_as_pasted_against_the_local_stack() {
    let root = root();
    let mut failures = Vec::new();
    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(root.join(&page)).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let blocks = blocks(&text);
        for block in blocks.iter().filter(|b| b.info.is_empty()) {
            failures.push(format!(
                "{}:{}: a fence without an info string (```sh for an example that runs, ```text for output, ...)",
                page.display(),
                block.line
            ));
        }
        let is_shell = |b: &&Block| SHELL.contains(&b.info.as_str());
        let mut shell = Vec::new();
        for block in blocks.iter().filter(is_shell) {
            match &block.not_run {
                Some(reason) if NOT_RUN_REASONS.contains(&reason.as_str()) => {
                    skipped.push(format!("{}:{} ({reason})", page.display(), block.line));
                }
                Some(reason) => failures.push(format!(
                    "{}:{}: `not run: {reason}` is not one of {NOT_RUN_REASONS:?}",
                    page.display(),
                    block.line
                )),
                None => shell.push(block),
            }
        }
        if shell.is_empty() {
            continue;
        }
        match run_page(&page, &shell).await {
            Ok(()) => ran.push(format!("{} ({} blocks)", page.display(), shell.len())),
            Err(failure) => failures.push(failure),
        }
    }
    println!("ran: {}", ran.join(", "));
    println!("not run ({}):\n  {}", skipped.len(), skipped.join("\n  "));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(!ran.is_empty(), "no page has a shell example");
}

/// Text files the repository holds or is about to (untracked but not ignored), build output,
/// virtualenvs, installed packages and lock files left out.
fn repository_files() -> Vec<PathBuf> {
    let output = std::process::Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git ls-files: {}", String::from_utf8_lossy(&output.stderr));
    let skip_dirs = ["target", ".venv", "node_modules", ".dev", ".deploy"];
    String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .filter(|p| !p.components().any(|c| skip_dirs.contains(&c.as_os_str().to_string_lossy().as_ref())))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            !(name.ends_with(".lock") || name == "package-lock.json" || name.ends_with("-lock.yaml"))
        })
        .collect()
}

#[test]
fn no_file_names_a_path_outside_the_repository() {
    // Paths of the machines this was written on: a reader's checkout has none of them. (Put
    // together here, so that this file does not name them itself.)
    let mut outside: Vec<String> =
        ["work", "root", "home", "Users", "mnt", "workspace"].iter().map(|dir| format!("/{dir}/")).collect();
    outside.push(format!("{}/shared", ".."));
    // Made-up paths that stand for no machine's, each with why.
    let made_up_home = format!("/{}/a", "home");
    let allowed: &[(&str, [String; 2])] = &[
        // authctl's unit tests resolve the session file under a made-up HOME.
        ("crates/cli/src/session.rs", [format!("{made_up_home}\""), format!("{made_up_home}/")]),
    ];
    let root = root();
    let mut found = Vec::new();
    for file in repository_files() {
        // Binary files (images) and files being deleted are not read.
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else { continue };
        for (i, line) in text.lines().enumerate() {
            for path in &outside {
                let Some(at) = line.find(path.as_str()) else { continue };
                let excused = allowed.iter().any(|(f, made_up)| {
                    Path::new(f) == file && made_up.iter().any(|m| line[at..].starts_with(m.as_str()))
                });
                if !excused {
                    found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "these lines name a path outside the repository:\n{}", found.join("\n"));
}

#[test]
fn blocks_are_read_with_their_line_indentation_and_reason() {
    let page = "intro\n\n<!-- not run: needs an AWS account -->\n```sh\nsam deploy\n```\n\n1. step\n   ```sh\n   echo hi\n     two\n   ```\n```\nbare\n```\n";
    let found = blocks(page);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!((found[0].line, found[0].not_run.as_deref()), (4, Some("needs an AWS account")));
    assert_eq!((found[1].line, found[1].body.as_str(), found[1].not_run.as_deref()), (9, "echo hi\n  two\n", None));
    assert_eq!((found[2].line, found[2].info.as_str()), (13, ""));
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && let Some(heading) = line.strip_prefix('#') {
            found.push(anchor(heading.trim_start_matches('#')));
        }
    }
    found
}

#[test]
fn the_docs_links_within_the_repository_lead_somewhere() {
    let root = root();
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(root.join(&page)).expect("a page");
        let dir = page.parent().unwrap_or(Path::new(""));
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("](") {
                let Some(end) = line[at + 2..].find(')') else { continue };
                let target = &line[at + 2..at + 2 + end];
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
                let file = if file.is_empty() { root.join(&page) } else { root.join(dir).join(file) };
                let ok = file.exists()
                    && (fragment.is_empty()
                        || std::fs::read_to_string(&file).is_ok_and(|t| anchors(&t).iter().any(|a| a == fragment)));
                if !ok {
                    broken.push(format!("{}:{}: {target}", page.display(), i + 1));
                }
            }
        }
    }
    assert!(broken.is_empty(), "links that lead nowhere:\n{}", broken.join("\n"));
}

#[test]
fn anchors_are_githubs() {
    assert_eq!(anchor(" The token CLI: `authctl`"), "the-token-cli-authctl");
    assert_eq!(anchor(" `.dev/stack.json` and the outbox"), "devstackjson-and-the-outbox");
    assert_eq!(anchor(" The functions' configuration"), "the-functions-configuration");
}
