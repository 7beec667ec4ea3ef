//! Every GraphQL document the web application sends is checked against the schema
//! here, with async-graphql's own parser and validation rules (the ones a request
//! meets before it runs) and the published limits: a renamed field, a removed enum
//! value or argument fails this test, not a person's page.
//!
//! The documents are read from `frontend/src` as the Rust source writes them: string
//! constants and literals that begin with `query`, `mutation` or `subscription`, raw or
//! not, and `format!` strings whose `{NAME}` pieces are other constants of the front end
//! (fields or fragments shared by several documents).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const FRONTEND_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/src");

/// A string literal of Rust source: its value and where it starts.
struct Literal {
    value: String,
    /// Whether it is the first argument of a `format!`.
    formatted: bool,
    start: usize,
}

/// The string literals of a Rust file, with escapes and line continuations resolved.
fn literals(source: &str) -> Vec<Literal> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // Comments: skipped, they may hold quotes.
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('"', '\'') or a lifetime: skip the char literal only.
                if bytes.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else if bytes.get(i + 1) == Some(&b'\\') && bytes.get(i + 3) == Some(&b'\'') {
                    i += 4;
                } else {
                    i += 1;
                }
            }
            b'r' if (bytes.get(i + 1) == Some(&b'#') || bytes.get(i + 1) == Some(&b'"'))
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while bytes.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if bytes.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let body_start = j + 1;
                let end = source[body_start..]
                    .find(&close)
                    .map(|e| body_start + e)
                    .unwrap_or(bytes.len());
                out.push(Literal {
                    value: source[body_start..end].to_owned(),
                    formatted: after_format(source, i),
                    start: i,
                });
                i = end + close.len();
            }
            b'"' => {
                let start = i;
                let mut value = String::new();
                i += 1;
                let mut chars = source[i..].char_indices();
                let mut consumed = 0;
                while let Some((k, c)) = chars.next() {
                    consumed = k + c.len_utf8();
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some((k2, '\n')) => {
                                consumed = k2 + 1;
                                // A line continuation: the newline and the next line's
                                // leading blanks are not part of the string.
                                let peek = chars.clone();
                                for (k3, w) in peek {
                                    if w.is_whitespace() {
                                        chars.next();
                                        consumed = k3 + w.len_utf8();
                                    } else {
                                        break;
                                    }
                                }
                            }
                            Some((k2, e)) => {
                                consumed = k2 + e.len_utf8();
                                value.push(match e {
                                    'n' => '\n',
                                    't' => '\t',
                                    other => other,
                                });
                            }
                            None => break,
                        },
                        c => value.push(c),
                    }
                }
                i += consumed;
                out.push(Literal {
                    value,
                    formatted: after_format(source, start),
                    start,
                });
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether the literal at `at` is the first argument of `format!(`.
fn after_format(source: &str, at: usize) -> bool {
    source[..at].trim_end().ends_with("format!(")
}

/// `const NAME: &str = "…";` of a file, by name.
fn constants(source: &str, literals: &[Literal]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for lit in literals {
        let before = source[..lit.start].trim_end();
        let Some(before) = before.strip_suffix('=') else {
            continue;
        };
        let before = before.trim_end();
        let Some(before) = before.strip_suffix("&str").map(str::trim_end) else {
            continue;
        };
        let Some(before) = before.strip_suffix(':') else {
            continue;
        };
        let name: String = before
            .trim_end()
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !name.is_empty() {
            out.insert(name, lit.value.clone());
        }
    }
    out
}

/// A `format!` string with `{{`/`}}` unescaped and `{NAME}` replaced by the constant.
fn expand(template: &str, constants: &HashMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push(tail.as_bytes()[0] as char);
            rest = &tail[2..];
        } else if let Some(stripped) = tail.strip_prefix('{') {
            let end = stripped.find('}').ok_or("an unclosed {")?;
            let name = &stripped[..end];
            let value = constants
                .get(name)
                .ok_or_else(|| format!("{{{name}}} is not a constant of the front end"))?;
            out.push_str(value);
            rest = &stripped[end + 1..];
        } else {
            return Err("a lone }".to_owned());
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_document(text: &str) -> bool {
    let t = text.trim_start();
    ["query", "mutation", "subscription"].iter().any(|k| {
        t.strip_prefix(k)
            .is_some_and(|rest| rest.starts_with([' ', '{', '(', '\n']))
    })
}

/// Every document of the front end: (file and line, document).
pub fn frontend_documents() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(Path::new(FRONTEND_SRC), &mut files);
    files.sort();
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let s = std::fs::read_to_string(&f).unwrap();
            (f, s)
        })
        .collect();
    let mut all_constants = HashMap::new();
    let mut found = Vec::new();
    for (path, source) in &sources {
        let lits = literals(source);
        all_constants.extend(constants(source, &lits));
        for lit in lits {
            if is_document(&lit.value) {
                let line = source[..lit.start].lines().count().max(1);
                let name = format!(
                    "{}:{line}",
                    path.strip_prefix(FRONTEND_SRC).unwrap_or(path).display()
                );
                found.push((name, lit.value, lit.formatted));
            }
        }
    }
    found
        .into_iter()
        .map(|(name, value, formatted)| {
            let document = if formatted {
                expand(&value, &all_constants)
                    .unwrap_or_else(|e| panic!("{name}: cannot read the format string: {e}"))
            } else {
                value
            };
            (name, document)
        })
        .collect()
}

#[tokio::test]
async fn every_document_the_front_end_sends_is_valid_against_the_schema() {
    let documents = frontend_documents();
    // Not vacuous: the pages' queries and mutations, the session's and the live feed's.
    assert!(
        documents.len() >= 45,
        "only {} documents found in frontend/src: has the way they are written changed?",
        documents.len()
    );
    for must in [
        "query Explorer",
        "mutation Login",
        "subscription S",
        "query ImportJobs",
    ] {
        assert!(
            documents
                .iter()
                .any(|(_, d)| d.trim_start().starts_with(must)),
            "{must} was not found among the front end's documents"
        );
    }
    let mut failures = Vec::new();
    for (name, document) in &documents {
        if let Err(errors) = nuvola_server::graphql::validate(document).await {
            let messages: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
            failures.push(format!("{name}: {}\n    {document}", messages.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} front-end documents do not validate against the schema:\n{}",
        failures.len(),
        documents.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_renamed_field_in_a_front_end_document_is_caught() {
    let documents = frontend_documents();
    let (name, explorer) = documents
        .iter()
        .find(|(_, d)| d.trim_start().starts_with("query Explorer"))
        .expect("the explorer's query");
    assert!(
        nuvola_server::graphql::validate(explorer).await.is_ok(),
        "{name} should be valid as it is"
    );
    // As if the server renamed `amountEur` (or the page misspelt it).
    let renamed = explorer.replace("amountEur", "amountEuro");
    assert_ne!(
        &renamed, explorer,
        "the explorer's query asks for amountEur"
    );
    let errors = nuvola_server::graphql::validate(&renamed)
        .await
        .expect_err("a renamed field must not validate");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("Unknown field \"amountEuro\"")),
        "{errors:?}"
    );
    // A value the enum does not have, and an argument the field does not have, too.
    let bad_enum = nuvola_server::graphql::validate(
        "query { applications(first: 1, filter: { state: FINANCED }) { totalCount } }",
    )
    .await
    .expect_err("an unknown enum value");
    assert!(!bad_enum.is_empty());
    let unknown_argument =
        nuvola_server::graphql::validate("query { applications(page: 2) { totalCount } }")
            .await
            .expect_err("an argument the field does not have");
    assert!(!unknown_argument.is_empty());
}

#[test]
fn the_extractor_reads_rust_strings_as_the_compiler_does() {
    let source = r####"
const FIELDS: &str = "a b \
    c";
// "query Commented { x }"
const Q: &str = r#"query Q { x { y } }"#;
fn f() -> String { format!("query F {{ f {{ {FIELDS} }} }}") }
"####;
    let lits = literals(source);
    let consts = constants(source, &lits);
    assert_eq!(consts["FIELDS"], "a b c");
    assert_eq!(consts["Q"], "query Q { x { y } }");
    let formatted: Vec<&Literal> = lits.iter().filter(|l| l.formatted).collect();
    assert_eq!(formatted.len(), 1);
    assert_eq!(
        expand(&formatted[0].value, &consts).unwrap(),
        "query F { f { a b c } }"
    );
    assert!(!lits.iter().any(|l| l.value.contains("Commented")));
}
