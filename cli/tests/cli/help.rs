//! `--help` of every command, found by walking the help itself.

use crate::common::{ductape, run_with};

/// The subcommand names of a help text's `Commands:` section.
fn subcommands(help: &str) -> Vec<String> {
    help.split("\nCommands:\n")
        .nth(1)
        .map(|rest| {
            rest.lines()
                .take_while(|l| !l.trim().is_empty())
                .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
                .filter_map(|l| l.split_whitespace().next().map(String::from))
                .filter(|c| c != "help")
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_command_answers_help_with_its_usage_and_the_global_options() {
    let mut queue = vec![Vec::<String>::new()];
    let mut leaves = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = run_with(ductape(&args), None);
        let shown = format!("{args:?}:\n{}{}", r.out, r.err);
        assert_eq!(r.code, Some(0), "{shown}");
        assert!(r.err.is_empty(), "{shown}");
        let usage = format!("Usage: ductape {}", path.join(" "));
        assert!(r.out.contains(usage.trim_end()), "{shown}");
        for global in ["--workspace-dir <DIR>", "--atlas-base-url <URL>", "--sim", "--output <OUTPUT>"] {
            assert!(r.out.contains(global), "{global} missing: {shown}");
        }
        assert!(r.out.contains("[default: ~/.ductape/workspace"), "defaults shown: {shown}");
        let subs = subcommands(&r.out);
        if subs.is_empty() {
            leaves += 1;
            if !path.is_empty()
                && !["call", "operations", "describe", "sim", "demo", "completions"].contains(&path[0].as_str())
            {
                assert!(r.out.contains("Operation: "), "an operation command names its operation: {shown}");
                assert!(r.out.contains("-f, --file <FILE>"), "{shown}");
            }
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s);
            queue.push(p);
        }
    }
    assert!(leaves >= 45, "{leaves} leaf commands");
}

#[test]
fn the_top_level_help_documents_every_exit_code() {
    let r = run_with(ductape(&["--help"]), None);
    for line in [
        "  0   success",
        "  2   usage error",
        "  3   invalid_argument",
        "  5   not_found",
        "  6   conflict",
        "  11  atlas_unauthorized",
        "  13  atlas_missing_role",
        "  15  network",
        "  20  internal",
    ] {
        assert!(r.out.contains(line), "{line:?} missing:\n{}", r.out);
    }
    // `call --help` is help, not an operation named --help.
    let r = run_with(ductape(&["call", "--help"]), None);
    assert_eq!(r.code, Some(0));
    assert!(r.out.contains("Usage: ductape call [OPTIONS] <OPERATION> [JSON]"), "{}", r.out);
}

#[test]
fn completions_are_printed_for_the_shells() {
    for (shell, marker) in [("bash", "_ductape()"), ("zsh", "#compdef ductape"), ("fish", "complete -c ductape")] {
        let r = run_with(ductape(&["completions", shell]), None);
        assert_eq!(r.code, Some(0), "{shell}");
        assert!(r.out.contains(marker), "{shell}: {}", &r.out[..r.out.len().min(300)]);
        assert!(r.out.contains("rotate-key"), "{shell}: the generated commands are completed too");
    }
}
