"""Item 5, Python: load the library, open the workspace, first call; one JSON line.
    python coldstart.py WORKSPACE_DIR"""
import time

t0 = time.perf_counter()
import json, sys  # noqa: E401,E402

import ductape  # noqa: E402

loaded = (time.perf_counter() - t0) * 1000
client = ductape.Ductape(workspace_dir=sys.argv[1], workspace_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
opened = (time.perf_counter() - t0) * 1000
assert client.cloud.connections.fetch(tag="c0500")["tag"] == "c0500"
first = (time.perf_counter() - t0) * 1000
print(json.dumps({"lang": "python", "load_ms": loaded, "open_ms": opened, "first_call_ms": first}))
