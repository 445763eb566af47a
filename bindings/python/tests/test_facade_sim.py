"""Every method of the Python facade, blocking and asyncio, over real HTTP against the simulator
(DUCTAPE_SIM_URL, which scripts/test-bindings.sh sets; with CI set a missing simulator fails), and
an asyncio task cancelled while Atlas holds its request."""
import asyncio
import json
import os
import urllib.request

import pytest

import ductape
from test_client import _until

SIM = os.environ.get("DUCTAPE_SIM_URL") or None
PROJECT = "5c843ba379358e5b3dc2dec6"
OWNER_KEY = {"project_id": PROJECT, "atlas_public_key": "awqxqtif", "atlas_private_key": "a0403a4f-0151-4922-ae89-523b69cd8e04"}
IDENTITY = "prod-project (org a0123456789abcdef012345a)"


def sim(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(SIM + path, data=data if data is not None else (b"" if method == "POST" else None),
                                 method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read()
        return json.loads(text) if text else None


@pytest.fixture(autouse=True)
def fresh_sim():
    if not SIM:
        if os.environ.get("CI", "false") != "false":
            pytest.fail("CI is set but DUCTAPE_SIM_URL is not: the simulator tests would be skipped")
        pytest.skip("needs the simulator (set DUCTAPE_SIM_URL)")
    sim("POST", "/__sim/reset")


def tags(listed):
    return [c["tag"] for c in listed["connections"]]


def test_every_blocking_method_over_http(tmp_path):
    c = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url=SIM).cloud.connections
    assert c.create({"provider": "mongodb_atlas", "name": "prod_atlas", "scopes": ["database"]})["status"] == "pending"
    completed = c.complete("prod_atlas", OWNER_KEY)
    assert completed["metadata"] == {"project_id": PROJECT, "atlas_public_key": "awqxqtif", "has_atlas_private_key": True,
                                     "auth_method": "api_key", "atlas_base_url": SIM,
                                     "credentials_updated_at": completed["metadata"]["credentials_updated_at"]}
    check = c.validate("prod_atlas")
    assert (check["valid"], check["status"], check["account_identifier"]) == (True, "active", IDENTITY), check
    assert [x["name"] for x in check["checks"]] == ["credentials", "api_access_list", "project", "role"]
    fetched = c.fetch("prod_atlas")
    assert fetched["status"] == "active" and fetched["metadata"]["project_name"] == "prod-project"
    assert "atlas_private_key" not in fetched["metadata"]
    assert tags(c.list()) == ["prod_atlas"]
    assert tags(c.list({"status": "active"})) == ["prod_atlas"] and tags(c.list({"status": "error"})) == []
    updated = c.update("prod_atlas", {"display_name": "Production"})
    assert (updated["display_name"], updated["status"]) == ("Production", "active")
    deleted = c.delete("prod_atlas")
    assert (deleted["tag"], deleted["deleted"]) == ("prod_atlas", True)
    with pytest.raises(ductape.NotFoundError):
        c.validate("prod_atlas")


def test_every_async_method_over_http(tmp_path):
    async def main():
        c = ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url=SIM).cloud.connections
        assert (await c.create({"provider": "mongodb_atlas", "name": "prod_atlas"}))["status"] == "pending"
        assert (await c.complete("prod_atlas", OWNER_KEY))["status"] == "pending"
        assert (await c.validate("prod_atlas"))["valid"] is True
        assert (await c.fetch("prod_atlas"))["status"] == "active"
        assert tags(await c.list({"provider": "mongodb_atlas"})) == ["prod_atlas"]
        assert (await c.update("prod_atlas", {"display_name": "Prod"}))["display_name"] == "Prod"
        assert (await c.delete("prod_atlas"))["deleted"] is True
        with pytest.raises(ductape.NotFoundError):
            await c.fetch("prod_atlas")

    asyncio.run(main())


def test_a_failed_validation_is_an_answer_not_an_exception(tmp_path):
    c = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url=SIM).cloud.connections
    c.create({"provider": "mongodb_atlas", "name": "ro"})
    c.complete("ro", {"project_id": PROJECT, "atlas_public_key": "rdonlyky", "atlas_private_key": "bfd1494b-ab37-4a06-941b-e554ca5ddad1"})
    check = c.validate("ro")
    assert (check["valid"], check["status"], check["code"]) == (False, "error", "atlas_missing_role")


def test_sec16_atlas_deprecation_warnings_reach_python_logging(tmp_path, caplog):
    sim("POST", "/__sim/config", {"deprecated_versions": ["2023-01-01"]})
    try:
        c = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url=SIM).cloud.connections
        c.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
        c.complete("prod_atlas", OWNER_KEY)
        with caplog.at_level("WARNING", logger="ductape"):
            assert c.validate("prod_atlas")["valid"] is True
    finally:
        sim("POST", "/__sim/config", {"deprecated_versions": []})
    records = [r for r in caplog.records if r.name == "ductape"]
    assert [r.ductape_warning["details"]["path"] for r in records] == ["/api/atlas/v2", f"/api/atlas/v2/groups/{PROJECT}"]
    assert records[0].getMessage().startswith("atlas_api_deprecated: Atlas reports API version 2023-01-01 of GET /api/atlas/v2")
    caplog.clear()
    c.fetch("prod_atlas")
    assert not [r for r in caplog.records if r.name == "ductape"]


def test_cancelling_a_validation_held_by_atlas_stops_the_rust_task(tmp_path):
    async def main():
        c = ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url=SIM).cloud.connections
        await c.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
        await c.complete("prod_atlas", OWNER_KEY)
        sim("POST", "/__sim/faults", {"route": "GET /api/atlas/v2", "kind": "delay", "delay_ms": 60_000, "count": 1})
        calls, before = ductape.async_calls_in_flight(), ductape.alive_tasks()
        task = asyncio.ensure_future(c.validate("prod_atlas"))
        await _until(lambda: sim("GET", "/__sim/faults") == [])  # the request reached the simulator
        await _until(lambda: ductape.alive_tasks() >= before + 1)
        peak = ductape.alive_tasks()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await _until(lambda: ductape.async_calls_in_flight() == calls)
        await _until(lambda: ductape.alive_tasks() <= peak - 1)
        # The cancelled validation changed nothing; the next one runs normally.
        assert (await c.fetch("prod_atlas"))["status"] == "pending"
        assert (await c.validate("prod_atlas"))["valid"] is True

    asyncio.run(main())


def test_resources_facade_imports_and_unlinks(tmp_path):
    d = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url=SIM)
    d.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    d.cloud.connections.complete("prod_atlas", OWNER_KEY)
    assert d.cloud.connections.validate("prod_atlas")["valid"] is True
    assert d.cloud.resources.services("prod_atlas")["services"][0]["service"] == "atlas-cluster"
    names = [r["name"] for r in d.cloud.resources.list("prod_atlas")["resources"]]
    assert "Cluster0" in names and "flex-dev" in names
    d.products.create({"name": "My Product"})
    d.products.environments.create({"product": "my-product", "slug": "prd"})
    target = {"cloud": "prod_atlas", "service": "atlas-cluster", "type": "databases", "product": "my-product",
              "component": "db-mongo", "env": "prd", "resource": "Cluster0"}
    imported = d.cloud.resources.import_(target)
    assert imported["connection_url_ref"] == "$Secret{ATLAS_PROD_ATLAS_MY_PRODUCT_DB_MONGO_PRD_URL}"
    url = d.products.components.resolve("my-product", "db-mongo", "prd")["connection_url"]
    assert url.startswith("mongodb+srv://ductape-prod-atlas-my-product-db-mongo-prd:") and url.endswith("?authSource=admin")
    # The simulator's SRV name does not resolve here: verify says the cluster is out of reach.
    with pytest.raises(ductape.NetworkError, match="could not reach cluster 'Cluster0'"):
        d.cloud.resources.verify({"product": "my-product", "component": "db-mongo", "env": "prd", "timeout_ms": 2000})
    unlinked = d.cloud.resources.unlink({"cloud": "prod_atlas", "product": "my-product", "component": "db-mongo", "env": "prd"})
    assert (unlinked["user_deleted"], unlinked["secret_deleted"]) == (True, True)
