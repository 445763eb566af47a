"""Interop tests: Python `requests` + `HTTPDigestAuth` (an independent Digest client) against a
running atlas-sim. Usage: interop.py BASE_URL. Prints PASS/FAIL lines and `N passed, M failed`."""

import sys

import requests
from requests.auth import HTTPDigestAuth

BASE = sys.argv[1].rstrip("/")
PROJECT = "5c843ba379358e5b3dc2dec6"
OWNER = ("awqxqtif", "a0403a4f-0151-4922-ae89-523b69cd8e04")
SA = ("mdb_sa_id_62f3375a109c0a5dd6bc4e08", "mdb_sa_sk_ONUpl-n0Ggw80Joq-U_37hfk6ZgzqUbn")
V1 = {"Accept": "application/vnd.atlas.2023-01-01+json"}
V1_BODY = {**V1, "Content-Type": "application/vnd.atlas.2023-01-01+json"}
CLUSTERS = {"Accept": "application/vnd.atlas.2024-08-05+json"}

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"PASS python: {name}")
    else:
        failed += 1
        print(f"FAIL python: {name}: {detail}")


def log():
    return requests.get(f"{BASE}/__sim/requests").json()


def clear_log():
    requests.delete(f"{BASE}/__sim/requests")


requests.post(f"{BASE}/__sim/reset")

r = requests.get(f"{BASE}/api/atlas/v2", auth=HTTPDigestAuth(*OWNER), headers=V1)
check("right key: 200 and the caller's key", r.status_code == 200 and r.json()["apiKey"]["publicKey"] == OWNER[0], r.text)

r = requests.get(f"{BASE}/api/atlas/v2", auth=HTTPDigestAuth(OWNER[0], "00000000-0000-0000-0000-000000000000"), headers=V1)
check("wrong private key: 401", r.status_code == 401 and r.json()["errorCode"] == "UNEXPECTED_ERROR", r.text)

r = requests.get(f"{BASE}/api/atlas/v2", auth=HTTPDigestAuth("wrongkey", OWNER[1]), headers=V1)
check("wrong public key: 401", r.status_code == 401, r.text)

# A session's HTTPDigestAuth reuses the nonce with nc=00000002, 00000003, ...
s = requests.Session()
s.auth = HTTPDigestAuth(*OWNER)
clear_log()
r1 = s.get(f"{BASE}/api/atlas/v2/groups/{PROJECT}/clusters?itemsPerPage=1", headers=CLUSTERS)
r2 = s.get(f"{BASE}/api/atlas/v2/groups/{PROJECT}/clusters?itemsPerPage=1&pageNum=2", headers=CLUSTERS)
entries = log()
check("query string is part of the digest uri", r1.status_code == 200 and r2.status_code == 200, f"{r1.status_code} {r2.status_code}")
check("nonce reuse with increasing nc: one round trip", len(entries) == 3 and entries[2]["credentials_sent"] and entries[2]["status"] == 200, entries)
check("paging links use the request host", r2.json()["links"][0]["href"].startswith(BASE), r2.text)

r = s.post(f"{BASE}/api/atlas/v2/groups/{PROJECT}/accessList", json=[{"ipAddress": "192.0.2.10", "comment": "interop"}], headers=V1_BODY)
check("POST access list: 201 with the whole list", r.status_code == 201 and r.json()["totalCount"] == 2, r.text)

r = s.get(f"{BASE}/api/atlas/v2/groups/{PROJECT}/accessList/192.0.2.10%2F32", headers=V1)
check("%2F-escaped entry", r.status_code == 200 and r.json()["cidrBlock"] == "192.0.2.10/32", r.text)

r = s.delete(f"{BASE}/api/atlas/v2/groups/{PROJECT}/accessList/192.0.2.10", headers=V1)
check("DELETE entry: 204", r.status_code == 204, r.text)

user = {"databaseName": "admin", "groupId": PROJECT, "username": "py-user", "password": "py-password-1",
        "roles": [{"databaseName": "admin", "roleName": "readWrite"}]}
r = s.post(f"{BASE}/api/atlas/v2/groups/{PROJECT}/databaseUsers", json=user, headers=V1_BODY)
check("create database user: 201 without password", r.status_code == 201 and "password" not in r.json(), r.text)

# Nonce expiry: the client sees stale=true and retries with the new nonce.
requests.post(f"{BASE}/__sim/clock", json={"advance_secs": 61})
clear_log()
r = s.get(f"{BASE}/api/atlas/v2", headers=V1)
statuses = [e["status"] for e in log()]
check("stale nonce is retried by requests", r.status_code == 200 and statuses == [401, 200], statuses)

r = requests.get(f"{BASE}/api/atlas/v2/groups/{PROJECT}", auth=HTTPDigestAuth("rdonlyky", "bfd1494b-ab37-4a06-941b-e554ca5ddad1"), headers=V1)
check("read-only key reads the project", r.status_code == 200, r.text)
r = requests.post(f"{BASE}/api/atlas/v2/groups/{PROJECT}/accessList", auth=HTTPDigestAuth("rdonlyky", "bfd1494b-ab37-4a06-941b-e554ca5ddad1"), json=[{"ipAddress": "192.0.2.11"}], headers=V1_BODY)
check("read-only key cannot write: 401 USER_UNAUTHORIZED", r.status_code == 401 and r.json().get("errorCode") == "USER_UNAUTHORIZED", r.text)

r = requests.post(f"{BASE}/api/oauth/token", auth=SA, data={"grant_type": "client_credentials"})
ok = r.status_code == 200 and r.json().get("token_type") == "Bearer"
check("service account token", ok, r.text)
if ok:
    token = r.json()["access_token"]
    r = requests.get(f"{BASE}/api/atlas/v2/groups/{PROJECT}/clusters", headers={**CLUSTERS, "Authorization": f"Bearer {token}"})
    check("Bearer token lists clusters", r.status_code == 200 and r.json()["totalCount"] == 6, r.text)
r = requests.post(f"{BASE}/api/oauth/token", auth=(SA[0], "wrong"), data={"grant_type": "client_credentials"})
check("wrong client secret: 401", r.status_code == 401, r.text)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
