"""Writes vectors/connections-lifecycle.json, connections-records.json and bad-inputs-connections.json.

Run from tests/conformance/vectors: python3 ../tools/gen_connection_vectors.py. The JSON files are
the source of truth the runners read; this script only keeps the many similar vectors consistent.
"""
import json
def ok(op, params, result=None):
    """A successful step; every one has an expected result (the default for create/complete)."""
    if result is None:
        result = default_result(op, params)
    return {"op": op, "params": params, "expect": {"ok": True, "result": result}}
def default_result(op, params):
    if op == "cloud.connections.create":
        return {"id": "$any", "tag": params.get("name"), "provider": "mongodb_atlas", "status": "pending",
                "metadata": {"project_id": None, "has_atlas_private_key": False}, "created_at": "$any"}
    if op == "cloud.connections.complete":
        m = {"project_id": params["project_id"], "atlas_private_key": "$absent", "atlas_client_secret": "$absent"}
        if "atlas_public_key" in params:
            m.update(atlas_public_key=params["atlas_public_key"], has_atlas_private_key=True, auth_method="api_key")
        return {"tag": params["tag"], "status": "pending", "metadata": m}
    raise ValueError(f"give the {op} step an expected result")
def err(op, params, code, field=None, contains=None):
    e={"code": code}
    if field is not None: e["field"]=field
    if contains is not None: e["message_contains"]=contains
    return {"op": op, "params": params, "expect": {"ok": False, "error": e}}
def v(name, desc, steps, **kw):
    d={"name": name, "description": desc}; d.update(kw); d["steps"]=steps; return d
def dump(fn, doc):
    with open(fn,"w") as f: json.dump(doc, f, indent=2, ensure_ascii=False); f.write("\n")

P="5c843ba379358e5b3dc2dec6"; PUB="awqxqtif"; PRIV="a0403a4f-0151-4922-ae89-523b69cd8e04"
ORG="a0123456789abcdef012345a"
C="cloud.connections."
create = ok(C+"create", {"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": ["database"]})
complete = ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV})
def creds(pub, priv, project=P):
    return {"tag": "prod_atlas", "project_id": project, "atlas_public_key": pub, "atlas_private_key": priv}
def failing(name, desc, pub, priv, code, check, project=P):
    return v(name, desc, [create, ok(C+"complete", creds(pub, priv, project)),
        ok(C+"validate", {"tag": "prod_atlas"}, {"valid": False, "status": "error", "code": code, "message": "$any"}),
        ok(C+"fetch", {"tag": "prod_atlas"}, {"status": "error", "metadata": {"last_validation_error": {"code": code, "check": check}, "atlas_private_key": "$absent"}}),
        ok(C+"list", {"status": "error"}, {"connections": [{"tag": "prod_atlas", "status": "error"}]}),
    ], requires=["sim"])

life = {"description": "The Atlas connection lifecycle against the simulator's default seed (docs/default-seed.md): create -> complete -> validate -> fetch/list/update/delete, and every validation outcome.",
 "vectors": [
  v("happy-path-api-key", "the product page's calls with the seed's Project Owner key", [
    ok(C+"create", {"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": ["database"]},
       {"id": "$any", "tag": "prod_atlas", "display_name": "prod_atlas", "description": None, "provider": "mongodb_atlas", "status": "pending", "scopes": ["database"], "account_identifier": None,
        "metadata": {"project_id": None, "has_atlas_private_key": False}, "created_at": "$any", "updated_at": "$any"}),
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV},
       {"tag": "prod_atlas", "status": "pending", "metadata": {"project_id": P, "atlas_public_key": PUB, "has_atlas_private_key": True, "auth_method": "api_key", "atlas_private_key": "$absent"}}),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active", "message": "$any", "code": "$absent",
       "account_identifier": f"prod-project (org {ORG})",
       "checks": [{"name": "credentials", "ok": True}, {"name": "api_access_list", "ok": True}, {"name": "project", "ok": True}, {"name": "role", "ok": True}]}),
    ok(C+"fetch", {"tag": "prod_atlas"}, {"tag": "prod_atlas", "status": "active", "account_identifier": f"prod-project (org {ORG})",
       "metadata": {"project_id": P, "project_name": "prod-project", "org_id": ORG, "has_atlas_private_key": True, "validated_at": "$any", "last_validation_error": "$absent", "atlas_private_key": "$absent"}}),
    ok(C+"list", {}, {"connections": [{"tag": "prod_atlas", "status": "active", "provider": "mongodb_atlas"}]}),
    ok(C+"list", None, {"connections": [{"tag": "prod_atlas"}]}),
  ], requires=["sim"]),
  v("happy-path-service-account", "a service account (OAuth client credentials) instead of an API key", [
    create,
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08", "atlas_client_secret": "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn"},
       {"status": "pending", "metadata": {"auth_method": "service_account", "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08", "has_atlas_client_secret": True, "atlas_client_secret": "$absent", "has_atlas_private_key": False}}),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active"}),
  ], requires=["sim"]),
  v("org-owner-key-is-valid", "an Organization Owner key is enough", [
    create, ok(C+"complete", creds("orgownrk", "f8a5a769-a260-45d1-9a50-cffd6d79cda5")),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active"}),
  ], requires=["sim"]),
  failing("wrong-private-key", "a wrong private key: atlas_unauthorized, status error", PUB, "00000000-0000-4000-8000-000000000000", "atlas_unauthorized", "credentials"),
  failing("read-only-key", "a key without Project Owner: atlas_missing_role", "rdonlyky", "bfd1494b-ab37-4a06-941b-e554ca5ddad1", "atlas_missing_role", "role"),
  failing("key-access-list-blocks-caller", "the caller's IP is not on the key's API access list", "blockedk", "e99ac160-b9f5-4d5b-a769-7b2fda01f68a", "atlas_forbidden_ip", "api_access_list"),
  failing("key-not-in-project", "a valid key of another project (NOT_IN_GROUP)", "otherprj", "2532c75e-c33e-4885-b841-a4c3140dddd5", "atlas_unauthorized", "project"),
  failing("org-requires-access-list", "the key's organization requires an API access list", "strictky", "f4b01080-b978-47f6-ab91-35b7cbb580e4", "atlas_forbidden_ip", "api_access_list", project="d0123456789abcdef012345d"),
  failing("unknown-project", "a well-formed project ID that does not exist", PUB, PRIV, "not_found", "project", project="eeeeeeeeeeeeeeeeeeeeeeee"),
  v("rotate-and-revalidate", "complete again: a new key rotates it and status returns to pending; a blank private key keeps the stored one", [
    create, complete,
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active"}),
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": ""}, {"status": "active"}),
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": "rdonlyky", "atlas_private_key": "bfd1494b-ab37-4a06-941b-e554ca5ddad1"},
       {"status": "pending", "metadata": {"atlas_public_key": "rdonlyky", "validated_at": "$absent"}}),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": False, "status": "error", "code": "atlas_missing_role"}),
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, {"status": "pending"}),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active"}),
    err(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": "orgownrk"}, "invalid_argument", "atlas_private_key"),
  ], requires=["sim"]),
 ]}
dump("connections-lifecycle.json", life)

local = {"description": "Connection records without the network: create (tags, display names, scopes, defaults), update, list filters, delete.",
 "vectors": [
  v("create-defaults-and-display-name", "scopes default to database; a display name makes the tag", [
    ok(C+"create", {"provider": "mongodb_atlas", "name": "prod_atlas"}, {"tag": "prod_atlas", "scopes": ["database"], "status": "pending"}),
    ok(C+"create", {"provider": "mongodb_atlas", "display_name": "Production Atlas", "description": "main"}, {"tag": "production_atlas", "display_name": "Production Atlas", "description": "main"}),
    ok(C+"create", {"provider": "mongodb_atlas", "name": "multi_1", "scopes": ["database", "vector", "database", " Graph "]}, {"scopes": ["database", "vector", "graph"]}),
    # In creation order, also when several share a millisecond (the runners' agreement check found
    # the order differing between languages while it was by creation time, then tag).
    ok(C+"list", {}, {"connections": [{"tag": "prod_atlas", "status": "pending"}, {"tag": "production_atlas", "status": "pending"}, {"tag": "multi_1", "status": "pending"}]}),
    ok(C+"list", {"provider": "mongodb_atlas", "status": "pending"}, {"connections": [{"tag": "prod_atlas"}, {"tag": "production_atlas"}, {"tag": "multi_1"}]}),
    ok(C+"list", {"status": "active"}, {"connections": []}),
    ok(C+"list", {"status": "validated"}, {"connections": []}),
    ok(C+"list", {"provider": "aws"}, {"connections": []}),
  ]),
  v("update-keeps-the-tag", "update changes display name, description and scopes; the tag never changes", [
    create,
    ok(C+"update", {"tag": "prod_atlas", "display_name": "Prod", "description": "the main one", "scopes": ["database", "vector"]},
       {"tag": "prod_atlas", "display_name": "Prod", "description": "the main one", "scopes": ["database", "vector"], "status": "pending"}),
    ok(C+"update", {"tag": "prod_atlas", "description": ""}, {"description": None, "display_name": "Prod"}),
    ok(C+"fetch", {"tag": "prod_atlas"}, {"display_name": "Prod", "description": None, "scopes": ["database", "vector"]}),
    err(C+"update", {"tag": "prod_atlas", "name": "other"}, "invalid_argument", "name", "unknown field"),
  ]),
  v("delete-is-soft", "delete removes the connection from fetch/list; later calls say it is gone", [
    create, ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}),
    ok(C+"delete", {"tag": "prod_atlas"}, {"tag": "prod_atlas", "id": "$any", "deleted": True, "deleted_at": "$any"}),
    err(C+"fetch", {"tag": "prod_atlas"}, "not_found", "tag", "deleted"),
    err(C+"validate", {"tag": "prod_atlas"}, "not_found", "tag"),
    err(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, "not_found", "tag"),
    err(C+"update", {"tag": "prod_atlas", "display_name": "x"}, "not_found", "tag"),
    err(C+"delete", {"tag": "prod_atlas"}, "not_found", "tag"),
    ok(C+"list", {}, {"connections": []}),
  ]),
  v("duplicate-tag", "a second create with the same tag is a conflict", [
    create,
    err(C+"create", {"provider": "mongodb_atlas", "name": "prod_atlas"}, "conflict", "name"),
    err(C+"create", {"provider": "mongodb_atlas", "display_name": "Prod Atlas"}, "conflict", "name"),
  ]),
  v("validate-before-complete", "validate in the wrong state: no credentials yet", [
    create,
    err(C+"validate", {"tag": "prod_atlas"}, "failed_precondition", "tag", "complete"),
  ]),
 ]}
dump("connections-records.json", local)

bad = []
def b(op, params, code, field, contains=None, setup=False):
    bad.append((op, params, code, field, contains, setup))
# create
b("create", {"provider": 5, "name": "prod_atlas"}, "invalid_argument", "provider", "invalid type")
b("create", {"provider": "oracle", "name": "prod_atlas"}, "invalid_argument", "provider", "is not a known provider")
for p in ["aws", "gcp", "azure", "neo4j_aura"]:
    b("create", {"provider": p, "name": "prod_atlas"}, "unsupported", "provider", "not supported yet")
b("create", {"provider": "mongodb_atlas", "name": "Prod Atlas"}, "invalid_argument", "name", "did you mean 'prod_atlas'")
b("create", {"provider": "mongodb_atlas", "name": "_x"}, "invalid_argument", "name")
b("create", {"provider": "mongodb_atlas", "name": ""}, "invalid_argument", "name")
b("create", {"provider": "mongodb_atlas", "name": "a" * 65}, "invalid_argument", "name")
b("create", {"provider": "mongodb_atlas", "name": "prod-atlas"}, "invalid_argument", "name")
b("create", {"provider": "mongodb_atlas", "name": 12}, "invalid_argument", "name", "invalid type")
b("create", {"provider": "mongodb_atlas"}, "invalid_argument", "name")
b("create", {"provider": "mongodb_atlas", "display_name": "!!!"}, "invalid_argument", "display_name")
b("create", {"provider": "mongodb_atlas", "name": "x1", "display_name": ""}, "invalid_argument", "display_name")
b("create", {"provider": "mongodb_atlas", "name": "x1", "description": "bad\u0001char"}, "invalid_argument", "description")
b("create", {"provider": "mongodb_atlas", "name": "x1", "scopes": []}, "invalid_argument", "scopes")
b("create", {"provider": "mongodb_atlas", "name": "x1", "scopes": ["database", "nope"]}, "invalid_argument", "scopes[1]", "is not a known scope")
b("create", {"provider": "mongodb_atlas", "name": "x1", "scopes": "database"}, "invalid_argument", "scopes", "invalid type")
b("create", {"provider": "mongodb_atlas", "name": "x1", "scopes": [1]}, "invalid_argument", "scopes[0]", "invalid type")
b("create", {"provider": "mongodb_atlas", "name": "x1", "tag": "x1"}, "invalid_argument", "tag", "unknown field")
# complete (after create prod_atlas)
b("complete", {"project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "tag", "missing field", True)
b("complete", {"tag": "nope", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, "not_found", "tag", None, True)
b("complete", {"tag": "prod_atlas", "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "project_id", "missing field", True)
b("complete", {"tag": "prod_atlas", "projct_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "projct_id", "did you mean `project_id`?", True)
b("complete", {"tag": "prod_atlas", "project_id": "5c843ba3", "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "project_id", "24-character", True)
b("complete", {"tag": "prod_atlas", "project_id": P.upper(), "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "project_id", "lowercase", True)
b("complete", {"tag": "prod_atlas", "project_id": "zz843ba379358e5b3dc2dec6", "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "project_id", None, True)
b("complete", {"tag": "prod_atlas", "project_id": 5, "atlas_public_key": PUB, "atlas_private_key": PRIV}, "invalid_argument", "project_id", "invalid type", True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": "AWQXQTIF", "atlas_private_key": PRIV}, "invalid_argument", "atlas_public_key", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PRIV, "atlas_private_key": PRIV}, "invalid_argument", "atlas_public_key", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": "nope"}, "invalid_argument", "atlas_private_key", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB}, "invalid_argument", "atlas_private_key", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV, "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08"}, "invalid_argument", "atlas_client_id", "not both", True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_client_id": "short", "atlas_client_secret": "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn"}, "invalid_argument", "atlas_client_id", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_client_id": "mdb_sa_id_62f3375a109c0a5dd6bc4e08", "atlas_client_secret": "tiny"}, "invalid_argument", "atlas_client_secret", None, True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV, "atlas_secret": "x"}, "invalid_argument", "atlas_secret", "unknown field", True)
b("complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": 42}, "invalid_argument", "atlas_private_key", None, True)
# validate / fetch / list / update / delete
b("validate", {}, "invalid_argument", "tag", "missing field")
b("validate", {"tag": "nope"}, "not_found", "tag")
b("validate", {"tag": "prod_atlas", "force": True}, "invalid_argument", "force", "unknown field", True)
b("fetch", {"tag": 5}, "invalid_argument", "tag", "invalid type")
b("fetch", {"tag": "nope"}, "not_found", "tag")
b("fetch", {"tag": None}, "invalid_argument", "tag")
b("list", {"provider": "oracle"}, "invalid_argument", "provider", "is not a known provider")
b("list", {"status": "bogus"}, "invalid_argument", "status", "unknown status")
b("list", {"limit": 10}, "invalid_argument", "limit", "unknown field")
b("update", {"tag": "nope", "display_name": "x"}, "not_found", "tag")
b("update", {"tag": "prod_atlas", "scopes": []}, "invalid_argument", "scopes", None, True)
b("update", {"tag": "prod_atlas", "scopes": ["storage", "bogus"]}, "invalid_argument", "scopes[1]", None, True)
b("update", {"tag": "prod_atlas", "display_name": ""}, "invalid_argument", "display_name", None, True)
b("update", {"tag": "prod_atlas", "status": "active"}, "invalid_argument", "status", "unknown field", True)
b("delete", {}, "invalid_argument", "tag", "missing field")
b("delete", {"tag": "nope"}, "not_found", "tag")

vectors=[]
for i, (op, params, code, field, contains, setup) in enumerate(bad):
    steps = ([create] if setup else []) + [err(C+op, params, code, field, contains)]
    if setup:
        steps.append(ok(C+"fetch", {"tag": "prod_atlas"}, {"status": "pending", "metadata": {"project_id": None, "has_atlas_private_key": False}}))
    name = f"{op}-{i:02d}-{code}-{field}".replace("[", "_").replace("]", "").replace("$", "root")
    vectors.append(v(name, f"cloud.connections.{op}: {code} on {field}" + (f" ({contains})" if contains else ""), steps))
vectors.append(v("complete-54-invalid_argument-atlas_client_id-secret",
    "cloud.connections.complete: a service account secret pasted into atlas_client_id (stored in plain text, shown in records) is refused, and nothing is stored",
    [create, err(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_client_id": "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn", "atlas_client_secret": "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn"}, "invalid_argument", "atlas_client_id", "looks like a secret"),
     ok(C+"fetch", {"tag": "prod_atlas"}, {"status": "pending", "metadata": {"project_id": None, "atlas_client_id": "$absent", "has_atlas_client_secret": "$absent"}})]))
dump("bad-inputs-connections.json", {"description": "Bad inputs to every cloud.connections operation: wrong types, unknown/missing/extra fields, bad tags, IDs, keys, unknown or unsupported providers, scopes, statuses, calls on unknown or deleted connections. None reaches the network; a failed call changes nothing.", "vectors": vectors})
print(len(vectors), "bad-input vectors")
