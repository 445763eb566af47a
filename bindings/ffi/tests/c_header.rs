//! `include/ductape.h` declares exactly the `ductape_*` functions that `src/c_abi.rs` exports, and
//! a C compiler accepts it.

use std::collections::BTreeSet;
use std::path::Path;

fn exported(source: &str) -> BTreeSet<String> {
    source
        .split("pub unsafe extern \"C\" fn ")
        .skip(1)
        .filter_map(|rest| rest.split('(').next().map(str::to_string))
        .collect()
}

fn declared(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .filter(|l| !l.trim_start().starts_with('*') && !l.trim_start().starts_with("/*"))
        .flat_map(|l| l.split(|c: char| !(c.is_alphanumeric() || c == '_')))
        .filter(|w| w.starts_with("ductape_"))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_header_declares_every_exported_function() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(dir.join("src/c_abi.rs")).unwrap();
    let header = std::fs::read_to_string(dir.join("include/ductape.h")).unwrap();
    let (exported, declared) = (exported(&source), declared(&header));
    assert!(exported.contains("ductape_call"), "{exported:?}");
    assert_eq!(exported, declared, "src/c_abi.rs exports and include/ductape.h declares different functions");
}

#[test]
fn a_c_compiler_accepts_the_header() {
    let Ok(cc) = which("cc") else { return }; // every machine here has cc; elsewhere nothing to check
    let out = std::env::temp_dir().join(format!("ductape-header-{}.o", std::process::id()));
    let status = std::process::Command::new(cc)
        .args(["-std=c99", "-Wall", "-Werror", "-x", "c", "-c", "-o"])
        .arg(&out)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/ductape.h"))
        .status()
        .unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "cc rejected include/ductape.h");
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| p.is_file()))
        .ok_or(())
}
