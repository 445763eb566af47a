//! Paginated lists: `{"links":[..],"results":[..],"totalCount":N}` with `itemsPerPage`,
//! `pageNum` and `includeCount`. Stop on an empty page, when the count is reached, or when a
//! short page has no `next` link.

use super::errors::AtlasError;
use super::{AtlasClient, Call};
use reqwest::Method;
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
/// The most items one list holds across all its pages: far above what Atlas keeps in a project
/// (200 access-list entries, clusters and API keys by the hundred), and a bound on memory that
/// the page count alone is not (10,000 pages of 500).
pub const MAX_LIST_ITEMS: usize = 10_000;

/// A list's items as its pages come, held to [`MAX_LIST_ITEMS`] and to `max_bytes` of answers
/// in total (the client's `max_response_bytes`: a whole list is held to what one answer may be).
struct Gathered<'a, T> {
    path: &'a str,
    max_bytes: usize,
    items: Vec<T>,
    bytes: usize,
    pages: u32,
}

impl<'a, T> Gathered<'a, T> {
    fn new(path: &'a str, max_bytes: usize) -> Self {
        Gathered { path, max_bytes, items: Vec::new(), bytes: 0, pages: 0 }
    }

    /// Counts one page's answer, before it is decoded.
    fn count_bytes(&mut self, n: usize) -> Result<(), AtlasError> {
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.max_bytes {
            let (path, pages, limit) = (self.path.to_string(), self.pages, self.max_bytes);
            return Err(AtlasError::ListTooManyBytes { path, pages, limit });
        }
        Ok(())
    }

    fn add(&mut self, items: Vec<T>) -> Result<(), AtlasError> {
        if self.items.len() + items.len() > MAX_LIST_ITEMS {
            let (path, pages) = (self.path.to_string(), self.pages);
            return Err(AtlasError::ListTooManyItems { path, pages, limit: MAX_LIST_ITEMS });
        }
        self.items.extend(items);
        Ok(())
    }
}

impl AtlasClient {
    /// One page of `path` (which must not carry its own paging parameters).
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        path: &str,
        version: &'static str,
        page_num: u32,
        items_per_page: u32,
    ) -> Result<Page<T>, AtlasError> {
        let target = page_target(path, page_num, items_per_page);
        self.get_json(&target, version).await
    }

    /// Every item of a paginated list.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        version: &'static str,
        items_per_page: u32,
    ) -> Result<Vec<T>, AtlasError> {
        self.get_all_pages(path, version, items_per_page, |_, _| {}).await
    }

    /// Every item of a paginated list, with `on_page(pages_read, pages_total)` after each page.
    /// A list past [`MAX_LIST_ITEMS`] items or `max_response_bytes` of answers in total is an
    /// error (`ListTooManyItems`, `ListTooManyBytes`), however many pages Atlas says there are.
    pub async fn get_all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        version: &'static str,
        items_per_page: u32,
        mut on_page: impl FnMut(u64, Option<u64>),
    ) -> Result<Vec<T>, AtlasError> {
        let ipp = items_per_page.clamp(1, MAX_ITEMS_PER_PAGE);
        let mut list = Gathered::new(path, self.config.max_response_bytes);
        for page_num in 1..=MAX_PAGES {
            let target = page_target(path, page_num, ipp);
            let answer = self.execute(Call::new(Method::GET, &target, version)).await?;
            list.count_bytes(answer.body.len())?;
            let page: Page<T> = Self::decode("GET", &target, &answer.body)?;
            let (n, has_next, total) = (page.results.len(), page.has_next_link(), page.total_count);
            list.add(page.results)?;
            on_page(u64::from(page_num), total.map(|t| t.div_ceil(u64::from(ipp)).max(1)));
            let done = n == 0
                || total.is_some_and(|t| list.items.len() as u64 >= t)
                || (total.is_none() && !has_next && (n as u32) < ipp);
            if done {
                break;
            }
        }
        Ok(list.items)
    }
}

fn page_target(path: &str, page_num: u32, items_per_page: u32) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    let ipp = items_per_page.clamp(1, MAX_ITEMS_PER_PAGE);
    format!("{path}{sep}includeCount=true&itemsPerPage={ipp}&pageNum={}", page_num.max(1))
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
