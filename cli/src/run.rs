//! Running one operation: the operation commands and `ductape call`.

use crate::commands::OpCommand;
use crate::output::{self, Format};
use crate::session::{Global, Session};
use crate::{exit, input, progress};
use serde_json::Value;

pub async fn operation_command(g: &Global, cmd: &OpCommand) -> u8 {
    let (request, warnings) = match input::request(cmd) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ductape: {e}");
            return exit::CLI;
        }
    };
    for w in warnings {
        eprintln!("ductape: {w}");
    }
    execute(g, cmd.entry.operation, &Value::Object(request).to_string(), g.format()).await
}

pub async fn call(g: &Global, operation: &str, json: &str) -> u8 {
    let params = if json == "-" {
        match input::Stdin::default().read("the request (-)") {
            Ok(t) => t,
            Err(e) => {
                eprintln!("ductape: {e}");
                return exit::CLI;
            }
        }
    } else {
        if let Some(field) = secret_field(json) {
            let instead = format!("pass the request on standard input instead: ductape call {operation} -");
            eprintln!("ductape: {}", input::exposed_warning(&field, &instead));
        }
        json.to_string()
    };
    // `call` is for scripts: the envelope unless a table is asked for.
    execute(g, operation, &params, g.output.unwrap_or(Format::Json)).await
}

async fn execute(g: &Global, operation: &str, params: &str, format: Format) -> u8 {
    let session = match Session::open(g, None, None).await {
        Ok(s) => s,
        Err((code, e)) => {
            eprintln!("ductape: {e}");
            return code;
        }
    };
    session.banner();
    let (display, listener) = progress::Display::start("");
    let reply = session.ductape.call_json_with_progress(operation, params, Some(listener)).await;
    display.finish();
    print_reply(format, operation, &reply)
}

/// Prints an envelope as the format asks; answers the exit code.
pub fn print_reply(format: Format, operation: &str, reply: &str) -> u8 {
    let envelope: Value = serde_json::from_str(reply).unwrap_or_default();
    if format == Format::Json {
        say!("{reply}");
        return exit::for_envelope(&envelope);
    }
    let colours = output::stderr_colours();
    for w in output::warning_lines(&envelope, colours) {
        eprintln!("{w}");
    }
    if envelope["ok"] == true {
        let secrets = ductape_core::ops::find(operation)
            .map(|op| ductape_core::ops::secret_fields(&op.reply_schema()))
            .unwrap_or_default();
        say!("{}", output::human(&envelope["result"], &secrets));
        if envelope["result"]["valid"] == false {
            let e = &envelope["result"];
            eprintln!(
                "{}",
                output::error_line(&serde_json::json!({"code": e["code"], "message": e["message"]}), colours)
            );
        }
    } else {
        eprintln!("{}", output::error_line(&envelope["error"], colours));
    }
    exit::for_envelope(&envelope)
}

/// The first secret field (any operation's or option's, from the registry) with a value in a
/// request given as an argument (`None` for other text). The positional form's `params` is looked into.
fn secret_field(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    let given =
        |v: &Value, f: &str| v.get(f).is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()));
    ductape_core::ops::describe::all_secret_fields()
        .into_iter()
        .find(|f| given(&value, f) || value.get("params").is_some_and(|p| given(p, f)))
}

#[cfg(test)]
mod tests {
    use super::secret_field;

    #[test]
    fn notices_a_secret_on_the_command_line() {
        let key = r#"{"tag":"t","project_id":"5c843ba379358e5b3dc2dec6","atlas_public_key":"awqxqtif","atlas_private_key":"a0403a4f-0151-4922-ae89-523b69cd8e04"}"#;
        assert_eq!(secret_field(key).as_deref(), Some("atlas_private_key"));
        let sa = r#"{"tag":"t","atlas_client_secret":"mdb_sa_sk_x"}"#;
        assert_eq!(secret_field(sa).as_deref(), Some("atlas_client_secret"));
        let positional = r#"{"tag":"t","params":{"atlas_private_key":"a0403a4f-0151-4922-ae89-523b69cd8e04"}}"#;
        assert_eq!(secret_field(positional).as_deref(), Some("atlas_private_key"));
        assert_eq!(secret_field(r#"{"tag":"t","atlas_private_key":"  "}"#), None);
        assert_eq!(secret_field(r#"{"tag":"t"}"#), None);
        assert_eq!(secret_field("{oops"), None);
    }
}
