//! The server crate is built in layers (ARCHITECTURE.md): a module may use its own layer and
//! the layers below it, never one above. This reads every `crate::` path in `src/` and fails
//! on any that points up.

use std::path::{Path, PathBuf};

/// The layers, lowest first: each folder of `src/` (or top-level file) and its rank.
const LAYERS: &[&str] = &[
    "base", "observe", "keyspace", "persist", "state", "command", "cmd", "dispatch", "net",
];

/// The rank of the layer a module path under `src/` belongs to; `lib.rs` and the binary sit
/// above every layer.
fn rank(first: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == first)
}

fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every `crate::name` in the text, with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((n + 1, name));
            rest = after;
        }
    }
    found
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = Vec::new();
    let mut unplaced = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        let own = match first.as_str() {
            "lib" | "bin" => LAYERS.len(),
            other => match rank(other) {
                Some(r) => r,
                None => {
                    unplaced.push(relative.display().to_string());
                    continue;
                }
            },
        };
        let text = std::fs::read_to_string(file).expect("readable source");
        for (line, name) in crate_paths(&text) {
            match rank(&name) {
                Some(r) if r > own => upward.push(format!(
                    "{}:{line} ({}) uses crate::{name} ({})",
                    relative.display(),
                    LAYERS.get(own).unwrap_or(&"top"),
                    LAYERS[r]
                )),
                Some(_) => {}
                None => unplaced.push(format!("crate::{name} in {}", relative.display())),
            }
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules outside the layers: {unplaced:#?}"
    );
    assert!(upward.is_empty(), "uses of a higher layer: {upward:#?}");
}

#[test]
fn the_check_sees_paths_anywhere_on_a_line() {
    let found = crate_paths("let x = crate::base::clock::now_ms(); // crate::net");
    assert_eq!(found, vec![(1, "base".to_string())]);
}
