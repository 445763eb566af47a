//! `include/ductape.h` is exactly what cbindgen generates from `src/c_abi/` (with `cbindgen.toml`),
//! and a C compiler accepts it. `DUCTAPE_BLESS=1` rewrites a stale header instead of failing
//! (refused when `CI` is set: CI must see a stale header fail).

use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read src/c_abi/")
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

/// What the check reports: None when the committed header is current.
fn staleness(committed: &str, generated: &str) -> Option<String> {
    if committed == generated {
        return None;
    }
    let line = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
    Some(format!(
        "include/ductape.h is stale (first difference at line {}); regenerate it with \
         DUCTAPE_BLESS=1 cargo test -p ductape-ffi --test c_header",
        line.map_or(committed.lines().count().min(generated.lines().count()) + 1, |l| l + 1)
    ))
}

/// Whether to rewrite a stale header: `DUCTAPE_BLESS` set, which is refused when `CI` is set (CI
/// checks the committed header; rewriting it there would turn a stale header green).
fn bless(bless: Option<&str>, ci: Option<&str>) -> Result<bool, String> {
    match (bless, ci) {
        (Some(_), Some(ci)) if !ci.is_empty() && ci != "false" => {
            Err("DUCTAPE_BLESS is refused when CI is set: CI checks the committed header, it does not rewrite it"
                .to_string())
        }
        (bless, _) => Ok(bless.is_some()),
    }
}

fn blessing() -> bool {
    let var = |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    bless(var("DUCTAPE_BLESS").as_deref(), var("CI").as_deref()).unwrap_or_else(|refused| panic!("{refused}"))
}

#[test]
fn bless_is_refused_in_ci() {
    assert_eq!(bless(None, None), Ok(false));
    assert_eq!(bless(None, Some("true")), Ok(false));
    assert_eq!(bless(Some("1"), None), Ok(true));
    assert_eq!(bless(Some("1"), Some("false")), Ok(true));
    assert!(bless(Some("1"), Some("true")).unwrap_err().contains("refused when CI is set"));
}

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    // Refused in CI whether or not the header is stale, so that a CI job that sets it fails at once.
    let bless = blessing();
    let path = crate_dir().join("include/ductape.h");
    let fresh = generated();
    for name in [
        "ductape_open",
        "ductape_call",
        "ductape_call_async",
        "ductape_cancel",
        "ductape_task_new",
        "ductape_task_free",
        "ductape_reply_free",
    ] {
        assert!(fresh.contains(&format!("{name}(")), "cbindgen left out {name}");
    }
    assert!(!fresh.contains("uniffi_"), "the header carries only the C ABI");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(problem) = staleness(&committed, &fresh) {
        if bless {
            std::fs::write(&path, &fresh).unwrap();
        } else {
            panic!("{problem}");
        }
    }
}

#[test]
fn a_stale_header_fails_the_check() {
    let fresh = generated();
    assert_eq!(staleness(&fresh, &fresh), None);
    let stale = fresh.replacen("ductape_cancel(", "ductape_cancel_old(", 1);
    assert!(staleness(&stale, &fresh).unwrap().contains("stale"));
    let truncated = &fresh[..fresh.len() / 2];
    assert!(staleness(truncated, &fresh).is_some());
}

#[test]
fn a_c_compiler_accepts_the_header() {
    let Some(cc) = which("cc") else { return }; // every machine here has cc; elsewhere nothing to check
    let out = std::env::temp_dir().join(format!("ductape-header-{}.o", std::process::id()));
    let status = std::process::Command::new(cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-x", "c", "-c", "-o"])
        .arg(&out)
        .arg(crate_dir().join("include/ductape.h"))
        .status()
        .unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "cc rejected include/ductape.h");
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| Path::is_file(p)))
}
