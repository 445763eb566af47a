//! The request of an operation command: `-f FILE|-`, the flags, and the secret fields, which come
//! from a file, standard input, the environment or a prompt without echo, and only with a
//! warning from the command line.

use crate::commands::{self, file_flag_id, flag_name, OpCommand, FIELD_ENV};
use clap::parser::ValueSource;
use serde_json::{Map, Value};
use std::io::{IsTerminal, Read};

/// A secret that is prompted for when the field beside it is given (a public key without its
/// private key), since the core only needs one of the two credential pairs.
const PROMPT_WITH: &[(&str, &str)] =
    &[("atlas_private_key", "atlas_public_key"), ("atlas_client_secret", "atlas_client_id")];

/// Standard input is read at most once: by `-f -` or by one `--x-file -`.
#[derive(Default)]
pub struct Stdin {
    taken_by: Option<String>,
}

impl Stdin {
    pub fn read(&mut self, by: &str) -> Result<String, String> {
        if let Some(first) = &self.taken_by {
            return Err(format!("{by} and {first} both read standard input; give one of them a file"));
        }
        self.taken_by = Some(by.to_string());
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(text)
    }
}

/// FILE's text, or standard input's for `-`.
pub fn read_source(path: &str, by: &str, stdin: &mut Stdin) -> Result<String, String> {
    if path == "-" {
        stdin.read(by)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{by}: cannot read {path}: {e}"))
    }
}

/// A JSON object from text (the `-f` file or the `call` argument).
pub fn object(text: &str, what: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(format!("{what} must hold a JSON object")),
        Err(e) => Err(format!("{what} is not JSON: {e}")),
    }
}

/// The warning for a secret given where other users can see it.
pub fn exposed_warning(what: &str, instead: &str) -> String {
    format!(
        "warning: {what} was given on the command line, where other users can see it (ps) and shell history keeps it; \
         {instead}"
    )
}

/// The request, and the warnings to print before it runs.
pub fn request(cmd: &OpCommand) -> Result<(Map<String, Value>, Vec<String>), String> {
    let m = &cmd.matches;
    let mut stdin = Stdin::default();
    let base = match m.get_one::<String>(commands::FILE_ARG) {
        Some(path) => object(&read_source(path, "-f", &mut stdin)?, "-f")?,
        None => Map::new(),
    };
    let mut request = commands::flag_values(cmd.entry, m, base)?;
    let mut warnings = Vec::new();
    let op = ductape_core::ops::find(cmd.entry.operation).expect("registered");
    for (name, _, required, secret) in commands::fields(op) {
        if !secret {
            continue;
        }
        let flag = flag_name(&name);
        if let Some(value) = m.get_one::<String>(&name) {
            if m.value_source(&name) == Some(ValueSource::CommandLine) {
                warnings
                    .push(exposed_warning(&format!("--{flag}"), &format!("use --{flag}-file or the prompt instead")));
            }
            request.insert(name, Value::String(value.clone()));
        } else if let Some(path) = m.get_one::<String>(&file_flag_id(&name)) {
            let text = read_source(path, &format!("--{flag}-file"), &mut stdin)?;
            request.insert(name, Value::String(text.trim_end_matches(['\r', '\n']).to_string()));
        } else if let Some(value) = env_value(&name) {
            request.insert(name, Value::String(value));
        } else if !request.contains_key(&name) && wants_prompt(&name, required, &request) {
            request.insert(name.clone(), Value::String(prompt(&name)?));
        }
    }
    Ok((request, warnings))
}

fn env_value(field: &str) -> Option<String> {
    let var = FIELD_ENV.iter().find(|(f, _)| *f == field)?.1;
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

fn wants_prompt(field: &str, required: bool, request: &Map<String, Value>) -> bool {
    let beside = PROMPT_WITH.iter().any(|(s, with)| *s == field && request.get(*with).is_some_and(|v| !v.is_null()));
    (required || beside) && std::io::stdin().is_terminal()
}

fn prompt(field: &str) -> Result<String, String> {
    rpassword::prompt_password(format!("{field} (not echoed): "))
        .map_err(|e| format!("cannot read {field} from the terminal: {e}"))
}
