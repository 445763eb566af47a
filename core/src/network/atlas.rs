//! The project IP access list through the shared Atlas client (`crate::atlas`): every page of
//! the list, one POST of many entries, DELETE of one entry, and an entry's `/status`.

use super::cidr::{self, Net};
use super::plan::Present;
use crate::atlas::media::versions::ACCESS_LIST;
use crate::atlas::paging::{Page, MAX_ITEMS_PER_PAGE};
use crate::atlas::{path_segment, AtlasClient, AtlasError, API_PREFIX};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(default)]
    pub cidr_block: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl Entry {
    pub fn present(&self) -> Option<Present> {
        cidr::canonical(self.cidr_block.as_deref(), self.ip_address.as_deref())
            .map(|net| Present { net, comment: self.comment.clone() })
    }
}

fn list_path(project_id: &str) -> String {
    format!("{API_PREFIX}/groups/{}/accessList", path_segment(project_id))
}

/// Every entry of the project's list, reading the largest pages Atlas serves (one read for up
/// to 500 entries); `on_page(pages_read, pages_total)` after each page. Bounded in total as
/// every list is ([`AtlasClient::get_all_pages`]).
pub async fn list_all(
    client: &AtlasClient,
    project_id: &str,
    on_page: impl FnMut(u64, Option<u64>),
) -> Result<Vec<Present>, AtlasError> {
    let all: Vec<Entry> =
        client.get_all_pages(&list_path(project_id), ACCESS_LIST, MAX_ITEMS_PER_PAGE, on_page).await?;
    Ok(all.iter().filter_map(Entry::present).collect())
}

/// One entry to post.
pub struct NewEntry<'a> {
    pub net: &'a Net,
    pub comment: &'a str,
    pub delete_after: Option<String>,
}

/// POSTs `entries` in one request (marked safe to repeat: Atlas answers re-adding an entry as
/// a success). Atlas answers with the project's whole list, first page: asked at the largest
/// page size, that is the whole list for up to 500 entries, so the answer confirms the write.
/// Answers the list when the page holds all of it.
pub async fn post(
    client: &AtlasClient,
    project_id: &str,
    entries: &[NewEntry<'_>],
) -> Result<Option<Vec<Present>>, AtlasError> {
    let body: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut v = if e.net.is_single_host() {
                json!({ "ipAddress": e.net.addr.to_string(), "comment": e.comment })
            } else {
                json!({ "cidrBlock": e.net.to_string(), "comment": e.comment })
            };
            if let Some(d) = &e.delete_after {
                v["deleteAfterDate"] = json!(d);
            }
            v
        })
        .collect();
    let target = format!("{}?includeCount=true&itemsPerPage={MAX_ITEMS_PER_PAGE}&pageNum=1", list_path(project_id));
    let page: Page<Entry> = client.post_json(&target, ACCESS_LIST, &Value::Array(body), true).await?;
    let whole = page.total_count.is_some_and(|t| page.results.len() as u64 >= t);
    Ok(whole.then(|| page.results.iter().filter_map(Entry::present).collect()))
}

/// DELETEs one entry; an entry already gone (404) counts as deleted.
pub async fn delete(client: &AtlasClient, project_id: &str, net: &Net) -> Result<(), AtlasError> {
    let target = format!("{}/{}", list_path(project_id), path_segment(&net.to_string()));
    match client.delete(&target, ACCESS_LIST).await {
        Err(e) if e.api().is_some_and(|a| a.status == 404) => Ok(()),
        other => other,
    }
}

#[derive(Debug, Deserialize)]
struct Status {
    #[serde(rename = "STATUS")]
    status: String,
}

/// `GET /accessList/{entry}/status`: `PENDING`, `ACTIVE` or `FAILED`.
pub async fn status(client: &AtlasClient, project_id: &str, net: &Net) -> Result<String, AtlasError> {
    let target = format!("{}/{}/status", list_path(project_id), path_segment(&net.to_string()));
    let s: Status = client.get_json(&target, ACCESS_LIST).await?;
    Ok(s.status)
}
