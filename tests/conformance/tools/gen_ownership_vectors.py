"""Writes vectors/ownership.json: what import and unlink may change in an Atlas project. A user of
the import's name that this workspace did not make (unmarked, or marked by another workspace) is a
conflict and nothing changes; `adopt: true` takes over only an unmarked one; an env that an import
owns is changed only by unlink (setEnv and forced deletes are refused); a revoked secret stays
revoked; a string without credentials is never verified.

Run from tests/conformance/vectors: python3 ../tools/gen_ownership_vectors.py. The vectors that need
a user already in Atlas reset the simulator to the default seed (sim/seed/default.json) plus that
user; the next vector's reset puts the configured seed back.
"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_resources_vectors import KEY, P, R, USER, fast, imp, resolve, restore, setup  # noqa: E402
from vecgen import dump, err, ok, sim  # noqa: E402
from vecgen import v as vector  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "..", "..", "..", "sim", "seed", "default.json")) as f:
    DEFAULT_SEED = json.load(f)
OTHER_WS = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def v(name, desc, steps):
    return vector(name, desc, steps, requires=["sim"])


def with_user(description):
    """The default seed plus a user of the import's name in the project."""
    seed = copy.deepcopy(DEFAULT_SEED)
    user = {"groupId": P, "username": USER, "password": "made-by-hand-1",
            "roles": [{"databaseName": "admin", "roleName": "readAnyDatabase"}]}
    if description is not None:
        user["description"] = description
    seed["databaseUsers"] = [user]
    return sim("POST", "/__sim/reset", seed)


unlink = {"cloud": "prod_atlas", **resolve}
ownership = {"description": "Ownership: import and unlink change only the Atlas database users this workspace made (its marker in the user's description), an env an import owns changes only through unlink, a revoked secret stays revoked. Against the simulator.",
 "vectors": [
  v("unmarked-user-conflict-then-adopt", "a hand-made user of the import's name: a conflict that names it and changes nothing; adopt: true takes it over and says so", [
    with_user("made by the ops team"), *setup, fast,
    err(R+"import", imp("Cluster0", verify=False), "conflict", "component", "carries no Ductape marker"),
    ok("secrets.fetchAll", {}, {"secrets": [], "next_after": None}),
    ok("products.components.list", {"product": "my-product"}, {"components": []}),
    ok(R+"import", imp("Cluster0", verify=False, adopt=True), {"database_user": USER, "adopted": True, "rotated": True}),
    ok(R+"import", imp("Cluster0", verify=False), {"database_user": USER, "adopted": False, "rotated": True}),
    ok(R+"unlink", unlink, {**resolve, "database_user": USER, "user_deleted": True, "user_kept": None, "secret_deleted": True}),
    restore,
  ]),
  v("user-of-another-workspace-conflict", "a user another workspace marked: a conflict naming that workspace, even with adopt: true", [
    with_user(f"ductape:v1 ws={OTHER_WS} t=0123456789abcdef my-product/db-mongo/prd via prod_atlas"), *setup, fast,
    err(R+"import", imp("Cluster0", verify=False), "conflict", "component", OTHER_WS),
    err(R+"import", imp("Cluster0", verify=False, adopt=True), "conflict", "component", "unlink it from that workspace first"),
    ok("secrets.fetchAll", {}, {"secrets": [], "next_after": None}),
    restore,
  ]),
  v("unlink-after-the-user-was-deleted-in-atlas", "the user went behind the workspace's back (a simulator reset): unlink removes the records and says why nothing was deleted", [
    *setup, fast,
    ok(R+"import", imp("Cluster0", verify=False), {"database_user": USER, "adopted": False, "rotated": False}),
    sim("POST", "/__sim/reset"),
    ok(R+"unlink", unlink, {**resolve, "database_user": USER, "user_deleted": False, "user_kept": {"code": "not_found", "message": "$any"}, "secret_deleted": True}),
    restore,
  ]),
  v("imported-env-changes-only-through-unlink", "setEnv and forced deletes are refused while an import owns the env; a revoked secret stays revoked", [
    *setup, fast,
    ok(R+"import", imp("Cluster0", verify=False), {"database_user": USER}),
    err("products.components.setEnv", {**resolve, "connection_url": "mongodb://h:1/"}, "failed_precondition", "env", "unlink it first"),
    err("products.components.setEnv", {**resolve, "cloud": None}, "failed_precondition", "env", "holds an imported Atlas cluster"),
    err("products.delete", {"product": "my-product", "force": True}, "failed_precondition", "force", "imported Atlas clusters (db-mongo/prd)"),
    err("products.environments.delete", {"product": "my-product", "env": "prd", "force": True}, "failed_precondition", "force", "db-mongo/prd"),
    err("products.components.delete", {"product": "my-product", "component": "db-mongo", "force": True}, "failed_precondition", "force", "db-mongo/prd"),
    ok("secrets.revoke", {"key": KEY}, {"key": KEY}),
    err(R+"import", imp("Cluster0", verify=False), "failed_precondition", "component", "a revoked secret stays revoked"),
    ok(R+"unlink", unlink, {**resolve, "user_deleted": True, "secret_deleted": True}),
    ok("products.delete", {"product": "my-product", "force": True}, {"deleted": True}),
    restore,
  ]),
  v("verify-refuses-a-string-without-credentials", "no user in the string: nothing to verify, refused before any connection", [
    *setup,
    ok("products.components.create", {"product": "my-product", "tag": "db-mongo", "type": "mongodb"}, {"type": "mongodb"}),
    ok("products.components.setEnv", {**resolve, "connection_url": "mongodb://127.0.0.1:9/"}, {"connection_url_kind": "literal"}),
    err(R+"verify", resolve, "failed_precondition", "env", "carries no user and password"),
  ]),
  v("adopt-must-be-a-boolean", "adopt is checked like every field", [
    *setup,
    err(R+"import", imp("Cluster0", adopt="yes"), "invalid_argument", "adopt", None),
    ok("secrets.fetchAll", {}, {"secrets": [], "next_after": None}),
  ]),
 ]}

dump("ownership.json", ownership)
