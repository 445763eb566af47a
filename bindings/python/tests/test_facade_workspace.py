"""The typed facade of secrets and products: each method reaches its operation with the right
request (the exact replies and every bad input are the conformance vectors' job)."""
import asyncio

import pytest

import ductape


@pytest.fixture()
def client(tmp_path):
    return ductape.Ductape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9")


def test_secrets_facade(client):
    s = client.secrets
    record = s.create({"key": "MONGO_PW", "value": "pw-1", "scope": ["web"], "envs": ["dev"]})
    assert record["key"] == "MONGO_PW" and "value" not in record
    assert s.fetch("MONGO_PW")["value"] == "pw-1"
    assert s.update("MONGO_PW", {"value": "pw-2", "description": "rotated"})["description"] == "rotated"
    assert s.resolve("u:$Secret{MONGO_PW}@h", app="web", env="dev") == {"value": "u:pw-2@h", "references": ["MONGO_PW"]}
    with pytest.raises(ductape.PermissionDeniedError) as info:
        s.resolve("$Secret{MONGO_PW}", app="billing", env="dev")
    assert (info.value.field, info.value.message) == ("value", "Secret 'MONGO_PW' is not accessible by app 'billing'")
    assert isinstance(info.value, PermissionError)
    assert [r["key"] for r in s.fetch_all()["secrets"]] == ["MONGO_PW"]
    assert s.fetch_all({"limit": 1})["next_after"] == "MONGO_PW"
    assert s.revoke("MONGO_PW")["revoked"] is True
    with pytest.raises(ductape.FailedPreconditionError, match="has been revoked"):
        s.fetch("MONGO_PW")
    assert s.delete("MONGO_PW") == {"key": "MONGO_PW", "deleted": True}
    with pytest.raises(ductape.NotFoundError, match="Secret 'MONGO_PW' not found"):
        s.fetch("MONGO_PW")


def test_products_facade(client):
    p = client.products
    assert p.create({"name": "My Product"})["tag"] == "my-product"
    assert p.update("my-product", {"description": "shop"})["description"] == "shop"
    assert p.environments.create({"product": "my-product", "slug": "dev"})["slug"] == "dev"
    assert p.environments.update({"product": "my-product", "env": "dev", "name": "Development"})["name"] == "Development"
    assert [e["slug"] for e in p.environments.list("my-product")["environments"]] == ["dev"]
    assert p.environments.fetch("my-product", "dev")["name"] == "Development"
    assert p.components.create({"product": "my-product", "tag": "db-mongo", "type": "mongodb"})["type"] == "mongodb"
    client.secrets.create({"key": "DEV_URL", "value": "mongodb://u:p@dev/"})
    env = p.components.set_env({"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": "$Secret{DEV_URL}"})
    assert env["connection_url_kind"] == "reference"
    assert p.components.get_env("my-product", "db-mongo", "dev")["connection_url"] == "$Secret{DEV_URL}"
    assert p.components.resolve("my-product", "db-mongo", "dev", app="web")["connection_url"] == "mongodb://u:p@dev/"
    assert p.components.fetch("my-product", "db-mongo")["envs"] == ["dev"]
    assert [c["tag"] for c in p.components.list("my-product")["components"]] == ["db-mongo"]
    p.components.set_env({"product": "my-product", "component": "db-mongo", "env": "dev", "connection_url": "mongodb://lit:pw@h/"})
    with pytest.raises(ductape.FailedPreconditionError) as info:
        p.delete("my-product")
    assert info.value.details == {"holding": ["db-mongo/dev"]}
    assert p.components.delete("my-product", "db-mongo", force=True)["secrets_deleted"] == 1
    assert p.environments.delete("my-product", "dev")["deleted"] is True
    assert p.delete("my-product")["deleted"] is True
    assert p.list() == {"products": []}


def test_async_facade_reaches_the_same_operations(tmp_path):
    async def run():
        a = ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9")
        await a.secrets.create({"key": "K", "value": "v"})
        await a.products.create({"name": "Shop"})
        await a.products.environments.create({"product": "shop", "slug": "prd"})
        await a.products.components.create({"product": "shop", "tag": "db", "type": "mongodb"})
        await a.products.components.set_env({"product": "shop", "component": "db", "env": "prd", "connection_url": "$Secret{K}"})
        return await a.products.components.resolve("shop", "db", "prd")

    assert asyncio.run(run())["connection_url"] == "v"
