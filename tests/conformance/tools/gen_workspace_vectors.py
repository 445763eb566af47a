"""Writes vectors/secrets.json, products.json, bad-inputs-secrets.json and bad-inputs-products.json.

Run from tests/conformance/vectors: python3 ../tools/gen_workspace_vectors.py. The JSON files are
what the runners read; this script keeps the many similar vectors consistent. None of these
vectors needs the simulator except where a component env links a cloud connection.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vecgen import dump, err, ok, v  # noqa: E402

S = "secrets."; P = "products."; E = "products.environments."; K = "products.components."
PAST = "2020-01-01T00:00:00Z"; FUTURE = "2999-01-01T00:00:00Z"
def record(key, **kw):
    r = {"key": key, "description": None, "scope": None, "envs": None, "expires_at": None, "expired": False,
         "revoked": False, "revoked_at": None, "owner": None, "created_at": "$any", "updated_at": "$any",
         "last_rotated_at": "$any", "value": "$absent"}
    r.update(kw); return r
def mk(key, value="v", **kw):
    params = {"key": key, "value": value}; params.update(kw)
    return ok(S+"create", params, record(key, **kw) | ({"expires_at": "$any", "expired": kw["expires_at"] == PAST} if "expires_at" in kw else {}))
def resolve(value, app=None, env=None):
    p = {"value": value}
    if app: p["app"] = app
    if env: p["env"] = env
    return p

secrets = {"description": "Workspace secrets: create, fetch, fetchAll (records only, paged by key), update (a new value rotates it), revoke, delete, and $Secret{KEY} resolution with the product's checks in order and its exact messages. No network.",
 "vectors": [
  v("lifecycle", "create -> fetch (the value) -> update metadata -> update value -> revoke -> delete", [
    mk("MONGO_PW", "s3cr3t", description="db password", envs=["dev", "prd"]),
    ok(S+"fetch", {"key": "MONGO_PW"}, record("MONGO_PW", description="db password", envs=["dev", "prd"], value="s3cr3t")),
    ok(S+"update", {"key": "MONGO_PW", "description": None, "envs": None}, record("MONGO_PW")),
    ok(S+"update", {"key": "MONGO_PW", "value": "n3w", "scope": ["web", "worker"]}, record("MONGO_PW", scope=["web", "worker"])),
    ok(S+"fetch", {"key": "MONGO_PW"}, {"key": "MONGO_PW", "value": "n3w"}),
    ok(S+"fetchAll", {}, {"secrets": [record("MONGO_PW", scope=["web", "worker"])], "next_after": None}),
    ok(S+"revoke", {"key": "MONGO_PW"}, record("MONGO_PW", scope=["web", "worker"], revoked=True, revoked_at="$any")),
    err(S+"fetch", {"key": "MONGO_PW"}, "failed_precondition", "key", "Secret 'MONGO_PW' has been revoked"),
    err(S+"update", {"key": "MONGO_PW", "value": "again"}, "failed_precondition", "key", "a revoked secret cannot change"),
    err(S+"resolve", resolve("$Secret{MONGO_PW}", "web"), "failed_precondition", "value", "Secret 'MONGO_PW' has been revoked"),
    ok(S+"delete", {"key": "MONGO_PW"}, {"key": "MONGO_PW", "deleted": True}),
    err(S+"fetch", {"key": "MONGO_PW"}, "not_found", "key", "Secret 'MONGO_PW' not found"),
    ok(S+"fetchAll", None, {"secrets": [], "next_after": None}),
  ]),
  v("duplicate-key", "an existing key is a conflict and changes nothing", [
    mk("API_TOKEN", "one"),
    err(S+"create", {"key": "API_TOKEN", "value": "two"}, "conflict", "key", "Secret 'API_TOKEN' already exists"),
    ok(S+"fetch", {"key": "API_TOKEN"}, {"value": "one"}),
  ]),
  v("resolution-order", "exists -> not revoked -> in scope -> in env -> not expired: the first failing check is reported (out of scope and expired reports the scope)", [
    mk("ALL_WRONG", scope=["billing"], envs=["prd"], expires_at=PAST),
    mk("ENV_AND_EXPIRY", scope=["web"], envs=["prd"], expires_at=PAST),
    mk("EXPIRED", expires_at=PAST),
    mk("GOOD", "fine", scope=["web"], envs=["dev"], expires_at=FUTURE),
    err(S+"resolve", resolve("$Secret{MISSING}", "web", "dev"), "not_found", "value", "Secret 'MISSING' not found"),
    err(S+"resolve", resolve("$Secret{ALL_WRONG}", "web", "dev"), "permission_denied", "value", "Secret 'ALL_WRONG' is not accessible by app 'web'"),
    err(S+"resolve", resolve("$Secret{ENV_AND_EXPIRY}", "web", "dev"), "permission_denied", "value", "Secret 'ENV_AND_EXPIRY' is not available in environment 'dev'"),
    err(S+"resolve", resolve("$Secret{EXPIRED}", "web", "dev"), "failed_precondition", "value", "Secret 'EXPIRED' has expired"),
    ok(S+"resolve", resolve("u:$Secret{GOOD}@h/$Secret{GOOD}", "web", "dev"), {"value": "u:fine@h/fine", "references": ["GOOD"]}),
    err(S+"resolve", resolve("$Secret{GOOD} $Secret{EXPIRED}", "web", "dev"), "failed_precondition", "value", "Secret 'EXPIRED' has expired"),
    err(S+"resolve", resolve("$Secret{GOOD}"), "permission_denied", "value", "is not accessible without an app: it is scoped to web"),
    err(S+"resolve", resolve("$Secret{GOOD}", "web"), "permission_denied", "value", "is not available without an environment: it is limited to dev"),
    ok(S+"fetch", {"key": "EXPIRED"}, {"expired": True, "expires_at": "2020-01-01T00:00:00.000Z", "value": "v"}),
  ]),
  v("resolve-unchanged", "a value without a reference comes back unchanged", [
    ok(S+"resolve", resolve("mongodb://h/?a=$b&c={d}"), {"value": "mongodb://h/?a=$b&c={d}", "references": []}),
    ok(S+"resolve", resolve(""), {"value": "", "references": []}),
  ]),
  v("paging", "fetchAll pages by key with limit and after", [
    *[mk(k) for k in ["C", "A", "B"]],
    ok(S+"fetchAll", {"limit": 2}, {"secrets": [{"key": "A"}, {"key": "B"}], "next_after": "B"}),
    ok(S+"fetchAll", {"limit": 2, "after": "B"}, {"secrets": [{"key": "C"}], "next_after": None}),
    ok(S+"fetchAll", {"after": "A"}, {"secrets": [{"key": "B"}, {"key": "C"}], "next_after": None}),
  ]),
  v("positional-form", "update(key, partial) as the SDKs send it", [
    mk("POS"),
    ok(S+"update", {"key": "POS", "params": {"description": "via params"}}, record("POS", description="via params")),
    err(S+"update", {"key": "POS", "params": {"key": "OTHER"}}, "invalid_argument", "key", "given twice"),
  ]),
 ]}

bad_secret_params = [
  ("create", {"value": "v"}, "key", "missing field"),
  ("create", {"key": "K"}, "value", "missing field"),
  ("create", {"key": 5, "value": "v"}, "key", None),
  ("create", {"key": "K", "value": 5}, "value", None),
  ("create", {"key": "lower_case", "value": "v"}, "key", "UPPER_SNAKE"),
  ("create", {"key": "1LEAD", "value": "v"}, "key", "UPPER_SNAKE"),
  ("create", {"key": "WITH-HYPHEN", "value": "v"}, "key", "UPPER_SNAKE"),
  ("create", {"key": "", "value": "v"}, "key", "must not be empty"),
  ("create", {"key": "K" * 129, "value": "v"}, "key", "at most 128"),
  ("create", {"key": "K", "value": ""}, "value", "must not be empty"),
  ("create", {"key": "K", "value": "v", "scope": []}, "scope", "at least one app"),
  ("create", {"key": "K", "value": "v", "scope": ["Web App"]}, "scope[0]", "app tag"),
  ("create", {"key": "K", "value": "v", "scope": "web"}, "scope", None),
  ("create", {"key": "K", "value": "v", "envs": ["d"]}, "envs[0]", "environment slug"),
  ("create", {"key": "K", "value": "v", "envs": ["dev", "PRD"]}, "envs[1]", "environment slug"),
  ("create", {"key": "K", "value": "v", "expires_at": "tomorrow"}, "expires_at", "RFC 3339"),
  ("create", {"key": "K", "value": "v", "expires_at": 1767225600}, "expires_at", None),
  ("create", {"key": "K", "value": "v", "ttl": 5}, "ttl", "unknown field"),
  ("fetch", {}, "key", "missing field"),
  ("fetch", {"key": "bad key"}, "key", "UPPER_SNAKE"),
  ("fetch", {"key": "NOPE"}, "key", "Secret 'NOPE' not found"),
  ("update", {"key": "NOPE", "value": "x"}, "key", "Secret 'NOPE' not found"),
  ("update", {"key": "K", "vaule": "x"}, "vaule", "unknown field"),
  ("delete", {"key": "NOPE"}, "key", "Secret 'NOPE' not found"),
  ("revoke", {"key": "NOPE"}, "key", "Secret 'NOPE' not found"),
  ("fetchAll", {"limit": 0}, "limit", "between 1 and 10000"),
  ("fetchAll", {"limit": 10001}, "limit", "between 1 and 10000"),
  ("fetchAll", {"limit": "10"}, "limit", None),
  ("fetchAll", {"after": "lower"}, "after", "UPPER_SNAKE"),
  ("resolve", {"value": "$Secret{"}, "value", "has no closing"),
  ("resolve", {"value": "$Secret{}"}, "value", "is empty"),
  ("resolve", {"value": "pw=$Secret{not upper}"}, "value", "does not name an UPPER_SNAKE key"),
  ("resolve", {"value": "x", "app": "Bad App"}, "app", "app tag"),
  ("resolve", {"value": "x", "env": "x"}, "env", "environment slug"),
  ("resolve", {"value": 12}, "value", None),
]
def code_for(contains):
    return "not_found" if contains and "not found" in contains else "invalid_argument"
bad_secrets = {"description": "Bad inputs to every secrets.* operation: missing, unknown and wrongly typed fields, bad keys, scopes, envs, timestamps, limits and malformed references. Each fails with its code and field and changes nothing (the last step of each vector shows the workspace still empty).",
 "vectors": [v(f"{op}-{i:02d}-{field}", f"secrets.{op}: {code_for(c)} on {field}" + (f" ({c})" if c else ""),
               [err(S+op, params, code_for(c), field, c), ok(S+"fetchAll", {}, {"secrets": [], "next_after": None})])
             for i, (op, params, field, c) in enumerate(bad_secret_params)]}

def product(tag="my-product", name="My Product", description=None):
    return {"id": "$any", "tag": tag, "name": name, "description": description, "created_at": "$any", "updated_at": "$any"}
def env(slug, name=None, product="my-product", description=None):
    return {"product": product, "slug": slug, "name": name or slug, "description": description, "created_at": "$any", "updated_at": "$any"}
def comp(tag="db-mongo", kind="mongodb", envs=(), name=None, product="my-product"):
    return {"product": product, "tag": tag, "name": name or tag, "type": kind, "envs": list(envs), "created_at": "$any", "updated_at": "$any"}
def cenv(env, url=None, kind=None, cloud=None, instance=None, auth_mode=None, updated=True):
    return {"product": "my-product", "component": "db-mongo", "env": env, "connection_url": url, "connection_url_kind": kind,
            "cloud": cloud, "instance": instance, "auth_mode": auth_mode, "updated_at": "$any" if updated else None}
T = {"product": "my-product", "component": "db-mongo"}
def at(env, **kw):
    d = dict(T); d["env"] = env; d.update(kw); return d
setup = [
  ok(P+"create", {"name": "My Product", "description": "shop"}, product(description="shop")),
  ok(E+"create", {"product": "my-product", "slug": "dev"}, env("dev")),
  ok(E+"create", {"product": "my-product", "slug": "prd", "name": "Production"}, env("prd", "Production")),
  ok(K+"create", {"product": "my-product", "tag": "db-mongo", "type": "mongodb"}, comp()),
]
LIT = "mongodb://prd-user:L1teral-pw@prd.example.net/?authSource=admin"
products = {"description": "Products, their environments and database components, one config per environment: literal connection URLs (stored encrypted, never shown) and $Secret{} references, resolve (the application's read path), and deletes that refuse while secrets are held unless forced.",
 "vectors": [
  v("products-crud", "create (tag slugged with hyphens), fetch, list, update (never the tag), delete", [
    ok(P+"create", {"name": "My Product"}, product()),
    ok(P+"create", {"name": "Other", "tag": "other-1", "description": "x"}, product("other-1", "Other", "x")),
    err(P+"create", {"name": "my product!"}, "conflict", "tag", "a product with tag 'my-product' already exists"),
    ok(P+"fetch", {"product": "my-product"}, product()),
    ok(P+"list", {}, {"products": [{"tag": "my-product"}, {"tag": "other-1"}]}),
    ok(P+"update", {"product": "other-1", "params": {"name": "Renamed", "description": None}}, product("other-1", "Renamed")),
    ok(P+"delete", {"product": "other-1"}, {"product": "other-1", "deleted": True, "environments_deleted": 0, "components_deleted": 0, "secrets_deleted": 0}),
    err(P+"fetch", {"product": "other-1"}, "not_found", "product", "no product with tag 'other-1'"),
    ok(P+"list", None, {"products": [{"tag": "my-product"}]}),
  ]),
  v("environments-crud", "create, list, fetch, update (never the slug), delete; a duplicate slug is a conflict", [
    *setup,
    err(E+"create", {"product": "my-product", "slug": "dev"}, "conflict", "slug", "already has an environment 'dev'"),
    ok(E+"list", {"product": "my-product"}, {"environments": [env("dev"), env("prd", "Production")]}),
    ok(E+"update", {"product": "my-product", "env": "prd", "description": "live"}, env("prd", "Production", description="live")),
    ok(E+"fetch", {"product": "my-product", "env": "prd"}, env("prd", "Production", description="live")),
    ok(E+"delete", {"product": "my-product", "env": "dev"}, {"product": "my-product", "env": "dev", "deleted": True, "secrets_deleted": 0}),
    ok(E+"list", {"product": "my-product"}, {"environments": [{"slug": "prd"}]}),
  ]),
  v("components-crud", "create each type, fetch, list, delete; a duplicate tag is a conflict", [
    *setup,
    ok(K+"create", {"product": "my-product", "tag": "db-pg", "name": "Postgres", "type": "postgresql"}, comp("db-pg", "postgresql", name="Postgres")),
    ok(K+"create", {"product": "my-product", "tag": "db-my", "type": "mysql"}, comp("db-my", "mysql")),
    ok(K+"create", {"product": "my-product", "tag": "db-dyn", "type": "dynamodb"}, comp("db-dyn", "dynamodb")),
    err(K+"create", {"product": "my-product", "tag": "db-mongo", "type": "mongodb"}, "conflict", "tag", "already has a component 'db-mongo'"),
    ok(K+"list", {"product": "my-product"}, {"components": [{"tag": "db-mongo"}, {"tag": "db-pg"}, {"tag": "db-my"}, {"tag": "db-dyn"}]}),
    ok(K+"delete", {"product": "my-product", "component": "db-my"}, {"product": "my-product", "component": "db-my", "deleted": True, "secrets_deleted": 0}),
    ok(K+"fetch", {"product": "my-product", "component": "db-mongo"}, comp()),
    err(K+"setEnv", {"product": "my-product", "component": "db-pg", "env": "dev", "instance": "cluster0"}, "unsupported", "instance", "not linked to cloud connections"),
  ]),
  v("component-env-resolve", "a reference is shown and resolved for the env; a literal is sealed, never shown, and resolved as is", [
    *setup,
    ok(S+"create", {"key": "DEV_URL", "value": "mongodb://dev-user:pw@dev.example.net/", "envs": ["dev"]}, record("DEV_URL", envs=["dev"])),
    ok(K+"getEnv", at("dev"), cenv("dev", updated=False)),
    ok(K+"setEnv", at("dev", connection_url="$Secret{DEV_URL}"), cenv("dev", "$Secret{DEV_URL}", "reference")),
    ok(K+"setEnv", at("prd", connection_url=LIT, auth_mode="connection_url"), cenv("prd", None, "literal", auth_mode="connection_url")),
    ok(K+"getEnv", at("prd"), cenv("prd", None, "literal", auth_mode="connection_url")),
    ok(K+"fetch", T, comp(envs=["dev", "prd"])),
    ok(K+"resolve", at("dev"), {"connection_url": "mongodb://dev-user:pw@dev.example.net/", "references": ["DEV_URL"], "cloud": None, "instance": None, "auth_mode": None}),
    ok(K+"resolve", at("prd", app="web"), {"connection_url": LIT, "references": [], "auth_mode": "connection_url"}),
    ok(K+"setEnv", at("prd", connection_url="$Secret{DEV_URL}"), cenv("prd", "$Secret{DEV_URL}", "reference", auth_mode="connection_url")),
    err(K+"resolve", at("prd"), "permission_denied", "connection_url", "Secret 'DEV_URL' is not available in environment 'prd'"),
    ok(K+"setEnv", at("prd", connection_url=None, auth_mode=None), cenv("prd")),
    err(K+"resolve", at("prd"), "failed_precondition", "env", "has no connection_url in environment 'prd'"),
    ok(K+"setEnv", at("prd", connection_url="mongodb://u:$Secret{DEV_URL}@h/"), cenv("prd", None, "literal")),
    err(K+"resolve", at("prd"), "permission_denied", "connection_url", "not available in environment 'prd'"),
  ]),
  v("component-env-cloud-link", "a mongodb component env linked to a cloud connection; resolve says when the connection is gone", [
    *setup,
    ok("cloud.connections.create", {"provider": "mongodb_atlas", "name": "prod_atlas"}, {"tag": "prod_atlas", "status": "pending"}),
    err(K+"setEnv", at("dev", auth_mode="cloud_connection"), "invalid_argument", "auth_mode", "needs cloud"),
    ok(K+"setEnv", at("dev", connection_url="mongodb://a:b@c/", cloud="prod_atlas", instance="Cluster0", auth_mode="cloud_connection"),
       cenv("dev", None, "literal", "prod_atlas", "Cluster0", "cloud_connection")),
    ok(K+"resolve", at("dev"), {"connection_url": "mongodb://a:b@c/", "cloud": {"tag": "prod_atlas", "status": "pending", "message": "$any"}, "instance": "Cluster0", "auth_mode": "cloud_connection"}),
    ok("cloud.connections.delete", {"tag": "prod_atlas"}, {"tag": "prod_atlas", "deleted": True}),
    ok(K+"resolve", at("dev"), {"connection_url": "mongodb://a:b@c/", "cloud": {"tag": "prod_atlas", "status": "deleted", "message": "$any"}}),
    err(K+"setEnv", at("prd", cloud="prod_atlas"), "not_found", "cloud", "was deleted"),
  ]),
  v("delete-needs-force", "a product, env or component whose configs hold a literal URL is deleted only with force, and then its secrets go too", [
    *setup,
    ok(K+"setEnv", at("prd", connection_url=LIT), cenv("prd", None, "literal")),
    err(E+"delete", {"product": "my-product", "env": "prd"}, "failed_precondition", "force", "db-mongo/prd"),
    err(K+"delete", {"product": "my-product", "component": "db-mongo"}, "failed_precondition", "force", "db-mongo/prd"),
    err(P+"delete", {"product": "my-product"}, "failed_precondition", "force", "holding secrets (db-mongo/prd)"),
    ok(K+"resolve", at("prd"), {"connection_url": LIT}),
    ok(P+"delete", {"product": "my-product", "force": True}, {"product": "my-product", "deleted": True, "environments_deleted": 2, "components_deleted": 1, "secrets_deleted": 1}),
    ok(P+"list", {}, {"products": []}),
  ]),
 ]}

bad_product_params = [
  (P+"create", {}, "name", "missing field"),
  (P+"create", {"name": ""}, "name", "must not be empty"),
  (P+"create", {"name": "!!!"}, "name", "give tag"),
  (P+"create", {"name": "X", "tag": "Bad Tag"}, "tag", "did you mean 'bad-tag'"),
  (P+"create", {"name": "X", "tag": "under_score"}, "tag", "lowercase letters, digits and '-'"),
  (P+"create", {"name": 5}, "name", None),
  (P+"create", {"name": "X", "slug": "x"}, "slug", "unknown field"),
  (P+"fetch", {"product": "nope"}, "product", "no product with tag 'nope'"),
  (P+"fetch", {"product": "NOT A TAG"}, "product", "not repeated here"),
  (P+"update", {"product": "nope", "name": "Y"}, "product", "no product"),
  (P+"delete", {"product": "nope"}, "product", "no product"),
  (P+"delete", {"product": "my-product", "force": "yes"}, "force", None),
  (P+"list", {"tag": "x"}, "tag", "unknown field"),
  (E+"create", {"product": "my-product", "slug": "d"}, "slug", "2 to 10"),
  (E+"create", {"product": "my-product", "slug": "development"}, "slug", "2 to 10"),
  (E+"create", {"product": "my-product", "slug": "Dev"}, "slug", "environment slug"),
  (E+"create", {"product": "my-product", "slug": "1st"}, "slug", "starting with a letter"),
  (E+"create", {"product": "nope", "slug": "dev"}, "product", "no product"),
  (E+"fetch", {"product": "my-product", "env": "stg"}, "env", "has no environment 'stg'"),
  (E+"update", {"product": "my-product", "env": "stg", "name": "S"}, "env", "has no environment"),
  (E+"delete", {"product": "my-product", "env": "stg"}, "env", "has no environment"),
  (E+"list", {}, "product", "missing field"),
  (K+"create", {"product": "my-product", "tag": "db2"}, "type", "missing field"),
  (K+"create", {"product": "my-product", "tag": "db2", "type": "redis"}, "type", "must be one of mongodb, postgresql, mysql, dynamodb"),
  (K+"create", {"product": "my-product", "tag": "DB", "type": "mongodb"}, "tag", "the value given is not repeated here"),
  (K+"fetch", {"product": "my-product", "component": "db-pg"}, "component", "has no component 'db-pg'"),
  (K+"delete", {"product": "my-product", "component": "db-pg"}, "component", "has no component"),
  (K+"getEnv", {"product": "my-product", "component": "db-mongo", "env": "stg"}, "env", "has no environment 'stg'; create it with products.environments.create"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": ""}, "connection_url", "null clears it"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": "$Secret{"}, "connection_url", "no closing"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": 7}, "connection_url", None),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "auth_mode": "password"}, "auth_mode", "must be one of cloud_connection, connection_url"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "instance": "bad_name"}, "instance", "cluster name"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "cloud": "Bad Tag"}, "cloud", None),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "cloud": "no_such"}, "cloud", "no cloud connection with tag 'no_such'"),
  (K+"setEnv", {"product": "my-product", "component": "db-mongo", "env": "dev", "url": "x"}, "url", "unknown field"),
  (K+"resolve", {"product": "my-product", "component": "db-mongo", "env": "dev", "app": "Bad App"}, "app", "app tag"),
  (K+"resolve", {"product": "my-product", "component": "db-mongo"}, "env", "missing field"),
  (K+"list", {"product": "nope"}, "product", "no product"),
]
def pcode(contains):
    if contains and ("no product" in contains or "has no" in contains or "no cloud connection" in contains): return "not_found"
    return "invalid_argument"
bad_products = {"description": "Bad inputs to every products.* operation: unknown product, env or component, bad tags and slugs, wrong types, unknown fields, bad connection URLs, auth modes and instances. Each fails with its code and field and changes nothing (the last step shows the component still unconfigured).",
 "vectors": [v(f"{op.split('.', 1)[1].replace('.', '-')}-{i:02d}-{field}", f"{op}: {pcode(c)} on {field}" + (f" ({c})" if c else ""),
               [*setup, err(op, params, pcode(c), field, c),
                ok(P+"list", {}, {"products": [{"tag": "my-product"}]}),
                ok(K+"fetch", T, comp())])
             for i, (op, params, field, c) in enumerate(bad_product_params)]}

dump("secrets.json", secrets)
dump("bad-inputs-secrets.json", bad_secrets)
dump("products.json", products)
dump("bad-inputs-products.json", bad_products)
