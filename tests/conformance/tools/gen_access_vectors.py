"""Writes vectors/connections-access.json: private access (the project IP access list) in every
language: networking settings and their checks (every bad address, block and label is refused
naming its entry, and changes nothing), DNS resolution, syncNetworkAccess against the simulator
(adds only what is missing, foreign entries untouched, drift, dry_run, prune, wait, limits, role,
faults) and allowCurrentIp.

Run from tests/conformance/vectors: python3 ../tools/gen_access_vectors.py. The JSON file is what
the runners read; this script keeps the many similar vectors consistent.
"""
import copy
import json
from pathlib import Path

C = "cloud.connections."
P = "5c843ba379358e5b3dc2dec6"
OWNER = ("awqxqtif", "a0403a4f-0151-4922-ae89-523b69cd8e04")
SEEDED = "198.51.100.7/32"  # the default seed's foreign entry, comment "office VPN"
FAST = {"retry_base_delay_ms": 1, "max_retries": 3}
DEFAULT_SEED = json.loads((Path(__file__).resolve().parents[3] / "sim" / "seed" / "default.json").read_text())


def step(op, params, result):
    return {"op": op, "params": params, "expect": {"ok": True, "result": result}}


def fail(op, params, code, field=None, contains=None):
    e = {"code": code}
    if field is not None:
        e["field"] = field
    if contains is not None:
        e["message_contains"] = contains
    return {"op": op, "params": params, "expect": {"ok": False, "error": e}}


def sim(method, path, body=None):
    s = {"sim": {"method": method, "path": path}}
    if body is not None:
        s["sim"]["body"] = body
    return s


def fault(route, kind, count, **extra):
    return sim("POST", "/__sim/faults", dict({"route": route, "kind": kind, "count": count}, **extra))


def seed_with(entries, owner_roles=None):
    s = copy.deepcopy(DEFAULT_SEED)
    s["accessList"] = [{"groupId": P, "cidrBlock": c, "comment": m} for c, m in entries]
    if owner_roles is not None:
        for k in s["apiKeys"]:
            if k["publicKey"] == OWNER[0]:
                k["roles"] = owner_roles
    return s


def create(tag="prod_atlas"):
    return step(C + "create", {"provider": "mongodb_atlas", "name": tag}, {"tag": tag, "status": "pending"})


def active(tag="prod_atlas"):
    return [
        create(tag),
        step(C + "complete", {"tag": tag, "project_id": P, "atlas_public_key": OWNER[0], "atlas_private_key": OWNER[1]},
             {"tag": tag, "status": "pending"}),
        step(C + "validate", {"tag": tag}, {"valid": True, "status": "active"}),
    ]


def networking(params, networking_result, synced=None, tag="prod_atlas"):
    p = dict({"tag": tag}, **params)
    return step(C + "updateManagedNetworking", p,
                {"tag": tag, "networking": networking_result, "synced_ips": synced if synced is not None else []})


def net(include=True, host=None, addrs=(), sources=()):
    return {"mode": "managed", "include_ductape_proxy": include, "ductape_proxy_host": host,
            "ductape_proxy_addresses": list(addrs), "allowed_sources": list(sources)}


def sync(result, **params):
    return step(C + "syncNetworkAccess", dict({"tag": "prod_atlas"}, **params), result)


def added(*pairs):
    return [{"cidr": c, "comment": m} for c, m in pairs]


PROXY = "Ductape proxy"
BAD_ADDRESSES = [
    # (value, message fragment)
    ("", "must not be empty"),
    ("   ", "must not be empty"),
    ("10.0.0.1/24", "host bits set; the block is 10.0.0.0/24"),
    ("192.168.1.5/16", "host bits set; the block is 192.168.0.0/16"),
    ("2001:db8::1/64", "host bits set; the block is 2001:db8::/64"),
    ("10.0.0.0/33", "out of range for IPv4 (0 to 32)"),
    ("2001:db8::/129", "out of range for IPv6 (0 to 128)"),
    ("10.0.0.0/08", "prefix length with a leading zero"),
    ("10.0.0.0/00", "prefix length with a leading zero"),
    ("010.0.0.1", "leading zero"),
    ("10.01.0.1", "leading zero"),
    ("10.0.0.0/", "not a decimal number"),
    ("10.0.0.0/-8", "not a decimal number"),
    ("10.0.0.0/8x", "not a decimal number"),
    ("10.0.0.0/ 8", "not a decimal number"),
    ("10.0.0", "not an IPv4 or IPv6 address"),
    ("256.0.0.1", "not an IPv4 or IPv6 address"),
    ("1.2.3.4.5", "not an IPv4 or IPv6 address"),
    ("fe80::1%eth0", "zone id"),
    ("2001:db8:::1", "not an IPv4 or IPv6 address"),
    ("db.example.com", "not an IPv4 or IPv6 address"),
    ("1.2.3.4/32/1", "not a decimal number"),
    ("x" * 65, "too long"),
    ("sg-0123456789", "not an IPv4 or IPv6 address"),
]


def settings_vectors():
    good = {
        "name": "settings-canonical",
        "description": "Addresses become canonical single-host blocks, IPv6 lowercase and compressed; duplicates of the proxy list are dropped; labels are trimmed",
        "steps": [
            create(),
            networking({"ductape_proxy_host": "Egress.Example.COM.", "ductape_proxy_addresses": ["203.0.113.7", "203.0.113.7/32", "2001:DB8:0::5"],
                        "allowed_sources": [{"cidr": " 198.51.100.0/24 ", "label": " office ", "source": "custom"},
                                            {"cidr": "2001:db8:1::/48", "label": "v6 office", "source": "detected"},
                                            {"cidr": "192.0.2.1", "label": "egress", "source": "ductape_proxy"}]},
                       net(host="egress.example.com", addrs=["203.0.113.7/32", "2001:db8::5/128"],
                           sources=[{"cidr": "198.51.100.0/24", "label": "office", "source": "custom"},
                                    {"cidr": "2001:db8:1::/48", "label": "v6 office", "source": "detected"},
                                    {"cidr": "192.0.2.1/32", "label": "egress", "source": "ductape_proxy"}])),
            networking({"include_ductape_proxy": False, "ductape_proxy_host": ""},
                       net(include=False, addrs=["203.0.113.7/32", "2001:db8::5/128"],
                           sources=[{"cidr": "198.51.100.0/24", "label": "office", "source": "custom"},
                                    {"cidr": "2001:db8:1::/48", "label": "v6 office", "source": "detected"},
                                    {"cidr": "192.0.2.1/32", "label": "egress", "source": "ductape_proxy"}])),
            step(C + "fetch", {"tag": "prod_atlas"}, {"metadata": {"networking": {"include_ductape_proxy": False, "ductape_proxy_host": None}}}),
        ],
    }
    bad_proxy = {
        "name": "bad-proxy-addresses",
        "description": f"{len(BAD_ADDRESSES)} bad addresses and blocks, each refused naming its entry of ductape_proxy_addresses; nothing changes",
        "steps": [create(), networking({"ductape_proxy_addresses": ["198.51.100.1"]}, net(addrs=["198.51.100.1/32"]))]
        + [fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "ductape_proxy_addresses": ["192.0.2.1", v]},
                "invalid_argument", "ductape_proxy_addresses[1]", m) for v, m in BAD_ADDRESSES]
        + [step(C + "fetch", {"tag": "prod_atlas"}, {"metadata": {"networking": net(addrs=["198.51.100.1/32"])}})],
    }
    src = lambda cidr, label="office", source="custom": {"cidr": cidr, "label": label, "source": source}
    bad_sources = {
        "name": "bad-allowed-sources",
        "description": "Bad allowed_sources entries: blocks, labels (empty, over Atlas's 80-character comment limit, multi-line), sources, duplicates and unknown fields, each naming its entry; nothing changes",
        "steps": [create()]
        + [fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.0/24"), src(v)]},
                "invalid_argument", "allowed_sources[1].cidr", m) for v, m in BAD_ADDRESSES[:12]]
        + [
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1", "")]},
                 "invalid_argument", "allowed_sources[0].label", "must not be empty"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1", "x" * 81)]},
                 "invalid_argument", "allowed_sources[0].label", "at most 80 characters"),
            step(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1", "é" * 80)]},
                 {"networking": {"allowed_sources": [src("192.0.2.1/32", "é" * 80)]}}),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1", "two\nlines")]},
                 "invalid_argument", "allowed_sources[0].label", "one line"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1", "a", "proxy")]},
                 "invalid_argument", "allowed_sources[0].source", "unknown variant"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [src("192.0.2.1"), src("192.0.2.1/32", "again")]},
                 "invalid_argument", "allowed_sources[1].cidr", "same block as allowed_sources[0]"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [{"cidr": "192.0.2.1", "label": "a", "source": "custom", "ttl": 3}]},
                 "invalid_argument", "allowed_sources[0].ttl"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "allowed_sources": [{"cidr": "192.0.2.1", "source": "custom"}]},
                 "invalid_argument", "allowed_sources[0].label"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "mode": "open"}, "invalid_argument", "mode", "managed"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "ductape_proxy_host": "-bad-.example.com"},
                 "invalid_argument", "ductape_proxy_host", "not a DNS name"),
            fail(C + "updateManagedNetworking", {"tag": "prod_atlas", "ductape_proxy_host": "a" * 254},
                 "invalid_argument", "ductape_proxy_host", "253 characters"),
            fail(C + "updateManagedNetworking",
                 {"tag": "prod_atlas", "allowed_sources": [src(f"10.0.{i // 250}.{i % 250}") for i in range(201)]},
                 "invalid_argument", "allowed_sources", "at most 200"),
            fail(C + "updateManagedNetworking", {"tag": "nope", "allowed_sources": []}, "not_found", "tag"),
            step(C + "fetch", {"tag": "prod_atlas"}, {"metadata": {"networking": {"allowed_sources": [src("192.0.2.1/32", "é" * 80)]}}}),
        ],
    }
    resolve = {
        "name": "resolve-host",
        "description": "resolveNetworkingHost: an IP literal answers itself (IPv6 canonical); a malformed name is refused naming host",
        "steps": [
            step(C + "resolveNetworkingHost", {"host": "203.0.113.9"}, {"host": "203.0.113.9", "addresses": ["203.0.113.9"]}),
            step(C + "resolveNetworkingHost", {"host": "[2001:DB8::0:1]"}, {"host": "2001:db8::1", "addresses": ["2001:db8::1"]}),
            fail(C + "resolveNetworkingHost", {"host": "two words"}, "invalid_argument", "host", "not a DNS name"),
            fail(C + "resolveNetworkingHost", {"host": ""}, "invalid_argument", "host", "must not be empty"),
            fail(C + "resolveNetworkingHost", {}, "invalid_argument", "host"),
        ],
    }
    return [good, bad_proxy, bad_sources, resolve]


def sync_vectors():
    v = []
    v.append({
        "name": "sync-adds-only-what-is-missing",
        "description": "A sync adds the missing entries in one POST (comment 'Ductape proxy', custom labels kept); the seeded foreign entry equal to a proxy address stays someone else's; a second sync adds nothing",
        "requires": ["sim"],
        "steps": active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1", "198.51.100.7", "2001:db8::10"],
                        "allowed_sources": [{"cidr": "192.0.2.0/28", "label": "office", "source": "custom"}]},
                       net(addrs=["203.0.113.1/32", "198.51.100.7/32", "2001:db8::10/128"],
                           sources=[{"cidr": "192.0.2.0/28", "label": "office", "source": "custom"}])),
            sync({"dry_run": False, "added": added(("192.0.2.0/28", "office"), ("203.0.113.1/32", PROXY), ("2001:db8::10/128", PROXY)),
                  "already_present": [SEEDED], "removed": [], "drift": [], "unwanted": [],
                  "pending": ["192.0.2.0/28", "203.0.113.1/32", "2001:db8::10/128"], "failed": [],
                  "synced_ips": ["192.0.2.0/28", "203.0.113.1/32", "2001:db8::10/128"], "entries_in_project": 4,
                  "wait_error": "$absent"}),
            sync({"added": [], "already_present": ["192.0.2.0/28", SEEDED, "203.0.113.1/32", "2001:db8::10/128"],
                  "pending": [], "synced_ips": ["192.0.2.0/28", "203.0.113.1/32", "2001:db8::10/128"], "entries_in_project": 4}),
            step(C + "updateManagedNetworking", {"tag": "prod_atlas"}, {"synced_ips": ["192.0.2.0/28", "203.0.113.1/32", "2001:db8::10/128"]}),
        ],
    })
    v.append({
        "name": "sync-drift-dry-run-prune",
        "description": "0.0.0.0/0 and ::/0 someone added are drift; an own entry someone removed is drift, a dry run changes nothing, the next sync restores it; prune removes only own unwanted entries",
        "requires": ["sim"],
        "steps": [sim("POST", "/__sim/reset", seed_with([(SEEDED, "office VPN"), ("0.0.0.0/0", "anyone"), ("::/0", "anyone v6")]))] + active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2", SEEDED]}, net(addrs=["203.0.113.1/32", "203.0.113.2/32", SEEDED])),
            sync({"added": added(("203.0.113.1/32", PROXY), ("203.0.113.2/32", PROXY)), "already_present": [SEEDED],
                  "drift": [{"cidr": "0.0.0.0/0", "kind": "wide_open", "comment": "anyone"}, {"cidr": "::/0", "kind": "wide_open", "comment": "anyone v6"}],
                  "synced_ips": ["203.0.113.1/32", "203.0.113.2/32"]}),
            sim("POST", "/__sim/access-list-remove", {"groupId": P, "entry": "203.0.113.1"}),
            sync({"dry_run": True, "added": added(("203.0.113.1/32", PROXY)),
                  "drift": [{"cidr": "203.0.113.1/32", "kind": "removed_by_someone_else", "comment": PROXY},
                            {"cidr": "0.0.0.0/0", "kind": "wide_open", "comment": "anyone"}, {"cidr": "::/0", "kind": "wide_open", "comment": "anyone v6"}],
                  "entries_in_project": 4}, dry_run=True),
            sync({"dry_run": True, "added": added(("203.0.113.1/32", PROXY)), "entries_in_project": 4}, dry_run=True),
            sync({"added": added(("203.0.113.1/32", PROXY)), "entries_in_project": 5,
                  "drift": [{"cidr": "203.0.113.1/32", "kind": "removed_by_someone_else", "comment": PROXY},
                            {"cidr": "0.0.0.0/0", "kind": "wide_open", "comment": "anyone"}, {"cidr": "::/0", "kind": "wide_open", "comment": "anyone v6"}]}),
            networking({"ductape_proxy_addresses": ["203.0.113.2"]}, net(addrs=["203.0.113.2/32"]), synced=["203.0.113.1/32", "203.0.113.2/32"]),
            sync({"added": [], "removed": [], "unwanted": ["203.0.113.1/32"]}),
            sync({"dry_run": True, "removed": ["203.0.113.1/32"], "synced_ips": ["203.0.113.2/32"], "entries_in_project": 5}, dry_run=True, prune=True),
            sync({"removed": ["203.0.113.1/32"], "unwanted": [], "synced_ips": ["203.0.113.2/32"], "entries_in_project": 4}, prune=True),
            networking({"ductape_proxy_addresses": []}, net(), synced=["203.0.113.2/32"]),
            fail(C + "syncNetworkAccess", {"tag": "prod_atlas", "prune": True}, "failed_precondition", "tag", "neither ductape_proxy_host nor ductape_proxy_addresses"),
            networking({"include_ductape_proxy": False}, net(include=False), synced=["203.0.113.2/32"]),
            sync({"removed": ["203.0.113.2/32"], "synced_ips": [], "already_present": [], "entries_in_project": 3}, prune=True),
        ],
    })
    v.append({
        "name": "sync-wait-active",
        "description": "wait polls each added entry's status until ACTIVE: nothing is left pending",
        "requires": ["sim"],
        "steps": active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2"]}, net(addrs=["203.0.113.1/32", "203.0.113.2/32"])),
            sync({"added": added(("203.0.113.1/32", PROXY), ("203.0.113.2/32", PROXY)), "pending": [], "failed": []}, wait=True),
        ],
    })
    many = [(f"10.{i // 200}.{i % 200}.0/24", f"team {i}") for i in range(199)]
    v.append({
        "name": "sync-limit",
        "description": "Over the 200-entry limit: limit_exceeded says how many are needed and free; nothing changes, and a smaller list then fits",
        "requires": ["sim"],
        "steps": [sim("POST", "/__sim/reset", seed_with(many))] + active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2"]}, net(addrs=["203.0.113.1/32", "203.0.113.2/32"])),
            {"op": C + "syncNetworkAccess", "params": {"tag": "prod_atlas"},
             "expect": {"ok": False, "error": {"code": "limit_exceeded", "field": None, "message_contains": "needs 2 more but only 1 are free"}}},
            fail(C + "syncNetworkAccess", {"tag": "prod_atlas", "dry_run": True}, "limit_exceeded", None, "only 1 are free"),
            networking({"ductape_proxy_addresses": ["203.0.113.1"]}, net(addrs=["203.0.113.1/32"])),
            sync({"added": added(("203.0.113.1/32", PROXY)), "entries_in_project": 200}),
        ],
    })
    v.append({
        "name": "sync-preconditions",
        "description": "A connection that is not active, or has no networking settings, is refused before Atlas is called",
        "requires": ["sim"],
        "steps": [create(),
                  fail(C + "syncNetworkAccess", {"tag": "prod_atlas"}, "failed_precondition", "tag", "no credentials yet"),
                  step(C + "complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": OWNER[0], "atlas_private_key": OWNER[1]}, {"status": "pending"}),
                  fail(C + "syncNetworkAccess", {"tag": "prod_atlas"}, "failed_precondition", "tag", "validate it first"),
                  fail(C + "allowCurrentIp", {"tag": "prod_atlas"}, "failed_precondition", "tag", "validate it first"),
                  step(C + "validate", {"tag": "prod_atlas"}, {"valid": True}),
                  fail(C + "syncNetworkAccess", {"tag": "prod_atlas"}, "failed_precondition", "tag", "updateManagedNetworking first"),
                  fail(C + "syncNetworkAccess", {"tag": "prod_atlas", "wait_timeout_ms": 0}, "invalid_argument", "wait_timeout_ms"),
                  fail(C + "syncNetworkAccess", {"tag": "prod_atlas", "dryRun": True}, "invalid_argument", "dryRun"),
                  fail(C + "syncNetworkAccess", {"tag": "missing"}, "not_found", "tag")],
    })
    ro = [{"groupId": P, "roleName": "GROUP_READ_ONLY"}, {"orgId": "a0123456789abcdef012345a", "roleName": "ORG_MEMBER"}]
    v.append({
        "name": "sync-missing-role",
        "description": "The key lost its role after validation: Atlas's 401 USER_UNAUTHORIZED on the POST is atlas_missing_role naming the roles that can change the list; nothing is recorded",
        "requires": ["sim"],
        "options": FAST,
        "steps": active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1"]}, net(addrs=["203.0.113.1/32"])),
            sim("POST", "/__sim/reset", seed_with([(SEEDED, "office VPN")], owner_roles=ro)),
            fail(C + "syncNetworkAccess", {"tag": "prod_atlas"}, "atlas_missing_role", None, "GROUP_NETWORK_ACCESS_MANAGER"),
            sync({"added": added(("203.0.113.1/32", PROXY)), "synced_ips": []}, dry_run=True),
        ],
    })
    post = "POST /api/atlas/v2/groups/*/accessList"
    v.append({
        "name": "sync-faults",
        "description": "A 429 and a dropped connection are retried; 500s past the retries fail with records matching Atlas (nothing added); a POST applied whose answers were lost is confirmed by the re-read, so the next sync only reads",
        "requires": ["sim"],
        "options": FAST,
        "steps": active() + [
            networking({"ductape_proxy_addresses": ["203.0.113.1"]}, net(addrs=["203.0.113.1/32"])),
            fault(post, "429", 1, retry_after_secs=0), fault(post, "drop", 1),
            sync({"added": added(("203.0.113.1/32", PROXY)), "synced_ips": ["203.0.113.1/32"]}),
            networking({"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2"]}, net(addrs=["203.0.113.1/32", "203.0.113.2/32"]), synced=["203.0.113.1/32"]),
            fault(post, "500", 10),
            {"op": C + "syncNetworkAccess", "params": {"tag": "prod_atlas"},
             "expect": {"ok": False, "error": {"code": "atlas_error", "field": None}}},
            sim("DELETE", "/__sim/faults"),
            sync({"dry_run": True, "added": added(("203.0.113.2/32", PROXY)), "synced_ips": ["203.0.113.1/32"]}, dry_run=True),
            fault(post, "drop_after", 10),
            {"op": C + "syncNetworkAccess", "params": {"tag": "prod_atlas"},
             "expect": {"ok": False, "error": {"code": "network", "field": None}}},
            sim("DELETE", "/__sim/faults"),
            sync({"added": [], "drift": [], "synced_ips": ["203.0.113.1/32", "203.0.113.2/32"], "entries_in_project": 3}),
        ],
    })
    v.append({
        "name": "allow-current-ip",
        "description": "allowCurrentIp adds this machine's address (from /api/private/ipinfo) with a deleteAfterDate; it is owned, kept by a pruning sync until it expires; bad hours and comments are refused",
        "requires": ["sim"],
        "steps": active() + [
            step(C + "allowCurrentIp", {"tag": "prod_atlas", "hours": 2, "comment": "dev laptop"},
                 {"tag": "prod_atlas", "cidr": "127.0.0.1/32", "comment": "dev laptop", "delete_after_date": "$any", "added": True,
                  "already_present": False, "synced_ips": ["127.0.0.1/32"]}),
            step(C + "allowCurrentIp", {"tag": "prod_atlas"},
                 {"cidr": "127.0.0.1/32", "comment": "Ductape temporary access", "added": True, "synced_ips": ["127.0.0.1/32"]}),
            networking({"ductape_proxy_addresses": ["203.0.113.1"]}, net(addrs=["203.0.113.1/32"]), synced=["127.0.0.1/32"]),
            sync({"added": added(("203.0.113.1/32", PROXY)), "removed": [], "already_present": ["127.0.0.1/32"],
                  "synced_ips": ["127.0.0.1/32", "203.0.113.1/32"]}, prune=True),
            fail(C + "allowCurrentIp", {"tag": "prod_atlas", "hours": 169}, "invalid_argument", "hours", "at most a week"),
            fail(C + "allowCurrentIp", {"tag": "prod_atlas", "hours": 0}, "invalid_argument", "hours"),
            fail(C + "allowCurrentIp", {"tag": "prod_atlas", "hours": 2.5}, "invalid_argument", "hours"),
            fail(C + "allowCurrentIp", {"tag": "prod_atlas", "comment": "x" * 81}, "invalid_argument", "comment", "at most 80"),
        ],
    })
    return v


def main():
    doc = {
        "description": "Private access: networking settings, DNS resolution, syncNetworkAccess (one POST, foreign entries untouched, drift, dry_run, prune, wait, limits, role, faults) and allowCurrentIp",
        "vectors": settings_vectors() + sync_vectors(),
    }
    Path("connections-access.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
