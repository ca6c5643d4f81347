//! `docs/cognito-conformance.md` names the test behind each behaviour: every name it cites must
//! exist, and every test of the strict emulator (its own suite and `strict_cognito.rs`) must be
//! cited, so the table and the tests cannot drift apart. A citation names one test: no wildcard
//! (`file::*`), which would count any test added to the file as cited.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The source file a cited `prefix::file` names, and how a test is declared in it.
fn source(prefix: &str, file: &str) -> Option<(PathBuf, &'static str)> {
    let root = root();
    match prefix {
        "emulator" => Some((root.join("crates/local-stack/emulator/tests").join(file), "def ")),
        "e2e" => Some((root.join("tests/tests").join(format!("{file}.rs")), "fn ")),
        "domain" => Some((root.join("crates/domain/src").join(format!("{file}.rs")), "fn ")),
        "gateway" => Some((root.join("crates/local-stack/src/gateway.rs"), "fn ")),
        "glue" => Some((root.join("crates/lambda-glue/src").join(format!("{file}.rs")), "fn ")),
        "functions" => Some((root.join("functions").join(file).join("tests/handler.rs"), "fn ")),
        "browser" => Some((root.join("web/tests").join(format!("{file}.py")), "def ")),
        _ => None,
    }
}

/// Every `prefix::file::name` (or `::name`, the same file as the citation before it) in the doc.
fn citations() -> Vec<(PathBuf, &'static str, String)> {
    let doc = read(&root().join("docs/cognito-conformance.md"));
    let mut found = Vec::new();
    let mut last: Option<(PathBuf, &'static str)> = None;
    for (i, span) in doc.split('`').enumerate() {
        if i % 2 == 0 || span.contains('<') {
            continue; // outside backticks, or a placeholder
        }
        let parts: Vec<&str> = span.split("::").collect();
        let (file, name) = match parts.as_slice() {
            ["", name] if last.is_some() => (last.clone(), *name),
            [prefix, file, name] => (source(prefix, file), *name),
            _ => continue,
        };
        if let Some((path, keyword)) = file {
            last = Some((path.clone(), keyword));
            found.push((path, keyword, name.to_string()));
        }
    }
    found
}

#[test]
fn every_test_the_conformance_table_cites_exists() {
    let cited = citations();
    assert!(cited.len() > 40, "the table cites {} tests", cited.len());
    for (path, keyword, name) in cited {
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "`{name}` in {}: cite each test by its name, not a pattern",
            path.display()
        );
        let text = read(&path);
        assert!(text.contains(&format!("{keyword}{name}(")), "{} has no test {name}", path.display());
    }
}

#[test]
fn every_strict_behaviour_test_is_in_the_conformance_table() {
    let cited = citations();
    let is_cited = |path: &Path, name: &str| cited.iter().any(|(p, _, n)| p == path && n == name);
    let emulator_tests = root().join("crates/local-stack/emulator/tests");
    let mut files: Vec<(PathBuf, &str)> = std::fs::read_dir(&emulator_tests)
        .expect("emulator tests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("test_")))
        .map(|p| (p, "def "))
        .collect();
    files.push((root().join("tests/tests/strict_cognito.rs"), "fn "));
    for (path, keyword) in files {
        let text = read(&path);
        let mut previous = "";
        for line in text.lines().map(str::trim_start) {
            let declared = line.strip_prefix(keyword).or_else(|| line.strip_prefix("async fn "));
            let attribute = std::mem::replace(&mut previous, line);
            let Some(rest) = declared else { continue };
            let name = rest.split('(').next().unwrap_or_default();
            let is_test = if keyword == "def " { name.starts_with("test_") } else { attribute.contains("test]") };
            if is_test {
                assert!(is_cited(&path, name), "{}: {name} is not in docs/cognito-conformance.md", path.display());
            }
        }
    }
}
