//! The Python binding's generated modules, from the registry's description:
//!
//! - `bindings/python/src/ductape/_ops.py`: a `TypedDict` per request and reply of every public
//!   operation (and per `$defs` entry of their schemas), and the namespaces of both clients with
//!   a typed method per operation: `CloudConnectionsNamespace` (blocking `Ductape`) and
//!   `AsyncCloudConnectionsNamespace` (`AsyncDuctape`), and the clients' top-level namespaces
//!   (`DuctapeNamespaces`, `AsyncDuctapeNamespaces`, which `_client.py` mixes in);
//! - `bindings/python/src/ductape/errors.py`: an exception class per error code (over
//!   `DuctapeError`, hand-written in `_error_base.py`), `ERROR_CLASSES` and `error_from`.
//!
//! JSON Schema becomes Python typing for the keywords schemars writes: an object with properties
//! is a `TypedDict` (its required properties plain, the others `NotRequired[...]`), `$ref`s name
//! the `$defs` entries' own declarations, `null` in a type list (or `anyOf` with `null`) is
//! `Optional[...]`, `const`/`enum` values are `Literal[...]`, arrays `List[...]`, an object without
//! properties (or one that allows other keys, which a `TypedDict` cannot say) `Dict[str, ...]`.
//! Other keywords (`format`, `minimum`, `default`, ...) have no typing counterpart; `default`
//! gives a method argument its default.
//!
//! The methods' shapes follow the request schema by facade.rs's rule (`validate(tag)`,
//! `complete(tag, params)`, `create(params)`), where a request whose only property is one required
//! string takes it as the argument (`fetch(key)`, like `validate(tag)`). `SHAPES_KEPT` lists the
//! operations whose hand-written methods (before this generator) took another shape, kept so that
//! code written against them keeps working.

use crate::facade::{self, Facade, Namespace, Op, Shape};
use crate::Generated;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

const OPS_PATH: &str = "bindings/python/src/ductape/_ops.py";
const ERRORS_PATH: &str = "bindings/python/src/ductape/errors.py";

/// Lines are wrapped (a method's parameters) beyond this many characters.
const WIDTH: usize = 110;

/// How a method takes its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyShape {
    /// Every property an argument: the required ones positional (in the schema's `required`
    /// order), then the others with their schema default (else None, and then left out of the
    /// request): `fetch(product, env)`, `delete(product, env, force=False)`.
    Fields,
    /// `(id, params)`, sent as `{id: value, "params": params}` (the positional form the core
    /// merges): `complete(tag, params)`, `update(key, params)`. `params` may be left out when no
    /// other property is required.
    IdParams(&'static str),
    /// `(params)`, the request itself; it may be left out when no property is required.
    Params,
}

/// The operations whose methods the rule would shape otherwise: their shapes as they were
/// written by hand before this generator, kept for the code written against them. Every other
/// operation (any new one) follows the rule.
pub const SHAPES_KEPT: &[(&str, PyShape)] = &[
    ("cloud.resources.list", PyShape::Fields),
    ("secrets.update", PyShape::IdParams("key")),
    ("secrets.resolve", PyShape::Fields),
    ("products.update", PyShape::IdParams("product")),
    ("products.delete", PyShape::Fields),
    ("products.environments.fetch", PyShape::Fields),
    ("products.environments.delete", PyShape::Fields),
    ("products.components.create", PyShape::Params),
    ("products.components.fetch", PyShape::Fields),
    ("products.components.delete", PyShape::Fields),
    ("products.components.getEnv", PyShape::Fields),
    ("products.components.resolve", PyShape::Fields),
];

/// The Python exception that an error code's class also derives from, so that `except
/// ValueError:` catches a bad argument.
const BUILTIN_BASES: &[(&str, &str)] = &[
    ("invalid_argument", "ValueError"),
    ("not_found", "LookupError"),
    ("permission_denied", "PermissionError"),
    ("network", "ConnectionError"),
    ("timeout", "TimeoutError"),
];

/// Class names other than the rule's (`PascalCode` + `Error`): `TimeoutError` would shadow
/// Python's own, `CancelledError` read as asyncio's.
const CLASS_NAMES: &[(&str, &str)] = &[("timeout", "DuctapeTimeoutError"), ("cancelled", "CallCancelledError")];

/// Names the generated module imports or defines besides the types: a `$defs` entry by one of
/// these names takes its operation's prefix.
const RESERVED: &[&str] = &[
    "Any",
    "Awaitable",
    "Dict",
    "List",
    "Literal",
    "NotRequired",
    "Optional",
    "TypedDict",
    "Union",
    "cast",
    "sys",
    "JsonObject",
    "Namespace",
    "Progress",
    "DuctapeNamespaces",
    "AsyncDuctapeNamespaces",
];

/// Attributes of the clients themselves (`_client.py`), which a top-level namespace must not hide.
const CLIENT_ATTRIBUTES: &[&str] = &["call", "close", "operations"];

/// Python's keywords, which no argument, method or field can be named.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

const HEADER: &str =
    "# Code generated by `cargo xtask codegen` from the operation registry (docs/operations.json); DO NOT EDIT.\n\
                      # Regenerate: cargo xtask codegen\n";

pub fn files(description: &Value) -> Vec<Generated> {
    let f = facade::parse(description);
    check_tables(description, &f);
    vec![
        Generated { path: OPS_PATH, text: ops_module(description, &f) },
        Generated { path: ERRORS_PATH, text: errors_module(&f) },
    ]
}

/// The tables name operations and codes of the registry: an entry left behind by a rename or a
/// removal is refused rather than silently ignored.
fn check_tables(description: &Value, f: &Facade) {
    let ops: HashSet<&str> = operations(description).iter().map(|o| name_of(o)).collect();
    for (op, _) in SHAPES_KEPT {
        assert!(ops.contains(op), "python.rs SHAPES_KEPT names {op:?}, which is no public operation");
    }
    let codes: HashSet<&str> = f.error_codes.iter().map(|e| e.code.as_str()).collect();
    for (code, _) in BUILTIN_BASES.iter().chain(CLASS_NAMES) {
        assert!(codes.contains(code), "python.rs names the error code {code:?}, which the core does not have");
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// `updateManagedNetworking` -> `update_managed_networking`: an underscore before every capital
/// but a first one, all in lower case (the rule test_client.py finds each method by).
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A Python name for an identifier of the registry: a keyword takes a trailing `_` (`import_`),
/// which the namespaces' forwarding drops again.
fn py_name(name: &str) -> String {
    let name = snake(name);
    assert!(is_identifier(&name), "{name:?} cannot be a Python name");
    if KEYWORDS.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

/// An ASCII Python identifier that may name a TypedDict field in a class body (no keyword, and
/// no `__` prefix, which Python would mangle).
fn is_field_name(key: &str) -> bool {
    is_identifier(key) && !KEYWORDS.contains(&key) && !key.starts_with("__")
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `cloud.connections.fetchAll` -> `CloudConnectionsFetchAll`.
fn op_pascal(name: &str) -> String {
    name.split('.').map(facade::pascal).collect()
}

/// A Python string literal (double-quoted; the file is UTF-8, so only quotes, backslashes and
/// control characters are escaped).
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A docstring at `indent`: on one line when the text has one. Backslashes are doubled and a
/// `"""` (or a final `"`) escaped, so the text reads back as written.
fn docstring(text: &str, indent: &str) -> String {
    let mut text = text.trim().replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    if text.ends_with('"') {
        text.pop();
        text.push_str("\\\"");
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("{indent}\"\"\"{one}\"\"\"\n"),
        [first, rest @ ..] => {
            let mut out = format!("{indent}\"\"\"{first}\n");
            for l in rest {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    writeln!(out, "{indent}{l}").unwrap();
                }
            }
            out + indent + "\"\"\"\n"
        }
    }
}

/// `#: ` comment lines (Sphinx's attribute documentation) at `indent`.
fn comment(text: Option<&str>, indent: &str) -> String {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return String::new() };
    text.lines()
        .map(str::trim_end)
        .map(|l| if l.is_empty() { format!("{indent}#:\n") } else { format!("{indent}#: {l}\n") })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// JSON Schema to Python types

/// One member of a union.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// A type: `str`, `List[int]`, `Status`.
    Type(String),
    /// A `Literal[...]` value: `"active"`, `True`, `3`.
    Literal(String),
    /// `None`.
    Null,
}

/// `Optional[...]` around the union of the parts; the literals merge into one `Literal[...]`
/// (where the first of them stood), each type is written once.
fn render(parts: &[Part]) -> String {
    let mut members: Vec<String> = Vec::new();
    let mut literals: Vec<&str> = Vec::new();
    let mut literal_at = None;
    for p in parts {
        match p {
            Part::Type(t) if !members.contains(t) => members.push(t.clone()),
            Part::Literal(l) => {
                literal_at.get_or_insert(members.len());
                if !literals.contains(&l.as_str()) {
                    literals.push(l);
                }
            }
            _ => {}
        }
    }
    if let Some(at) = literal_at {
        members.insert(at, format!("Literal[{}]", literals.join(", ")));
    }
    let nullable = parts.contains(&Part::Null);
    let inner = match members.as_slice() {
        [] => return if nullable { "None".into() } else { "Any".into() },
        [one] => one.clone(),
        many => format!("Union[{}]", many.join(", ")),
    };
    if nullable {
        format!("Optional[{inner}]")
    } else {
        inner
    }
}

/// Declarations in the order written: each before its first use, so that annotations (which
/// Python evaluates: the module has no `from __future__ import annotations`, for `TypedDict`'s
/// required keys to be right at run time) name what exists; a reference to what is not declared
/// yet (a cycle) is quoted.
#[derive(Default)]
struct Decls {
    out: String,
    declared: HashSet<String>,
    /// Every name taken, for the names of nested objects.
    taken: HashSet<String>,
    /// `__all__`: the types, in the order declared.
    exported: Vec<String>,
}

/// Resolves a `$ref` (`#/$defs/Name`) of the schema being written to its Python name.
type Refs<'a> = &'a dyn Fn(&str) -> String;

impl Decls {
    /// The Python type of a schema. `name` names a nested object with properties, which becomes
    /// its own TypedDict (declared before the declaration in progress).
    fn py_type(&mut self, schema: &Value, name: &str, refs: Refs) -> String {
        render(&self.parts(schema, name, refs))
    }

    fn parts(&mut self, schema: &Value, name: &str, refs: Refs) -> Vec<Part> {
        let Value::Object(o) = schema else { return vec![Part::Type("Any".into())] };
        if let Some(r) = o.get("$ref").and_then(Value::as_str) {
            let target = refs(r);
            let written = if self.declared.contains(&target) { target } else { py_str(&target) };
            return vec![Part::Type(written)];
        }
        if let Some(c) = o.get("const") {
            return vec![literal(c)];
        }
        if let Some(Value::Array(values)) = o.get("enum") {
            return values.iter().map(literal).collect();
        }
        if let Some(Value::Array(alternatives)) = o.get("oneOf").or_else(|| o.get("anyOf")) {
            return alternatives.iter().flat_map(|a| self.parts(a, name, refs)).collect();
        }
        if let Some(Value::Array(all)) = o.get("allOf") {
            // A TypedDict cannot be an intersection; a single member is just that member.
            return match all.as_slice() {
                [one] => self.parts(one, name, refs),
                _ => vec![Part::Type("Any".into())],
            };
        }
        match o.get("type") {
            Some(Value::String(t)) => vec![self.simple(t, o, name, refs)],
            Some(Value::Array(types)) => {
                types.iter().map(|t| self.simple(t.as_str().unwrap_or_default(), o, name, refs)).collect()
            }
            _ => vec![Part::Type("Any".into())],
        }
    }

    /// The type of a schema whose `type` is the single `type_name` (`o` holds its other keywords).
    fn simple(&mut self, type_name: &str, o: &Map<String, Value>, name: &str, refs: Refs) -> Part {
        Part::Type(match type_name {
            "null" => return Part::Null,
            "string" => "str".into(),
            "integer" => "int".into(),
            "number" => "float".into(),
            "boolean" => "bool".into(),
            "array" => {
                let items =
                    o.get("items").map_or_else(|| "Any".into(), |i| self.py_type(i, &format!("{name}Item"), refs));
                format!("List[{items}]")
            }
            "object" if is_record(o) && has_properties(o) => {
                let nested = self.fresh(name);
                let text = self.typed_dict(&nested, o, o.get("description").and_then(Value::as_str), refs);
                self.push(&nested, &text);
                nested
            }
            "object" => match o.get("additionalProperties") {
                Some(extra @ Value::Object(_)) if !has_properties(o) => {
                    format!("Dict[str, {}]", self.py_type(extra, &format!("{name}Value"), refs))
                }
                _ => "Dict[str, Any]".into(),
            },
            _ => "Any".into(),
        })
    }

    /// `name`, or `name2`, `name3`, ... when taken.
    fn fresh(&mut self, name: &str) -> String {
        let name: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut candidate = name.clone();
        let mut n = 1;
        while self.taken.contains(&candidate) || RESERVED.contains(&candidate.as_str()) {
            n += 1;
            candidate = format!("{name}{n}");
        }
        self.taken.insert(candidate.clone());
        candidate
    }

    /// Declares `name` for `schema`: a TypedDict for an object with properties that allows no
    /// other keys, else an alias of its type. `doc` overrides the schema's description.
    fn declare(&mut self, name: &str, schema: &Value, doc: Option<&str>, refs: Refs) {
        self.taken.insert(name.to_string());
        let doc = doc.or_else(|| schema.get("description").and_then(Value::as_str));
        let text = match schema.as_object().filter(|o| is_typed_dict(o)) {
            Some(o) => self.typed_dict(name, o, doc, refs),
            None => {
                let ty = self.py_type(schema, name, refs);
                format!("{}{name} = {ty}\n", comment(doc, ""))
            }
        };
        self.push(name, &text);
    }

    /// Writes a declaration (after those of the nested objects it names).
    fn push(&mut self, name: &str, text: &str) {
        self.out.push_str("\n\n");
        self.out.push_str(text);
        self.declared.insert(name.to_string());
        self.exported.push(name.to_string());
    }

    /// `class Name(TypedDict):` with a field per property (`NotRequired[...]` unless required),
    /// or `Name = TypedDict("Name", {...})` when a property cannot be a field name.
    fn typed_dict(&mut self, name: &str, o: &Map<String, Value>, doc: Option<&str>, refs: Refs) -> String {
        let required: Vec<&str> = strings(o.get("required"));
        let mut fields = Vec::new();
        for (key, prop) in o.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let ty = self.py_type(prop, &format!("{name}{}", facade::pascal(key)), refs);
            let ty = if required.contains(&key.as_str()) { ty } else { format!("NotRequired[{ty}]") };
            fields.push((key.as_str(), ty, prop.get("description").and_then(Value::as_str)));
        }
        if fields.iter().all(|(key, _, _)| is_field_name(key)) {
            let mut out = format!("class {name}(TypedDict):\n");
            match doc {
                Some(doc) => out.push_str(&docstring(doc, "    ")),
                None if fields.is_empty() => out.push_str("    pass\n"),
                None => {}
            }
            if doc.is_some() && !fields.is_empty() {
                out.push('\n');
            }
            for (key, ty, doc) in fields {
                out.push_str(&comment(doc, "    "));
                writeln!(out, "    {key}: {ty}").unwrap();
            }
            return out;
        }
        let mut out = comment(doc, "");
        writeln!(out, "{name} = TypedDict({}, {{", py_str(name)).unwrap();
        for (key, ty, doc) in fields {
            out.push_str(&comment(doc, "    "));
            writeln!(out, "    {}: {ty},", py_str(key)).unwrap();
        }
        out + "})\n"
    }
}

/// A schema that a TypedDict declaration says exactly: an object (nothing else) that is a record.
fn is_typed_dict(o: &Map<String, Value>) -> bool {
    o.get("type").and_then(Value::as_str) == Some("object")
        && !o.contains_key("oneOf")
        && !o.contains_key("anyOf")
        && !o.contains_key("allOf")
        && is_record(o)
}

/// An object whose keys a TypedDict says exactly: it has properties and allows no other keys
/// (`additionalProperties` left out, as schemars writes a reply type, or false), or it allows no
/// key at all (an empty request).
fn is_record(o: &Map<String, Value>) -> bool {
    match o.get("additionalProperties") {
        None => has_properties(o),
        Some(Value::Bool(false)) => true,
        Some(_) => false,
    }
}

fn has_properties(o: &Map<String, Value>) -> bool {
    o.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
}

/// A `const` or `enum` value as a `Literal[...]` member (None for null; an object or array,
/// which `Literal` cannot hold, as `Any`).
fn literal(v: &Value) -> Part {
    match v {
        Value::Null => Part::Null,
        Value::Bool(true) => Part::Literal("True".into()),
        Value::Bool(false) => Part::Literal("False".into()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Part::Literal(n.to_string()),
        Value::String(s) => Part::Literal(py_str(s)),
        _ => Part::Type("Any".into()),
    }
}

/// A schema default as a Python expression, when it is one an argument can have (None for null
/// or anything else, which then leaves the field out).
fn py_default(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Bool(b) => Some(if *b { "True" } else { "False" }.into()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(py_str(s)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The `$defs` entries' names

/// The Python name of every `$defs` entry, by (its name, its schema): the name itself when every
/// operation that has an entry by that name means the same schema (and it is not one the module
/// uses), else the name behind the Pascal name of the first operation that has that schema
/// (`CloudConnectionsListRecord`, `SecretsFetchAllRecord`).
fn def_names<'a>(ops: &[&'a Value]) -> HashMap<(&'a str, &'a Value), String> {
    let mut variants: Vec<(&str, Vec<(&Value, &str)>)> = Vec::new();
    for op in ops {
        for schema in [&op["request"], &op["reply"]] {
            for (name, def) in schema.get("$defs").and_then(Value::as_object).into_iter().flatten() {
                let i = variants.iter().position(|(n, _)| *n == name).unwrap_or_else(|| {
                    variants.push((name, Vec::new()));
                    variants.len() - 1
                });
                if !variants[i].1.iter().any(|(s, _)| *s == def) {
                    variants[i].1.push((def, name_of(op)));
                }
            }
        }
    }
    let mut names = HashMap::new();
    for (name, schemas) in variants {
        let shared = schemas.len() == 1 && !RESERVED.contains(&name);
        for (schema, first_op) in schemas {
            let python = if shared { name.to_string() } else { format!("{}{name}", op_pascal(first_op)) };
            names.insert((name, schema), python);
        }
    }
    names
}

/// The order that declares each def after the defs it names (a cycle is cut where found),
/// starting from the names in alphabetical order.
fn def_order(defs: &[(String, &Value, Vec<String>)]) -> Vec<usize> {
    fn visit(i: usize, defs: &[(String, &Value, Vec<String>)], state: &mut [u8], out: &mut Vec<usize>) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for dep in &defs[i].2 {
            if let Some(j) = defs.iter().position(|(n, _, _)| n == dep) {
                visit(j, defs, state, out);
            }
        }
        state[i] = 2;
        out.push(i);
    }
    let mut by_name: Vec<usize> = (0..defs.len()).collect();
    by_name.sort_by(|a, b| defs[*a].0.cmp(&defs[*b].0));
    let mut state = vec![0; defs.len()];
    let mut out = Vec::new();
    for i in by_name {
        visit(i, defs, &mut state, &mut out);
    }
    out
}

/// Every `$ref` target name (`#/$defs/Name` -> `Name`) inside a schema.
fn refs_in(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(o) => {
            for (k, v) in o {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs_in(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// _ops.py

/// One operation's method: its name, shape, and the names of its types.
struct Method<'a> {
    op: &'a Op,
    schema: &'a Value,
    shape: PyShape,
    /// `CloudConnectionsCreate`
    base: String,
    /// The request's `$defs` names (`$ref` -> Python name).
    refs: HashMap<String, String>,
}

fn ops_module(description: &Value, f: &Facade) -> String {
    let ops = operations(description);
    let by_name: HashMap<&str, &Value> = ops.iter().map(|o| (name_of(o), *o)).collect();
    let names = def_names(&ops);
    let mut d = Decls::default();
    for n in RESERVED {
        d.taken.insert(n.to_string());
    }

    // Every def once, under its Python name, each after the defs it names.
    let mut defs: Vec<(String, &Value, Vec<String>)> = Vec::new();
    // Each def's $refs resolve in the schema it came from (the first one: they all agree).
    let mut def_refs: HashMap<String, HashMap<String, String>> = HashMap::new();
    for op in &ops {
        for schema in [&op["request"], &op["reply"]] {
            let Some(entries) = schema.get("$defs").and_then(Value::as_object) else { continue };
            let local = local_refs(schema, &names);
            for (def_name, def) in entries {
                let python = names[&(def_name.as_str(), def)].clone();
                let mut deps = Vec::new();
                refs_in(def, &mut deps);
                let deps: Vec<String> = deps.iter().map(|r| resolve(&local, r)).collect();
                match defs.iter().find(|(n, _, _)| *n == python) {
                    None => defs.push((python.clone(), def, deps)),
                    // The same schema everywhere, naming the same declarations.
                    Some((_, first, first_deps)) => assert!(
                        *first == def && *first_deps == deps,
                        "python.rs: two $defs entries would be declared as {python}: {}",
                        name_of(op)
                    ),
                }
                def_refs.entry(python).or_insert_with(|| local.clone());
            }
        }
    }
    for (name, _, _) in &defs {
        assert!(d.taken.insert(name.clone()), "python.rs: the $defs name {name} is taken twice");
    }
    for i in def_order(&defs) {
        let (name, def, _) = &defs[i];
        let local = &def_refs[name];
        d.declare(name, def, None, &|r: &str| resolve(local, r));
    }

    // Each operation's request and reply (and the params of an `(id, params)` method).
    let mut methods = Vec::new();
    for op in f.root.all_ops() {
        let schema = by_name[op.name.as_str()];
        let base = op_pascal(&op.name);
        let shape = py_shape(op, schema);
        let request = &schema["request"];
        let request_refs = local_refs(request, &names);
        let refs = |r: &str| resolve(&request_refs, r);
        let summary = format!("The request of ``{}``: {}", op.name, op.summary);
        for suffix in ["Request", "Reply", "Params"] {
            assert!(d.taken.insert(format!("{base}{suffix}")), "python.rs: the name {base}{suffix} is taken twice");
        }
        d.declare(&format!("{base}Request"), request, Some(&summary), &refs);
        if let PyShape::IdParams(id) = &shape {
            let doc =
                format!("The params of ``{}``: its request without ``{id}`` (the method's first argument).", op.name);
            d.declare(&format!("{base}Params"), &without(request, id), Some(&doc), &refs);
        }
        let reply = &schema["reply"];
        let local = local_refs(reply, &names);
        d.declare(&format!("{base}Reply"), reply, Some(&format!("The reply of ``{}``.", op.name)), &|r: &str| {
            resolve(&local, r)
        });
        methods.push(Method { op, schema: request, shape, base, refs: local_refs(request, &names) });
    }

    let mut b = String::from(HEADER);
    b.push_str(
        "\"\"\"The typed facade of the operation registry: a ``TypedDict`` per request and reply of every\n\
         operation (``CloudConnectionsCreateRequest``, ...; exported by ``ductape.types``), and the\n\
         namespaces of ``Ductape`` and ``AsyncDuctape`` with a typed method per operation. Every method\n\
         takes ``progress=``, a callable that receives the call's progress events; any other attribute\n\
         of a namespace forwards to the core (``Namespace``).\n\"\"\"\n\
         import sys\n\
         from typing import Any, Awaitable, Dict, List, Optional, Union, cast\n\n\
         if sys.version_info >= (3, 11):\n\
         \x20   from typing import Literal, NotRequired, TypedDict\n\
         else:  # typing's TypedDict before 3.11 does not know NotRequired\n\
         \x20   from typing_extensions import Literal, NotRequired, TypedDict\n\n\
         from ._namespace import JsonObject, Namespace, Progress, _fields, _object, _positional\n\n",
    );
    b.push_str("__all__ = [\n");
    for name in &d.exported {
        writeln!(b, "    {},", py_str(name)).unwrap();
    }
    b.push_str("]\n");
    b.push_str(&d.out);

    let by_op: HashMap<&str, &Method> = methods.iter().map(|m| (m.op.name.as_str(), m)).collect();
    for asynchronous in [false, true] {
        for n in post_order(&f.root) {
            namespace_class(&mut b, n, &by_op, asynchronous);
        }
        root_class(&mut b, &f.root, asynchronous);
    }
    b
}

/// The names of one schema's `$defs` entries (its `$ref`s), by their name in that schema.
fn local_refs(schema: &Value, names: &HashMap<(&str, &Value), String>) -> HashMap<String, String> {
    schema
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(n, def)| (n.clone(), names[&(n.as_str(), def)].clone()))
        .collect()
}

fn resolve(local: &HashMap<String, String>, r: &str) -> String {
    let name = r.trim_start_matches("#/$defs/");
    local.get(name).cloned().unwrap_or_else(|| panic!("$ref {r} names no $defs entry of its schema"))
}

/// The request schema without the property `id` (the params of an `(id, params)` method).
fn without(request: &Value, id: &str) -> Value {
    let mut r = request.clone();
    if let Some(p) = r.get_mut("properties").and_then(Value::as_object_mut) {
        p.remove(id);
    }
    if let Some(req) = r.get_mut("required").and_then(Value::as_array_mut) {
        req.retain(|x| x != id);
    }
    r
}

/// The shape of an operation's method: `SHAPES_KEPT`'s, else the rule's.
pub fn py_shape(op: &Op, schema: &Value) -> PyShape {
    let request = &schema["request"];
    let shape = SHAPES_KEPT
        .iter()
        .find(|(name, _)| *name == op.name)
        .map_or_else(|| rule_shape(op, request), |(_, kept)| kept.clone());
    if let PyShape::IdParams(id) = &shape {
        let prop = request.get("properties").and_then(|p| p.get(*id));
        assert!(
            strings(request.get("required")).contains(id) && prop.is_some_and(|p| p["type"] == "string"),
            "{}: the {id:?} of an (id, params) method must be a required string of the request",
            op.name
        );
    }
    shape
}

/// facade.rs's rule, where a request whose only property is a required string takes it as the
/// argument (as `validate(tag)` does) and one without properties takes none.
fn rule_shape(op: &Op, request: &Value) -> PyShape {
    let properties: Vec<(&String, &Value)> =
        request.get("properties").and_then(Value::as_object).map(|p| p.iter().collect()).unwrap_or_default();
    let required = strings(request.get("required"));
    match (op.shape, properties.as_slice()) {
        (Shape::TagOnly, _) | (Shape::ParamsOnly, []) => PyShape::Fields,
        (Shape::ParamsOnly, [(key, prop)]) if required.contains(&key.as_str()) && prop["type"] == "string" => {
            PyShape::Fields
        }
        (Shape::TagParams, _) => PyShape::IdParams("tag"),
        (Shape::ParamsOnly, _) => PyShape::Params,
    }
}

/// Namespaces deepest first, so that a namespace's class exists when its parent's property
/// names it.
fn post_order(root: &Namespace) -> Vec<&Namespace> {
    let mut out = Vec::new();
    for c in &root.children {
        out.extend(post_order(c));
        out.push(c);
    }
    out
}

fn class_name(n: &Namespace, asynchronous: bool) -> String {
    if asynchronous {
        format!("Async{}", n.type_name())
    } else {
        n.type_name()
    }
}

/// A namespace's class: a property per sub-namespace and a method per operation.
fn namespace_class(b: &mut String, n: &Namespace, methods: &HashMap<&str, &Method>, asynchronous: bool) {
    let (client, result) =
        if asynchronous { ("AsyncDuctape", "Awaitable[JsonObject]") } else { ("Ductape", "JsonObject") };
    let ty = class_name(n, asynchronous);
    writeln!(b, "\n\nclass {ty}(Namespace[{result}]):").unwrap();
    b.push_str(&docstring(
        &format!("``{}`` of ``{client}``: its operations' typed methods and its namespaces; any other attribute forwards to the core.", n.dotted()),
        "    ",
    ));
    let mut names: HashSet<String> = HashSet::new();
    let mut claim = |name: &str| {
        assert!(
            names.insert(name.to_string()),
            "{}: {name:?} is both a method and a namespace, or named twice",
            n.dotted()
        );
    };
    for child in &n.children {
        let prop = py_name(child.path.last().expect("a child has a path"));
        claim(&prop);
        let child_ty = class_name(child, asynchronous);
        write!(
            b,
            "\n    @property\n    def {prop}(self) -> {child_ty}:\n        return {child_ty}(self._caller, {})\n",
            py_str(&child.dotted())
        )
        .unwrap();
    }
    for op in &n.ops {
        let m = methods[op.name.as_str()];
        let (name, alias) = method_names(op);
        claim(&name);
        b.push('\n');
        b.push_str(&method(m, &name, asynchronous));
        if let Some(alias) = alias {
            claim(&alias);
            writeln!(b, "\n    {alias} = {name}  # noqa: N815 - the operation's own name").unwrap();
        }
    }
}

/// The method's snake_case name, and the operation's own name as an alias when it differs
/// (`update_managed_networking` and `updateManagedNetworking`).
fn method_names(op: &Op) -> (String, Option<String>) {
    let own = op.name.rsplit('.').next().expect("split yields a part");
    let name = py_name(own);
    let alias = (is_identifier(own) && !KEYWORDS.contains(&own) && own != name).then(|| own.to_string());
    (name, alias)
}

/// One typed method: its parameters by its shape, `progress=` keyword-only, its reply's type.
fn method(m: &Method, name: &str, asynchronous: bool) -> String {
    let request = &m.schema;
    let properties: Vec<(&String, &Value)> =
        request.get("properties").and_then(Value::as_object).map(|p| p.iter().collect()).unwrap_or_default();
    let required = strings(request.get("required"));
    let op_name = py_str(&m.op.name);
    let mut params = vec!["self".to_string()];
    let body = match &m.shape {
        PyShape::Params => {
            let ty = format!("{}Request", m.base);
            params.push(if required.is_empty() {
                format!("params: Optional[{ty}] = None")
            } else {
                format!("params: {ty}")
            });
            format!("{op_name}, _object(params)")
        }
        PyShape::IdParams(id) => {
            let ty = format!("{}Params", m.base);
            let arg = py_name(id);
            params.push(format!("{arg}: str"));
            let rest_required = required.iter().any(|r| r != id);
            params.push(if rest_required { format!("params: {ty}") } else { format!("params: Optional[{ty}] = None") });
            format!("{op_name}, _positional({}, {arg}, params)", py_str(id))
        }
        PyShape::Fields => {
            // Each property an argument: the required ones in the schema's order, then the others.
            // Every def is declared before the namespaces.
            let mut d = Decls { declared: m.refs.values().cloned().collect(), ..Decls::default() };
            let none = |r: &str| resolve(&m.refs, r);
            let mut given = Vec::new();
            let mut optional = Vec::new();
            for key in &required {
                let (_, prop) = properties.iter().find(|(k, _)| k == key).expect("a required property is a property");
                let arg = field_arg(m, key);
                params.push(format!("{arg}: {}", d.py_type(prop, "", &none)));
                given.push(format!("{}: {arg}", py_str(key)));
            }
            for (key, prop) in properties.iter().filter(|(k, _)| !required.contains(&k.as_str())) {
                let arg = field_arg(m, key);
                let mut parts = d.parts(prop, "", &none);
                let default = py_default(prop.get("default")).unwrap_or_else(|| {
                    parts.push(Part::Null);
                    "None".into()
                });
                params.push(format!("{arg}: {} = {default}", render(&parts)));
                optional.push(format!("{}: {arg}", py_str(key)));
            }
            assert!(d.out.is_empty(), "{}: a field argument cannot be an object with properties", m.op.name);
            let given = format!("{{{}}}", given.join(", "));
            if optional.is_empty() {
                format!("{op_name}, {given}")
            } else {
                format!("{op_name}, _fields({given}, {{{}}})", optional.join(", "))
            }
        }
    };
    params.push("*".into());
    params.push("progress: Progress = None".into());
    let reply = format!("{}Reply", m.base);
    let def = if asynchronous { "async def" } else { "def" };
    let mut out = signature("    ", def, name, &params, &reply);
    out.push_str(&docstring(&format!("``{}``: {}", m.op.name, m.op.summary), "        "));
    let call = format!("self._run({body}, progress)");
    let call = if asynchronous { format!("await {call}") } else { call };
    let line = format!("        return cast({reply}, {call})\n");
    if line.trim_end().chars().count() <= WIDTH {
        out.push_str(&line);
    } else {
        write!(out, "        return cast(\n            {reply},\n            {call},\n        )\n").unwrap();
    }
    out
}

/// The argument for a request field: its Python name, which must not be one the method has.
fn field_arg(m: &Method, key: &str) -> String {
    assert!(is_identifier(key), "{}: the field {key:?} cannot be an argument", m.op.name);
    let arg = if KEYWORDS.contains(&key) { format!("{key}_") } else { key.to_string() };
    assert!(!["self", "progress", "params"].contains(&arg.as_str()), "{}: a field is named {arg:?}", m.op.name);
    arg
}

/// `def name(params) -> ret:` on one line when it fits, else its parameters on the next line,
/// else one a line (as black writes them).
fn signature(indent: &str, def: &str, name: &str, params: &[String], ret: &str) -> String {
    let one = format!("{indent}{def} {name}({}) -> {ret}:\n", params.join(", "));
    if one.trim_end().chars().count() <= WIDTH {
        return one;
    }
    let inner = format!("{indent}    ");
    let joined = format!("{inner}{}\n", params.join(", "));
    if joined.trim_end().chars().count() <= WIDTH {
        return format!("{indent}{def} {name}(\n{joined}{indent}) -> {ret}:\n");
    }
    let each: String = params.iter().map(|p| format!("{inner}{p},\n")).collect();
    format!("{indent}{def} {name}(\n{each}{indent}) -> {ret}:\n")
}

/// The clients' top-level namespaces, as a class each client derives from (`_client.py`); its
/// `call` stands for the client's own.
fn root_class(b: &mut String, root: &Namespace, asynchronous: bool) {
    let (ty, client) =
        if asynchronous { ("AsyncDuctapeNamespaces", "AsyncDuctape") } else { ("DuctapeNamespaces", "Ductape") };
    writeln!(b, "\n\nclass {ty}:").unwrap();
    let examples: Vec<String> = root.children.iter().map(|c| format!("``client.{}``", py_name(&c.dotted()))).collect();
    b.push_str(&docstring(&format!("The top-level namespaces of ``{client}``: {}.", examples.join(", ")), "    "));
    let def = if asynchronous { "async def" } else { "def" };
    write!(
        b,
        "\n    {def} call(self, operation: str, params: Any = None, *, progress: Progress = None) -> Any:\n\
         \x20       raise NotImplementedError  # {client}.call\n"
    )
    .unwrap();
    for child in &root.children {
        let prop = py_name(&child.dotted());
        assert!(!CLIENT_ATTRIBUTES.contains(&prop.as_str()), "the namespace {prop:?} would hide the client's own");
        let child_ty = class_name(child, asynchronous);
        write!(
            b,
            "\n    @property\n    def {prop}(self) -> {child_ty}:\n        return {child_ty}(self.call, {})\n",
            py_str(&child.dotted())
        )
        .unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// errors.py

/// The class of an error code: the rule's name (`not_found` -> `NotFoundError`, `atlas_error` ->
/// `AtlasError`) unless `CLASS_NAMES` has another.
pub fn error_class(code: &str) -> String {
    if let Some((_, name)) = CLASS_NAMES.iter().find(|(c, _)| *c == code) {
        return name.to_string();
    }
    let name = facade::pascal(code);
    if name.ends_with("Error") {
        name
    } else {
        name + "Error"
    }
}

fn errors_module(f: &Facade) -> String {
    let mut b = String::from(HEADER);
    b.push_str(
        "\"\"\"Exceptions: one class per stable error code of the Rust core.\n\n\
         Every failure the core reports is ``{\"code\", \"message\", \"field\"?, \"details\"?}``; ``error_from``\n\
         turns it into the class registered for its code (``DuctapeError`` itself for a code this\n\
         version does not know yet, so a newer core never breaks an older binding).\n\"\"\"\n\
         from typing import Any, Dict, Mapping, Type\n\n\
         from ._error_base import DuctapeError\n\n\
         __all__ = [\n    \"DuctapeError\",\n",
    );
    for e in &f.error_codes {
        writeln!(b, "    {},", py_str(&error_class(&e.code))).unwrap();
    }
    b.push_str("    \"ERROR_CLASSES\",\n    \"error_from\",\n]\n");
    for e in &f.error_codes {
        let builtin = BUILTIN_BASES.iter().find(|(c, _)| *c == e.code).map(|(_, base)| format!(", {base}"));
        write!(b, "\n\nclass {}(DuctapeError{}):\n", error_class(&e.code), builtin.unwrap_or_default()).unwrap();
        b.push_str(&docstring(&format!("``{}``: {}", e.code, e.summary), "    "));
        writeln!(b, "\n    code = {}", py_str(&e.code)).unwrap();
    }
    b.push_str("\n\n#: The class of each code, for decoding an error envelope.\n");
    b.push_str("ERROR_CLASSES: Dict[str, Type[DuctapeError]] = {\n");
    for e in &f.error_codes {
        writeln!(b, "    {}: {},", py_str(&e.code), error_class(&e.code)).unwrap();
    }
    b.push_str(
        "}\n\n\n\
         def error_from(error: Mapping[str, Any]) -> DuctapeError:\n\
         \x20   \"\"\"Builds the exception for an envelope's ``error`` object.\"\"\"\n\
         \x20   code = str(error.get(\"code\", \"internal\"))\n\
         \x20   cls = ERROR_CLASSES.get(code, DuctapeError)\n\
         \x20   return cls(\n\
         \x20       str(error.get(\"message\", \"\")),\n\
         \x20       code=code,\n\
         \x20       field=error.get(\"field\"),\n\
         \x20       details=error.get(\"details\"),\n\
         \x20   )\n",
    );
    b
}

// ---------------------------------------------------------------------------------------------
// The description

/// The public operations (the debug ones are reached by the namespaces' forwarding).
fn operations(description: &Value) -> Vec<&Value> {
    description["operations"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|o| !o["debug_only"].as_bool().unwrap_or(false))
        .collect()
}

fn name_of(op: &Value) -> &str {
    op["name"].as_str().expect("every operation has a string name")
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `#/$defs/Name` -> `Name`.
    fn bare(r: &str) -> String {
        r.trim_start_matches("#/$defs/").to_string()
    }

    /// The type of a schema, every def it names declared already.
    fn py(schema: Value) -> String {
        let mut d = Decls::default();
        for n in ["AuthMethod", "ErrorCode", "Source"] {
            d.declared.insert(n.into());
        }
        d.py_type(&schema, "Nested", &bare)
    }

    #[test]
    fn scalars_nullable_and_arrays() {
        assert_eq!(py(json!({"type": "string"})), "str");
        assert_eq!(py(json!({"type": "integer", "format": "uint64", "minimum": 0})), "int");
        assert_eq!(py(json!({"type": "number"})), "float");
        assert_eq!(py(json!({"type": "boolean"})), "bool");
        assert_eq!(py(json!({"type": ["string", "null"]})), "Optional[str]");
        assert_eq!(py(json!({"type": ["integer", "number", "null"]})), "Optional[Union[int, float]]");
        assert_eq!(py(json!({"type": ["array", "null"], "items": {"type": "string"}})), "Optional[List[str]]");
        assert_eq!(py(json!({"type": "array"})), "List[Any]");
        assert_eq!(py(json!({"type": "array", "items": {"$ref": "#/$defs/Source"}})), "List[Source]");
        assert_eq!(py(json!({"anyOf": [{"$ref": "#/$defs/AuthMethod"}, {"type": "null"}]})), "Optional[AuthMethod]");
        assert_eq!(py(json!(true)), "Any");
        assert_eq!(py(json!({})), "Any");
        assert_eq!(py(json!({"type": "null"})), "None");
    }

    #[test]
    fn const_and_enum_are_literals() {
        let one_of = json!({"oneOf": [
            {"const": "pending", "type": "string"},
            {"description": "Usable.", "const": "active", "type": "string"},
            {"const": "pending", "type": "string"},
        ]});
        assert_eq!(py(one_of), r#"Literal["pending", "active"]"#);
        assert_eq!(
            py(json!({"enum": ["a\"b", 1, true, null], "type": "string"})),
            r#"Optional[Literal["a\"b", 1, True]]"#
        );
        assert_eq!(py(json!({"const": null, "type": "string"})), "None");
        assert_eq!(
            py(json!({"anyOf": [{"type": "integer"}, {"const": "x"}, {"const": "y"}, {"$ref": "#/$defs/Source"}]})),
            r#"Union[int, Literal["x", "y"], Source]"#
        );
    }

    #[test]
    fn objects_without_properties_or_open_are_dicts() {
        assert_eq!(py(json!({"type": "object"})), "Dict[str, Any]");
        assert_eq!(py(json!({"type": "object", "additionalProperties": {"type": "integer"}})), "Dict[str, int]");
        // A TypedDict cannot allow keys besides its own: an open object is a dict.
        let open = json!({"type": "object", "additionalProperties": true, "properties": {"a": {"type": "string"}}});
        assert_eq!(py(open), "Dict[str, Any]");
    }

    #[test]
    fn a_reference_to_a_def_not_declared_yet_is_quoted() {
        assert_eq!(py(json!({"$ref": "#/$defs/Drift"})), r#""Drift""#);
        assert_eq!(
            py(json!({"type": ["array", "null"], "items": {"$ref": "#/$defs/Later"}})),
            r#"Optional[List["Later"]]"#
        );
    }

    #[test]
    fn typed_dict_with_required_and_not_required_fields() {
        let schema = json!({
            "description": "A thing.\nTwo lines, with \"\"\" and \\ in them.",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "name": {"description": "Its name.", "type": "string"},
                "scopes": {"default": null, "items": {"type": "string"}, "type": ["array", "null"]},
                "source": {"$ref": "#/$defs/Source"},
                "status": {"enum": ["pending", "active"], "type": "string"},
            },
            "required": ["name", "source"],
        });
        let mut d = Decls::default();
        d.declared.insert("Source".into());
        d.declare("Thing", &schema, None, &bare);
        let want = "\n\nclass Thing(TypedDict):\n    \"\"\"A thing.\n    Two lines, with \\\"\\\"\\\" and \\\\ in them.\n    \"\"\"\n\n    #: Its name.\n    name: str\n    scopes: NotRequired[Optional[List[str]]]\n    source: Source\n    status: NotRequired[Literal[\"pending\", \"active\"]]\n";
        assert_eq!(d.out, want);
        assert_eq!(d.exported, ["Thing"]);
    }

    #[test]
    fn typed_dict_with_a_key_that_is_no_field_name_is_functional() {
        let schema = json!({"type": "object", "properties": {"from": {"type": "string"}, "a-b": {"type": "integer"}},
                            "required": ["from"]});
        let mut d = Decls::default();
        d.declare("Odd", &schema, Some("Doc."), &bare);
        assert_eq!(
            d.out,
            "\n\n#: Doc.\nOdd = TypedDict(\"Odd\", {\n    \"a-b\": NotRequired[int],\n    \"from\": str,\n})\n"
        );
    }

    #[test]
    fn empty_requests_nested_objects_and_aliases() {
        let mut d = Decls::default();
        d.declare("ListRequest", &json!({"type": "object", "additionalProperties": false}), Some("Empty."), &bare);
        assert_eq!(d.out, "\n\nclass ListRequest(TypedDict):\n    \"\"\"Empty.\"\"\"\n");

        // A nested object with properties is its own TypedDict, declared first.
        let mut d = Decls::default();
        let schema = json!({"type": "object", "properties": {"inner": {"type": "object",
            "properties": {"x": {"type": "boolean"}}, "required": ["x"]}}});
        d.declare("Outer", &schema, Some("Outer."), &bare);
        assert_eq!(
            d.out,
            "\n\nclass OuterInner(TypedDict):\n    x: bool\n\n\n\
             class Outer(TypedDict):\n    \"\"\"Outer.\"\"\"\n\n    inner: NotRequired[OuterInner]\n"
        );

        let mut d = Decls::default();
        let status = json!({"description": "Where from.", "oneOf": [{"const": "custom"}, {"const": "detected"}]});
        d.declare("Source", &status, None, &bare);
        let open = json!({"type": "object", "additionalProperties": true, "properties": {"a": {"type": "string"}}});
        d.declare("Metadata", &open, None, &bare);
        assert_eq!(
            d.out,
            "\n\n#: Where from.\nSource = Literal[\"custom\", \"detected\"]\n\n\nMetadata = Dict[str, Any]\n"
        );
    }

    #[test]
    fn def_names_are_shared_or_take_the_first_operation_s_prefix() {
        let ops = [
            json!({"name": "cloud.connections.list",
                   "request": {"$defs": {"Status": {"const": 1}}},
                   "reply": {"$defs": {"Record": {"type": "object"}, "Any": {"type": "string"}}}}),
            json!({"name": "cloud.connections.fetch", "request": {}, "reply": {"$defs": {"Status": {"const": 1}}}}),
            json!({"name": "secrets.fetchAll", "request": {}, "reply": {"$defs": {"Record": {"type": "array"}}}}),
        ];
        let ops: Vec<&Value> = ops.iter().collect();
        let names = def_names(&ops);
        let name = |op: usize, schema: &str, def: &str| names[&(def, &ops[op][schema]["$defs"][def])].clone();
        assert_eq!(name(0, "request", "Status"), "Status");
        assert_eq!(name(1, "reply", "Status"), "Status");
        assert_eq!(name(0, "reply", "Record"), "CloudConnectionsListRecord");
        assert_eq!(name(2, "reply", "Record"), "SecretsFetchAllRecord");
        assert_eq!(name(0, "reply", "Any"), "CloudConnectionsListAny", "a name the module imports takes a prefix");
    }

    #[test]
    fn defs_are_declared_after_the_defs_they_name() {
        let s = json!({});
        let defs = vec![
            ("Drift".to_string(), &s, vec!["DriftKind".to_string()]),
            ("AllowedSource".to_string(), &s, vec!["Source".to_string()]),
            ("DriftKind".to_string(), &s, vec![]),
            ("Source".to_string(), &s, vec![]),
            ("Loop".to_string(), &s, vec!["Loop".to_string()]),
        ];
        let order: Vec<&str> = def_order(&defs).into_iter().map(|i| defs[i].0.as_str()).collect();
        assert_eq!(order, ["Source", "AllowedSource", "DriftKind", "Drift", "Loop"]);
    }

    /// One operation of a description, parsed as the module does.
    fn one_op(name: &str, request: Value) -> (Facade, Value) {
        let d = json!({"operations": [{"name": name, "summary": "Does it.", "request": request, "reply": {}}]});
        (facade::parse(&d), d["operations"][0].clone())
    }

    fn shape_of(name: &str, request: Value) -> PyShape {
        let (f, schema) = one_op(name, request);
        let op = f.root.all_ops().next().expect("one operation");
        py_shape(op, &schema)
    }

    #[test]
    fn shapes_follow_the_rule_or_the_kept_table() {
        let tag_only = json!({"properties": {"tag": {"type": "string"}}, "required": ["tag"]});
        assert_eq!(shape_of("a.validate", tag_only), PyShape::Fields);
        let host = json!({"properties": {"host": {"type": "string"}}, "required": ["host"]});
        assert_eq!(shape_of("a.resolveHost", host), PyShape::Fields, "one required string: the argument");
        let count = json!({"properties": {"n": {"type": "integer"}}, "required": ["n"]});
        assert_eq!(shape_of("a.count", count), PyShape::Params);
        assert_eq!(shape_of("a.list", json!({"type": "object"})), PyShape::Fields, "no property: no argument");
        let tag_params = json!({"properties": {"tag": {"type": "string"}, "x": {}}, "required": ["tag"]});
        assert_eq!(shape_of("a.complete", tag_params.clone()), PyShape::IdParams("tag"));
        let create = json!({"properties": {"product": {"type": "string"}, "tag": {"type": "string"}},
                            "required": ["product", "tag"]});
        assert_eq!(shape_of("a.create", create.clone()), PyShape::IdParams("tag"));
        assert_eq!(shape_of("products.components.create", create), PyShape::Params, "kept as written by hand");
        let key = json!({"properties": {"key": {"type": "string"}, "value": {}}, "required": ["key"]});
        assert_eq!(shape_of("secrets.update", key), PyShape::IdParams("key"));
    }

    fn method_text(name: &str, request: Value, asynchronous: bool) -> String {
        let (f, schema) = one_op(name, request);
        let op = f.root.all_ops().next().expect("one operation");
        let shape = py_shape(op, &schema);
        let m = Method { op, schema: &schema["request"], shape, base: op_pascal(name), refs: HashMap::new() };
        method(&m, &method_names(op).0, asynchronous)
    }

    #[test]
    fn methods_by_shape() {
        let tag = json!({"properties": {"tag": {"type": "string"}}, "required": ["tag"]});
        assert_eq!(
            method_text("cloud.connections.validate", tag, false),
            "    def validate(self, tag: str, *, progress: Progress = None) -> CloudConnectionsValidateReply:\n\
             \x20       \"\"\"``cloud.connections.validate``: Does it.\"\"\"\n\
             \x20       return cast(\n\
             \x20           CloudConnectionsValidateReply,\n\
             \x20           self._run(\"cloud.connections.validate\", {\"tag\": tag}, progress),\n\
             \x20       )\n"
        );
        let fetch = json!({"properties": {"key": {"type": "string"}}, "required": ["key"]});
        assert_eq!(
            method_text("s.fetch", fetch, false),
            "    def fetch(self, key: str, *, progress: Progress = None) -> SFetchReply:\n\
             \x20       \"\"\"``s.fetch``: Does it.\"\"\"\n\
             \x20       return cast(SFetchReply, self._run(\"s.fetch\", {\"key\": key}, progress))\n"
        );
        let sync = json!({"properties": {"tag": {"type": "string"}, "wait": {"type": "boolean", "default": false}},
                          "required": ["tag"]});
        assert_eq!(
            method_text("a.syncNetworkAccess", sync, true),
            "    async def sync_network_access(\n\
             \x20       self, tag: str, params: Optional[ASyncNetworkAccessParams] = None, *, progress: Progress = None\n\
             \x20   ) -> ASyncNetworkAccessReply:\n\
             \x20       \"\"\"``a.syncNetworkAccess``: Does it.\"\"\"\n\
             \x20       return cast(\n\
             \x20           ASyncNetworkAccessReply,\n\
             \x20           await self._run(\"a.syncNetworkAccess\", _positional(\"tag\", tag, params), progress),\n\
             \x20       )\n"
        );
        let create = json!({"properties": {"name": {"type": "string"}, "tag": {"type": ["string", "null"]}},
                            "required": ["name"]});
        assert!(method_text("p.create", create, false).starts_with(
            "    def create(self, params: PCreateRequest, *, progress: Progress = None) -> PCreateReply:\n"
        ));
        let list = json!({"properties": {"status": {"type": ["string", "null"]}}});
        assert!(method_text("p.list", list, false).contains("params: Optional[PListRequest] = None"));
    }

    #[test]
    fn field_methods_take_defaults_from_the_schema() {
        let resolve = json!({"properties": {
            "app": {"default": null, "type": ["string", "null"]}, "component": {"type": "string"},
            "force": {"default": false, "type": "boolean"}, "product": {"type": "string"},
            "service": {"default": "atlas-cluster", "type": "string"}},
            "required": ["product", "component"]});
        assert_eq!(
            method_text("products.components.resolve", resolve, false),
            "    def resolve(\n\
             \x20       self,\n\
             \x20       product: str,\n\
             \x20       component: str,\n\
             \x20       app: Optional[str] = None,\n\
             \x20       force: bool = False,\n\
             \x20       service: str = \"atlas-cluster\",\n\
             \x20       *,\n\
             \x20       progress: Progress = None,\n\
             \x20   ) -> ProductsComponentsResolveReply:\n\
             \x20       \"\"\"``products.components.resolve``: Does it.\"\"\"\n\
             \x20       return cast(\n\
             \x20           ProductsComponentsResolveReply,\n\
             \x20           self._run(\"products.components.resolve\", _fields({\"product\": product, \"component\": component}, {\"app\": app, \"force\": force, \"service\": service}), progress),\n\
             \x20       )\n"
        );
        assert!(method_text("products.list", json!({"type": "object"}), false)
            .contains("return cast(ProductsListReply, self._run(\"products.list\", {}, progress))"));
    }

    #[test]
    fn names() {
        assert_eq!(snake("updateManagedNetworking"), "update_managed_networking");
        assert_eq!(snake("fetchAll"), "fetch_all");
        assert_eq!(snake("create"), "create");
        assert_eq!(py_name("import"), "import_");
        assert_eq!(py_name("rotateKey"), "rotate_key");
        assert_eq!(error_class("not_found"), "NotFoundError");
        assert_eq!(error_class("atlas_error"), "AtlasError");
        assert_eq!(error_class("timeout"), "DuctapeTimeoutError");
        assert_eq!(error_class("cancelled"), "CallCancelledError");
        assert_eq!(py_str("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\u0001é""#);
        // Only a quote that would run into the closing ones needs escaping.
        assert_eq!(docstring("ends in \"quote\"", ""), "\"\"\"ends in \"quote\\\"\"\"\"\n");
        assert_eq!(comment(Some("a\n\nb"), "  "), "  #: a\n  #:\n  #: b\n");
    }

    #[test]
    fn error_classes_derive_from_python_s_own_where_one_fits() {
        let f = facade::parse(&json!({"error_codes": [
            {"code": "invalid_argument", "summary": "Bad."}, {"code": "atlas_error", "summary": "Atlas."}]}));
        let text = errors_module(&f);
        assert!(text.contains(
            "\n\nclass InvalidArgumentError(DuctapeError, ValueError):\n    \"\"\"``invalid_argument``: Bad.\"\"\"\n\n    code = \"invalid_argument\"\n"
        ));
        assert!(text.contains("\n\nclass AtlasError(DuctapeError):\n"));
        assert!(text.contains("    \"invalid_argument\": InvalidArgumentError,\n    \"atlas_error\": AtlasError,\n}\n"));
    }

    /// The registry's own description: every table entry names what it has, every operation
    /// gets a method in both clients, and the kept shapes are the ones the rule would not give.
    #[test]
    fn the_registry_generates() {
        let description = ductape_core::ops::describe::describe_public();
        let files = files(&description);
        let ops = &files[0].text;
        let f = facade::parse(&description);
        for op in f.root.all_ops() {
            let (name, _) = method_names(op);
            let pattern = format!("def {name}(");
            assert!(ops.matches(&pattern).count() >= 2, "{}: no method {name} in both clients", op.name);
        }
        for (name, kept) in SHAPES_KEPT {
            let op = f.root.all_ops().find(|o| o.name == *name).expect("checked by files()");
            let schema = operations(&description).into_iter().find(|o| name_of(o) == *name).expect("an operation");
            let rule = rule_shape(op, &schema["request"]);
            assert_ne!(&rule, kept, "{name}: the rule gives this shape; it needs no entry in SHAPES_KEPT");
        }
    }
}
