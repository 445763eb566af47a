"""Checked by `mypy --strict` in scripts/test-bindings.sh (not run): the public API is typed.

The lines marked `# type: ignore[<code>]` are mistakes mypy must reject with that code: strict mode
warns about an ignore that silences nothing (`warn_unused_ignores`), so the check fails if the
generated types (`_ops.py`) stop catching them.
"""
from typing import Any, Dict, List, Mapping

import ductape
from ductape.types import (
    CloudConnectionsCreateReply,
    CloudConnectionsCreateRequest,
    CloudConnectionsSyncNetworkAccessReply,
    ProductsComponentsResolveReply,
    SecretsFetchAllReply,
    Status,
)


def sync_calls(client: ductape.Ductape) -> CloudConnectionsCreateReply:
    created: CloudConnectionsCreateReply = client.cloud.connections.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    status: Status = created["status"]
    del status
    client.cloud.connections.complete("prod_atlas", {"project_id": "5c843ba379358e5b3dc2dec6"})
    client.cloud.resources.import_({"cloud": "prod_atlas", "product": "p", "component": "db", "env": "prd", "resource": "Cluster0"})
    client.cloud.network.sync({"tag": "prod_atlas"})  # any namespace forwards
    codes = [c["code"] for c in ductape.describe()["error_codes"]]
    del codes
    client.secrets.create({"key": "MONGO_URL", "value": "mongodb://u:p@h/"})
    page: SecretsFetchAllReply = client.secrets.fetch_all({"limit": 10})
    keys: List[str] = [s["key"] for s in page["secrets"]]
    del keys
    client.products.environments.create({"product": "my-product", "slug": "dev"})
    url: ProductsComponentsResolveReply = client.products.components.resolve("my-product", "db-mongo", "dev", app="web")
    as_mapping: Mapping[str, Any] = url  # a reply is a Mapping (a TypedDict is no Dict[str, Any])
    del as_mapping
    anything: Any = client.call("cloud.network.sync", {"tag": "prod_atlas"})
    del anything
    events: List[Dict[str, Any]] = []
    synced: CloudConnectionsSyncNetworkAccessReply = client.cloud.connections.sync_network_access(
        "prod_atlas", {"wait": True}, progress=events.append
    )
    client.cloud.connections.syncNetworkAccess("prod_atlas")
    client.cloud.connections.update_managed_networking("prod_atlas", {"ductape_proxy_host": "egress.example.com"})
    client.cloud.connections.resolve_networking_host("egress.example.com")
    client.cloud.connections.allow_current_ip("prod_atlas", {"hours": 2})
    client.cloud.resources.list("prod_atlas", progress=events.append)  # every method takes progress=
    client.call("debug.progress", {"steps": 2}, progress=lambda e: None)
    request: CloudConnectionsCreateRequest = {"display_name": "Production Atlas", "scopes": None}
    client.cloud.connections.create(request)
    del synced
    return created


def rejected(client: ductape.Ductape) -> None:
    """What the request and reply types refuse. (Where the request may be left out, mypy reports a
    dict that fits no member of ``Optional[...Request]`` as ``arg-type``.)"""
    client.cloud.connections.create({"provider": "mongodb_atlas", "nmae": "prod_atlas"})  # type: ignore[arg-type]
    client.cloud.connections.complete("prod_atlas", {"projet_id": "5c843ba379358e5b3dc2dec6"})  # type: ignore[typeddict-unknown-key, typeddict-item]
    client.secrets.create({"key": "MONGO_URL"})  # type: ignore[typeddict-item]
    client.cloud.connections.list({"status": 3})  # type: ignore[arg-type]
    client.products.components.create({"product": "p", "tag": "db", "type": "mongodb", "nmae": "DB"})  # type: ignore[typeddict-unknown-key]
    record = client.cloud.connections.fetch("prod_atlas")
    record["tga"]  # type: ignore[typeddict-item]
    client.products.delete("my-product", force="yes")  # type: ignore[arg-type]


async def async_calls(client: ductape.AsyncDuctape) -> str:
    record = await client.cloud.connections.fetch("prod_atlas")
    await client.cloud.connections.sync_network_access("prod_atlas", {"wait": True}, progress=print)
    await client.call("debug.progress", {"steps": 2}, progress=print)
    await client.products.create({"nmae": "Shop"})  # type: ignore[typeddict-unknown-key, typeddict-item]
    try:
        await client.cloud.connections.validate("prod_atlas")
    except ductape.NotFoundError as e:
        return f"{e.code} {e.field} {e.message}"
    return record["tag"]
