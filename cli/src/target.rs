//! Where the lifecycle runs: real Atlas from `MONGODB_ATLAS_*`, or the bundled simulator.

use atlas_sim::{seed, Sim, SimConfig};
use ductape_core::atlas::{redact_url, BASE_URL_ENV, DEFAULT_BASE_URL};
use serde_json::{json, Map, Value};

pub struct Target {
    /// Held, never read: dropping it stops the simulator, so it lives as long as the run.
    pub _sim: Option<Sim>,
    pub base_url: Option<String>,
    pub description: String,
    /// The `complete` request minus the tag. Holds secrets: never print it.
    pub credentials: Map<String, Value>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// What the lifecycle prints as its target. The URL is shown without user info or query: the
/// variable may hold a pasted connection string with a password (the core then refuses it).
fn describe_atlas(base_url: Option<&str>) -> String {
    format!("MongoDB Atlas at {}", base_url.map_or(DEFAULT_BASE_URL.to_string(), redact_url))
}

pub async fn choose() -> Result<Target, String> {
    if let Some(project_id) = env("MONGODB_ATLAS_PROJECT_ID") {
        let mut credentials = Map::new();
        credentials.insert("project_id".into(), json!(project_id));
        match (
            env("MONGODB_ATLAS_PUBLIC_API_KEY"),
            env("MONGODB_ATLAS_PRIVATE_API_KEY"),
            env("MONGODB_ATLAS_CLIENT_ID"),
            env("MONGODB_ATLAS_CLIENT_SECRET"),
        ) {
            (Some(public), Some(private), _, _) => {
                credentials.insert("atlas_public_key".into(), json!(public));
                credentials.insert("atlas_private_key".into(), json!(private));
            }
            (_, _, Some(id), Some(secret)) => {
                credentials.insert("atlas_client_id".into(), json!(id));
                credentials.insert("atlas_client_secret".into(), json!(secret));
            }
            _ => {
                return Err("MONGODB_ATLAS_PROJECT_ID is set, but neither MONGODB_ATLAS_PUBLIC_API_KEY + \
                            MONGODB_ATLAS_PRIVATE_API_KEY nor MONGODB_ATLAS_CLIENT_ID + \
                            MONGODB_ATLAS_CLIENT_SECRET are"
                    .into())
            }
        }
        let base_url = env(BASE_URL_ENV);
        let description = describe_atlas(base_url.as_deref());
        return Ok(Target { _sim: None, base_url, description, credentials });
    }
    let sim = Sim::start(SimConfig::default())
        .await
        .map_err(|e| format!("the bundled Atlas simulator could not start: {e}"))?;
    let base_url = sim.base_url();
    let mut credentials = Map::new();
    credentials.insert("project_id".into(), json!(seed::PROJECT_ID));
    credentials.insert("atlas_public_key".into(), json!(seed::OWNER_PUBLIC_KEY));
    credentials.insert("atlas_private_key".into(), json!(seed::OWNER_PRIVATE_KEY));
    Ok(Target {
        description: format!("the bundled Atlas simulator at {base_url} (default seed)"),
        base_url: Some(base_url),
        _sim: Some(sim),
        credentials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_target_has_no_credentials() {
        let shown = describe_atlas(Some("https://admin:hunter2-s3cret@cloud.example.com/?key=k3y"));
        assert_eq!(shown, "MongoDB Atlas at https://[redacted]@cloud.example.com/");
        assert_eq!(describe_atlas(None), "MongoDB Atlas at https://cloud.mongodb.com");
    }
}
