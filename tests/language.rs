//! Every Chinese word the product shows is Simplified Chinese: no file a user
//! reads (pages, locales, modules, messages, CLI help, READMEs) holds a
//! character that exists only in Traditional Chinese.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Text kept in Traditional on purpose, each for its reason.
const EXEMPT: &[&str] = &[
    // The contract as released: frozen, byte for byte.
    "sdk/wit/since_v0.1.0",
    // A module as released for contract 0.1.0, kept as its compiled bytes:
    // machine code, not text (byte runs that happen to decode as CJK).
    "tests/fixtures-v0.1",
    // Applied migrations are checksummed; only their comments hold Chinese.
    "migrations",
    // Traditional spellings the importers accept on input, and the tests of that.
    "host/core/src/sheet/traditional.rs",
    "tests/traditional-only.txt",
    "tests/imports.rs",
    // Not ours.
    "target",
    ".git",
];

fn traditional_only() -> HashSet<char> {
    let root = workspace();
    let list = std::fs::read_to_string(root.join("tests/traditional-only.txt")).expect("list");
    list.lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::chars)
        .collect()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("under root");
        // Installed npm packages (the e2e tools, the TypeScript SDK's
        // build tools) are not ours either.
        if EXEMPT.iter().any(|e| relative.starts_with(e))
            || path.file_name().is_some_and(|n| n == "node_modules")
        {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some(
                "rs" | "hbs"
                    | "json"
                    | "md"
                    | "toml"
                    | "csv"
                    | "css"
                    | "mjs"
                    | "ts"
                    | "txt"
                    | "sql"
            )
        ) {
            files.push(path);
        }
    }
}

#[test]
fn no_user_facing_text_holds_a_traditional_only_character() {
    let traditional = traditional_only();
    assert!(traditional.len() > 4000, "the list loaded");
    // U+9304 (Traditional for 'record') is listed; U+5F55, its Simplified form, is not.
    assert!(traditional.contains(&'\u{9304}') && !traditional.contains(&'\u{5f55}'));
    let root = workspace();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    assert!(
        files.len() > 100,
        "the walk found the sources: {}",
        files.len()
    );
    let mut found = Vec::new();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let bad: String = line.chars().filter(|c| traditional.contains(c)).collect();
            if !bad.is_empty() {
                let relative = file.strip_prefix(&root).expect("under root");
                found.push(format!("{}:{}: {bad}", relative.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Traditional-only characters in user-facing text:\n{}",
        found.join("\n")
    );
}

/// Chinese text takes full-width punctuation: a half-width `(` or `;` right
/// after a Chinese character in a module's Chinese template or a locale
/// (`已核实(…)`), or right before one (`(党支部书记`, Chinese quoted in the
/// English locale), is refused, naming the file and line.
#[test]
fn chinese_text_takes_full_width_brackets_and_semicolons() {
    let root = workspace();
    let mut files = vec![
        root.join("host/locales/zh-CN.json"),
        root.join("host/locales/en.json"),
    ];
    for dir in ["plugins", "host/templates"] {
        let mut all = Vec::new();
        walk(&root, &root.join(dir), &mut all);
        files.extend(all.into_iter().filter(|f| {
            let name = f.to_string_lossy();
            name.ends_with(".zh.hbs") || (dir == "host/templates" && name.ends_with(".hbs"))
        }));
    }
    let chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            if chars.windows(2).any(|w| {
                (chinese(w[0]) && matches!(w[1], '(' | ';'))
                    || (matches!(w[0], '(' | ';') && chinese(w[1]))
            }) {
                let relative = file.strip_prefix(&root).expect("under root");
                found.push(format!("{}:{}", relative.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "half-width punctuation after Chinese text:\n{}",
        found.join("\n")
    );
}
