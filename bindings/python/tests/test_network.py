"""Network access through the Python facade, and progress callbacks: ``debug.progress`` (no
simulator needed) and ``sync_network_access(..., wait=True)`` against the simulator, blocking and
asyncio."""
import asyncio
import os

import pytest

import ductape
from test_facade_sim import OWNER_KEY, sim

SIM = os.environ.get("DUCTAPE_SIM_URL") or None


@pytest.fixture()
def client(tmp_path):
    return ductape.Ductape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9", debug_operations=True)


@pytest.fixture()
def aclient(tmp_path):
    return ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url="http://127.0.0.1:9", debug_operations=True)


def test_progress_reaches_a_blocking_and_an_asyncio_callback(client, aclient):
    seen = []
    assert client.call("debug.progress", {"steps": 3}, progress=seen.append) == {"reported": 3}
    assert [e["done"] for e in seen] == [1, 2, 3]
    assert all(e["operation"] == "debug.progress" and e["step"] == "tick" and e["total"] == 3 for e in seen)
    assert all(isinstance(e["elapsed_ms"], int) for e in seen)
    # through a namespace too
    more = []
    client.debug.progress({"steps": 2}, progress=more.append)
    assert [e["done"] for e in more] == [1, 2]

    async def main():
        got = []
        out = await aclient.call("debug.progress", {"steps": 2}, progress=got.append)
        return out, got

    out, got = asyncio.run(main())
    assert out == {"reported": 2} and [e["done"] for e in got] == [1, 2]


def test_a_raising_callback_is_dropped_and_the_call_goes_on(client, caplog):
    calls = []

    def bad(event):
        calls.append(event)
        raise RuntimeError("callback bug")

    assert client.call("debug.progress", {"steps": 3}, progress=bad) == {"reported": 3}
    assert len(calls) == 1
    assert "progress callback raised" in caplog.text


def test_settings_are_checked_naming_the_entry(client):
    c = client.cloud.connections
    c.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    n = c.update_managed_networking("prod_atlas", {"ductape_proxy_addresses": ["203.0.113.7"],
                                                   "allowed_sources": [{"cidr": "2001:DB8::/48", "label": "office", "source": "custom"}]})
    assert n["networking"]["ductape_proxy_addresses"] == ["203.0.113.7/32"]
    assert n["networking"]["allowed_sources"] == [{"cidr": "2001:db8::/48", "label": "office", "source": "custom"}]
    with pytest.raises(ductape.InvalidArgumentError) as e:
        c.updateManagedNetworking("prod_atlas", {"allowed_sources": [{"cidr": "10.0.0.1/24", "label": "x", "source": "custom"}]})
    assert e.value.field == "allowed_sources[0].cidr" and "host bits set" in str(e.value)
    assert c.resolve_networking_host("192.0.2.1") == {"host": "192.0.2.1", "addresses": ["192.0.2.1"]}
    with pytest.raises(ductape.FailedPreconditionError):
        c.sync_network_access("prod_atlas")


@pytest.fixture()
def with_sim():
    if not SIM:
        if os.environ.get("CI", "false") != "false":
            pytest.fail("CI is set but DUCTAPE_SIM_URL is not: the simulator tests would be skipped")
        pytest.skip("needs the simulator (set DUCTAPE_SIM_URL)")
    sim("POST", "/__sim/reset")
    return SIM


def test_sync_with_wait_reports_progress_blocking_and_asyncio(tmp_path, with_sim):
    d = ductape.Ductape(workspace_dir=tmp_path, atlas_base_url=with_sim, retry_base_delay_ms=1)
    c = d.cloud.connections
    c.create({"provider": "mongodb_atlas", "name": "prod_atlas"})
    c.complete("prod_atlas", OWNER_KEY)
    assert c.validate("prod_atlas")["valid"]
    c.update_managed_networking("prod_atlas", {"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2"]})
    assert [a["cidr"] for a in c.sync_network_access("prod_atlas", {"dry_run": True})["added"]] == ["203.0.113.1/32", "203.0.113.2/32"]
    seen = []
    r = c.sync_network_access("prod_atlas", {"wait": True}, progress=seen.append)
    assert r["pending"] == [] and r["synced_ips"] == ["203.0.113.1/32", "203.0.113.2/32"], r
    steps = {e["step"] for e in seen}
    assert {"read_access_list", "add_entries", "wait_active"} <= steps, steps
    assert (seen[-1]["step"], seen[-1]["done"], seen[-1]["total"]) == ("wait_active", 2, 2)

    c.update_managed_networking("prod_atlas", {"ductape_proxy_addresses": ["203.0.113.1", "203.0.113.2", "203.0.113.3"]})
    a = ductape.AsyncDuctape(workspace_dir=tmp_path, atlas_base_url=with_sim, retry_base_delay_ms=1)

    async def main():
        got = []
        out = await a.cloud.connections.sync_network_access("prod_atlas", {"wait": True}, progress=got.append)
        return out, got

    out, got = asyncio.run(main())
    assert out["added"] == [{"cidr": "203.0.113.3/32", "comment": "Ductape proxy"}]
    assert any(e["step"] == "wait_active" and e["done"] == 1 for e in got), got
    tmp = c.allow_current_ip("prod_atlas", {"hours": 1})
    assert (tmp["cidr"], tmp["added"]) == ("127.0.0.1/32", True)
    with pytest.raises(ductape.InvalidArgumentError) as e:
        c.allowCurrentIp("prod_atlas", {"hours": 169})
    assert e.value.field == "hours"


def test_limit_exceeded_is_its_own_class(client):
    with pytest.raises(ductape.LimitExceededError) as e:
        client.call("debug.error", {"code": "limit_exceeded", "message": "too many"})
    assert e.value.code == "limit_exceeded"
