//! The Rust constants, `seed/default.json` and `docs/default-seed.md` describe one seed.

use atlas_sim::Seed;

use crate::common::*;

const DOC: &str = include_str!("../../../docs/default-seed.md");

#[test]
fn constants_match_the_json_seed_and_the_document() {
    let seed = Seed::default_seed();
    let key =
        |public: &str| seed.api_keys.iter().find(|k| k.public_key == public).unwrap_or_else(|| panic!("key {public}"));
    for (public, private) in [
        (OWNER_PUBLIC_KEY, OWNER_PRIVATE_KEY),
        (READONLY_PUBLIC_KEY, READONLY_PRIVATE_KEY),
        (BLOCKED_PUBLIC_KEY, BLOCKED_PRIVATE_KEY),
        (OTHER_PUBLIC_KEY, OTHER_PRIVATE_KEY),
        (ORG_OWNER_PUBLIC_KEY, ORG_OWNER_PRIVATE_KEY),
        (STRICT_PUBLIC_KEY, STRICT_PRIVATE_KEY),
    ] {
        assert_eq!(key(public).private_key, private);
        assert!(DOC.contains(public) && DOC.contains(private), "{public} documented");
    }
    assert_eq!(key(BLOCKED_PUBLIC_KEY).access_list, vec![BLOCKED_KEY_ACCESS_LIST.to_string()]);
    let sa = &seed.service_accounts[0];
    assert_eq!((sa.client_id.as_str(), sa.client_secret.as_str()), (SA_CLIENT_ID, SA_CLIENT_SECRET));
    for id in [
        ORG_ID,
        STRICT_ORG_ID,
        PROJECT_ID,
        OTHER_PROJECT_ID,
        STRICT_PROJECT_ID,
        SA_CLIENT_ID,
        SA_CLIENT_SECRET,
        CLUSTER_IDLE_SRV,
        BLOCKED_KEY_ACCESS_LIST,
    ] {
        assert!(DOC.contains(id), "{id} documented");
    }
    let strict = seed.orgs.iter().find(|o| o.id == STRICT_ORG_ID).unwrap();
    assert!(strict.requires_api_access_list);
    let states: Vec<(&str, &str, bool)> =
        seed.clusters.iter().map(|c| (c.name.as_str(), c.state_name.as_str(), c.paused)).collect();
    assert_eq!(
        states,
        vec![
            (CLUSTER_IDLE, "IDLE", false),
            (CLUSTER_CREATING, "CREATING", false),
            (CLUSTER_PAUSED, "IDLE", true),
            (CLUSTER_SHARDED, "IDLE", false),
            (CLUSTER_GEOSHARDED, "IDLE", false),
            (CLUSTER_FREE, "IDLE", false)
        ]
    );
    assert_eq!(seed.flex_clusters[0].name, FLEX_CLUSTER);
    assert_eq!(seed.access_list[0].cidr_block.as_deref(), Some(SEEDED_ACCESS_LIST_ENTRY));
    assert!(seed.database_users.is_empty());
    for name in [
        CLUSTER_IDLE,
        CLUSTER_CREATING,
        CLUSTER_PAUSED,
        CLUSTER_SHARDED,
        CLUSTER_GEOSHARDED,
        CLUSTER_FREE,
        FLEX_CLUSTER,
        "office VPN",
    ] {
        assert!(DOC.contains(name), "{name} documented");
    }
}
