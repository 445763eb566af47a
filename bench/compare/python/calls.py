"""The comparison client for BENCHMARKS.md item 1 in Python: `requests` with `HTTPDigestAuth` on
one Session, the usual way to call the Atlas Administration API from Python.

    python calls.py BASE_URL N      (ATLAS_PUBLIC_KEY, ATLAS_PRIVATE_KEY in the environment)
"""
import json
import os
import sys
import time

import requests
from requests.auth import HTTPDigestAuth

base, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
started = time.perf_counter()
session = requests.Session()
session.auth = HTTPDigestAuth(os.environ["ATLAS_PUBLIC_KEY"], os.environ["ATLAS_PRIVATE_KEY"])
session.headers["Accept"] = "application/vnd.atlas.2024-08-05+json"
calls = 0
for _ in range(n):
    r = session.get(f"{base}/api/atlas/v2/groups/5c843ba379358e5b3dc2dec6/clusters")
    r.raise_for_status()
    calls += 1
ms = (time.perf_counter() - started) * 1000
print(json.dumps({"client": "python requests+HTTPDigestAuth", "mode": "calls", "calls": calls, "ms": ms}))
