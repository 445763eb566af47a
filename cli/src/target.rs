//! The demo's Atlas: real Atlas from `MONGODB_ATLAS_*` credentials, or the bundled simulator.

use atlas_sim::seed;
use serde_json::{json, Map, Value};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The `complete` request minus the tag, from `MONGODB_ATLAS_*` as MongoDB's tools read them;
/// `None` when no project is set. Holds secrets: never print it.
pub fn from_env() -> Result<Option<Map<String, Value>>, String> {
    let Some(project_id) = env("MONGODB_ATLAS_PROJECT_ID") else { return Ok(None) };
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
                        MONGODB_ATLAS_PRIVATE_API_KEY nor MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET are"
                .into())
        }
    }
    Ok(Some(credentials))
}

/// The simulator's default seed: its owner key on prod-project.
pub fn seed_credentials() -> Map<String, Value> {
    let mut credentials = Map::new();
    credentials.insert("project_id".into(), json!(seed::PROJECT_ID));
    credentials.insert("atlas_public_key".into(), json!(seed::OWNER_PUBLIC_KEY));
    credentials.insert("atlas_private_key".into(), json!(seed::OWNER_PRIVATE_KEY));
    credentials
}
