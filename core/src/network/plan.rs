//! The sync plan: a pure function from what is wanted, what this connection owns and what Atlas
//! holds to what to add, remove, adopt and forget. No I/O, so every rule is tested here.
//!
//! Rules:
//! - a wanted entry Atlas lacks is added (an own entry that someone removed is also drift);
//! - a wanted entry Atlas has is `already_present`, whoever added it; one this connection did
//!   not add stays someone else's (never recorded, never removed);
//! - an own entry no longer wanted is removed with `prune`, else reported as `unwanted`;
//! - an own temporary entry past its `deleteAfterDate` is no longer wanted;
//! - an `intent` record (written before a POST whose outcome was never confirmed) becomes owned
//!   when Atlas has the entry with the intent's comment, and is forgotten otherwise (an entry
//!   someone else added meanwhile, under another comment, stays theirs);
//! - entries open to everyone that this connection did not add are drift (`wide_open`);
//! - the project's entries after the sync may not pass the limit (Atlas: 200).

use super::api::{Drift, DriftKind};
use super::cidr::Net;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Atlas's limit of entries in one project's IP access list.
pub const ACCESS_LIST_LIMIT: usize = 200;
/// Entries per POST. Atlas names no per-request limit below the list limit, so one POST carries
/// every missing entry; only a batch past the list limit itself (which the limit check refuses
/// first) would be split.
pub const MAX_ENTRIES_PER_POST: usize = ACCESS_LIST_LIMIT;

#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub net: Net,
    pub comment: String,
    /// `custom`, `ductape_proxy`, `detected` or `temporary`.
    pub source: String,
    pub delete_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnState {
    /// Written before a POST; not yet seen in Atlas.
    Intent,
    Confirmed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Own {
    pub net: Net,
    pub comment: Option<String>,
    pub source: String,
    pub state: OwnState,
    pub delete_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Present {
    pub net: Net,
    pub comment: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub add: Vec<Wanted>,
    pub already_present: Vec<Net>,
    /// Own entries to delete from Atlas (`prune`).
    pub remove: Vec<Net>,
    /// Own entries no longer wanted, kept because `prune` was not asked.
    pub unwanted: Vec<Net>,
    /// Intent records Atlas holds: owned from now on.
    pub adopt: Vec<Net>,
    /// Records of entries Atlas no longer holds (and that are not re-added): dropped.
    pub forget: Vec<Net>,
    pub drift: Vec<Drift>,
    /// Entries in the project after the plan is carried out.
    pub final_count: usize,
}

/// Too many entries: how many the sync would add, how many are free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverLimit {
    pub limit: usize,
    pub present: usize,
    pub to_add: usize,
    pub to_remove: usize,
    pub free: usize,
    pub needed: usize,
}

/// Whether Atlas holds `o`'s entry with `o`'s comment: only then is an intent record ours.
/// The same block under another comment was added by someone else between our intent and our
/// POST (Atlas answers an existing entry without changing it), so it stays theirs.
pub fn holds_ours(present: &[Present], o: &Own) -> bool {
    present.iter().any(|p| p.net == o.net && p.comment.as_deref().unwrap_or("") == o.comment.as_deref().unwrap_or(""))
}

pub fn plan(
    wanted: &[Wanted],
    own: &[Own],
    present: &[Present],
    prune: bool,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Plan, OverLimit> {
    let in_atlas: BTreeMap<Net, &Present> = present.iter().map(|p| (p.net, p)).collect();
    let mut p = Plan::default();
    // Own records as they stand once intents are settled.
    let mut owned: BTreeMap<Net, &Own> = BTreeMap::new();
    for o in own {
        match (o.state, holds_ours(present, o)) {
            (OwnState::Intent, true) => {
                p.adopt.push(o.net);
                owned.insert(o.net, o);
            }
            (OwnState::Intent, false) => p.forget.push(o.net),
            (OwnState::Confirmed, _) => {
                owned.insert(o.net, o);
            }
        }
    }
    let expired = |o: &Own| o.delete_after.is_some_and(|t| t <= now);
    // Wanted: the settings, plus own temporary entries until they expire.
    let mut want: BTreeMap<Net, Wanted> = BTreeMap::new();
    for w in wanted {
        want.entry(w.net).or_insert_with(|| w.clone());
    }
    for o in owned.values() {
        if o.delete_after.is_some() && !expired(o) {
            want.entry(o.net).or_insert_with(|| Wanted {
                net: o.net,
                comment: o.comment.clone().unwrap_or_default(),
                source: o.source.clone(),
                delete_after: o.delete_after,
            });
        }
    }
    for (net, w) in &want {
        if in_atlas.contains_key(net) {
            p.already_present.push(*net);
            continue;
        }
        if let Some(o) = owned.get(net) {
            if o.state == OwnState::Confirmed {
                p.drift.push(Drift {
                    cidr: net.to_string(),
                    kind: DriftKind::RemovedBySomeoneElse,
                    comment: o.comment.clone(),
                });
            }
        }
        p.add.push(w.clone());
    }
    for (net, o) in &owned {
        if want.contains_key(net) {
            continue;
        }
        if !in_atlas.contains_key(net) {
            // Gone (expired, or removed by someone) and no longer wanted: nothing to restore.
            if !p.adopt.contains(net) {
                p.forget.push(*net);
            }
            continue;
        }
        let _ = o;
        if prune {
            p.remove.push(*net);
        } else {
            p.unwanted.push(*net);
        }
    }
    for e in present {
        if e.net.is_wide_open() && !owned.contains_key(&e.net) {
            p.drift.push(Drift { cidr: e.net.to_string(), kind: DriftKind::WideOpen, comment: e.comment.clone() });
        }
    }
    let after_removal = in_atlas.len() - p.remove.len();
    p.final_count = after_removal + p.add.len();
    if p.final_count > limit {
        return Err(OverLimit {
            limit,
            present: in_atlas.len(),
            to_add: p.add.len(),
            to_remove: p.remove.len(),
            free: limit.saturating_sub(after_removal),
            needed: p.add.len(),
        });
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::cidr::parse;

    fn net(s: &str) -> Net {
        parse(s).unwrap()
    }
    fn want(s: &str) -> Wanted {
        Wanted { net: net(s), comment: "Ductape proxy".into(), source: "ductape_proxy".into(), delete_after: None }
    }
    fn own(s: &str, state: OwnState) -> Own {
        Own {
            net: net(s),
            comment: Some("Ductape proxy".into()),
            source: "ductape_proxy".into(),
            state,
            delete_after: None,
        }
    }
    fn present(s: &str) -> Present {
        Present { net: net(s), comment: Some("someone".into()) }
    }
    fn cidrs(v: &[Net]) -> Vec<String> {
        v.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn adds_only_what_is_missing_and_never_claims_foreign_entries() {
        let now = Utc::now();
        let p =
            plan(&[want("1.1.1.1"), want("2.2.2.2")], &[], &[present("2.2.2.2"), present("9.9.9.9")], true, now, 200)
                .unwrap();
        assert_eq!(p.add.iter().map(|w| w.net.to_string()).collect::<Vec<_>>(), ["1.1.1.1/32"]);
        assert_eq!(cidrs(&p.already_present), ["2.2.2.2/32"]);
        assert!(p.remove.is_empty() && p.adopt.is_empty() && p.forget.is_empty());
        assert_eq!(p.final_count, 3);
    }

    #[test]
    fn drift_restore_prune_and_wide_open() {
        let now = Utc::now();
        let owned = [own("1.1.1.1", OwnState::Confirmed), own("3.3.3.3", OwnState::Confirmed)];
        let atlas = [present("3.3.3.3"), present("0.0.0.0/0"), present("::/0")];
        let p = plan(&[want("1.1.1.1")], &owned, &atlas, false, now, 200).unwrap();
        assert_eq!(p.add.len(), 1, "the removed own entry is restored");
        assert_eq!(p.drift.len(), 3);
        assert_eq!(p.drift[0].kind, DriftKind::RemovedBySomeoneElse);
        assert_eq!((p.drift[1].cidr.as_str(), p.drift[1].kind), ("0.0.0.0/0", DriftKind::WideOpen));
        assert_eq!(p.drift[2].cidr, "::/0");
        assert_eq!(cidrs(&p.unwanted), ["3.3.3.3/32"]);
        let p = plan(&[want("1.1.1.1")], &owned, &atlas, true, now, 200).unwrap();
        assert_eq!(cidrs(&p.remove), ["3.3.3.3/32"]);
    }

    #[test]
    fn intents_are_adopted_or_forgotten() {
        let now = Utc::now();
        let owned = [own("1.1.1.1", OwnState::Intent), own("2.2.2.2", OwnState::Intent)];
        let ours = Present { net: net("1.1.1.1"), comment: Some("Ductape proxy".into()) };
        let p = plan(&[want("1.1.1.1"), want("2.2.2.2")], &owned, &[ours], false, now, 200).unwrap();
        assert_eq!(cidrs(&p.adopt), ["1.1.1.1/32"]);
        assert_eq!(cidrs(&p.forget), ["2.2.2.2/32"]);
        assert_eq!(p.add.len(), 1);
        assert!(p.drift.is_empty(), "an unconfirmed intent is no drift");
    }

    #[test]
    fn an_intent_is_not_ours_when_atlas_holds_the_entry_under_another_comment() {
        let now = Utc::now();
        let owned = [own("1.1.1.1", OwnState::Intent)];
        // Someone else added the block (their comment) after our intent was written.
        let p = plan(&[], &owned, &[present("1.1.1.1")], true, now, 200).unwrap();
        assert!(p.adopt.is_empty(), "{:?}", p.adopt);
        assert_eq!(cidrs(&p.forget), ["1.1.1.1/32"]);
        assert!(p.remove.is_empty(), "a prune never removes it");
    }

    #[test]
    fn temporary_entries_live_until_they_expire() {
        let now = Utc::now();
        let mut t = own("5.5.5.5", OwnState::Confirmed);
        t.delete_after = Some(now + chrono::Duration::hours(1));
        let p = plan(&[], std::slice::from_ref(&t), &[], true, now, 200).unwrap();
        assert_eq!(p.add[0].delete_after, t.delete_after, "restored with its expiry");
        t.delete_after = Some(now - chrono::Duration::hours(1));
        let p = plan(&[], std::slice::from_ref(&t), &[], true, now, 200).unwrap();
        assert!(p.add.is_empty() && p.drift.is_empty());
        assert_eq!(cidrs(&p.forget), ["5.5.5.5/32"]);
        let p = plan(&[], &[t], &[present("5.5.5.5")], true, now, 200).unwrap();
        assert_eq!(cidrs(&p.remove), ["5.5.5.5/32"]);
    }

    #[test]
    fn the_limit_counts_removals() {
        let now = Utc::now();
        let atlas: Vec<Present> = (0..199).map(|i| present(&format!("10.0.{}.{}", i / 250, i % 250))).collect();
        let e = plan(&[want("1.1.1.1"), want("2.2.2.2")], &[], &atlas, false, now, 200).unwrap_err();
        assert_eq!((e.needed, e.free, e.present), (2, 1, 199));
        let owned = [own("10.0.0.0", OwnState::Confirmed)];
        assert!(plan(&[want("1.1.1.1"), want("2.2.2.2")], &owned, &atlas, true, now, 200).is_ok());
    }
}
