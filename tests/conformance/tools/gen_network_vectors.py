"""Writes vectors/connections-network.json: validation against the simulator over real HTTP, in
every language: each outcome of the four checks, recovery, retries and their bound under injected
faults (429, 500, 503 HTML, dropped connections, stale nonces, delays), timeouts, token expiry on
the simulator's clock, and what a failure to reach Atlas leaves unchanged.

Run from tests/conformance/vectors: python3 ../tools/gen_network_vectors.py. The JSON file is what
the runners read; this script keeps the many similar vectors consistent.
"""
import json

C = "cloud.connections."
P = "5c843ba379358e5b3dc2dec6"
ORG = "a0123456789abcdef012345a"
IDENT = f"prod-project (org {ORG})"
KEYS = {
    "owner": ("awqxqtif", "a0403a4f-0151-4922-ae89-523b69cd8e04"),
    "readonly": ("rdonlyky", "bfd1494b-ab37-4a06-941b-e554ca5ddad1"),
    "blocked": ("blockedk", "e99ac160-b9f5-4d5b-a769-7b2fda01f68a"),
    "other": ("otherprj", "2532c75e-c33e-4885-b841-a4c3140dddd5"),
    "orgowner": ("orgownrk", "f8a5a769-a260-45d1-9a50-cffd6d79cda5"),
}
SA = ("mdb_sa_id_62f3375a109c0a5dd6bc4e08", "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn")
WRONG_PRIVATE = "00000000-0000-4000-8000-000000000000"
ALL_CHECKS = [{"name": n, "ok": True, "detail": "$any"} for n in ("credentials", "api_access_list", "project", "role")]
# Fast retries, so that a vector with faults costs milliseconds, not seconds.
FAST = {"retry_base_delay_ms": 1, "max_retries": 3}


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
    """A step on the simulator's control API (faults, clock); not an operation."""
    s = {"sim": {"method": method, "path": path}}
    if body is not None:
        s["sim"]["body"] = body
    return s


def fault(route, kind, count, **extra):
    return sim("POST", "/__sim/faults", dict({"route": route, "kind": kind, "count": count}, **extra))


def create(tag="prod_atlas"):
    return step(C + "create", {"provider": "mongodb_atlas", "name": tag},
                {"tag": tag, "status": "pending", "id": "$any", "metadata": {"project_id": None}})


def complete_key(which, tag="prod_atlas", project=P, status="pending"):
    pub, priv = KEYS[which] if which in KEYS else which
    return step(C + "complete", {"tag": tag, "project_id": project, "atlas_public_key": pub, "atlas_private_key": priv},
                {"tag": tag, "status": status, "metadata": {"project_id": project, "atlas_public_key": pub,
                 "has_atlas_private_key": True, "auth_method": "api_key", "atlas_private_key": "$absent"}})


def complete_sa(secret=SA[1], tag="prod_atlas"):
    return step(C + "complete", {"tag": tag, "project_id": P, "atlas_client_id": SA[0], "atlas_client_secret": secret},
                {"tag": tag, "status": "pending", "metadata": {"auth_method": "service_account", "atlas_client_id": SA[0],
                 "has_atlas_client_secret": True, "atlas_client_secret": "$absent", "atlas_public_key": None}})


def valid(tag="prod_atlas"):
    return step(C + "validate", {"tag": tag}, {"valid": True, "status": "active", "message": "$any", "code": "$absent",
                                               "account_identifier": IDENT, "checks": ALL_CHECKS})


ORDER = ["credentials", "api_access_list", "project", "role"]


def checks_until(check, network_after=None):
    """The checks a failed validation lists: those that passed, then the one that failed. A failure
    to reach Atlas is the `network` check, after the checks that had passed (`network_after`)."""
    if check == "network":
        passed = ORDER[:ORDER.index(network_after) + 1] if network_after else []
    else:
        passed = ORDER[:ORDER.index(check)]
    return [{"name": n, "ok": True, "detail": "$any"} for n in passed] + [{"name": check, "ok": False, "detail": "$any"}]


def invalid(code, check, status="error", tag="prod_atlas", network_after=None):
    return step(C + "validate", {"tag": tag}, {"valid": False, "status": status, "code": code, "message": "$any",
                                               "checks": checks_until(check, network_after), "details": "$any"})


def fetched(status, tag="prod_atlas", error=None):
    m = {"atlas_private_key": "$absent", "atlas_client_secret": "$absent"}
    m["last_validation_error"] = error if error is not None else "$absent"
    return step(C + "fetch", {"tag": tag}, {"tag": tag, "status": status, "metadata": m})


def last_error(code, check, transient=False):
    e = {"code": code, "check": check, "message": "$any", "at": "$any"}
    e["transient"] = True if transient else "$absent"
    return e


def v(name, desc, steps, options=None):
    d = {"name": name, "description": desc, "requires": ["sim"]}
    if options:
        d["options"] = options
    d["steps"] = steps
    return d


vectors = []
# --- every outcome of the four checks, then recovery with the right key -------------------------
outcomes = [
    ("wrong-private-key", "a wrong private key", (KEYS["owner"][0], WRONG_PRIVATE), "atlas_unauthorized", "credentials", P),
    ("unknown-public-key", "a public key Atlas does not know", ("zzzzzzzz", KEYS["owner"][1]), "atlas_unauthorized", "credentials", P),
    ("read-only-key", "a key without Project Owner", "readonly", "atlas_missing_role", "role", P),
    ("blocked-ip", "the caller's IP is not on the key's API access list", "blocked", "atlas_forbidden_ip", "api_access_list", P),
    ("key-not-in-project", "a valid key of another project", "other", "atlas_unauthorized", "project", P),
    ("unknown-project", "a project that does not exist", "owner", "not_found", "project", "eeeeeeeeeeeeeeeeeeeeeeee"),
]
for name, desc, key, code, check, project in outcomes:
    vectors.append(v(f"recover-after-{name}", f"{desc}: validate fails on the {check} check ({code}), status error; completing with the Project Owner key and validating again makes it active and clears the error", [
        create(), complete_key(key, project=project), invalid(code, check),
        fetched("error", error=last_error(code, check)),
        step(C + "list", {"status": "error"}, {"connections": [{"tag": "prod_atlas", "status": "error"}]}),
        step(C + "list", {"status": "active"}, {"connections": []}),
        complete_key("owner"), valid(), fetched("active"),
    ]))
    vectors.append(v(f"revalidate-{name}-is-stable", f"{desc}: validating twice gives the same answer", [
        create(), complete_key(key, project=project), invalid(code, check), invalid(code, check),
        fetched("error", error=last_error(code, check)),
    ]))

vectors.append(v("service-account-wrong-secret", "a wrong service-account secret: the token request is refused (atlas_unauthorized on credentials)", [
    create(), complete_sa("mdb_sa_sk_WRONGWRONGWRONGWRONGWRONG00"), invalid("atlas_unauthorized", "credentials"),
    fetched("error", error=last_error("atlas_unauthorized", "credentials")),
    complete_sa(), valid(),
]))
vectors.append(v("service-account-token-expires", "a service account's token expires on the simulator's clock; the next validation takes a new one", [
    create(), complete_sa(), valid(), sim("POST", "/__sim/clock", {"advance_secs": 7200}), valid(), fetched("active"),
]))
vectors.append(v("switch-api-key-to-service-account", "switching method keeps one secret: the API key's is dropped", [
    create(), complete_key("owner"), valid(), complete_sa(), valid(),
    step(C + "fetch", {"tag": "prod_atlas"}, {"status": "active", "metadata": {"auth_method": "service_account", "has_atlas_private_key": False, "atlas_public_key": None, "has_atlas_client_secret": True}}),
]))
vectors.append(v("two-connections-two-outcomes", "two connections with different keys validate independently; list filters by status", [
    create("good"), create("ro"), complete_key("owner", tag="good"), complete_key("readonly", tag="ro"),
    valid("good"), invalid("atlas_missing_role", "role", tag="ro"),
    step(C + "list", {"status": "active"}, {"connections": [{"tag": "good"}]}),
    step(C + "list", {"status": "error"}, {"connections": [{"tag": "ro"}]}),
    step(C + "list", {}, {"connections": [{"tag": "good"}, {"tag": "ro"}]}),
]))
vectors.append(v("delete-after-validate", "a validated connection deleted: validate and fetch answer not_found, the tag can be created again", [
    create(), complete_key("owner"), valid(),
    step(C + "delete", {"tag": "prod_atlas"}, {"tag": "prod_atlas", "deleted": True, "id": "$any", "deleted_at": "$any"}),
    fail(C + "validate", {"tag": "prod_atlas"}, "not_found", "tag", "deleted"),
    fail(C + "fetch", {"tag": "prod_atlas"}, "not_found", "tag"),
    create(), step(C + "list", {}, {"connections": [{"tag": "prod_atlas", "status": "pending"}]}),
]))
vectors.append(v("update-keeps-validation", "update changes the display name and scopes, not the status or the validation", [
    create(), complete_key("owner"), valid(),
    step(C + "update", {"tag": "prod_atlas", "display_name": "Production", "scopes": ["database", "vector"]},
         {"status": "active", "display_name": "Production", "scopes": ["database", "vector"], "account_identifier": IDENT}),
    fetched("active"),
]))

# --- faults: retried and recovered, or given up on with status unchanged ------------------------
ROOT = "GET /api/atlas/v2"
GROUP = "GET /api/atlas/v2/groups/*"
recovered = [
    ("500", {}, ROOT), ("503", {}, ROOT), ("drop", {}, ROOT), ("stale_nonce", {}, ROOT),
    ("500", {}, GROUP), ("503", {}, GROUP), ("drop", {}, GROUP), ("429", {"retry_after_secs": 1}, ROOT),
]
for kind, extra, route in recovered:
    where = "the credentials check" if route == ROOT else "the project check"
    vectors.append(v(f"retried-{kind}-on-{'root' if route == ROOT else 'group'}", f"one {kind} on {where} is retried: validate succeeds", [
        create(), complete_key("owner"), fault(route, kind, 1, **extra), valid(), fetched("active"),
    ], options=FAST))

gave_up = [
    ("500", "atlas_error", ROOT), ("503", "atlas_error", ROOT), ("drop", "network", ROOT),
    ("500", "atlas_error", GROUP), ("drop", "network", GROUP),
]
for kind, code, route in gave_up:
    label = "root" if route == ROOT else "group"
    vectors.append(v(f"gives-up-{kind}-on-{label}-pending", f"{kind} on every attempt: validate gives up after the retries (network check, {code}); the status stays pending and the failure is recorded as transient", [
        create(), complete_key("owner"), fault(route, kind, 10),
        invalid(code, "network", status="pending", network_after=None if route == ROOT else "api_access_list"),
        fetched("pending", error=last_error(code, "network", transient=True)),
    ], options=FAST))
    vectors.append(v(f"gives-up-{kind}-on-{label}-stays-active", f"{kind} on every attempt after a good validation: the connection stays active; the next validation clears the transient failure", [
        create(), complete_key("owner"), valid(), fault(route, kind, 10),
        invalid(code, "network", status="active", network_after=None if route == ROOT else "api_access_list"),
        fetched("active", error=last_error(code, "network", transient=True)),
        sim("DELETE", "/__sim/faults"), valid(), fetched("active"),
    ], options=FAST))

vectors.append(v("rate-limited-too-long", "a 429 asking to wait longer than the client will is given up at once: rate_limited, status unchanged", [
    create(), complete_key("owner"), fault(ROOT, "429", 1, retry_after_secs=120),
    invalid("rate_limited", "network", status="pending"),
    fetched("pending", error=last_error("rate_limited", "network", transient=True)),
], options=FAST))
vectors.append(v("timeout", "Atlas answers after the request timeout: timeout on the network check, status unchanged", [
    create(), complete_key("owner"), fault(ROOT, "delay", 1, delay_ms=2000),
    invalid("timeout", "network", status="pending"),
    fetched("pending", error=last_error("timeout", "network", transient=True)),
], options={"request_timeout_ms": 300, "max_retries": 0}))
vectors.append(v("retries-bounded-by-max-retries", "with max_retries 0 a single 500 is not retried", [
    create(), complete_key("owner"), fault(ROOT, "500", 1), invalid("atlas_error", "network", status="pending"),
    valid(),
], options={"max_retries": 0}))

doc = {"description": __doc__.split("\n\n")[0].replace("\n", " ").replace("Writes vectors/connections-network.json: ", "").strip(),
       "vectors": vectors}
with open("connections-network.json", "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"{len(vectors)} network vectors")
