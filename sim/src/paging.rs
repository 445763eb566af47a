//! Atlas list pagination: `itemsPerPage` (1..500, default 100), `pageNum` (>= 1),
//! `includeCount` (default true), `links` with `self`/`previous`/`next` built from the Host.

use serde_json::{json, Value};

use crate::errors::ApiError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub items_per_page: usize,
    pub page_num: usize,
    pub include_count: bool,
}

pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| crate::percent::percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_string());
            (dec(k), dec(v))
        })
        .collect()
}

pub fn query_get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

impl Page {
    pub fn parse(query: &str) -> Result<Page, ApiError> {
        let pairs = query_pairs(query);
        let num = |name: &str, default: usize, min: usize, max: usize| -> Result<usize, ApiError> {
            match query_get(&pairs, name) {
                None => Ok(default),
                Some(v) => match v.parse::<usize>() {
                    Ok(n) if n >= min && n <= max => Ok(n),
                    _ => Err(ApiError::invalid_attribute(name)),
                },
            }
        };
        let items_per_page = num("itemsPerPage", 100, 1, 500)?;
        let page_num = num("pageNum", 1, 1, usize::MAX)?;
        let include_count = match query_get(&pairs, "includeCount") {
            None => true,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(ApiError::invalid_attribute("includeCount")),
        };
        Ok(Page { items_per_page, page_num, include_count })
    }

    /// Wraps one page of `items` (already in their deterministic order) with links and count.
    /// `base` is the absolute URL of the list without a query.
    pub fn wrap(&self, base: &str, items: Vec<Value>) -> Value {
        let total = items.len();
        let start = (self.page_num - 1).saturating_mul(self.items_per_page);
        let results: Vec<Value> = items.into_iter().skip(start).take(self.items_per_page).collect();
        // Atlas orders the query differently in self and next links; copied from recordings.
        let mut links = vec![json!({
            "href": format!("{base}?includeCount={}&pageNum={}&itemsPerPage={}", self.include_count, self.page_num, self.items_per_page),
            "rel": "self"
        })];
        if self.page_num > 1 {
            links.push(json!({
                "href": format!("{base}?includeCount={}&itemsPerPage={}&pageNum={}", self.include_count, self.items_per_page, self.page_num - 1),
                "rel": "previous"
            }));
        }
        if start.saturating_add(self.items_per_page) < total {
            links.push(json!({
                "href": format!("{base}?includeCount={}&itemsPerPage={}&pageNum={}", self.include_count, self.items_per_page, self.page_num + 1),
                "rel": "next"
            }));
        }
        let mut out = json!({ "links": links, "results": results });
        if self.include_count {
            out["totalCount"] = json!(total);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_links() {
        assert!(Page::parse("itemsPerPage=0").is_err());
        assert!(Page::parse("itemsPerPage=501").is_err());
        assert!(Page::parse("pageNum=0").is_err());
        assert!(Page::parse("includeCount=maybe").is_err());
        let p = Page::parse("itemsPerPage=2&pageNum=2").unwrap();
        let v = p.wrap("http://h/x", (0..5).map(|i| json!(i)).collect());
        assert_eq!(v["results"], json!([2, 3]));
        assert_eq!(v["totalCount"], json!(5));
        let rels: Vec<&str> = v["links"].as_array().unwrap().iter().map(|l| l["rel"].as_str().unwrap()).collect();
        assert_eq!(rels, vec!["self", "previous", "next"]);
        let last = Page::parse("itemsPerPage=2&pageNum=3&includeCount=false")
            .unwrap()
            .wrap("http://h/x", (0..5).map(|i| json!(i)).collect());
        assert!(last.get("totalCount").is_none());
        assert_eq!(last["links"].as_array().unwrap().len(), 2);
    }
}
