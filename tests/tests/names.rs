//! One name, one meaning: no two public types in the workspace share a name, so a reader (or an
//! import) never has to ask which `ConfigError` or `Reply` is meant.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

/// Names still declared more than once, each with the reason it is allowed for now. Keep this
/// list short and say who removes each entry.
const PENDING: &[(&str, &str)] = &[];

/// The workspace's `.rs` files under `dir`, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && !name.to_string_lossy().starts_with('.') {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `X` of a line declaring `pub struct X`, `pub enum X`, `pub trait X` or `pub type X`.
fn declared_name(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("pub ")?;
    let rest = ["struct ", "enum ", "trait ", "type "].iter().find_map(|kind| rest.strip_prefix(kind))?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[test]
fn every_public_type_name_is_declared_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["crates", "functions", "authorizer", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} .rs files under {}", files.len(), root.display());

    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let shown = file.strip_prefix(&root).unwrap_or(file).display().to_string();
        for (i, line) in text.lines().enumerate() {
            if let Some(name) = declared_name(line) {
                declared.entry(name.to_string()).or_default().push(format!("{shown}:{}", i + 1));
            }
        }
    }

    let duplicates: Vec<String> = declared
        .iter()
        .filter(|(name, places)| places.len() > 1 && !PENDING.iter().any(|(pending, _)| pending == name))
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(duplicates.is_empty(), "public type names declared more than once:\n{}", duplicates.join("\n"));
}

#[test]
fn the_pending_list_holds_only_real_duplicates() {
    // An entry that is no longer duplicated must go, so the list cannot hide a new one later.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["crates", "functions", "authorizer", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    for (name, why) in PENDING {
        let count: usize = files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| declared_name(l) == Some(name))
                    .count()
            })
            .sum();
        assert!(count > 1, "`{name}` is declared {count} time(s): remove it from PENDING ({why})");
    }
}

#[test]
fn declared_name_reads_the_four_kinds_only() {
    assert_eq!(declared_name("pub struct Secret(String);"), Some("Secret"));
    assert_eq!(declared_name("    pub enum ChallengeApi {"), Some("ChallengeApi"));
    assert_eq!(declared_name("pub trait UserPool: Send + Sync {"), Some("UserPool"));
    assert_eq!(declared_name("pub type AuthParameters = BTreeMap<String, String>;"), Some("AuthParameters"));
    assert_eq!(declared_name("pub fn new() -> Self {"), None);
    assert_eq!(declared_name("pub(crate) struct Hidden;"), None);
    assert_eq!(declared_name("struct Private;"), None);
}
