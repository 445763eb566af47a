"""Checked by `mypy --strict` in scripts/test-bindings.sh (not run): the public API is typed."""
from typing import Any, Dict, List

import ductape


def sync_calls(client: ductape.Ductape) -> Dict[str, Any]:
    created: Dict[str, Any] = client.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    client.cloud.connections.complete("prod_atlas", {"project_id": "5c843ba379358e5b3dc2dec6"})
    client.cloud.resources.import_({"cloud": "prod_atlas"})
    client.cloud.network.sync({"tag": "prod_atlas"})  # any namespace forwards
    codes = [c["code"] for c in ductape.describe()["error_codes"]]
    del codes
    client.secrets.create({"key": "MONGO_URL", "value": "mongodb://u:p@h/"})
    page: Dict[str, Any] = client.secrets.fetch_all({"limit": 10})
    del page
    client.products.environments.create({"product": "my-product", "slug": "dev"})
    url: Dict[str, Any] = client.products.components.resolve("my-product", "db-mongo", "dev", app="web")
    del url
    anything: Any = client.call("cloud.network.sync", {"tag": "prod_atlas"})
    del anything
    events: List[Dict[str, Any]] = []
    synced: Dict[str, Any] = client.cloud.connections.sync_network_access("prod_atlas", {"wait": True}, progress=events.append)
    client.cloud.connections.syncNetworkAccess("prod_atlas")
    client.cloud.connections.update_managed_networking("prod_atlas", {"ductape_proxy_host": "egress.example.com"})
    client.cloud.connections.resolve_networking_host("egress.example.com")
    client.cloud.connections.allow_current_ip("prod_atlas", {"hours": 2})
    client.call("debug.progress", {"steps": 2}, progress=lambda e: None)
    del synced
    return created


async def async_calls(client: ductape.AsyncDuctape) -> str:
    record: Dict[str, Any] = await client.cloud.connections.fetch("prod_atlas")
    await client.cloud.connections.sync_network_access("prod_atlas", {"wait": True}, progress=print)
    await client.call("debug.progress", {"steps": 2}, progress=print)
    try:
        await client.cloud.connections.validate("prod_atlas")
    except ductape.NotFoundError as e:
        return f"{e.code} {e.field} {e.message}"
    return str(record["tag"])
