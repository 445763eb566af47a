"""The data-plane checks with PyMongo (see ../README.md for the environment)."""
import os
import socket
import ssl
import sys

import pymongo
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

ENV = os.environ
FAILED = 0


def check(name, ok, why=""):
    global FAILED
    print(f"PASS python: {name}" if ok else f"FAIL python: {name}: {why}", flush=True)
    FAILED += 0 if ok else 1


def client(uri, user, password=None, timeout_ms=5000):
    return pymongo.MongoClient(uri, username=user, password=password or ENV["PASSWORD"], tlsCAFile=ENV["CA_FILE"],
                               serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)


def ping(uri, user, password=None, timeout_ms=5000):
    """None when ping works, else the exception."""
    with client(uri, user, password, timeout_ms) as c:
        try:
            c.admin.command("ping")
            return None
        except Exception as e:  # noqa: BLE001 - the kind is what is checked
            return e


def auth_fails(name, user, password=None):
    e = ping(ENV["URI_RS"], user, password)
    check(name + " fails authentication", isinstance(e, OperationFailure) and e.code == 18, repr(e))


def imported():
    """Pings with each string cloud.resources.import stored (IMPORTED_URIS: name=uri ...), its
    credentials inside it; the strings are never printed."""
    for pair in ENV["IMPORTED_URIS"].split():
        name, uri = pair.split("=", 1)
        with pymongo.MongoClient(uri, tlsCAFile=ENV["CA_FILE"], serverSelectionTimeoutMS=10000) as c:
            try:
                ok, why = c.admin.command("ping")["ok"] == 1.0, ""
            except Exception as e:  # noqa: BLE001 - reported, not raised
                ok, why = False, type(e).__name__
        check(f"the string imported for {name} pings", ok, why)
    return 1 if FAILED else 0


def main():
    if ENV.get("IMPORTED_URIS"):
        return imported()
    coll = ENV.get("COLL", "python")
    e = ping(ENV["URI_RS"], "app-rw")
    check("read-write user pings the replica set", e is None, repr(e))
    e = ping(ENV["URI_SHARDED"], "app-rw")
    check("read-write user pings the mongos routers", e is None, repr(e))
    for mech in ("SCRAM-SHA-1", "SCRAM-SHA-256"):
        with pymongo.MongoClient(ENV["URI_RS"], username="app-rw", password=ENV["PASSWORD"], authMechanism=mech,
                                 tlsCAFile=ENV["CA_FILE"], serverSelectionTimeoutMS=5000) as c:
            check(f"{mech} login", c.admin.command("ping")["ok"] == 1.0)
    auth_fails("wrong password", "app-rw", "not-the-password")
    auth_fails("user scoped to another cluster", "app-scoped")
    auth_fails("deleted user", "app-deleted")
    auth_fails("user before APPLIED", "app-pending")
    auth_fails("expired user", "app-expired")
    e = ping(ENV["URI_PAUSED"], "app-rw", timeout_ms=1500)
    check("paused cluster fails to connect", isinstance(e, ServerSelectionTimeoutError), repr(e))

    with client(ENV["URI_RS"], "app-rw") as rw:
        rw.app[coll].insert_one({"driver": "python", "n": 1})
        got = rw.app[coll].find_one({"driver": "python"})
        check("read-write user inserts and finds", got is not None and got["n"] == 1, repr(got))
        check("listDatabases shows app", "app" in rw.list_database_names())
    with client(ENV["URI_RS"], "app-ro") as ro:
        got = list(ro.app[coll].find({"n": 1}))
        check("read-only user finds", len(got) == 1, repr(got))
        try:
            ro.app[coll].insert_one({"driver": "python", "n": 2})
            check("read-only user cannot insert", False, "insert succeeded")
        except OperationFailure as e:
            check("read-only user cannot insert (Unauthorized)", e.code == 13 and e.details.get("codeName") == "Unauthorized", repr(e))

    robustness()
    return 1 if FAILED else 0


def robustness():
    """200 connections opening and closing, a garbage client and a stalled one; then ping still works."""
    for i in range(200):
        with client(ENV["URI_RS"], "app-rw") as c:
            c.admin.command("ping")
    host, port = ENV["URI_RS"].split("//")[1].split("/")[0].split(",")[0].rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=ENV["CA_FILE"])
    raw = socket.create_connection((host, int(port)))
    raw.sendall(b"\x00garbage, not TLS\r\n" * 10)
    with ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host) as t:
        t.sendall(b"\x03\x00\x00\x00 an impossible length")
        check("a garbage header closes that connection", t.recv(16) == b"")
    stalled = ctx.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
    stalled.sendall(b"\x40\x00\x00\x00\x01\x00")  # a header cut short, then silence
    e = ping(ENV["URI_RS"], "app-rw")
    check("200 connect-close loops, garbage and a stalled client: others still served", e is None, repr(e))
    raw.close()
    stalled.close()


if __name__ == "__main__":
    sys.exit(main())
