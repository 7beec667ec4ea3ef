//! Change without breaking clients: the schema is compared with the previous release's
//! SDL (`server/schema/releases/<version>.graphql`, the newest) and a breaking change (a
//! type, field, argument, input field or enum value removed, a type changed
//! incompatibly, a new required argument or input field) fails the test unless
//! `CHANGELOG.md` lists it in its API section, by its coordinate in backticks
//! (`Type.field`, `Type.field(argument)`, `Enum.VALUE`, `Type`). Fields to be removed are
//! deprecated first, with `@deprecated(reason: "…")`, for at least one release.

use std::collections::BTreeMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

const RELEASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/releases");
const CHANGELOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../CHANGELOG.md");

/// What a client may rely on in a schema.
#[derive(Default)]
struct Surface {
    /// Type name → its kind.
    types: BTreeMap<String, &'static str>,
    /// `Type.field` → output type.
    fields: BTreeMap<String, Type>,
    /// `Type.field(argument)` → (input type, has a default).
    arguments: BTreeMap<String, (Type, bool)>,
    /// `Input.field` → (input type, has a default).
    input_fields: BTreeMap<String, (Type, bool)>,
    /// `Enum.VALUE`.
    enum_values: Vec<String>,
}

fn surface(sdl: &str) -> Surface {
    let doc = parse_schema(sdl).unwrap_or_else(|e| panic!("the SDL does not parse: {e}"));
    let mut s = Surface::default();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        let kind = match &t.node.kind {
            TypeKind::Scalar => "scalar",
            TypeKind::Object(o) => {
                for f in &o.fields {
                    let coord = format!("{name}.{}", f.node.name.node);
                    for a in &f.node.arguments {
                        s.arguments.insert(
                            format!("{coord}({})", a.node.name.node),
                            (a.node.ty.node.clone(), a.node.default_value.is_some()),
                        );
                    }
                    s.fields.insert(coord, f.node.ty.node.clone());
                }
                "object"
            }
            TypeKind::Interface(i) => {
                for f in &i.fields {
                    s.fields.insert(
                        format!("{name}.{}", f.node.name.node),
                        f.node.ty.node.clone(),
                    );
                }
                "interface"
            }
            TypeKind::Union(_) => "union",
            TypeKind::Enum(e) => {
                for v in &e.values {
                    s.enum_values.push(format!("{name}.{}", v.node.value.node));
                }
                "enum"
            }
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    s.input_fields.insert(
                        format!("{name}.{}", f.node.name.node),
                        (f.node.ty.node.clone(), f.node.default_value.is_some()),
                    );
                }
                "input"
            }
        };
        s.types.insert(name, kind);
    }
    s
}

/// Whether a field that returned `old` may return `new`: the same type, or one that
/// promises more (non-null where it was nullable).
fn output_compatible(old: &Type, new: &Type) -> bool {
    if !old.nullable && new.nullable {
        return false;
    }
    match (&old.base, &new.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => output_compatible(a, b),
        _ => false,
    }
}

/// Whether an input that took `old` may take `new`: the same type, or one that asks
/// less (nullable where it was required).
fn input_compatible(old: &Type, new: &Type) -> bool {
    if old.nullable && !new.nullable {
        return false;
    }
    match (&old.base, &new.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => input_compatible(a, b),
        _ => false,
    }
}

/// The breaking changes from `old` to `new`, each as (coordinate, what happened).
fn breaking_changes(old: &str, new: &str) -> Vec<(String, String)> {
    let (old, new) = (surface(old), surface(new));
    let mut out = Vec::new();
    for (name, kind) in &old.types {
        match new.types.get(name) {
            None => out.push((name.clone(), format!("{kind} {name} removed"))),
            Some(k) if k != kind => {
                out.push((name.clone(), format!("{name} changed from {kind} to {k}")))
            }
            _ => {}
        }
    }
    for (coord, ty) in &old.fields {
        match new.fields.get(coord) {
            None => out.push((coord.clone(), format!("field {coord} removed"))),
            Some(t) if !output_compatible(ty, t) => {
                out.push((coord.clone(), format!("field {coord}: {ty} → {t}")))
            }
            _ => {}
        }
    }
    for (coord, (ty, _)) in &old.arguments {
        match new.arguments.get(coord) {
            None => out.push((coord.clone(), format!("argument {coord} removed"))),
            Some((t, _)) if !input_compatible(ty, t) => {
                out.push((coord.clone(), format!("argument {coord}: {ty} → {t}")))
            }
            _ => {}
        }
    }
    for (coord, (ty, default)) in &new.arguments {
        let field = coord.split('(').next().unwrap_or_default();
        if !old.arguments.contains_key(coord)
            && old.fields.contains_key(field)
            && !ty.nullable
            && !default
        {
            out.push((
                coord.clone(),
                format!("new required argument {coord}: {ty}"),
            ));
        }
    }
    for (coord, (ty, _)) in &old.input_fields {
        match new.input_fields.get(coord) {
            None => out.push((coord.clone(), format!("input field {coord} removed"))),
            Some((t, _)) if !input_compatible(ty, t) => {
                out.push((coord.clone(), format!("input field {coord}: {ty} → {t}")))
            }
            _ => {}
        }
    }
    for (coord, (ty, default)) in &new.input_fields {
        let input = coord.split('.').next().unwrap_or_default();
        if !old.input_fields.contains_key(coord)
            && old.types.contains_key(input)
            && !ty.nullable
            && !default
        {
            out.push((
                coord.clone(),
                format!("new required input field {coord}: {ty}"),
            ));
        }
    }
    for value in &old.enum_values {
        let enum_name = value.split('.').next().unwrap_or_default();
        if new.types.contains_key(enum_name) && !new.enum_values.contains(value) {
            out.push((value.clone(), format!("enum value {value} removed")));
        }
    }
    out
}

/// The newest release's SDL: the file with the highest version number.
fn previous_release() -> (String, String) {
    let mut releases: Vec<(Vec<u64>, std::path::PathBuf)> = std::fs::read_dir(RELEASES)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            let stem = path.file_stem()?.to_str()?.to_owned();
            let version = stem
                .split('.')
                .map(|n| n.parse::<u64>().ok())
                .collect::<Option<Vec<u64>>>()?;
            (path.extension()? == "graphql").then_some((version, path))
        })
        .collect();
    releases.sort();
    let (_, path) = releases
        .pop()
        .expect("at least one release in server/schema/releases");
    (
        path.file_stem().unwrap().to_string_lossy().into_owned(),
        std::fs::read_to_string(&path).unwrap(),
    )
}

/// The API section of CHANGELOG.md: from `## API` to the next second-level heading.
fn api_changelog() -> String {
    let text = std::fs::read_to_string(CHANGELOG).expect("CHANGELOG.md at the root");
    let start = text
        .find("\n## API")
        .expect("a `## API` section in CHANGELOG.md");
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    rest[..end].to_owned()
}

#[test]
fn every_breaking_change_since_the_previous_release_is_in_the_changelog() {
    let (version, previous) = previous_release();
    let current = nuvola_server::graphql::sdl();
    let changelog = api_changelog();
    let missing: Vec<String> = breaking_changes(&previous, &current)
        .into_iter()
        .filter(|(coord, _)| !changelog.contains(&format!("`{coord}`")))
        .map(|(coord, what)| format!("  - `{coord}`: {what}"))
        .collect();
    assert!(
        missing.is_empty(),
        "breaking changes since release {version} that CHANGELOG.md (## API) does not list; \
         deprecate instead (@deprecated(reason: \"…\")) or list them:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_checker_finds_each_kind_of_breaking_change() {
    let old = r#"
        type Query { a(x: Int): String! b: Int c: [Item!]! gone: Int }
        type Item { id: ID! }
        type Removed { id: ID }
        input In { keep: String, gone: String }
        enum Colour { RED GREEN }
    "#;
    let same = breaking_changes(old, old);
    assert!(same.is_empty(), "{same:?}");
    // Safe: a new optional argument, a field promising non-null, a new field, a new
    // optional input field, a new enum value, a new type.
    let safe = r#"
        type Query { a(x: Int, y: Int): String! b: Int! c: [Item!]! gone: Int more: Int }
        type Item { id: ID! name: String }
        type Removed { id: ID }
        input In { keep: String, gone: String, extra: Int }
        enum Colour { RED GREEN BLUE }
        type New { id: ID }
    "#;
    let found = breaking_changes(old, safe);
    assert!(found.is_empty(), "{found:?}");
    let breaking = r#"
        type Query { a(x: String, must: Int!): String b: String c: [Item]! }
        type Item { id: ID! }
        input In { keep: String!, needed: Int! }
        enum Colour { RED }
    "#;
    let coords: Vec<String> = breaking_changes(old, breaking)
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    for expected in [
        "Removed",
        "Query.gone",
        "Query.a",
        "Query.b",
        "Query.c",
        "Query.a(x)",
        "Query.a(must)",
        "In.gone",
        "In.keep",
        "In.needed",
        "Colour.GREEN",
    ] {
        assert!(
            coords.contains(&expected.to_owned()),
            "{expected} not in {coords:?}"
        );
    }
}
