//! `GET /groups/{groupId}`.

use serde_json::json;

use super::{link, Ctx, Reply};
use crate::clock::rfc3339;
use crate::errors::ApiError;

pub fn get_group(ctx: &mut Ctx, g: &str) -> Result<Reply, ApiError> {
    let w = &ctx.st.world;
    let p = w.project(g).ok_or_else(|| ApiError::group_not_found(g))?;
    let count = w.clusters.iter().filter(|c| c.group_id == g).count()
        + w.flex_clusters.iter().filter(|c| c.group_id == g).count();
    let base = format!("{}/api/atlas/v2/groups/{}", ctx.base, p.id);
    let mut links = vec![link(base.clone(), "self")];
    for rel in ["containers", "clusters", "databaseUsers", "peers", "processes", "whitelist"] {
        links.push(link(format!("{base}/{rel}"), &format!("https://cloud.mongodb.com/{rel}")));
    }
    Ok(Reply::ok(json!({
        "clusterCount": count,
        "created": rfc3339(p.created),
        "id": p.id,
        "links": links,
        "name": p.name,
        "orgId": p.org_id,
        "tags": [],
        "withDefaultAlertsSettings": true,
    })))
}
