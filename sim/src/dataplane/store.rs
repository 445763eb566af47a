//! In-memory collections, per cluster: enough for an application to write and read documents.
//! Filters are top-level equality only (numbers compare by value, as in MongoDB); each cluster
//! holds at most [`MAX_CLUSTER_BYTES`] of documents so that a client cannot grow the simulator
//! without bound.

use std::collections::{BTreeMap, HashMap};

use bson::{oid::ObjectId, Bson, Document};

/// Below the 16 MiB BSON limit, so that every `find` answers in one batch (there is no `getMore`).
pub const MAX_CLUSTER_BYTES: usize = 15 * 1024 * 1024;

#[derive(Debug, Default)]
struct ClusterData {
    /// database -> collection -> documents in insertion order.
    dbs: BTreeMap<String, BTreeMap<String, Vec<Document>>>,
    bytes: usize,
}

#[derive(Debug, Default)]
pub struct Store {
    clusters: HashMap<String, ClusterData>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InsertError {
    /// The index in the batch, and the duplicated `_id`.
    DuplicateKey(usize, Bson),
    Full,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnsupportedFilter(pub String);

fn doc_size(d: &Document) -> usize {
    d.to_vec().map(|v| v.len()).unwrap_or(0)
}

fn as_f64(b: &Bson) -> Option<f64> {
    match b {
        Bson::Int32(i) => Some(*i as f64),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        _ => None,
    }
}

fn values_equal(a: &Bson, b: &Bson) -> bool {
    match (as_f64(a), as_f64(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Checks that a filter is plain equality (`{field: value}` or `{field: {$eq: value}}`).
pub fn check_filter(filter: &Document) -> Result<(), UnsupportedFilter> {
    for (k, v) in filter {
        if k.starts_with('$') {
            return Err(UnsupportedFilter(format!("unsupported top-level operator {k}")));
        }
        if let Bson::Document(d) = v {
            if let Some(op) = d.keys().find(|op| op.starts_with('$') && *op != "$eq") {
                return Err(UnsupportedFilter(format!("unsupported operator {op} (only equality filters)")));
            }
        }
    }
    Ok(())
}

fn matches(doc: &Document, filter: &Document) -> bool {
    filter.iter().all(|(k, want)| {
        let want = match want {
            Bson::Document(d) if d.contains_key("$eq") => d.get("$eq").expect("checked"),
            other => other,
        };
        doc.get(k).is_some_and(|have| values_equal(have, want))
    })
}

impl Store {
    pub fn clear(&mut self) {
        self.clusters.clear();
    }

    /// Inserts in order, stopping at the first error (an ordered insert), with `_id`s added where missing.
    pub fn insert(&mut self, cluster: &str, db: &str, coll: &str, docs: Vec<Document>) -> (usize, Option<InsertError>) {
        let data = self.clusters.entry(cluster.to_string()).or_default();
        let list = data.dbs.entry(db.to_string()).or_default().entry(coll.to_string()).or_default();
        let mut n = 0;
        for mut d in docs {
            if !d.contains_key("_id") {
                let mut with_id = Document::new();
                with_id.insert("_id", ObjectId::new());
                with_id.extend(d);
                d = with_id;
            }
            let id = d.get("_id").expect("set above").clone();
            if list.iter().any(|e| e.get("_id").is_some_and(|x| values_equal(x, &id))) {
                return (n, Some(InsertError::DuplicateKey(n, id)));
            }
            let size = doc_size(&d);
            if data.bytes + size > MAX_CLUSTER_BYTES {
                return (n, Some(InsertError::Full));
            }
            data.bytes += size;
            list.push(d);
            n += 1;
        }
        (n, None)
    }

    pub fn find(
        &self,
        cluster: &str,
        db: &str,
        coll: &str,
        filter: &Document,
        skip: usize,
        limit: usize,
    ) -> Vec<Document> {
        let Some(list) = self.collection(cluster, db, coll) else { return vec![] };
        let hits = list.iter().filter(|d| matches(d, filter)).skip(skip);
        match limit {
            0 => hits.cloned().collect(),
            l => hits.take(l).cloned().collect(),
        }
    }

    /// Deletes the matching documents (only the first when `just_one`); answers how many.
    pub fn delete(&mut self, cluster: &str, db: &str, coll: &str, filter: &Document, just_one: bool) -> usize {
        let Some(data) = self.clusters.get_mut(cluster) else { return 0 };
        let Some(list) = data.dbs.get_mut(db).and_then(|c| c.get_mut(coll)) else { return 0 };
        let mut removed = 0;
        let mut freed = 0;
        list.retain(|d| {
            if (just_one && removed == 1) || !matches(d, filter) {
                return true;
            }
            removed += 1;
            freed += doc_size(d);
            false
        });
        data.bytes -= freed.min(data.bytes);
        removed
    }

    /// Databases holding at least one collection, with their approximate size in bytes.
    pub fn databases(&self, cluster: &str) -> Vec<(String, usize)> {
        let Some(data) = self.clusters.get(cluster) else { return vec![] };
        data.dbs.iter().map(|(name, colls)| (name.clone(), colls.values().flatten().map(doc_size).sum())).collect()
    }

    fn collection(&self, cluster: &str, db: &str, coll: &str) -> Option<&Vec<Document>> {
        self.clusters.get(cluster)?.dbs.get(db)?.get(coll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn insert_find_delete_with_equality_filters() {
        let mut s = Store::default();
        let (n, e) =
            s.insert("c", "app", "people", vec![doc! {"name": "ada", "age": 36}, doc! {"name": "bob", "age": 40_i64}]);
        assert_eq!((n, e), (2, None));
        assert_eq!(s.find("c", "app", "people", &doc! {"age": 40.0}, 0, 0).len(), 1, "numbers compare by value");
        assert_eq!(s.find("c", "app", "people", &doc! {"name": {"$eq": "ada"}}, 0, 0)[0].get_i32("age").unwrap(), 36);
        assert!(s.find("c", "app", "people", &doc! {}, 0, 0)[0].get_object_id("_id").is_ok(), "_id added first");
        assert_eq!(s.find("c", "app", "people", &doc! {}, 1, 1).len(), 1);
        assert!(s.find("other-cluster", "app", "people", &doc! {}, 0, 0).is_empty());
        assert!(check_filter(&doc! {"age": {"$gt": 3}}).is_err());
        assert!(check_filter(&doc! {"$or": []}).is_err());
        assert_eq!(s.delete("c", "app", "people", &doc! {}, true), 1);
        assert_eq!(s.delete("c", "app", "people", &doc! {}, false), 1);
        assert_eq!(s.databases("c"), vec![("app".to_string(), 0)]);
    }

    #[test]
    fn duplicate_ids_stop_an_ordered_insert() {
        let mut s = Store::default();
        let (n, e) =
            s.insert("c", "d", "x", vec![doc! {"_id": 1}, doc! {"_id": 2}, doc! {"_id": 1_i64}, doc! {"_id": 3}]);
        assert_eq!(n, 2);
        assert_eq!(e, Some(InsertError::DuplicateKey(2, Bson::Int64(1))));
    }

    #[test]
    fn a_cluster_holds_a_bounded_amount_of_data() {
        let mut s = Store::default();
        let big = "x".repeat(1024 * 1024);
        let docs: Vec<Document> = (0..40).map(|i| doc! {"_id": i, "blob": big.clone()}).collect();
        let (n, e) = s.insert("c", "d", "x", docs);
        assert!(n < 40 && e == Some(InsertError::Full), "{n}");
        s.delete("c", "d", "x", &doc! {}, false);
        assert_eq!(s.insert("c", "d", "x", vec![doc! {"blob": big}]).0, 1, "deleting frees room");
    }
}
