//! What a database user's Atlas roles allow on the data plane: reading and writing documents.
//! Atlas's built-in roles map onto MongoDB's (`atlasAdmin`, `readWriteAnyDatabase`,
//! `readAnyDatabase`, and `readWrite`/`read` on one database, optionally one collection);
//! other roles (`dbAdmin`, `clusterMonitor`, custom roles, ...) grant no document access here.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
}

fn grants(role: &Value, action: Action, db: &str, coll: Option<&str>) -> bool {
    let name = role.get("roleName").and_then(Value::as_str).unwrap_or("");
    let role_db = role.get("databaseName").and_then(Value::as_str).unwrap_or("");
    let role_coll = role.get("collectionName").and_then(Value::as_str).filter(|c| !c.is_empty());
    let on_target = role_db == db && (role_coll.is_none() || coll.is_none() || role_coll == coll);
    match name {
        "atlasAdmin" | "readWriteAnyDatabase" => true,
        "readAnyDatabase" => action == Action::Read,
        "readWrite" => on_target,
        "read" => on_target && action == Action::Read,
        _ => false,
    }
}

/// Whether any of `roles` allows `action` on `db.coll` (`coll: None`: on some collection of `db`).
pub fn allowed(roles: &[Value], action: Action, db: &str, coll: Option<&str>) -> bool {
    roles.iter().any(|r| grants(r, action, db, coll))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_roles_cannot_write() {
        let read = [json!({"databaseName": "app", "roleName": "read"})];
        assert!(allowed(&read, Action::Read, "app", Some("c")));
        assert!(!allowed(&read, Action::Write, "app", Some("c")));
        assert!(!allowed(&read, Action::Read, "other", Some("c")));
        let any = [json!({"databaseName": "admin", "roleName": "readAnyDatabase"})];
        assert!(allowed(&any, Action::Read, "x", None) && !allowed(&any, Action::Write, "x", None));
        let rw = [json!({"databaseName": "admin", "roleName": "readWriteAnyDatabase"})];
        assert!(allowed(&rw, Action::Write, "x", Some("y")));
        let coll = [json!({"databaseName": "app", "roleName": "readWrite", "collectionName": "only"})];
        assert!(allowed(&coll, Action::Write, "app", Some("only")));
        assert!(!allowed(&coll, Action::Write, "app", Some("other")));
        assert!(!allowed(&[json!({"databaseName": "admin", "roleName": "clusterMonitor"})], Action::Read, "a", None));
    }
}
