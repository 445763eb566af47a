//! What people see: tables and key/value lists of a reply, errors and warnings on standard
//! error, colours only on a terminal and never with `NO_COLOR`. Scripts take `--output json`,
//! which prints the operation layer's envelope as it is.

use serde_json::Value;
use std::io::{IsTerminal, Write};

/// One line on standard output (the `say!` macro); a closed pipe ends the process with 141.
pub fn say_line(text: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
        std::process::exit(141);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and lists for people.
    Table,
    /// The operation layer's envelope, exactly as it answers.
    Json,
}

/// Colours when the stream is a terminal and `NO_COLOR` is unset or empty (no-color.org).
pub fn colours_on(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[derive(Clone, Copy)]
pub enum Colour {
    Red = 31,
    Green = 32,
    Yellow = 33,
    Dim = 2,
}

pub fn paint(text: &str, colour: Colour, on: bool) -> String {
    if on {
        format!("\x1b[{}m{text}\x1b[0m", colour as u8)
    } else {
        text.to_string()
    }
}

pub fn stderr_colours() -> bool {
    colours_on(std::io::stderr().is_terminal())
}

pub fn stdout_colours() -> bool {
    colours_on(std::io::stdout().is_terminal())
}

/// A secret reply field as a table shows it: a URL without its user info, anything else hidden.
pub fn redact(value: &Value) -> Value {
    match value.as_str() {
        Some(s) if s.contains("://") => Value::String(ductape_core::atlas::redact_url(s)),
        Some(_) => Value::String("[hidden; --output json shows it]".into()),
        None => value.clone(),
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::Array(items) if items.is_empty() => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(width - 1).collect::<String>())
    }
}

/// Columns that name a row come first; the rest follow in key order.
const LEADING: [&str; 6] = ["tag", "key", "name", "slug", "cidr", "status"];

/// Rows of objects as a table: every scalar (or list of scalars) column.
pub fn table(rows: &[Value]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        for (k, v) in row.as_object().into_iter().flatten() {
            let plain = !v.is_object() && !v.as_array().is_some_and(|a| a.iter().any(|i| i.is_object()));
            if plain && !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    columns.sort_by_key(|c| LEADING.iter().position(|l| l == c).unwrap_or(LEADING.len()));
    let cells: Vec<Vec<String>> =
        rows.iter().map(|r| columns.iter().map(|c| clip(&cell(&r[c.as_str()]), 48)).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| r[i].chars().count()).chain([c.len()]).max().unwrap_or(0))
        .collect();
    let line = |values: Vec<String>| {
        values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![line(columns.iter().map(|c| c.to_uppercase()).collect())];
    out.extend(cells.into_iter().map(line));
    out.join("\n")
}

/// A reply for people: its list (if it has one) as a table, the other fields as `key  value`.
pub fn human(result: &Value, secret_fields: &[String]) -> String {
    let Some(map) = result.as_object() else { return cell(result) };
    let mut lines = Vec::new();
    let width = map.keys().map(String::len).max().unwrap_or(0);
    let mut tables = Vec::new();
    for (k, v) in map {
        let v = if secret_fields.contains(k) { redact(v) } else { v.clone() };
        match v.as_array() {
            Some(rows) if !rows.is_empty() && rows.iter().all(Value::is_object) => {
                tables.push((k.clone(), table(rows)))
            }
            Some(rows) if rows.is_empty() && map.len() == 1 => tables.push((k.clone(), "(none)".into())),
            _ => lines.push(format!("{k:<width$}  {}", cell(&v))),
        }
    }
    for (name, t) in tables {
        if !lines.is_empty() || map.len() > 1 {
            lines.push(format!("{name}:"));
        }
        lines.push(t);
    }
    lines.join("\n")
}

/// An error envelope's error for people: `error: not_found: no connection ... (field tag)`.
pub fn error_line(error: &Value, colours: bool) -> String {
    let field = error["field"].as_str().map(|f| format!(" (field {f})")).unwrap_or_default();
    format!(
        "{} {}: {}{field}",
        paint("error:", Colour::Red, colours),
        error["code"].as_str().unwrap_or("internal"),
        error["message"].as_str().unwrap_or_default()
    )
}

/// The envelope's warnings, one line each, for standard error.
pub fn warning_lines(envelope: &Value, colours: bool) -> Vec<String> {
    envelope["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            format!("{} {}", paint("warning:", Colour::Yellow, colours), w["message"].as_str().unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_reply_is_a_table_and_secrets_are_redacted() {
        let r = json!({"connections": [{"tag": "a", "scopes": ["database"], "metadata": {"x": 1}}, {"tag": "bb", "status": "active"}]});
        assert_eq!(human(&r, &[]), "TAG  STATUS  SCOPES\na    -       database\nbb   active  -");
        let r = json!({"connection_url": "mongodb://u:p4ss@h:1/?tls=true", "instance": "Cluster0"});
        assert_eq!(
            human(&r, &["connection_url".into()]),
            "connection_url  mongodb://[redacted]@h:1/\ninstance        Cluster0"
        );
        assert_eq!(human(&json!({"value": "s3cret"}), &["value".into()]), "value  [hidden; --output json shows it]");
    }
}
