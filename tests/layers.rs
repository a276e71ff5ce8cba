//! The layer check of docs/ARCHITECTURE.md: every reference from one top-level module of src/
//! to another (`use crate::x…`, grouped `use crate::{a, b::c}`, a `crate::x::` path anywhere in
//! code, `parbench::x` in main.rs, and a `super::` chain that climbs out to the crate root)
//! must point to a module at a strictly lower level of the table under "## Layers". Modules on
//! one level do not reference each other, so the module graph is one-way and acyclic.
//!
//! Test modules count too: a test that imports from above is still a back-edge.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The level of each top-level module.
type Table = BTreeMap<String, u32>;

/// Reads the table under "## Layers": rows of a level number, then the module names in
/// backticks. A name with a dot (`main.rs`) is a file, not a module: main.rs counts as `cli`.
fn read_table(markdown: &str) -> Result<Table, String> {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with("Layers\n"))
        .ok_or("no \"## Layers\" section")?;
    let mut table = Table::new();
    for row in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').collect();
        let (Some(level), Some(modules)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        // The header and the separator row have no number.
        let Ok(level) = level.trim().parse::<u32>() else {
            continue;
        };
        let names = modules.split('`').skip(1).step_by(2);
        for name in names.filter(|n| !n.contains('.')) {
            if table.insert(name.to_string(), level).is_some() {
                return Err(format!("module {name} is listed twice"));
            }
        }
    }
    if table.is_empty() {
        return Err("the \"## Layers\" section has no rows".into());
    }
    Ok(table)
}

/// Who a file of src/ belongs to.
enum Owner {
    /// lib.rs: it declares and re-exports the modules; the root sits above every layer.
    Root,
    /// A top-level module, and how many modules deep the file's own code is (src/a.rs and
    /// src/a/mod.rs: 1; src/a/b.rs: 2), so that `super::` can be followed.
    Module(String, usize),
}

fn owner(path: &str) -> Owner {
    let parts: Vec<&str> = path.trim_start_matches("src/").split('/').collect();
    match parts[..] {
        ["lib.rs"] => Owner::Root,
        // The binary's root: its code is `parbench::…`, at the level of `cli`.
        ["main.rs"] => Owner::Module("cli".into(), 0),
        _ => {
            let depth = parts.len() - usize::from(parts.last() == Some(&"mod.rs"));
            Owner::Module(parts[0].trim_end_matches(".rs").into(), depth)
        }
    }
}

/// The violations of the layer `table` in `files` (path under the repository, source text),
/// one line each: `src/path.rs:LINE: module a (level N) uses b (level M)`.
fn check(table: &Table, files: &[(String, String)]) -> Vec<String> {
    let mut found: Vec<(String, usize, String)> = Vec::new();
    let mut modules: BTreeMap<String, &str> = BTreeMap::new();
    let mut reexports: BTreeMap<String, String> = BTreeMap::new();
    for (path, text) in files {
        match owner(path) {
            Owner::Root => reexports.extend(root_reexports(&tokens(&code_only(text)))),
            Owner::Module(m, _) if path != "src/main.rs" => {
                modules.entry(m).or_insert(path);
            }
            Owner::Module(..) => {}
        }
    }
    for (module, path) in &modules {
        if !table.contains_key(module) {
            let msg = format!("module {module} is not in the layer table");
            found.push((path.to_string(), 1, msg));
        }
    }
    for (path, text) in files {
        let Owner::Module(module, depth) = owner(path) else {
            continue;
        };
        // A module missing from the table is reported above; its edges cannot be judged.
        let Some(&level) = table.get(&module) else {
            continue;
        };
        let root = if path == "src/main.rs" {
            "parbench"
        } else {
            "crate"
        };
        for (line, name) in references(&tokens(&code_only(text)), root, depth) {
            let used = match reexports.get(&name) {
                Some(m) if !modules.contains_key(&name) => m.clone(),
                _ => name,
            };
            let msg = match table.get(&used) {
                _ if used == module => continue,
                Some(&l) if l < level => continue,
                Some(&l) => format!("module {module} (level {level}) uses {used} (level {l})"),
                None => format!("module {module} (level {level}) uses {used} (not in the table)"),
            };
            found.push((path.clone(), line, msg));
        }
    }
    found.sort();
    found.dedup();
    found
        .into_iter()
        .map(|(path, line, msg)| format!("{path}:{line}: {msg}"))
        .collect()
}

/// `text` with comments (doc comments included) and the insides of string and character
/// literals blanked, newlines kept, so that what is left is code on its original lines.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    // Blanks c[from..to], keeping newlines.
    let blank = |out: &mut String, from: usize, to: usize| {
        out.extend(c[from..to.min(c.len())].iter().map(|&ch| match ch {
            '\n' => '\n',
            _ => ' ',
        }));
    };
    while i < c.len() {
        let start = i;
        let raw_prefix = at(i) == 'r'
            && (!ident(at(i.wrapping_sub(1)))
                || matches!(at(i.wrapping_sub(1)), 'b' | 'c') && !ident(at(i.wrapping_sub(2))));
        let hashes = c[i + 1..].iter().take_while(|&&ch| ch == '#').count();
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    ('/', '*') => (depth, i) = (depth + 1, i + 2),
                    ('*', '/') => (depth, i) = (depth - 1, i + 2),
                    ('\0', _) => break,
                    _ => i += 1,
                }
                if depth == 0 {
                    break;
                }
            }
        } else if raw_prefix && at(i + 1 + hashes) == '"' {
            // Up to the quote followed by as many #s as opened it.
            let closes = |j: usize| c[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#');
            i += 2 + hashes;
            while i < c.len() && !closes(i) {
                i += 1;
            }
            i += 1 + hashes;
        } else if at(i) == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if at(i) == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal; a lifetime ('a, 'static) has no closing quote two on.
            i += if at(i + 1) == '\\' { 3 } else { 2 };
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
            continue;
        }
        blank(&mut out, start, i);
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Punct(char),
}

/// The tokens of blanked code, each with its line (from 1).
fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let c: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < c.len() {
            if c[i].is_alphanumeric() || c[i] == '_' {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                out.push((Tok::Ident(c[start..i].iter().collect()), n + 1));
                continue;
            }
            if c[i] == ':' && c.get(i + 1) == Some(&':') {
                out.push((Tok::Sep, n + 1));
                i += 1;
            } else if !c[i].is_whitespace() {
                out.push((Tok::Punct(c[i]), n + 1));
            }
            i += 1;
        }
    }
    out
}

fn is_ident(tok: Option<&(Tok, usize)>, word: &str) -> bool {
    matches!(tok, Some((Tok::Ident(w), _)) if w == word)
}

/// The top-level names a path names after its root, ending at `toks[i]` (just after the
/// root's `::`): one for `x::…`, one per item for a group `{a, b::c}`, with their lines.
fn named(toks: &[(Tok, usize)], mut i: usize) -> Vec<(usize, String)> {
    match toks.get(i) {
        Some((Tok::Ident(name), line)) => vec![(*line, name.clone())],
        Some((Tok::Punct('{'), _)) => {
            let mut names = Vec::new();
            let (mut depth, mut item_start) = (0, true);
            while let Some((tok, line)) = toks.get(i) {
                match tok {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => depth -= 1,
                    Tok::Punct(',') if depth == 1 => item_start = true,
                    Tok::Ident(name) if depth == 1 && item_start => {
                        item_start = false;
                        if name != "self" {
                            names.push((*line, name.clone()));
                        }
                    }
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                i += 1;
            }
            names
        }
        _ => Vec::new(),
    }
}

/// Every top-level name referenced from code `depth` modules below the crate root: through
/// `root::` (`crate`, or `parbench` in main.rs) or a `super::` chain that reaches the root.
fn references(toks: &[(Tok, usize)], root: &str, depth: usize) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // Whether each open brace is an inline `mod x { … }` body, and how many of them are open:
    // each is one more module level for `super::` to climb.
    let (mut braces, mut inline) = (Vec::<bool>::new(), 0);
    for i in 0..toks.len() {
        let starts_path = i == 0 || toks[i - 1].0 != Tok::Sep;
        match &toks[i].0 {
            Tok::Punct('{') => {
                let body = i >= 2 && is_ident(toks.get(i - 2), "mod");
                inline += usize::from(body);
                braces.push(body);
            }
            Tok::Punct('}') => inline -= usize::from(braces.pop().unwrap_or(false)),
            Tok::Ident(w)
                if w == root && starts_path && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Sep) =>
            {
                found.extend(named(toks, i + 2));
            }
            Tok::Ident(w) if w == "super" && starts_path => {
                let mut j = i;
                while is_ident(toks.get(j), "super")
                    && toks.get(j + 1).map(|t| &t.0) == Some(&Tok::Sep)
                {
                    j += 2;
                }
                if j > i && (j - i) / 2 == depth + inline {
                    found.extend(named(toks, j));
                }
            }
            _ => {}
        }
    }
    found
}

/// What lib.rs re-exports at the root (`pub use error::Error;`): name → the module it is from.
fn root_reexports(toks: &[(Tok, usize)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in (0..toks.len()).filter(|&i| is_ident(toks.get(i), "use")) {
        let path: Vec<&Tok> = toks[i + 1..]
            .iter()
            .map(|t| &t.0)
            .take_while(|t| **t != Tok::Punct(';'))
            .collect();
        let mut idents = path.iter().filter_map(|t| match t {
            Tok::Ident(w) if w != "crate" && w != "self" => Some(w.clone()),
            _ => None,
        });
        let Some(module) = idents.next() else {
            continue;
        };
        // An item's exported name is its last word: `a::b::C`, `a::{B, C as D}`.
        for (k, tok) in path.iter().enumerate() {
            let last = matches!(path.get(k + 1), None | Some(Tok::Punct(',' | '}')));
            if let (Tok::Ident(name), true) = (tok, last)
                && name != "self"
                && *name != module
            {
                out.push((name.clone(), module.clone()));
            }
        }
    }
    out
}

/// Every .rs file under `dir`, as (path relative to `repo` with `/`, text), sorted.
fn sources(dir: &Path, repo: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("read src/")
        .map(|e| e.expect("read src/").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, repo, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(repo).expect("under the repository");
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy());
            let text = fs::read_to_string(&path).expect("read a source file");
            out.push((rel.collect::<Vec<_>>().join("/"), text));
        }
    }
}

#[test]
fn every_reference_points_to_a_lower_layer() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(repo.join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let table = read_table(&doc).expect("the layer table of docs/ARCHITECTURE.md");
    let mut files = Vec::new();
    sources(&repo.join("src"), repo, &mut files);
    let violations = check(&table, &files);
    assert!(
        violations.is_empty(),
        "{} references break the layers of docs/ARCHITECTURE.md:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// A small table for the planted tests; lib.rs re-exports `error::Error`.
const TABLE: &str = "# x\n\n## Layers\n\nText.\n\n| level | modules | what |\n|---|---|---|\n\
    | 3 | `cli` (and `main.rs`) | a |\n| 2 | `measure`, `compare` | b |\n\
    | 1 | `workload` | c |\n| 0 | `error` | d |\n\n## Next\n\n| 7 | `other` | e |\n";

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn the_table_gives_each_module_its_level() {
    let table = read_table(TABLE).unwrap();
    let want = [
        ("cli", 3),
        ("compare", 2),
        ("error", 0),
        ("measure", 2),
        ("workload", 1),
    ];
    let want: Table = want.iter().map(|(m, l)| (m.to_string(), *l)).collect();
    assert_eq!(table, want);
    assert!(read_table("# x\n\n## Other\n| 1 | `a` |\n").is_err());
}

/// The check fails on an upward import and on a cycle between two modules of one level,
/// planted in memory, and reports nothing for the allowed references beside them.
#[test]
fn a_planted_upward_import_and_cycle_are_reported() {
    let table = read_table(TABLE).unwrap();
    let files = files(&[
        (
            "src/lib.rs",
            "extern crate blas;\npub mod cli;\npub use error::Error;\n",
        ),
        (
            "src/main.rs",
            "fn main() {\n    parbench::cli::run().map_err(parbench::Error::from);\n}\n",
        ),
        (
            "src/cli.rs",
            "use crate::{measure, workload::Size};\nuse crate::Error;\n",
        ),
        ("src/error.rs", "pub struct Error;\n"),
        (
            "src/workload/mod.rs",
            "use crate::error::Error;\nuse crate::measure::Timer;\n",
        ),
        (
            "src/measure/mod.rs",
            "use crate::{workload, compare::Verdict};\n",
        ),
        (
            "src/compare/mod.rs",
            "pub fn f() {\n    crate::measure::run();\n}\n",
        ),
    ]);
    assert_eq!(
        check(&table, &files),
        [
            "src/compare/mod.rs:2: module compare (level 2) uses measure (level 2)",
            "src/measure/mod.rs:1: module measure (level 2) uses compare (level 2)",
            "src/workload/mod.rs:2: module workload (level 1) uses measure (level 2)",
        ]
    );
}

/// Comments, doc comments, strings and characters are not code; `super::` inside a module is
/// fine, but a `super::` chain out to the root, a group over several lines and a module
/// missing from the table are caught.
#[test]
fn only_code_counts_and_no_path_escapes() {
    let table = read_table(TABLE).unwrap();
    let source = r####"//! Unlike `crate::measure::x`, this is a comment.
/// [`crate::measure::Timer`]
fn f<'a>(s: &'a str) -> char {
    let _ = ("crate::measure::x", r#"crate::measure::"x""#, b"crate::measure::");
    /* crate::measure:: /* nested */ crate::measure:: */
    let _ = ('{', '\'', super::shared::Array::new());
    super::super::measure::run();
    '}'
}
use crate::{
    error::Error,
    measure::{self, Timer},
};
#[cfg(test)]
mod tests {
    use super::super::*;
    use super::super::super::compare::Verdict;
}
"####;
    let files = files(&[
        ("src/workload/sum.rs", source),
        ("src/stats.rs", "use crate::error::Error;\n"),
    ]);
    assert_eq!(
        check(&table, &files),
        [
            "src/stats.rs:1: module stats is not in the layer table",
            "src/workload/sum.rs:7: module workload (level 1) uses measure (level 2)",
            "src/workload/sum.rs:12: module workload (level 1) uses measure (level 2)",
            "src/workload/sum.rs:17: module workload (level 1) uses compare (level 2)",
        ]
    );
}
