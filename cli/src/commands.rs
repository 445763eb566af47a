//! The operation commands (`ductape cloud connections create ...`): one line per command naming
//! its operation; the flags are built from the operation's request schema in the registry, so a
//! field added to a request is a flag without touching the CLI.

use clap::{Arg, ArgAction, ArgMatches, Command};
use ductape_core::ops::{self, Operation};
use serde_json::{Map, Value};

#[derive(Debug)]
/// Command path -> operation. `fixed` fields are set by the command and get no flag.
pub struct Entry {
    pub path: &'static str,
    pub operation: &'static str,
    pub fixed: &'static [(&'static str, bool)],
}

const fn e(path: &'static str, operation: &'static str) -> Entry {
    Entry { path, operation, fixed: &[] }
}

pub static COMMANDS: &[Entry] = &[
    e("cloud connections create", "cloud.connections.create"),
    e("cloud connections complete", "cloud.connections.complete"),
    e("cloud connections validate", "cloud.connections.validate"),
    e("cloud connections list", "cloud.connections.list"),
    e("cloud connections get", "cloud.connections.fetch"),
    e("cloud connections update", "cloud.connections.update"),
    e("cloud connections delete", "cloud.connections.delete"),
    // `show` is a sync that changes nothing: what is wanted, what the project has, the drift.
    Entry {
        path: "cloud network show",
        operation: "cloud.connections.syncNetworkAccess",
        fixed: &[("dry_run", true), ("wait", false)],
    },
    e("cloud network update", "cloud.connections.updateManagedNetworking"),
    e("cloud network sync", "cloud.connections.syncNetworkAccess"),
    e("cloud network allow-current-ip", "cloud.connections.allowCurrentIp"),
    e("cloud network resolve-host", "cloud.connections.resolveNetworkingHost"),
    e("cloud resources services", "cloud.resources.services"),
    e("cloud resources list", "cloud.resources.list"),
    e("cloud resources import", "cloud.resources.import"),
    e("cloud resources verify", "cloud.resources.verify"),
    e("cloud resources unlink", "cloud.resources.unlink"),
    e("secrets list", "secrets.fetchAll"),
    e("secrets create", "secrets.create"),
    e("secrets get", "secrets.fetch"),
    e("secrets update", "secrets.update"),
    e("secrets delete", "secrets.delete"),
    e("secrets revoke", "secrets.revoke"),
    e("secrets resolve", "secrets.resolve"),
    e("products create", "products.create"),
    e("products list", "products.list"),
    e("products get", "products.fetch"),
    e("products update", "products.update"),
    e("products delete", "products.delete"),
    e("products resolve", "products.components.resolve"),
    e("products environments create", "products.environments.create"),
    e("products environments list", "products.environments.list"),
    e("products environments get", "products.environments.fetch"),
    e("products environments update", "products.environments.update"),
    e("products environments delete", "products.environments.delete"),
    e("products components create", "products.components.create"),
    e("products components list", "products.components.list"),
    e("products components get", "products.components.fetch"),
    e("products components delete", "products.components.delete"),
    e("products components set-env", "products.components.setEnv"),
    e("products components get-env", "products.components.getEnv"),
    e("products components resolve", "products.components.resolve"),
    e("workspace rotate-key", "workspace.rotateKey"),
];

/// What a group command is about (the leaves take their operation's summary).
const GROUPS: &[(&str, &str)] = &[
    ("cloud", "Cloud connections, their network access and their resources (clusters)"),
    ("cloud connections", "MongoDB Atlas connections: create, complete with credentials, validate, manage"),
    ("cloud network", "The project's IP access list as the connection wants it: show, update, sync"),
    ("cloud resources", "The clusters of a connection's project: list, import into a product, verify, unlink"),
    ("secrets", "Workspace secrets, stored encrypted"),
    ("products", "Products, their environments and database components"),
    ("products environments", "A product's environments (dev, stg, prd, ...)"),
    ("products components", "A product's database components and their config per environment"),
    ("workspace", "The workspace itself"),
];

/// Fields whose default comes from the environment, as MongoDB's `atlas` CLI reads them.
pub const FIELD_ENV: &[(&str, &str)] = &[
    ("project_id", "MONGODB_ATLAS_PROJECT_ID"),
    ("atlas_public_key", "MONGODB_ATLAS_PUBLIC_API_KEY"),
    ("atlas_private_key", "MONGODB_ATLAS_PRIVATE_API_KEY"),
    ("atlas_client_id", "MONGODB_ATLAS_CLIENT_ID"),
    ("atlas_client_secret", "MONGODB_ATLAS_CLIENT_SECRET"),
];

pub const FILE_ARG: &str = "file";

/// How a request field is given on the command line, from its JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    /// `"type": "boolean"` with default false: a switch.
    Switch,
    /// A nullable boolean: `--flag true|false`.
    Boolean,
    Integer,
    /// An array of strings: repeat the flag or separate with commas.
    List,
    /// Anything else (an array of objects): the flag takes JSON.
    Json,
}

fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => Vec::new(),
    }
}

pub fn kind(schema: &Value) -> Kind {
    let nullable = matches!(&schema["type"], Value::Array(ts) if ts.iter().any(|t| t == "null"));
    match types(schema).as_slice() {
        ["string"] => Kind::Text,
        ["boolean"] if !nullable => Kind::Switch,
        ["boolean"] => Kind::Boolean,
        ["integer"] => Kind::Integer,
        ["array"] if types(&schema["items"]) == ["string"] => Kind::List,
        _ => Kind::Json,
    }
}

pub fn flag_name(field: &str) -> String {
    field.replace('_', "-")
}

pub fn file_flag_id(field: &str) -> String {
    format!("{field}_file")
}

/// The request schema's fields: (name, schema, required, secret).
pub fn fields(op: &Operation) -> Vec<(String, Value, bool, bool)> {
    let schema = Value::from(op.request_schema());
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let secrets = op.secret_fields();
    let mut fields: Vec<_> = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| (name.clone(), s.clone(), required.contains(&name.as_str()), secrets.contains(name)))
        .collect();
    // Required fields first in --help; the schema's order (alphabetical) otherwise.
    fields.sort_by_key(|f| !f.2);
    fields
}

fn first_paragraph(text: &str) -> String {
    text.split("\n\n").next().unwrap_or_default().replace('\n', " ")
}

fn field_args(entry: &Entry, op: &Operation) -> Vec<Arg> {
    let mut args = Vec::new();
    for (name, schema, required, secret) in fields(op) {
        if entry.fixed.iter().any(|(f, _)| *f == name) {
            continue;
        }
        let desc = schema["description"].as_str().map(first_paragraph).unwrap_or_default();
        let env = FIELD_ENV.iter().find(|(f, _)| *f == name).map(|(_, v)| *v);
        let mut help = if required { format!("(required) {desc}") } else { desc };
        // The core applies a field's default (the schema shows it); the help says which.
        if let Some(d) = schema.get("default").and_then(Value::as_str) {
            help.push_str(&format!(" [default: {d}]"));
        }
        if secret {
            help = format!(
                "{help} Secret: prompted without echo when needed, or from --{}-file; on the command line it is \
                 visible to other users and a warning is printed.",
                flag_name(&name)
            );
            if let Some(var) = env {
                help.push_str(&format!(" Default: ${var}."));
            }
            args.push(
                Arg::new(file_flag_id(&name))
                    .long(format!("{}-file", flag_name(&name)))
                    .value_name("FILE")
                    .help(format!("Read {name} from FILE (- for standard input)")),
            );
        }
        let mut arg = Arg::new(name.clone()).long(flag_name(&name)).help(help.trim().to_string());
        arg = match kind(&schema) {
            Kind::Switch => arg.action(ArgAction::SetTrue),
            Kind::Boolean => arg.value_parser(clap::value_parser!(bool)).value_name("true|false"),
            Kind::Integer => arg.value_parser(clap::value_parser!(u64)).value_name("N"),
            Kind::List => arg.action(ArgAction::Append).value_delimiter(',').value_name("VALUE"),
            Kind::Json => arg.value_name("JSON"),
            Kind::Text => arg.value_name(name.to_uppercase()),
        };
        if let (Some(var), false) = (env, secret) {
            arg = arg.env(var);
        }
        if required && !secret {
            arg = arg.required_unless_present(FILE_ARG);
        }
        args.push(arg);
    }
    args.push(
        Arg::new(FILE_ARG)
            .short('f')
            .long("file")
            .value_name("FILE")
            .help("The request as a JSON object from FILE (- for standard input); flags override its fields"),
    );
    args
}

fn leaf(name: &str, entry: &Entry) -> Command {
    let op = ops::find(entry.operation).expect("every command names a registered operation");
    Command::new(name.to_string())
        .about(op.summary)
        .long_about(format!(
            "{}\n\nOperation: {} (`ductape describe` has its request and reply JSON Schemas; `ductape call {}` takes \
             the request as JSON).",
            op.summary, op.name, op.name
        ))
        .args(field_args(entry, op))
        .after_help("Exit codes: 0 on success, otherwise one per error code (`ductape --help` lists them).")
}

/// The command tree under `prefix` ("" for the top).
fn children(prefix: &str) -> Vec<Command> {
    let mut names: Vec<&str> = Vec::new();
    for entry in COMMANDS {
        let rest = if prefix.is_empty() {
            Some(entry.path)
        } else {
            entry.path.strip_prefix(prefix).and_then(|r| r.strip_prefix(' '))
        };
        if let Some(word) = rest.and_then(|r| r.split(' ').next()) {
            if !names.contains(&word) {
                names.push(word);
            }
        }
    }
    names
        .into_iter()
        .map(|word| {
            let path = if prefix.is_empty() { word.to_string() } else { format!("{prefix} {word}") };
            match COMMANDS.iter().find(|e| e.path == path) {
                Some(entry) => leaf(word, entry),
                None => Command::new(word.to_string())
                    .about(GROUPS.iter().find(|(g, _)| *g == path).map_or("", |(_, a)| *a))
                    .subcommand_required(true)
                    .arg_required_else_help(true)
                    .subcommands(children(&path)),
            }
        })
        .collect()
}

/// A parsed operation command: which entry, and its flags (read when it runs, since reading a
/// secret may prompt).
#[derive(Debug, Clone)]
pub struct OpCommand {
    pub entry: &'static Entry,
    pub matches: ArgMatches,
}

impl clap::FromArgMatches for OpCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut path = Vec::new();
        let mut m = matches;
        while let Some((name, sub)) = m.subcommand() {
            path.push(name);
            m = sub;
        }
        let path = path.join(" ");
        let entry = COMMANDS.iter().find(|e| e.path == path).ok_or_else(|| {
            clap::Error::raw(clap::error::ErrorKind::InvalidSubcommand, format!("no command {path}\n"))
        })?;
        Ok(OpCommand { entry, matches: m.clone() })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Subcommand for OpCommand {
    fn augment_subcommands(cmd: Command) -> Command {
        cmd.subcommands(children(""))
    }

    fn augment_subcommands_for_update(cmd: Command) -> Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        COMMANDS.iter().any(|e| e.path.split(' ').next() == Some(name))
    }
}

/// The request from the flags (secret fields excepted: [`crate::input`] reads them), over the
/// `-f` object when there is one.
pub fn flag_values(entry: &Entry, m: &ArgMatches, base: Map<String, Value>) -> Result<Map<String, Value>, String> {
    let op = ops::find(entry.operation).expect("registered");
    let mut request = base;
    for (name, value) in entry.fixed {
        request.insert(name.to_string(), Value::Bool(*value));
    }
    for (name, schema, _, secret) in fields(op) {
        if secret || entry.fixed.iter().any(|(f, _)| *f == name) {
            continue;
        }
        // A default only fills a field the -f file left out.
        match m.value_source(&name) {
            None => continue,
            Some(clap::parser::ValueSource::DefaultValue)
                if request.contains_key(&name) || kind(&schema) == Kind::Switch =>
            {
                continue
            }
            Some(_) => {}
        }
        let value = match kind(&schema) {
            Kind::Switch => Value::Bool(m.get_flag(&name)),
            Kind::Boolean => Value::Bool(*m.get_one::<bool>(&name).expect("given")),
            Kind::Integer => Value::from(*m.get_one::<u64>(&name).expect("given")),
            Kind::List => Value::from(m.get_many::<String>(&name).into_iter().flatten().cloned().collect::<Vec<_>>()),
            Kind::Text => Value::String(m.get_one::<String>(&name).expect("given").clone()),
            Kind::Json => {
                let text = m.get_one::<String>(&name).expect("given");
                serde_json::from_str(text).map_err(|e| format!("--{} must be JSON: {e}", flag_name(&name)))?
            }
        };
        request.insert(name, value);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_operation_has_a_command_and_every_command_an_operation() {
        for op in ops::operations().filter(|op| !op.debug_only) {
            assert!(COMMANDS.iter().any(|e| e.operation == op.name), "{} has no command", op.name);
        }
        for e in COMMANDS {
            assert!(ops::find(e.operation).is_some(), "{}", e.path);
        }
    }

    #[test]
    fn kinds_follow_the_schema() {
        let k = |s: &str| kind(&serde_json::from_str(s).unwrap());
        assert_eq!(k(r#"{"type":"string"}"#), Kind::Text);
        assert_eq!(k(r#"{"type":["string","null"]}"#), Kind::Text);
        assert_eq!(k(r#"{"type":"boolean","default":false}"#), Kind::Switch);
        assert_eq!(k(r#"{"type":["boolean","null"]}"#), Kind::Boolean);
        assert_eq!(k(r#"{"type":["integer","null"]}"#), Kind::Integer);
        assert_eq!(k(r#"{"type":["array","null"],"items":{"type":"string"}}"#), Kind::List);
        assert_eq!(k(r##"{"type":["array","null"],"items":{"$ref":"#/$defs/X"}}"##), Kind::Json);
    }
}
