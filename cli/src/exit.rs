//! Exit codes: one per core error code, so a script can tell bad input, not found, conflict,
//! Atlas refusals, network failures and internal errors apart without parsing the output.

use ductape_core::ErrorCode;
use std::process::ExitCode;

/// The command line itself was wrong (clap's own code for usage errors).
pub const USAGE: u8 = 2;
/// A failure of the command line around the operation: an unreadable `-f` file or secret file,
/// no terminal to prompt on, the bundled simulator not starting.
pub const CLI: u8 = 1;

/// The exit code of an operation that answered `code`. A `match` with no catch-all, so a new
/// core code does not build until it has its own exit code.
pub fn for_code(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidArgument => 3,
        ErrorCode::UnknownOperation => 4,
        ErrorCode::NotFound => 5,
        ErrorCode::Conflict => 6,
        ErrorCode::PermissionDenied => 7,
        ErrorCode::FailedPrecondition => 8,
        ErrorCode::Unsupported => 9,
        ErrorCode::LimitExceeded => 10,
        ErrorCode::AtlasUnauthorized => 11,
        ErrorCode::AtlasForbiddenIp => 12,
        ErrorCode::AtlasMissingRole => 13,
        ErrorCode::AtlasError => 14,
        ErrorCode::Network => 15,
        ErrorCode::Timeout => 16,
        ErrorCode::RateLimited => 17,
        ErrorCode::Workspace => 18,
        ErrorCode::Cancelled => 19,
        ErrorCode::Internal => 20,
    }
}

/// The code named by its wire name (`not_found`); an unknown name is internal.
pub fn for_name(name: &str) -> u8 {
    ErrorCode::ALL.iter().find(|c| c.as_str() == name).map_or(for_code(ErrorCode::Internal), |c| for_code(*c))
}

/// The exit code of an envelope: 0 when ok (and, for a `valid` reply, only when valid: a
/// `validate` answering `valid: false` exits with the code of its failure).
pub fn for_envelope(envelope: &serde_json::Value) -> u8 {
    if envelope["ok"] != true {
        return for_name(envelope["error"]["code"].as_str().unwrap_or("internal"));
    }
    let result = &envelope["result"];
    if result["valid"] == false {
        return for_name(result["code"].as_str().unwrap_or("failed_precondition"));
    }
    0
}

pub fn code(n: u8) -> ExitCode {
    ExitCode::from(n)
}

/// The table `--help` ends with.
pub fn help_table() -> String {
    let mut out = String::from("Exit codes:\n  0   success (and for validate: valid)\n");
    out.push_str(&format!("  {CLI}   the CLI could not do its part (a file unreadable, the simulator not starting)\n"));
    out.push_str(&format!("  {USAGE}   usage error (unknown command or flag, a value of the wrong form)\n"));
    for c in ErrorCode::ALL {
        out.push_str(&format!("  {:<3} {}\n", for_code(*c), c.as_str()));
    }
    out.push_str("  141 standard output was a closed pipe (`ductape ... | head`)\n");
    out.push_str(
        "A validate that answers valid: false exits with the code of its failure (13 for atlas_missing_role).\n\
         What each error code means: docs/operations.md, or `ductape describe`.",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_exit_code_apart_from_usage_and_cli_failures() {
        let mut seen: Vec<u8> = ErrorCode::ALL.iter().map(|c| for_code(*c)).collect();
        seen.extend([CLI, USAGE, 0]);
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n, "two codes share an exit code");
    }

    #[test]
    fn envelopes_map_to_exit_codes() {
        let j = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
        assert_eq!(for_envelope(&j(r#"{"ok":true,"result":{"valid":true}}"#)), 0);
        assert_eq!(for_envelope(&j(r#"{"ok":true,"result":{"valid":false,"code":"atlas_missing_role"}}"#)), 13);
        assert_eq!(for_envelope(&j(r#"{"ok":false,"error":{"code":"not_found","message":"m"}}"#)), 5);
        assert_eq!(for_envelope(&j(r#"{"ok":false,"error":{"code":"made_up","message":"m"}}"#)), 20);
    }
}
