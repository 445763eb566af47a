//! bindings/java/src/main/java/dev/ductape/: the Java facade. One class per namespace of the
//! registry (`Cloud`, `Connections`, `Secrets`, ...), a typed method per public operation in four
//! forms (blocking and `...Async`, each also taking a `ProgressListener`), `DuctapeNamespaces`
//! (the namespace fields of `Ductape`, which extends it) and `DuctapeException.java` (the base
//! class and a subclass per error code). The call machinery (`Ductape`, `Namespace`, `Envelope`,
//! `Json`, `CAbi`, `ProgressListener`) stays hand-written beside them, in the same package.
//!
//! Where a namespace's class goes: a namespace whose parent has no operations of its own (the
//! root, `cloud`) is a top-level class named by its last segment (`Connections`); one under a
//! namespace with operations nests in that class (`Products.Environments`).
//!
//! How a method takes its request (the Java API the hand-written facade had, kept):
//! - an operation in [`ARGUMENTS`] takes the fields listed there as arguments
//!   (`resolve(String value, String app, String env)`), or one field and the rest as a map when
//!   the list ends in `params` (`update(String key, Map params)`, the positional form), or the
//!   whole request as a map (`[params]`);
//! - any other follows facade.rs's shape, as in Go and .NET: `validate(tag)`,
//!   `complete(tag, params)`, `create(params)`; a request whose only field is a required string
//!   takes that string (`fetch(String key)`, Java's one generalisation of `(tag)`), and one
//!   without fields takes nothing (`list()`).
//!
//! Overloads: a map the request can do without may be left off (`list()` beside `list(params)`),
//! and so may a trailing optional boolean (`delete(product)` beside `delete(product, force)`).

use crate::facade::{self, Facade, Namespace, Op, Shape};
use crate::Generated;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

const DIR: &str = "bindings/java/src/main/java/dev/ductape";

/// The generated base class of `Ductape`: its namespace fields.
const ROOT_CLASS: &str = "DuctapeNamespaces";

/// The package's other classes, hand-written (Kotlin's `NativeBridge` too) or generated; no
/// namespace class may take their names.
const TAKEN: &str = "CAbi Ductape DuctapeException DuctapeNamespaces Envelope Json Namespace NativeBridge \
    ProgressListener";

/// The last entry of an [`ARGUMENTS`] list that takes the rest of the request as a map.
const PARAMS: &str = "params";

/// The Java methods whose arguments are the request's fields, in this order, rather than
/// facade.rs's shape: the signatures the hand-written facade (and the Python one) chose, which
/// the request schemas alone do not decide (`unlink(params)` but `getEnv(product, component,
/// env)`, both all-required strings). A list ending in [`PARAMS`] takes the rest of the request
/// as a map, and `[PARAMS]` alone all of it (`products.components.create(params)`, whose
/// required `tag` names the new component, not one to address). A list must name every field
/// of its request (or end in [`PARAMS`]), and only string and boolean ones, or codegen stops: a
/// field added to the request later has to be placed here.
const ARGUMENTS: &[(&str, &[&str])] = &[
    ("cloud.resources.list", &["cloud", "service"]),
    ("secrets.update", &["key", PARAMS]),
    ("secrets.resolve", &["value", "app", "env"]),
    ("products.update", &["product", PARAMS]),
    ("products.delete", &["product", "force"]),
    ("products.environments.fetch", &["product", "env"]),
    ("products.environments.delete", &["product", "env", "force"]),
    ("products.components.create", &[PARAMS]),
    ("products.components.fetch", &["product", "component"]),
    ("products.components.delete", &["product", "component", "force"]),
    ("products.components.getEnv", &["product", "component", "env"]),
    ("products.components.resolve", &["product", "component", "env", "app"]),
];

/// Java's reserved words (and literals), which cannot name a method or a parameter.
const KEYWORDS: &str =
    "_ abstract assert boolean break byte case catch char class const continue default do double else \
    enum extends false final finally float for goto if implements import instanceof int interface long \
    native new null package private protected public return short static strictfp super switch \
    synchronized this throw throws transient true try void volatile while";

fn is_keyword(name: &str) -> bool {
    KEYWORDS.split_whitespace().any(|k| k == name)
}

/// Methods every namespace class already has (`Namespace`'s and `Object`'s): no operation may
/// take their names.
const NAMESPACE_METHODS: &str =
    "call callAsync callObject callObjectAsync ductape getPrefix namespace operationName clone equals \
    finalize getClass hashCode notify notifyAll toString wait";

pub fn files(description: &Value) -> Vec<Generated> {
    let facade = facade::parse(description);
    let requests: HashMap<&str, &Value> = description["operations"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|o| (o["name"].as_str().unwrap_or_default(), &o["request"]))
        .collect();
    for (name, _) in ARGUMENTS {
        assert!(facade.root.all_ops().any(|op| op.name == *name), "ARGUMENTS names {name:?}, which the registry lacks");
    }
    let mut top = Vec::new();
    top_level(&facade.root, &mut top);
    let mut names: Vec<String> = TAKEN.split_whitespace().map(str::to_owned).collect();
    for n in &top {
        let cls = class_name(n);
        assert!(!names.contains(&cls), "namespace {:?} makes the Java class {cls}, which is taken", n.dotted());
        names.push(cls);
    }
    let mut out = vec![
        file(&format!("{DIR}/{ROOT_CLASS}.java"), root_class(&facade)),
        file(&format!("{DIR}/DuctapeException.java"), exceptions(&facade)),
    ];
    for n in top {
        let mut b = header();
        let mut body = String::new();
        class(&mut body, n, 0, &requests);
        if body.contains("Map<") {
            b.push_str("import java.util.Map;\n");
        }
        if body.contains("CompletableFuture<") {
            b.push_str("import java.util.concurrent.CompletableFuture;\n");
        }
        if body.contains("Map<") || body.contains("CompletableFuture<") {
            b.push('\n');
        }
        b.push_str(&body);
        out.push(file(&format!("{DIR}/{}.java", class_name(n)), b));
    }
    out
}

/// `Generated` holds a static path; the generator runs once and exits, so leaking the few paths
/// made from namespace names costs nothing.
fn file(path: &str, text: String) -> Generated {
    Generated { path: path.to_owned().leak(), text }
}

fn header() -> String {
    let mut b = String::new();
    for line in facade::HEADER {
        writeln!(b, "// {line}").unwrap();
    }
    b.push_str("package dev.ductape;\n\n");
    b
}

/// The namespaces that get a file of their own: those whose parent has no operations.
fn top_level<'a>(n: &'a Namespace, out: &mut Vec<&'a Namespace>) {
    for c in &n.children {
        if n.ops.is_empty() {
            out.push(c);
        }
        top_level(c, out);
    }
}

/// A namespace's class: its last segment in PascalCase (`Connections`, `Environments`).
fn class_name(n: &Namespace) -> String {
    n.field()
}

/// A namespace's field in its parent: its last segment in camelCase (`connections`).
fn field_name(n: &Namespace) -> String {
    camel(n.path.last().expect("the root has no field"))
}

/// `rotateKey`, `fetch_all` -> `fetchAll`.
fn camel(s: &str) -> String {
    let pascal = facade::pascal(s);
    let mut chars = pascal.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// An operation's method: its last segment in camelCase; a Java reserved word takes the
/// namespace's last segment, singular, after it (`cloud.resources.import` -> `importResource`).
fn method_name(namespace: &[String], segment: &str) -> String {
    let name = camel(segment);
    if !is_keyword(&name) {
        return name;
    }
    let last = namespace.last().map_or("", String::as_str);
    let singular = last.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(last);
    name + &facade::pascal(singular)
}

/// A request field's parameter: camelCase; a reserved word, or a name the method's other
/// parameters use, gets `Value` after it (`new_key` -> `newKey`, `default` -> `defaultValue`).
fn param_name(field: &str) -> String {
    let name = camel(field);
    if is_keyword(&name) || name == PARAMS || name == "listener" {
        name + "Value"
    } else {
        name
    }
}

/// One request field taken as an argument.
#[derive(Debug, Clone, PartialEq)]
struct Field {
    /// The request's name: `wait_timeout_ms`.
    json: String,
    /// The parameter: `waitTimeoutMs`.
    param: String,
    /// `String`, `boolean` or `Boolean`.
    ty: &'static str,
    required: bool,
}

/// How a Java method takes its request.
#[derive(Debug, PartialEq)]
enum Args {
    /// `()`: the request has no field.
    Nothing,
    /// `(Map params)`, and `()` too when `optional` (the request requires nothing).
    Params { optional: bool },
    /// `(String key, Map params)`, sent in the positional form `{key: value, "params": params}`.
    KeyParams(Field),
    /// `(String product, String env, boolean force)`, each one field of the request.
    Fields(Vec<Field>),
}

fn properties(request: &Value) -> Vec<&str> {
    request["properties"].as_object().map_or(Vec::new(), |p| p.keys().map(String::as_str).collect())
}

fn required(request: &Value) -> Vec<&str> {
    request["required"].as_array().map_or(Vec::new(), |r| r.iter().filter_map(Value::as_str).collect())
}

/// The arguments of an operation's method (see the module's comment).
fn args(op: &Op, request: &Value) -> Args {
    if let Some((_, list)) = ARGUMENTS.iter().find(|(name, _)| *name == op.name) {
        let (names, rest) = match list.split_last() {
            Some((&PARAMS, names)) => (names, true),
            _ => (*list, false),
        };
        let fields: Vec<Field> = names.iter().map(|f| field(op, request, f)).collect();
        if rest && fields.is_empty() {
            return Args::Params { optional: required(request).is_empty() };
        }
        if rest {
            assert!(
                fields.len() == 1 && fields[0].ty == "String" && fields[0].required,
                "ARGUMENTS for {}: a list ending in params starts with one required string field",
                op.name
            );
            return Args::KeyParams(fields.into_iter().next().expect("one field"));
        }
        for p in properties(request) {
            assert!(
                names.contains(&p),
                "ARGUMENTS for {} leaves out the request's field {p:?}: add it or end in params",
                op.name
            );
        }
        return Args::Fields(fields);
    }
    let props = properties(request);
    match op.shape {
        Shape::TagOnly => Args::Fields(vec![field(op, request, "tag")]),
        Shape::TagParams => Args::KeyParams(field(op, request, "tag")),
        Shape::ParamsOnly if props.is_empty() => Args::Nothing,
        Shape::ParamsOnly
            if props.len() == 1 && required(request) == props && string(&request["properties"][props[0]]) =>
        {
            Args::Fields(vec![field(op, request, props[0])])
        }
        Shape::ParamsOnly => Args::Params { optional: required(request).is_empty() },
    }
}

/// A plain `"type": "string"` field (not nullable).
fn string(schema: &Value) -> bool {
    schema["type"] == "string"
}

fn field(op: &Op, request: &Value, name: &str) -> Field {
    let schema = &request["properties"][name];
    let ty = match &schema["type"] {
        Value::String(t) if t == "string" => "String",
        Value::String(t) if t == "boolean" => "boolean",
        Value::Array(t) if t.len() == 2 && t.contains(&Value::from("null")) && t.contains(&Value::from("string")) => {
            "String"
        }
        Value::Array(t) if t.len() == 2 && t.contains(&Value::from("null")) && t.contains(&Value::from("boolean")) => {
            "Boolean"
        }
        Value::Null => panic!("{}: the request has no field {name:?}", op.name),
        other => panic!(
            "{}: the argument {name:?} is of type {other}; only string and boolean fields are arguments",
            op.name
        ),
    };
    Field { json: name.to_owned(), param: param_name(name), ty, required: required(request).contains(&name) }
}

/// One overload: its parameters (type, name) and the request it sends.
struct Overload {
    params: Vec<(String, String)>,
    request: String,
    /// Why it exists beside the full one (None for the full one).
    note: Option<String>,
}

impl Overload {
    fn declaration(&self, listener: bool) -> String {
        let mut p: Vec<String> = self.params.iter().map(|(t, n)| format!("{t} {n}")).collect();
        if listener {
            p.push("ProgressListener listener".to_owned());
        }
        p.join(", ")
    }

    /// The erased parameter types for `{@link #m(...)}`.
    fn link(&self, listener: bool) -> String {
        let mut p: Vec<&str> = self.params.iter().map(|(t, _)| t.split('<').next().unwrap_or(t)).collect();
        if listener {
            p.push("ProgressListener");
        }
        p.join(", ")
    }
}

const MAP: &str = "Map<String, ?>";

/// The full overload first, then the shorter ones.
fn overloads(args: &Args) -> Vec<Overload> {
    let params = || (MAP.to_owned(), PARAMS.to_owned());
    match args {
        Args::Nothing => vec![Overload { params: vec![], request: "Map.of()".into(), note: None }],
        Args::Params { optional } => {
            let mut v = vec![Overload { params: vec![params()], request: PARAMS.into(), note: None }];
            if *optional {
                v.push(Overload { params: vec![], request: "Map.of()".into(), note: Some("no {@code params}".into()) });
            }
            v
        }
        Args::KeyParams(k) => vec![Overload {
            params: vec![(k.ty.to_owned(), k.param.clone()), params()],
            request: format!("positional({}, {}, params)", facade::quote(&k.json), k.param),
            note: None,
        }],
        Args::Fields(fields) => {
            let mut v = Vec::new();
            let mut n = fields.len();
            loop {
                let taken = &fields[..n];
                let pairs: Vec<String> =
                    taken.iter().map(|f| format!("{}, {}", facade::quote(&f.json), f.param)).collect();
                let left: Vec<String> = fields[n..].iter().map(|f| format!("{{@code {}}}", f.param)).collect();
                v.push(Overload {
                    params: taken.iter().map(|f| (f.ty.to_owned(), f.param.clone())).collect(),
                    request: format!("fields({})", pairs.join(", ")),
                    note: (n < fields.len()).then(|| format!("{} left to the core's default", left.join(", "))),
                });
                // A trailing optional boolean (a flag such as force) may be left off; a string
                // may be null instead.
                match taken.last() {
                    Some(f) if !f.required && f.ty == "boolean" => n -= 1,
                    _ => break,
                }
            }
            v
        }
    }
}

/// The text after a method's summary: which operation it runs and what its arguments hold.
fn details(op: &Op, args: &Args, request: &Value) -> String {
    let mut s = format!("{{@code {}}}", op.name);
    let shape = |skip: &str| {
        let req = required(request);
        let mut names: Vec<String> = req.iter().filter(|r| **r != skip).map(|r| r.to_string()).collect();
        names.extend(
            properties(request).into_iter().filter(|p| *p != skip && !req.contains(p)).map(|p| format!("{p}?")),
        );
        format!("{{@code {{{}}}}}", names.join(", "))
    };
    match args {
        Args::Nothing => {}
        Args::Params { optional } => {
            write!(s, "; {{@code params}}: {}", shape("")).unwrap();
            if *optional {
                s.push_str(" (null for none)");
            }
        }
        Args::KeyParams(k) => {
            write!(s, "; {{@code params}}: the rest, {}", shape(&k.json)).unwrap();
            if required(request).iter().all(|r| *r == k.json) {
                s.push_str(" (null for none)");
            }
        }
        Args::Fields(fields) => {
            let nullable: Vec<String> = fields
                .iter()
                .filter(|f| !f.required && f.ty != "boolean")
                .map(|f| format!("{{@code {}}}", f.param))
                .collect();
            if !nullable.is_empty() {
                write!(s, "; {} may be null (left out)", nullable.join(", ")).unwrap();
            }
        }
    }
    s + "."
}

const RET: &str = "Map<String, Object>";
const RET_ASYNC: &str = "CompletableFuture<Map<String, Object>>";

/// An operation's methods: every overload blocking and async, the full one also with a listener.
fn methods(b: &mut String, ind: &str, op: &Op, namespace: &[String], request: &Value) {
    let segment = op.name.rsplit('.').next().unwrap_or_default();
    let m = method_name(namespace, segment);
    assert!(
        !NAMESPACE_METHODS.split_whitespace().any(|n| n == m),
        "{}: the Java method {m} would clash with Namespace's",
        op.name
    );
    let args = args(op, request);
    let overloads = overloads(&args);
    let (full, seg) = (&overloads[0], facade::quote(segment));
    let doc = |b: &mut String, text: &str| writeln!(b, "\n{ind}/** {text} */").unwrap();
    let body = |b: &mut String, ret: &str, name: &str, o: &Overload, listener: bool, call: &str| {
        let l = if listener { ", listener" } else { "" };
        writeln!(b, "{ind}public {ret} {name}({}) {{", o.declaration(listener)).unwrap();
        writeln!(b, "{ind}    return {call}({seg}, {}{l});\n{ind}}}", o.request).unwrap();
    };
    let with_listener = "with {@code listener} receiving the call's progress events (null for none).";
    writeln!(
        b,
        "\n{ind}/**\n{ind} * {}\n{ind} *\n{ind} * <p>{}\n{ind} */",
        javadoc(&op.summary),
        details(op, &args, request)
    )
    .unwrap();
    body(b, RET, &m, full, false, "callObject");
    doc(b, &format!("{{@link #{m}({})}} {with_listener}", full.link(false)));
    body(b, RET, &m, full, true, "callObject");
    doc(b, &format!("Asynchronous {{@link #{m}({})}}: cancelling the future cancels the Rust task.", full.link(false)));
    body(b, RET_ASYNC, &format!("{m}Async"), full, false, "callObjectAsync");
    doc(b, &format!("{{@link #{m}Async({})}} {with_listener}", full.link(false)));
    body(b, RET_ASYNC, &format!("{m}Async"), full, true, "callObjectAsync");
    for o in &overloads[1..] {
        let note = o.note.as_deref().unwrap_or_default();
        doc(b, &format!("{{@link #{m}({})}} with {note}.", full.link(false)));
        body(b, RET, &m, o, false, "callObject");
        doc(b, &format!("{{@link #{m}Async({})}} with {note}.", full.link(false)));
        body(b, RET_ASYNC, &format!("{m}Async"), o, false, "callObjectAsync");
    }
}

/// A namespace's class at `depth` (0: top-level), with its children's classes nested in it when
/// it has operations of its own.
fn class(b: &mut String, n: &Namespace, depth: usize, requests: &HashMap<&str, &Value>) {
    let ind = "    ".repeat(depth);
    let inner = "    ".repeat(depth + 1);
    let cls = class_name(n);
    let nest = !n.ops.is_empty();
    let dotted = n.dotted();
    if nest || n.children.is_empty() {
        writeln!(
            b,
            "{ind}/**\n{ind} * {{@code {dotted}}}: the {{@code {dotted}.*}} operations, each a typed method (blocking and\n\
             {ind} * {{@code ...Async}}, each also with a {{@link ProgressListener}}); any other by name with {{@link #call}}.\n{ind} */"
        )
        .unwrap();
    } else {
        let links: Vec<String> = n.children.iter().map(|c| format!("{{@link #{}}}", field_name(c))).collect();
        writeln!(
            b,
            "{ind}/**\n{ind} * {{@code {dotted}}}: the namespaces {}; any other operation by name with {{@link #call}}.\n{ind} */",
            links.join(", ")
        )
        .unwrap();
    }
    let modifiers = if depth == 0 { "public final" } else { "public static final" };
    writeln!(b, "{ind}{modifiers} class {cls} extends Namespace {{").unwrap();
    let mut methods_seen: Vec<String> = Vec::new();
    for c in &n.children {
        assert!(class_name(c) != cls || !nest, "namespace {:?} would nest in a class of its own name", c.dotted());
        writeln!(b, "{inner}/** The {{@code {}.*}} operations. */", c.dotted()).unwrap();
        writeln!(b, "{inner}public final {} {};", class_name(c), field_name(c)).unwrap();
    }
    if !n.children.is_empty() {
        b.push('\n');
    }
    writeln!(b, "{inner}{cls}(Ductape ductape) {{\n{inner}    super(ductape, {});", facade::quote(&dotted)).unwrap();
    for c in &n.children {
        writeln!(b, "{inner}    this.{} = new {}(ductape);", field_name(c), class_name(c)).unwrap();
    }
    writeln!(b, "{inner}}}").unwrap();
    for op in &n.ops {
        let m = method_name(&n.path, op.name.rsplit('.').next().unwrap_or_default());
        assert!(!methods_seen.contains(&m), "{}: two operations of {dotted} make the Java method {m}", op.name);
        methods_seen.push(m);
        let request = requests.get(op.name.as_str()).copied().unwrap_or(&Value::Null);
        methods(b, &inner, op, &n.path, request);
    }
    if nest {
        for c in &n.children {
            b.push('\n');
            class(b, c, depth + 1, requests);
        }
    }
    writeln!(b, "{ind}}}").unwrap();
}

/// `DuctapeNamespaces`, the base class of `Ductape`: a field per top-level namespace.
fn root_class(f: &Facade) -> String {
    let mut b = header();
    b.push_str(
        "/**\n * The namespaces of {@link Ductape} ({@code ductape.cloud.connections}, ...), one field per top-level\n \
         * namespace of the core's registry. {@code Ductape} extends this class; it is not used on its own.\n */\n\
         abstract class DuctapeNamespaces {\n",
    );
    for c in &f.root.children {
        writeln!(b, "    /** The {{@code {}.*}} operations. */", c.dotted()).unwrap();
        writeln!(b, "    public final {} {};\n", class_name(c), field_name(c)).unwrap();
    }
    b.push_str(
        "    /** Each namespace keeps the client, which is this object; none calls it while it is built. */\n    \
         DuctapeNamespaces() {\n        Ductape ductape = (Ductape) this;\n",
    );
    for c in &f.root.children {
        writeln!(b, "        this.{} = new {}(ductape);", field_name(c), class_name(c)).unwrap();
    }
    b.push_str("    }\n}\n");
    b
}

/// An error code's class in `DuctapeException`: `invalid_argument` -> `InvalidArgument`.
fn exception_name(code: &str) -> String {
    facade::pascal(code)
}

/// DuctapeException.java: the base class (written here, as Java keeps nested classes in their
/// outer class's file) with `of`, which picks the subclass, and a subclass per error code.
fn exceptions(f: &Facade) -> String {
    let mut b = header();
    b.push_str(EXCEPTION_BASE);
    b.push_str("    /** Builds the subclass for {@code code}. */\n");
    b.push_str("    public static DuctapeException of(String code, String message, String field, Object details) {\n");
    b.push_str("        switch (code) {\n");
    for e in &f.error_codes {
        writeln!(
            b,
            "            case {}: return new {}(message, field, details);",
            facade::quote(&e.code),
            exception_name(&e.code)
        )
        .unwrap();
    }
    b.push_str("            default: return new DuctapeException(code, message, field, details);\n        }\n    }\n");
    let mut seen: Vec<String> = vec!["DuctapeException".into()];
    for e in &f.error_codes {
        let cls = exception_name(&e.code);
        assert!(!seen.contains(&cls), "error code {:?} makes the Java class {cls} twice", e.code);
        seen.push(cls.clone());
        writeln!(
            b,
            "\n    /** Error code {{@code {}}}: {} */\n    public static final class {cls} extends DuctapeException {{\n        \
             public {cls}(String message, String field, Object details) {{ super({}, message, field, details); }}\n    }}",
            e.code,
            javadoc(&e.summary),
            facade::quote(&e.code)
        )
        .unwrap();
    }
    b.push_str("}\n");
    b
}

const EXCEPTION_BASE: &str = r#"/**
 * Every error from the Rust core: {@link #getCode()} is the core's stable error code and each
 * code has its own subclass (e.g. {@link NotFound}), so callers can catch one kind. A code this
 * version does not know yet arrives as a plain {@code DuctapeException}. A panic inside the core
 * arrives as {@link Internal}; the JVM keeps running. Unchecked.
 */
public class DuctapeException extends RuntimeException {
    private final String code;
    private final String field;
    private final Object details;
    private final String rawMessage;

    public DuctapeException(String code, String message, String field, Object details) {
        super(code + ": " + message);
        this.code = code;
        this.field = field;
        this.details = details;
        this.rawMessage = message;
    }

    /** The core's stable error code, e.g. {@code invalid_argument}. */
    public String getCode() { return code; }

    /** The message without the code prefix. */
    public String getDetail() { return rawMessage; }

    /** The request field at fault ({@code scopes[1]}), or null. */
    public String getField() { return field; }

    /** Machine-readable extras (Map), or null. */
    public Object getDetails() { return details; }

"#;

/// A summary as Javadoc text: HTML's specials escaped, and what would end the comment, start a
/// tag or a unicode escape (which javac reads even in comments) written as entities.
fn javadoc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "&#64;")
        .replace('\\', "&#92;")
        .replace("*/", "*&#47;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(name: &str, request: &Value) -> Op {
        let f = facade::parse(&json!({"operations": [{"name": name, "summary": "s", "request": request}]}));
        let o = f.root.all_ops().next().expect("one operation");
        Op { name: o.name.clone(), summary: o.summary.clone(), method: o.method.clone(), shape: o.shape }
    }

    /// The declarations `methods` writes for one operation, in order, without `public ` and ` {`.
    fn decls(name: &str, request: Value) -> Vec<String> {
        let path: Vec<String> = name.split('.').map(str::to_owned).collect();
        let mut b = String::new();
        methods(&mut b, "", &op(name, &request), &path[..path.len() - 1], &request);
        b.lines().filter_map(|l| l.strip_prefix("public ")).map(|l| l.trim_end_matches(" {").to_owned()).collect()
    }

    #[test]
    fn names() {
        assert_eq!(camel("rotateKey"), "rotateKey");
        assert_eq!(camel("fetch_all"), "fetchAll");
        assert_eq!(camel("SetEnv"), "setEnv");
        let ns = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(method_name(&ns("cloud.resources"), "import"), "importResource");
        assert_eq!(method_name(&ns("secrets"), "new"), "newSecret");
        assert_eq!(method_name(&ns("workspace"), "rotateKey"), "rotateKey");
        assert_eq!(param_name("wait_timeout_ms"), "waitTimeoutMs");
        assert_eq!(param_name("default"), "defaultValue");
        assert_eq!(param_name("listener"), "listenerValue");
        assert_eq!(exception_name("atlas_forbidden_ip"), "AtlasForbiddenIp");
        assert_eq!(exception_name("atlas_error"), "AtlasError");
        assert_eq!(exception_name("timeout"), "Timeout");
        assert_eq!(javadoc("a <b> & @c */ \\u"), "a &lt;b&gt; &amp; &#64;c *&#47; &#92;u");
    }

    #[test]
    fn shapes_follow_the_facade_and_a_lone_string_field() {
        let tag = json!({"properties": {"tag": {"type": "string"}}, "required": ["tag"]});
        assert_eq!(
            decls("cloud.connections.validate", tag),
            [
                "Map<String, Object> validate(String tag)",
                "Map<String, Object> validate(String tag, ProgressListener listener)",
                "CompletableFuture<Map<String, Object>> validateAsync(String tag)",
                "CompletableFuture<Map<String, Object>> validateAsync(String tag, ProgressListener listener)",
            ]
        );
        let tag_params = json!({"properties": {"tag": {"type": "string"}, "x": {}}, "required": ["tag"]});
        assert_eq!(
            decls("cloud.connections.complete", tag_params),
            [
                "Map<String, Object> complete(String tag, Map<String, ?> params)",
                "Map<String, Object> complete(String tag, Map<String, ?> params, ProgressListener listener)",
                "CompletableFuture<Map<String, Object>> completeAsync(String tag, Map<String, ?> params)",
                "CompletableFuture<Map<String, Object>> completeAsync(String tag, Map<String, ?> params, ProgressListener listener)",
            ]
        );
        let host = json!({"properties": {"host": {"type": "string"}}, "required": ["host"]});
        assert_eq!(
            decls("cloud.connections.resolveNetworkingHost", host)[0],
            "Map<String, Object> resolveNetworkingHost(String host)"
        );
        let optional = json!({"properties": {"new_key": {"type": ["string", "null"]}}});
        assert_eq!(
            decls("workspace.rotateKey", optional),
            [
                "Map<String, Object> rotateKey(Map<String, ?> params)",
                "Map<String, Object> rotateKey(Map<String, ?> params, ProgressListener listener)",
                "CompletableFuture<Map<String, Object>> rotateKeyAsync(Map<String, ?> params)",
                "CompletableFuture<Map<String, Object>> rotateKeyAsync(Map<String, ?> params, ProgressListener listener)",
                "Map<String, Object> rotateKey()",
                "CompletableFuture<Map<String, Object>> rotateKeyAsync()",
            ]
        );
        let required = json!({"properties": {"a": {"type": "string"}, "b": {}}, "required": ["a", "b"]});
        assert_eq!(decls("x.create", required).len(), 4, "a request that requires something has no () overload");
        assert_eq!(
            decls("products.list", json!({"properties": {}})),
            [
                "Map<String, Object> list()",
                "Map<String, Object> list(ProgressListener listener)",
                "CompletableFuture<Map<String, Object>> listAsync()",
                "CompletableFuture<Map<String, Object>> listAsync(ProgressListener listener)",
            ]
        );
    }

    #[test]
    fn arguments_take_fields_and_a_trailing_flag_may_be_left_off() {
        let delete = json!({"properties": {"env": {"type": "string"}, "force": {"type": "boolean", "default": false},
            "product": {"type": "string"}}, "required": ["product", "env"]});
        assert_eq!(
            decls("products.environments.delete", delete),
            [
                "Map<String, Object> delete(String product, String env, boolean force)",
                "Map<String, Object> delete(String product, String env, boolean force, ProgressListener listener)",
                "CompletableFuture<Map<String, Object>> deleteAsync(String product, String env, boolean force)",
                "CompletableFuture<Map<String, Object>> deleteAsync(String product, String env, boolean force, ProgressListener listener)",
                "Map<String, Object> delete(String product, String env)",
                "CompletableFuture<Map<String, Object>> deleteAsync(String product, String env)",
            ]
        );
        let update = json!({"properties": {"key": {"type": "string"}, "value": {}}, "required": ["key"]});
        assert_eq!(
            overloads(&args(&op("secrets.update", &update), &update))[0].request,
            r#"positional("key", key, params)"#
        );
        let resolve = json!({"properties": {"app": {"type": ["string", "null"]}, "env": {"type": ["string", "null"]},
            "value": {"type": "string"}}, "required": ["value"]});
        let resolve_op = op("secrets.resolve", &resolve);
        let a = args(&resolve_op, &resolve);
        assert_eq!(overloads(&a)[0].request, r#"fields("value", value, "app", app, "env", env)"#);
        assert_eq!(
            details(&resolve_op, &a, &resolve),
            "{@code secrets.resolve}; {@code app}, {@code env} may be null (left out)."
        );
        let mut b = String::new();
        methods(&mut b, "", &resolve_op, &["secrets".to_owned()], &resolve);
        assert!(
            b.contains("public Map<String, Object> resolve(String value, String app, String env, ProgressListener listener) {\n    \
                 return callObject(\"resolve\", fields(\"value\", value, \"app\", app, \"env\", env), listener);\n}\n"),
            "{b}"
        );
    }

    #[test]
    #[should_panic(expected = "leaves out the request's field \"x\"")]
    fn an_argument_list_must_name_every_field() {
        let request = json!({"properties": {"component": {"type": "string"}, "env": {"type": "string"},
            "product": {"type": "string"}, "x": {"type": "string"}}, "required": ["product"]});
        args(&op("products.components.getEnv", &request), &request);
    }

    #[test]
    fn namespaces_under_one_with_operations_nest() {
        let f = facade::parse(&json!({"operations": [
            {"name": "cloud.connections.fetch", "summary": "s", "request": {}},
            {"name": "products.list", "summary": "s", "request": {}},
            {"name": "products.environments.list", "summary": "s", "request": {}},
        ]}));
        let mut top = Vec::new();
        top_level(&f.root, &mut top);
        let names: Vec<String> = top.iter().map(|n| class_name(n)).collect();
        assert_eq!(names, ["Cloud", "Connections", "Products"]);
        let mut b = String::new();
        class(&mut b, top[2], 0, &HashMap::new());
        assert!(b.contains("\n    public final Environments environments;\n"), "{b}");
        assert!(b.contains("\n    public static final class Environments extends Namespace {\n"), "{b}");
        assert!(
            b.contains(
                "\n        Environments(Ductape ductape) {\n            super(ductape, \"products.environments\");\n"
            ),
            "{b}"
        );
        assert!(root_class(&f).contains("    public final Cloud cloud;\n"));
    }

    /// `Class: declaration` for every public method of the generated namespace classes, a
    /// parameter's name left out (`filters` became `params`).
    fn generated_api() -> Vec<String> {
        let description = ductape_core::ops::describe::describe_public();
        let mut out = Vec::new();
        for g in files(&description) {
            let (mut top, mut cur) = (String::new(), String::new());
            for line in g.text.lines() {
                if let Some(rest) = line.strip_prefix("public final class ") {
                    top = rest.split(' ').next().unwrap_or_default().to_owned();
                    cur = top.clone();
                } else if let Some(rest) = line.trim().strip_prefix("public static final class ") {
                    cur = format!("{top}.{}", rest.split(' ').next().unwrap_or_default());
                } else if let Some(decl) = line.trim().strip_prefix("public ") {
                    if decl.starts_with("Map<") || decl.starts_with("CompletableFuture<") {
                        out.push(format!("{cur}: {}", erase_names(decl.trim_end_matches(" {"))));
                    }
                }
            }
        }
        out
    }

    /// `Map<String, Object> list(Map<String, ?> filters)` -> `Map<String, Object> list(Map<String, ?>)`.
    fn erase_names(decl: &str) -> String {
        let (head, args) = decl.split_once('(').expect("a declaration");
        let types: Vec<&str> = args
            .trim_end_matches(')')
            .split(", ")
            .filter(|a| !a.is_empty())
            .map(|a| a.rsplit_once(' ').map_or(a, |(t, _)| t))
            .collect();
        format!("{head}({})", types.join(", "))
    }

    /// Every method the hand-written facade had before the generator is generated, in the same
    /// class, with the same argument types and return type.
    #[test]
    fn the_hand_written_api_is_kept() {
        let generated = generated_api();
        for old in HAND_WRITTEN_API.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (cls, decl) = old.split_once(": ").expect("Class: declaration");
            let want = format!("{cls}: {}", erase_names(decl));
            assert!(generated.contains(&want), "the Java facade lost {old}");
        }
        assert!(generated.contains(&"Workspace: Map<String, Object> rotateKey()".to_owned()), "{generated:#?}");
    }

    const HAND_WRITTEN_API: &str = "
        Connections: Map<String, Object> create(Map<String, ?> params)
        Connections: Map<String, Object> complete(String tag, Map<String, ?> params)
        Connections: Map<String, Object> validate(String tag)
        Connections: Map<String, Object> fetch(String tag)
        Connections: Map<String, Object> list(Map<String, ?> filters)
        Connections: Map<String, Object> list()
        Connections: Map<String, Object> update(String tag, Map<String, ?> params)
        Connections: Map<String, Object> delete(String tag)
        Connections: Map<String, Object> updateManagedNetworking(String tag, Map<String, ?> params)
        Connections: Map<String, Object> resolveNetworkingHost(String host)
        Connections: Map<String, Object> syncNetworkAccess(String tag, Map<String, ?> params)
        Connections: Map<String, Object> syncNetworkAccess(String tag, Map<String, ?> params, ProgressListener listener)
        Connections: Map<String, Object> allowCurrentIp(String tag, Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> completeAsync(String tag, Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> validateAsync(String tag)
        Connections: CompletableFuture<Map<String, Object>> fetchAsync(String tag)
        Connections: CompletableFuture<Map<String, Object>> listAsync(Map<String, ?> filters)
        Connections: CompletableFuture<Map<String, Object>> updateAsync(String tag, Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> deleteAsync(String tag)
        Connections: CompletableFuture<Map<String, Object>> updateManagedNetworkingAsync(String tag, Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> resolveNetworkingHostAsync(String host)
        Connections: CompletableFuture<Map<String, Object>> syncNetworkAccessAsync(String tag, Map<String, ?> params)
        Connections: CompletableFuture<Map<String, Object>> syncNetworkAccessAsync(String tag, Map<String, ?> params, ProgressListener listener)
        Connections: CompletableFuture<Map<String, Object>> allowCurrentIpAsync(String tag, Map<String, ?> params)
        Resources: Map<String, Object> services(String cloud)
        Resources: Map<String, Object> list(String cloud, String service)
        Resources: Map<String, Object> importResource(Map<String, ?> params)
        Resources: Map<String, Object> unlink(Map<String, ?> params)
        Resources: Map<String, Object> verify(Map<String, ?> params)
        Resources: CompletableFuture<Map<String, Object>> servicesAsync(String cloud)
        Resources: CompletableFuture<Map<String, Object>> listAsync(String cloud, String service)
        Resources: CompletableFuture<Map<String, Object>> importResourceAsync(Map<String, ?> params)
        Resources: CompletableFuture<Map<String, Object>> unlinkAsync(Map<String, ?> params)
        Resources: CompletableFuture<Map<String, Object>> verifyAsync(Map<String, ?> params)
        Secrets: Map<String, Object> create(Map<String, ?> params)
        Secrets: Map<String, Object> fetchAll(Map<String, ?> params)
        Secrets: Map<String, Object> fetchAll()
        Secrets: Map<String, Object> fetch(String key)
        Secrets: Map<String, Object> update(String key, Map<String, ?> params)
        Secrets: Map<String, Object> delete(String key)
        Secrets: Map<String, Object> revoke(String key)
        Secrets: Map<String, Object> resolve(String value, String app, String env)
        Secrets: CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params)
        Secrets: CompletableFuture<Map<String, Object>> fetchAllAsync(Map<String, ?> params)
        Secrets: CompletableFuture<Map<String, Object>> fetchAsync(String key)
        Secrets: CompletableFuture<Map<String, Object>> updateAsync(String key, Map<String, ?> params)
        Secrets: CompletableFuture<Map<String, Object>> deleteAsync(String key)
        Secrets: CompletableFuture<Map<String, Object>> revokeAsync(String key)
        Secrets: CompletableFuture<Map<String, Object>> resolveAsync(String value, String app, String env)
        Products: Map<String, Object> create(Map<String, ?> params)
        Products: Map<String, Object> fetch(String product)
        Products: Map<String, Object> list()
        Products: Map<String, Object> update(String product, Map<String, ?> params)
        Products: Map<String, Object> delete(String product, boolean force)
        Products: Map<String, Object> delete(String product)
        Products: CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params)
        Products: CompletableFuture<Map<String, Object>> fetchAsync(String product)
        Products: CompletableFuture<Map<String, Object>> listAsync()
        Products: CompletableFuture<Map<String, Object>> updateAsync(String product, Map<String, ?> params)
        Products: CompletableFuture<Map<String, Object>> deleteAsync(String product, boolean force)
        Products.Environments: Map<String, Object> create(Map<String, ?> params)
        Products.Environments: Map<String, Object> list(String product)
        Products.Environments: Map<String, Object> fetch(String product, String env)
        Products.Environments: Map<String, Object> update(Map<String, ?> params)
        Products.Environments: Map<String, Object> delete(String product, String env, boolean force)
        Products.Environments: CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params)
        Products.Environments: CompletableFuture<Map<String, Object>> listAsync(String product)
        Products.Environments: CompletableFuture<Map<String, Object>> fetchAsync(String product, String env)
        Products.Environments: CompletableFuture<Map<String, Object>> updateAsync(Map<String, ?> params)
        Products.Environments: CompletableFuture<Map<String, Object>> deleteAsync(String product, String env, boolean force)
        Products.Components: Map<String, Object> create(Map<String, ?> params)
        Products.Components: Map<String, Object> fetch(String product, String component)
        Products.Components: Map<String, Object> list(String product)
        Products.Components: Map<String, Object> delete(String product, String component, boolean force)
        Products.Components: Map<String, Object> setEnv(Map<String, ?> params)
        Products.Components: Map<String, Object> getEnv(String product, String component, String env)
        Products.Components: Map<String, Object> resolve(String product, String component, String env, String app)
        Products.Components: CompletableFuture<Map<String, Object>> createAsync(Map<String, ?> params)
        Products.Components: CompletableFuture<Map<String, Object>> fetchAsync(String product, String component)
        Products.Components: CompletableFuture<Map<String, Object>> listAsync(String product)
        Products.Components: CompletableFuture<Map<String, Object>> deleteAsync(String product, String component, boolean force)
        Products.Components: CompletableFuture<Map<String, Object>> setEnvAsync(Map<String, ?> params)
        Products.Components: CompletableFuture<Map<String, Object>> getEnvAsync(String product, String component, String env)
        Products.Components: CompletableFuture<Map<String, Object>> resolveAsync(String product, String component, String env, String app)
    ";

    /// A generated file the registry no longer makes (a namespace gone) is not left behind:
    /// `codegen --check` compares only the files it writes.
    #[test]
    fn no_generated_java_file_is_left_over() {
        let description = ductape_core::ops::describe::describe_public();
        let made: Vec<&str> = files(&description).into_iter().map(|g| g.path).collect();
        let marker = format!("// {}", facade::HEADER[0]);
        for entry in std::fs::read_dir(crate::root().join(DIR)).expect("the Java sources") {
            let path = entry.expect("an entry").path();
            if std::fs::read_to_string(&path).unwrap_or_default().starts_with(&marker) {
                let rel = format!("{DIR}/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or_default());
                assert!(
                    made.contains(&rel.as_str()),
                    "{rel} says it is generated but codegen no longer makes it: delete it"
                );
            }
        }
    }
}
