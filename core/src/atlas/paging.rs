//! Paginated lists: `{"links":[..],"results":[..],"totalCount":N}` with `itemsPerPage`,
//! `pageNum` and `includeCount`. Stop on an empty page, when the count is reached, or when a
//! short page has no `next` link.

use super::errors::AtlasError;
use super::AtlasClient;
use serde::de::DeserializeOwned;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub href: String,
    #[serde(default)]
    pub rel: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(rename = "totalCount", default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub links: Vec<Link>,
}

impl<T> Page<T> {
    pub fn has_next_link(&self) -> bool {
        self.links.iter().any(|l| l.rel == "next")
    }
}

/// Atlas's bounds for `itemsPerPage`.
pub const MAX_ITEMS_PER_PAGE: u32 = 500;
const MAX_PAGES: u32 = 10_000;

impl AtlasClient {
    /// One page of `path` (which must not carry its own paging parameters).
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        path: &str,
        version: &'static str,
        page_num: u32,
        items_per_page: u32,
    ) -> Result<Page<T>, AtlasError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let ipp = items_per_page.clamp(1, MAX_ITEMS_PER_PAGE);
        let target = format!("{path}{sep}includeCount=true&itemsPerPage={ipp}&pageNum={}", page_num.max(1));
        self.get_json(&target, version).await
    }

    /// Every item of a paginated list.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        version: &'static str,
        items_per_page: u32,
    ) -> Result<Vec<T>, AtlasError> {
        let ipp = items_per_page.clamp(1, MAX_ITEMS_PER_PAGE);
        let mut all = Vec::new();
        for page_num in 1..=MAX_PAGES {
            let page: Page<T> = self.get_page(path, version, page_num, ipp).await?;
            let n = page.results.len();
            let has_next = page.has_next_link();
            let total = page.total_count;
            all.extend(page.results);
            let done = n == 0
                || total.is_some_and(|t| all.len() as u64 >= t)
                || (total.is_none() && !has_next && (n as u32) < ipp);
            if done {
                break;
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorded_access_list_page() {
        let body = r#"{"links":[{"href":"http://localhost:8080/api/atlas/v2/groups/6a793f62c0eb9e7a1771502a/accessList?includeCount=true&pageNum=1&itemsPerPage=100","rel":"self"}],"results":[{"cidrBlock":"192.168.0.243/32","comment":"test","groupId":"6a793f62c0eb9e7a1771502a","ipAddress":"192.168.0.243"}],"totalCount":1}"#;
        let p: Page<serde_json::Value> = serde_json::from_str(body).unwrap();
        assert_eq!(p.results.len(), 1);
        assert_eq!(p.total_count, Some(1));
        assert!(!p.has_next_link());
    }
}
