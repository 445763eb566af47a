//! bindings/dotnet/src/Ductape/Operations.g.cs, the .NET facade: an exception class per error
//! code (and `Errors.Create`, which picks it), the lists the binding's tests compare with the
//! library's, the namespaces of `DuctapeClient` (`client.Cloud.Connections`) and an `*Async`
//! method per public operation. C# 7.2, which Mono's mcs and any .NET SDK compile.

use crate::facade::{self, Facade, Namespace, Op, Shape};
use crate::Generated;
use serde_json::Value;
use std::fmt::Write;

pub fn files(description: &Value) -> Vec<Generated> {
    vec![Generated { path: "bindings/dotnet/src/Ductape/Operations.g.cs", text: source(&facade::parse(description)) }]
}

fn source(f: &Facade) -> String {
    let mut b = String::new();
    for line in facade::HEADER {
        writeln!(b, "// {line}").unwrap();
    }
    b.push_str(
        "using System;\nusing System.Collections.Generic;\nusing System.Threading;\nusing System.Threading.Tasks;\n\n\
         namespace Ductape\n{\n",
    );
    for e in &f.error_codes {
        exception(&mut b, &e.code, &e.summary);
    }
    errors(&mut b, f);
    client(&mut b, f);
    for n in f.root.walk() {
        namespace(&mut b, n);
    }
    b.push_str("}\n");
    b
}

/// The exception class of a code: `InvalidArgumentException`. "atlas_error" drops its own
/// "Error" (`AtlasException`), and "timeout" is `DuctapeTimeoutException`, which does not clash
/// with `System.TimeoutException`.
fn exception_name(code: &str) -> String {
    if code == "timeout" {
        return "DuctapeTimeoutException".to_owned();
    }
    let pascal = facade::pascal(code);
    format!("{}Exception", pascal.strip_suffix("Error").unwrap_or(&pascal))
}

fn exception(b: &mut String, code: &str, summary: &str) {
    let cls = exception_name(code);
    writeln!(b, "    /// <summary>{cls} (<c>{code}</c>): {}</summary>", xml_escape(summary)).unwrap();
    writeln!(
        b,
        "    public sealed class {cls} : DuctapeException\n    {{\n        \
         public {cls}(string message, string field, IDictionary<string, object> details)\n            \
         : base({}, message, field, details) {{ }}\n    }}\n",
        facade::quote(code)
    )
    .unwrap();
}

/// `Errors.Codes` and `Errors.Create`, which turns a code into its exception.
fn errors(b: &mut String, f: &Facade) {
    b.push_str(
        "    public static partial class Errors\n    {\n        \
         /// <summary>Every error code of the core, in its order.</summary>\n        \
         public static readonly string[] Codes = new[]\n        {\n",
    );
    for e in &f.error_codes {
        writeln!(b, "            {},", facade::quote(&e.code)).unwrap();
    }
    b.push_str(
        "        };\n\n        \
         static DuctapeException Create(string code, string message, string field, IDictionary<string, object> details)\n        \
         {\n            switch (code)\n            {\n",
    );
    for e in &f.error_codes {
        let (code, cls) = (facade::quote(&e.code), exception_name(&e.code));
        writeln!(b, "                case {code}: return new {cls}(message, field, details);").unwrap();
    }
    b.push_str(
        "                default: return new DuctapeException(code, message, field, details);\n            \
         }\n        }\n    }\n\n",
    );
}

/// The generated half of `DuctapeClient`: `GeneratedOperations`, the top-level namespaces and
/// `InitNamespaces`, which the hand-written half calls.
fn client(b: &mut String, f: &Facade) {
    b.push_str(
        "    public sealed partial class DuctapeClient\n    {\n        \
         /// <summary>Every operation with a facade method.</summary>\n        \
         public static readonly string[] GeneratedOperations = new[]\n        {\n",
    );
    for op in f.root.all_ops() {
        writeln!(b, "            {},", facade::quote(&op.name)).unwrap();
    }
    b.push_str("        };\n\n");
    for c in &f.root.children {
        writeln!(b, "        /// <summary>The {}.* operations.</summary>", c.dotted()).unwrap();
        writeln!(b, "        public {} {} {{ get; private set; }}\n", c.type_name(), c.field()).unwrap();
    }
    b.push_str("        void InitNamespaces()\n        {\n");
    for c in &f.root.children {
        writeln!(b, "            {} = new {}(this);", c.field(), c.type_name()).unwrap();
    }
    b.push_str("        }\n    }\n");
}

/// One namespace's class: its constructor (keeping the client only when it has operations, so
/// mcs has no unused field to warn about), its child namespaces and its methods.
fn namespace(b: &mut String, n: &Namespace) {
    let ty = n.type_name();
    writeln!(b, "\n    /// <summary>The {}.* operations.</summary>\n    public sealed class {ty}\n    {{", n.dotted())
        .unwrap();
    let has_ops = !n.ops.is_empty();
    if has_ops {
        b.push_str("        readonly DuctapeClient c;\n\n");
    }
    writeln!(b, "        internal {ty}(DuctapeClient client)\n        {{").unwrap();
    if has_ops {
        b.push_str("            c = client;\n");
    }
    for ch in &n.children {
        writeln!(b, "            {} = new {}(client);", ch.field(), ch.type_name()).unwrap();
    }
    b.push_str("        }\n");
    for ch in &n.children {
        writeln!(b, "\n        /// <summary>The {}.* operations.</summary>", ch.dotted()).unwrap();
        writeln!(b, "        public {} {} {{ get; private set; }}", ch.type_name(), ch.field()).unwrap();
    }
    for op in &n.ops {
        method(b, op);
    }
    b.push_str("    }\n");
}

/// An `*Async` method whose parameters follow the operation's shape (see facade.rs); every one
/// ends with the optional cancellation token and progress callback.
fn method(b: &mut String, op: &Op) {
    const RET: &str = "Task<IDictionary<string, object>>";
    const CT: &str =
        "CancellationToken cancellationToken = default(CancellationToken), IProgress<ProgressEvent> progress = null";
    writeln!(b, "\n        /// <summary>{}: {}</summary>", op.name, xml_escape(&op.summary)).unwrap();
    let (params, request) = match op.shape {
        Shape::TagOnly => ("string tag", r#"Json.Object("tag", tag)"#),
        Shape::TagParams => {
            ("string tag, IDictionary<string, object> parameters", "DuctapeClient.WithTag(tag, parameters)")
        }
        Shape::ParamsOnly => {
            ("IDictionary<string, object> parameters = null", "parameters ?? new Dictionary<string, object>()")
        }
    };
    writeln!(
        b,
        "        public {RET} {}Async({params}, {CT})\n        {{\n            \
         return c.ObjectAsync({}, {request}, progress, cancellationToken);\n        }}",
        op.method,
        facade::quote(&op.name)
    )
    .unwrap();
}

/// Summaries go inside `<summary>` elements.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names() {
        assert_eq!(exception_name("timeout"), "DuctapeTimeoutException");
        assert_eq!(exception_name("atlas_error"), "AtlasException");
        assert_eq!(exception_name("invalid_argument"), "InvalidArgumentException");
    }

    #[test]
    fn summaries_are_xml_escaped() {
        assert_eq!(xml_escape("a <b> & c"), "a &lt;b&gt; &amp; c");
    }
}
