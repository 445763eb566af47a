//! Which Atlas database users are ours. A name alone proves nothing: two workspaces on one
//! Atlas project (two teammates, a laptop and CI) make the same deterministic names. So every
//! user import makes carries a marker in its `description` (Atlas keeps it; at most 100
//! characters): the tool, this workspace's id and a digest of the target
//! (connection, product, component, env), then a readable summary that may be cut short:
//!
//! `ductape:v1 ws=<workspace id> t=<16 hex> my-product/db-mongo/prd via prod_atlas`
//!
//! Import takes over an existing user only when its marker names this workspace and this
//! target, when this workspace's own link record names it (a user imported before markers
//! existed: marked now), or when the caller says `adopt: true`. Anything else is a conflict.
//! The marker is an identifier, not a proof: anyone who can edit users in the Atlas project can
//! write any description, and such a person can already change the user itself.

use crate::error::{Error, ErrorCode};
use serde_json::json;

const PREFIX: &str = "ductape:v1";
/// Atlas's limit on a database user's description.
const MAX_DESCRIPTION: usize = 100;

/// The owner a marker names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub workspace: String,
    pub target: String,
}

impl Marker {
    pub fn new(workspace: &str, cloud: &str, product: &str, component: &str, env: &str) -> Marker {
        Marker { workspace: workspace.to_string(), target: target_digest(cloud, product, component, env) }
    }

    /// The description to give the user: the marker, then `summary` as far as it fits.
    pub fn description(&self, summary: &str) -> String {
        let mut d = format!("{PREFIX} ws={} t={} {summary}", self.workspace, self.target);
        if d.len() > MAX_DESCRIPTION {
            let mut end = MAX_DESCRIPTION;
            while !d.is_char_boundary(end) {
                end -= 1;
            }
            d.truncate(end);
        }
        d
    }

    /// The marker in a user's description, if it carries one.
    pub fn parse(description: &str) -> Option<Marker> {
        let mut words = description.split(' ');
        if words.next()? != PREFIX {
            return None;
        }
        let workspace = words.next()?.strip_prefix("ws=")?;
        let target = words.next()?.strip_prefix("t=")?;
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        (hex(workspace, 36) && hex(target, 16))
            .then(|| Marker { workspace: workspace.to_string(), target: target.to_string() })
    }
}

/// 16 hex digits naming (connection, product, component, env): the parts are tags without
/// `/`, so the joined text is unambiguous.
fn target_digest(cloud: &str, product: &str, component: &str, env: &str) -> String {
    use md5::{Digest, Md5};
    let joined = format!("{cloud}/{product}/{component}/{env}");
    Md5::digest(joined.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// What import may do with the user of its name that Atlas already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Atlas has no such user: create it.
    New,
    /// Marked by this workspace for this target (an earlier or interrupted import).
    Ours,
    /// Unmarked, but this workspace's link record names it: imported before markers existed.
    Legacy,
    /// Unmarked or foreign, taken over because the caller asked (`adopt: true`).
    Adopted,
}

/// Decides whether import may take over `existing` (its description, `None` when Atlas has no
/// such user). `recorded` is whether this workspace's link record for the target names the user.
pub fn claim(
    existing: Option<Option<&str>>,
    ours: &Marker,
    recorded: bool,
    adopt: bool,
    user: &str,
) -> Result<Claim, Error> {
    let Some(description) = existing else { return Ok(Claim::New) };
    let marker = description.and_then(Marker::parse);
    match &marker {
        Some(m) if m == ours => return Ok(Claim::Ours),
        None if recorded => return Ok(Claim::Legacy),
        // Only an unmarked user may be adopted: a marked one is another workspace's (or another
        // target's) working login, which it would break.
        None if adopt => return Ok(Claim::Adopted),
        _ => {}
    }
    Err(conflict(user, marker.as_ref(), ours))
}

fn conflict(user: &str, holder: Option<&Marker>, ours: &Marker) -> Error {
    let who = match holder {
        Some(m) if m.workspace == ours.workspace => {
            "this workspace made it for another target (connection, product, component, env)".to_string()
        }
        Some(m) => format!("another Ductape workspace ({}) made it and owns it", m.workspace),
        None => "it carries no Ductape marker: someone made it in Atlas, or another tool did".to_string(),
    };
    let advice = match holder {
        Some(m) if m.workspace != ours.workspace => {
            "; unlink it from that workspace first, or import into another component or environment"
        }
        Some(_) => "; unlink that target first, or import into another component or environment",
        None => {
            "; import into another component or environment, or pass adopt: true to take it over (its password \
              is replaced, which breaks whoever logs in with it now)"
        }
    };
    Error::new(
        ErrorCode::Conflict,
        format!(
            "the Atlas project already has a database user '{user}' that this workspace does not own: {who}{advice}"
        ),
    )
    .with_field("component")
    .with_details(json!({
        "database_user": user,
        "holder": holder.map(|m| json!({ "workspace": m.workspace, "target": m.target })),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const OTHER: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    #[test]
    fn a_description_carries_the_marker_within_atlas_limit() {
        let m = Marker::new(WS, "prod_atlas", "my-product", "db-mongo", "prd");
        let d = m.description("my-product/db-mongo/prd via prod_atlas");
        assert!(d.starts_with(&format!("ductape:v1 ws={WS} t=")), "{d}");
        assert_eq!(Marker::parse(&d), Some(m.clone()));
        let long = m.description(&"x".repeat(200));
        assert_eq!(long.len(), 100);
        assert_eq!(Marker::parse(&long), Some(m));
    }

    #[test]
    fn targets_differ_and_foreign_text_is_no_marker() {
        let a = Marker::new(WS, "prod_atlas", "p", "c", "prd");
        assert_ne!(a, Marker::new(WS, "prod_atlas", "p", "c", "dev"));
        assert_ne!(a, Marker::new(WS, "prod_atlas", "p-c", "x", "prd"));
        for text in ["", "Ductape p/c/e via x", "ductape:v1 ws=zz t=00", "ductape:v2 ws=a t=b"] {
            assert_eq!(Marker::parse(text), None, "{text}");
        }
    }

    #[test]
    fn claims() {
        let ours = Marker::new(WS, "a", "p", "c", "e");
        let mine = ours.description("x");
        let elsewhere = Marker::new(OTHER, "a", "p", "c", "e").description("x");
        let other_target = Marker::new(WS, "a", "p", "c", "f").description("x");
        assert_eq!(claim(None, &ours, false, false, "u").unwrap(), Claim::New);
        assert_eq!(claim(Some(Some(&mine)), &ours, false, false, "u").unwrap(), Claim::Ours);
        assert_eq!(claim(Some(None), &ours, true, false, "u").unwrap(), Claim::Legacy);
        assert_eq!(claim(Some(Some("hand made")), &ours, true, false, "u").unwrap(), Claim::Legacy);
        assert_eq!(claim(Some(None), &ours, false, true, "u").unwrap(), Claim::Adopted);
        assert!(claim(Some(Some(&elsewhere)), &ours, false, true, "u").is_err(), "a marked user is never adopted");
        let e = claim(Some(Some(&elsewhere)), &ours, true, false, "u").unwrap_err();
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains(OTHER), "{}", e.message);
        assert_eq!(e.details.unwrap()["holder"]["workspace"], OTHER);
        let e = claim(Some(Some(&other_target)), &ours, false, false, "u").unwrap_err();
        assert!(e.message.contains("another target"), "{}", e.message);
        let e = claim(Some(Some("Ops team login")), &ours, false, false, "u").unwrap_err();
        assert!(e.message.contains("no Ductape marker") && !e.message.contains("Ops team"), "{}", e.message);
    }
}
