"""Writes vectors/resources.json and bad-inputs-resources.json (cloud.resources.*, against the simulator).

Run from tests/conformance/vectors: python3 ../tools/gen_resources_vectors.py. Import vectors shorten
the simulator's user propagation delay to 100 ms with a control step and put the default (1000 ms)
back as their last step: the simulator's config outlives /__sim/reset.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vecgen import dump, err, ok, sim  # noqa: E402
from vecgen import v as vector  # noqa: E402


def v(name, desc, steps):
    return vector(name, desc, steps, requires=["sim"])


P = "5c843ba379358e5b3dc2dec6"; PUB = "awqxqtif"; PRIV = "a0403a4f-0151-4922-ae89-523b69cd8e04"
C = "cloud.connections."; R = "cloud.resources."
USER = "ductape-prod-atlas-my-product-db-mongo-prd"; KEY = "ATLAS_PROD_ATLAS_MY_PRODUCT_DB_MONGO_PRD_URL"
fast = sim("POST", "/__sim/config", {"user_apply_delay_ms": 100})
restore = sim("POST", "/__sim/config", {"user_apply_delay_ms": 1000})
setup = [
    ok(C+"create", {"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": ["database"]}, {"tag": "prod_atlas", "status": "pending"}),
    ok(C+"complete", {"tag": "prod_atlas", "project_id": P, "atlas_public_key": PUB, "atlas_private_key": PRIV}, {"tag": "prod_atlas"}),
    ok(C+"validate", {"tag": "prod_atlas"}, {"valid": True, "status": "active"}),
    ok("products.create", {"name": "My Product"}, {"tag": "my-product"}),
    ok("products.environments.create", {"product": "my-product", "slug": "prd"}, {"slug": "prd"}),
]
def imp(resource, **kw):
    d = {"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "my-product",
         "component": "db-mongo", "env": "prd", "resource": resource}
    d.update(kw); return d
def reply(resource, connection_type="standard_srv", rotated=False):
    return {"resource": resource, "product": "my-product", "component": "db-mongo", "env": "prd", "secret_key": KEY,
            "connection_url_ref": "$Secret{%s}" % KEY, "database_user": USER, "connection_type": connection_type,
            "rotated": rotated, "adopted": False, "verified": None}
def cluster(name, kind, state, paused, ctype, tier, provider="AWS"):
    return {"id": "$any", "name": name, "region": "$any", "metadata": {"kind": kind, "provider": provider, "tier": tier,
            "state": state, "version": "$any", "paused": paused, "cluster_type": ctype}}
resolve = {"product": "my-product", "component": "db-mongo", "env": "prd"}

resources = {"description": "cloud.resources: the catalogue, the project's clusters (dedicated and flex), import (a cluster-scoped database user, its string stored as a secret the component env owns), re-import (rotates the same user and secret), unlink. Against the simulator's default seed.",
 "vectors": [
  v("services-and-list", "the catalogue and every cluster of the project", [*setup,
    ok(R+"services", {"cloud": "prod_atlas"}, {"cloud": "prod_atlas", "services": [{"service": "atlas-cluster", "name": "Databases (MongoDB)", "type": "databases", "supported": True}]}),
    ok(R+"list", {"cloud": "prod_atlas", "service": "atlas-cluster"}, {"resources": [
        cluster("Cluster0", "dedicated", "IDLE", False, "REPLICASET", "M10"),
        cluster("analytics", "dedicated", "CREATING", False, "REPLICASET", "M30"),
        cluster("archive", "dedicated", "IDLE", True, "REPLICASET", "M10"),
        cluster("sharded", "dedicated", "IDLE", False, "SHARDED", "M30"),
        cluster("global", "dedicated", "IDLE", False, "GEOSHARDED", "M30"),
        cluster("sandbox", "free", "IDLE", False, "REPLICASET", "M0"),
        cluster("flex-dev", "flex", "IDLE", False, "REPLICASET", "FLEX")]}),
  ]),
  v("import-reimport-unlink", "import Cluster0, re-import (rotates: same user, same secret), unlink (user, secret and link gone)", [*setup, fast,
    ok(R+"import", imp("Cluster0"), reply("Cluster0")),
    ok("products.components.getEnv", resolve, {"connection_url": "$Secret{%s}" % KEY, "connection_url_kind": "reference", "cloud": "prod_atlas", "instance": "Cluster0", "auth_mode": "cloud_connection"}),
    ok("products.components.resolve", resolve, {"connection_url": "$any", "references": [KEY], "cloud": {"tag": "prod_atlas", "status": "active", "message": None}, "instance": "Cluster0", "auth_mode": "cloud_connection"}),
    ok("secrets.fetchAll", {}, {"secrets": [{"key": KEY, "envs": ["prd"], "owner": {"product": "my-product", "component": "db-mongo", "env": "prd"}, "value": "$absent"}], "next_after": None}),
    err("secrets.delete", {"key": KEY}, "failed_precondition", "key", "belongs to component 'db-mongo' env 'prd'"),
    err(R+"verify", {**resolve, "timeout_ms": 3000}, "network", None, "could not reach cluster 'Cluster0'"),
    ok(R+"import", imp("Cluster0"), reply("Cluster0", rotated=True)),
    ok("secrets.fetchAll", {}, {"secrets": [{"key": KEY}], "next_after": None}),
    err("products.delete", {"product": "my-product"}, "failed_precondition", "force", "db-mongo/prd"),
    ok(R+"unlink", {"cloud": "prod_atlas", **resolve}, {**resolve, "database_user": USER, "user_deleted": True, "user_kept": None, "secret_deleted": True}),
    ok("secrets.fetchAll", {}, {"secrets": [], "next_after": None}),
    err(R+"unlink", {"cloud": "prod_atlas", **resolve}, "failed_precondition", "env", "has no imported cluster"),
    restore,
  ]),
  v("import-flex-standard-read-only", "a flex cluster, its standard string, a read-only user", [*setup, fast,
    ok(R+"import", imp("flex-dev", connection_type="standard", role="readAnyDatabase", verify=False), reply("flex-dev", "standard")),
    ok("products.components.fetch", {"product": "my-product", "component": "db-mongo"}, {"type": "mongodb", "envs": ["prd"]}),
    restore,
  ]),
  v("defaults-come-from-the-core", "provider, service and type left out: the core fills in its one supported value", [
    ok(C+"create", {"name": "prod_atlas", "scopes": ["database"]}, {"tag": "prod_atlas", "provider": "mongodb_atlas"}),
    *setup[1:], fast,
    ok(R+"list", {"cloud": "prod_atlas"}, {"resources": "$any"}),
    ok(R+"import", {k: x for k, x in imp("Cluster0", verify=False).items() if k not in ("service", "type")},
       {"resource": "Cluster0", "database_user": USER, "adopted": False}),
    restore,
  ]),
  v("import-sharded", "a sharded cluster: its SRV string", [*setup, fast,
    ok(R+"import", imp("sharded"), reply("sharded")),
    restore,
  ]),
 ]}

bad = [
  (imp("nope"), "not_found", "resource", "no cluster named 'nope'"),
  (imp("archive"), "failed_precondition", "resource", "is paused"),
  (imp("analytics"), "failed_precondition", "resource", "no connection strings yet"),
  (imp("Cluster0", connection_type="private"), "failed_precondition", "connection_type", "has no private connection string"),
  (imp("Cluster0", product="shop"), "not_found", "product", "create it with products.create"),
  (imp("Cluster0", env="dev"), "not_found", "env", "create it with products.environments.create"),
  (imp("Cluster0", cloud="missing"), "not_found", "cloud", "no cloud connection with tag 'missing'"),
  (imp("Cluster0", cloud="Bad Tag"), "invalid_argument", "cloud", "cloud is not a valid tag"),
  (imp("Cluster0", service="rds"), "unsupported", "service", "not supported yet"),
  (imp("Cluster0", service="aura-instance"), "unsupported", "service", "not supported yet"),
  (imp("Cluster0", service="atlas"), "invalid_argument", "service", "must be 'atlas-cluster'"),
  (imp("Cluster0", type="storage"), "invalid_argument", "type", "must be 'databases'"),
  (imp("Cluster0", role="atlasAdmin"), "invalid_argument", "role", "readWriteAnyDatabase, readAnyDatabase"),
  (imp("Cluster0", connection_type="srv"), "invalid_argument", "connection_type", "must be one of"),
  (imp("Cluster0", wait_timeout_ms=0), "invalid_argument", "wait_timeout_ms", "between 1 and"),
  (imp("Cluster0", wait_timeout_ms="soon"), "invalid_argument", "wait_timeout_ms", None),
  (imp("bad_name!"), "invalid_argument", "resource", "cluster name"),
  (imp(""), "invalid_argument", "resource", "cluster name"),
  (imp("Cluster0", component="Db Mongo"), "invalid_argument", "component", "did you mean 'db-mongo'"),
  (imp("Cluster0", env="p"), "invalid_argument", "env", "environment slug"),
  (imp("Cluster0", extra=1), "invalid_argument", "extra", "unknown field"),
  ({k: x for k, x in imp("Cluster0").items() if k != "resource"}, "invalid_argument", "resource", "missing field"),
  (imp(5), "invalid_argument", "resource", None),
  (imp("Cluster0", verify="yes"), "invalid_argument", "verify", None),
]
other = [
  (R+"services", {"cloud": "missing"}, "not_found", "cloud", "no cloud connection"),
  (R+"services", {}, "invalid_argument", "cloud", "missing field"),
  (R+"list", {"cloud": "prod_atlas", "service": "rds"}, "unsupported", "service", "not supported yet"),
  (R+"list", {"cloud": "missing", "service": "atlas-cluster"}, "not_found", "cloud", None),
  (R+"unlink", {"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo", "env": "prd"}, "not_found", "component", "has no component 'db-mongo'"),
  (R+"unlink", {"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo"}, "invalid_argument", "env", "missing field"),
  (R+"verify", resolve, "not_found", "component", "has no component 'db-mongo'"),
  (R+"verify", {**resolve, "timeout_ms": 0}, "invalid_argument", "timeout_ms", "between 1 and 120000"),
  (R+"verify", {**resolve, "timeout_ms": -1}, "invalid_argument", "timeout_ms", None),
  (R+"verify", {"product": "my-product", "component": "db-mongo"}, "invalid_argument", "env", "missing field"),
  (R+"verify", {**resolve, "extra": 1}, "invalid_argument", "extra", "unknown field"),
  (R+"verify", {**resolve, "product": "shop"}, "not_found", "product", None),
]
bad_resources = {"description": "Bad inputs to cloud.resources.*: unknown clusters, paused and creating ones, missing products and envs, unsupported services, bad roles, connection types, names and types. Each fails with its code and field, makes no database user and stores nothing (the last steps show it).",
 "vectors": [v(f"import-{i:02d}-{field}", f"cloud.resources.import: {code} on {field}" + (f" ({c})" if c else ""),
               [*setup, err(R+"import", params, code, field, c),
                ok("secrets.fetchAll", {}, {"secrets": [], "next_after": None}),
                ok("products.components.list", {"product": "my-product"}, {"components": []})])
             for i, (params, code, field, c) in enumerate(bad)]
           + [v(f"{op.split('.')[-1]}-{i:02d}-{field}", f"{op}: {code} on {field}" + (f" ({c})" if c else ""),
               [*setup, err(op, params, code, field, c)])
              for i, (op, params, code, field, c) in enumerate(other)]
           + [v("import-inactive-connection", "a connection that is not active cannot import", [*setup,
                ok(C+"create", {"provider": "mongodb_atlas", "name": "fresh"}, {"tag": "fresh", "status": "pending"}),
                err(R+"import", imp("Cluster0", cloud="fresh"), "failed_precondition", "cloud", "has no credentials yet")]),
              v("import-after-a-failed-validation", "a connection whose last validation failed: the refusal quotes that failure", [*setup,
                ok(C+"create", {"provider": "mongodb_atlas", "name": "ro", "scopes": ["database"]}, {"tag": "ro"}),
                ok(C+"complete", {"tag": "ro", "project_id": P, "atlas_public_key": "rdonlyky", "atlas_private_key": "bfd1494b-ab37-4a06-941b-e554ca5ddad1"}, {"status": "pending"}),
                err(R+"import", imp("Cluster0", cloud="ro"), "failed_precondition", "cloud", "has not been validated yet: validate it first"),
                ok(C+"validate", {"tag": "ro"}, {"valid": False, "status": "error"}),
                err(R+"import", imp("Cluster0", cloud="ro"), "failed_precondition", "cloud", "failed its last validation (role: ")]),
              v("import-without-database-scope", "a connection without the database scope cannot import", [*setup,
                ok(C+"update", {"tag": "prod_atlas", "scopes": ["storage"]}, {"scopes": ["storage"]}),
                err(R+"import", imp("Cluster0"), "failed_precondition", "cloud", "lacks the database scope")]),
              v("verify-without-a-connection-url", "cloud.resources.verify of a component env with no string", [*setup,
                ok("products.components.create", {"product": "my-product", "tag": "db-mongo", "type": "mongodb"}, {"type": "mongodb"}),
                err(R+"verify", resolve, "failed_precondition", "env", "has no connection_url")]),
              v("import-into-another-type", "a component of another type is a conflict", [*setup,
                ok("products.components.create", {"product": "my-product", "tag": "db-mongo", "type": "postgresql"}, {"type": "postgresql"}),
                err(R+"import", imp("Cluster0"), "conflict", "component", "not mongodb")])]}

if __name__ == "__main__":
    dump("resources.json", resources)
    dump("bad-inputs-resources.json", bad_resources)
