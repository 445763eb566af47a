//! bindings/go/ops_gen.go, the Go facade: a sentinel per error code (for `errors.Is`), the
//! lists the binding's tests compare with the linked library, the namespaces embedded in
//! `Client` (`client.Cloud.Connections`) and a method per public operation.
//!
//! The text is written already formatted as gofmt would leave it (tabs, struct fields aligned,
//! no trailing blanks, empty blocks on one line): `gofmt -l` checks it in the Go tests, and
//! codegen does not run Go.

use crate::facade::{self, Facade, Namespace, Op, Shape};
use crate::Generated;
use serde_json::Value;
use std::fmt::Write;

pub fn files(description: &Value) -> Vec<Generated> {
    vec![Generated { path: "bindings/go/ops_gen.go", text: source(&facade::parse(description)) }]
}

fn source(f: &Facade) -> String {
    let mut b = String::new();
    for line in facade::HEADER {
        writeln!(b, "// {line}").unwrap();
    }
    b.push_str("\npackage ductape\n\nimport \"context\"\n\n");
    sentinels(&mut b, f);
    lists(&mut b, f);
    init_namespaces(&mut b, &f.root);
    for n in f.root.walk() {
        namespace(&mut b, n);
    }
    gofmt_trailing_space(&b)
}

/// `var ( ErrNotFound = sentinel("not_found") ... )`. The comment above each spec keeps gofmt
/// from aligning the `=` signs, so none are padded.
fn sentinels(b: &mut String, f: &Facade) {
    let specs = f.error_codes.iter().map(|e| {
        let name = format!("Err{}", facade::pascal(&e.code));
        format!("\t// {name} ({}): {}\n\t{name} = sentinel({})\n", e.code, e.summary, facade::quote(&e.code))
    });
    b.push_str("// Sentinels for errors.Is, one per error code of the core.\n");
    b.push_str(&block("var (", specs, ")"));
    b.push_str("\n\n");
}

/// `errorCodes` and `generatedOperations`, which the binding's tests compare with the library's.
fn lists(b: &mut String, f: &Facade) {
    let codes = f.error_codes.iter().map(|e| format!("\t{},\n", facade::quote(&e.code)));
    b.push_str("// errorCodes lists every code with a sentinel, in the core's order.\n");
    b.push_str(&block("var errorCodes = []string{", codes, "}"));
    let ops = f.root.all_ops().map(|op| format!("\t{},\n", facade::quote(&op.name)));
    b.push_str("\n\n// generatedOperations lists every operation with a facade method.\n");
    b.push_str(&block("var generatedOperations = []string{", ops, "}"));
    b.push_str("\n\n");
}

/// A parenthesised declaration group or a composite literal, one item a line; gofmt writes an
/// empty one on one line (`var ()`, `[]string{}`).
fn block(open: &str, items: impl Iterator<Item = String>, close: &str) -> String {
    let items: String = items.collect();
    let sep = if items.is_empty() { "" } else { "\n" };
    format!("{open}{sep}{items}{close}")
}

/// The `namespaces` struct embedded in Client, and `initNamespaces`, which builds every
/// namespace, links each to its children, then the top-level ones to the client.
fn init_namespaces(b: &mut String, root: &Namespace) {
    b.push_str(
        "// namespaces are the top-level namespaces, embedded in Client: client.Cloud, client.Workspace.\n\
         type namespaces struct {\n",
    );
    b.push_str(&struct_fields(&child_fields(root)));
    b.push_str("}\n\nfunc (c *Client) initNamespaces() {\n");
    for n in root.walk() {
        writeln!(b, "\t{} := &{}{{c: c}}", var(n), n.type_name()).unwrap();
    }
    for n in root.walk() {
        for ch in &n.children {
            writeln!(b, "\t{}.{} = {}", var(n), ch.field(), var(ch)).unwrap();
        }
    }
    for ch in &root.children {
        writeln!(b, "\tc.{} = {}", ch.field(), var(ch)).unwrap();
    }
    b.push_str("}\n");
}

/// One namespace's type (its client and child namespaces) and its methods.
fn namespace(b: &mut String, n: &Namespace) {
    let ty = n.type_name();
    writeln!(b, "\n// {ty} holds the {}.* operations.\ntype {ty} struct {{", n.dotted()).unwrap();
    let mut fields = vec![("c".to_owned(), "*Client".to_owned())];
    fields.extend(child_fields(n));
    b.push_str(&struct_fields(&fields));
    b.push_str("}\n");
    for op in &n.ops {
        method(b, &ty, op);
    }
}

/// A method whose parameters follow the operation's shape (see facade.rs).
fn method(b: &mut String, ty: &str, op: &Op) {
    let (m, name) = (&op.method, facade::quote(&op.name));
    writeln!(b, "\n// {m} runs {}: {}", op.name, op.summary).unwrap();
    let (params, request) = match op.shape {
        Shape::TagOnly => ("tag string", r#"map[string]any{"tag": tag}"#),
        Shape::TagParams => ("tag string, params map[string]any", "withTag(tag, params)"),
        Shape::ParamsOnly => ("params map[string]any", "orEmpty(params)"),
    };
    writeln!(
        b,
        "func (n *{ty}) {m}(ctx context.Context, {params}) (map[string]any, error) {{\n\
         \treturn n.c.Object(ctx, {name}, {request})\n}}"
    )
    .unwrap();
}

/// A namespace's child fields: `Connections *CloudConnectionsNamespace`.
fn child_fields(n: &Namespace) -> Vec<(String, String)> {
    n.children.iter().map(|ch| (ch.field(), format!("*{}", ch.type_name()))).collect()
}

/// Struct fields, one a line, their types aligned in a column as gofmt aligns consecutive
/// one-line fields: each name padded to the longest plus one space.
fn struct_fields(fields: &[(String, String)]) -> String {
    let width = fields.iter().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
    fields.iter().map(|(name, ty)| format!("\t{name:<width$} {ty}\n")).collect()
}

/// The local variable holding a namespace in initNamespaces: `nsCloudConnections`.
fn var(n: &Namespace) -> String {
    format!("ns{}", n.type_name().trim_end_matches("Namespace"))
}

/// gofmt leaves no blank at a line's end; a summary that ends in one would otherwise leave it in
/// its comment.
fn gofmt_trailing_space(text: &str) -> String {
    text.lines().map(|l| l.trim_end_matches([' ', '\t']).to_owned() + "\n").collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_fields_align_like_gofmt() {
        let fields = [("c", "*Client"), ("Connections", "*CloudConnectionsNamespace")];
        let fields: Vec<(String, String)> = fields.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(struct_fields(&fields), "\tc           *Client\n\tConnections *CloudConnectionsNamespace\n");
    }

    #[test]
    fn methods_follow_the_shape() {
        let f = facade::parse(&serde_json::json!({"operations": [
            {"name": "cloud.connections.validate", "summary": "Checks it. ",
             "request": {"properties": {"tag": {}}, "required": ["tag"]}}
        ]}));
        let text = source(&f);
        assert!(text.contains(
            "// Validate runs cloud.connections.validate: Checks it.\n\
             func (n *CloudConnectionsNamespace) Validate(ctx context.Context, tag string) (map[string]any, error) {\n\
             \treturn n.c.Object(ctx, \"cloud.connections.validate\", map[string]any{\"tag\": tag})\n}\n"
        ));
        assert!(text.contains("\tnsCloud.Connections = nsCloudConnections\n\tc.Cloud = nsCloud\n"));
    }

    #[test]
    fn empty_blocks_are_written_as_gofmt_writes_them() {
        let text = source(&facade::parse(&serde_json::json!({"operations": [], "error_codes": []})));
        assert!(text.contains("var ()\n"));
        assert!(text.contains("var errorCodes = []string{}\n"));
        assert!(text.contains("var generatedOperations = []string{}\n"));
    }
}
