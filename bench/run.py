"""Runs the measurements of BENCHMARKS.md that are whole processes against the simulator binary
(items 1, 2, 5 and 6) and writes one Markdown fragment per part to
.work/bench/fragments/, which scripts/bench.sh puts into BENCHMARKS.md.

    python3 bench/run.py roundtrips|sync|coldstart|throughput   (scripts/bench.sh calls it)

Request counts come from the simulator's own log (GET /__sim/requests), cleared before each run.
BENCH_QUICK=1: fewer rounds, to try the harness. Needs the release binaries scripts/bench.sh builds
(BENCH_PROFILE=debug: the debug ones instead, to try the harness without a release build; the
figures of such a run are not the ones BENCHMARKS.md reports).
"""
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
WORK = os.path.join(REPO, ".work", "bench")
FRAG = os.path.join(WORK, "fragments")
QUICK = os.environ.get("BENCH_QUICK") == "1"
PROFILE = os.environ.get("BENCH_PROFILE", "release")
HARNESS = os.path.join(TARGET, PROFILE, "examples", "bench_harness")
SIM = os.path.join(TARGET, PROFILE, "atlas-sim")
# The default seed's Project Owner key (a simulator key, not a secret of anyone's).
KEYS = {"ATLAS_PUBLIC_KEY": "awqxqtif", "ATLAS_PRIVATE_KEY": "a0403a4f-0151-4922-ae89-523b69cd8e04"}
GROUP = "5c843ba379358e5b3dc2dec6"


class Sim:
    def __init__(self, *args):
        self.p = subprocess.Popen([SIM, "--port", "0", "--no-data-plane", *args], stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        self.base = line.strip().rsplit(" ", 1)[1]

    def req(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        r = urllib.request.Request(self.base + "/__sim/" + path, data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(r) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def stop(self):
        self.p.terminate()
        self.p.wait()


def run_json(cmd, env=None, cwd=None):
    out = subprocess.run(cmd, env={**os.environ, **(env or {})}, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench/run.py: {cmd[0]} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def spread(v, fmt="{:.1f}"):
    return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))} – {fmt.format(max(v))})"


def write(name, text):
    os.makedirs(FRAG, exist_ok=True)
    with open(os.path.join(FRAG, name + ".md"), "w") as f:
        f.write(text.rstrip() + "\n")
    print(text)


def machine_line():
    load = open("/proc/loadavg").read().split()[:3]
    debug = "" if PROFILE == "release" else f" (BENCH_PROFILE={PROFILE}: not figures to publish)"
    return f"{os.cpu_count()} cores, load average {' '.join(load)} when this part started{debug}"


# ---- clients of item 1 -------------------------------------------------------------------------

def python_venv():
    venv = os.path.join(WORK, "venv-compare")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                    os.path.join(REPO, "bench/compare/python/requirements.txt")], check=True)
    return py


def go_binary():
    out = os.path.join(WORK, "compare-go")
    subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(REPO, "bench/compare/go"), check=True)
    return out


def node_ready():
    d = os.path.join(REPO, "bench/compare/node")
    if not os.path.isdir(os.path.join(d, "node_modules", "mongodb-atlas-api-client")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "-q"], cwd=d, check=True)
    return d


def roundtrips():
    n, rounds = 100, (1 if QUICK else 5)
    header = machine_line()
    sim = Sim()
    ws = tempfile.mkdtemp(prefix="ductape-bench-rt-")
    try:
        run_json([HARNESS, "setup", ws, sim.base])
        py, go, node = python_venv(), go_binary(), node_ready()
        clients = [
            ("Ductape (Rust core, `cloud.resources.list` × 50: 2 GETs each)", [HARNESS, "calls", ws, sim.base, str(n)], None),
            ("Go: `atlas-sdk` v20250312020.0.0 + `mongodb-forks/digest`, `ListClusters` × 100", [go, "-base", sim.base, "-mode", "calls", "-n", str(n)], None),
            ("Python: `requests` 2.32.5 `Session` + `HTTPDigestAuth`, GET clusters × 100", [py, os.path.join(REPO, "bench/compare/python/calls.py"), sim.base, str(n)], None),
            ("Node.js: `mongodb-atlas-api-client` 4.19.0 (urllib digestAuth), `cluster.getAll` × 100", ["node", "calls.mjs", sim.base, str(n)], node),
        ]
        rows = []
        for label, cmd, cwd in clients:
            ms, reqs, chall, ok = [], [], [], []
            for _ in range(rounds):
                sim.req("DELETE", "requests")
                r = run_json(cmd, env=KEYS, cwd=cwd)
                log = sim.req("GET", "requests")
                ms.append(r["ms"])
                reqs.append(len(log))
                chall.append(sum(1 for e in log if e["status"] == 401))
                ok.append(sum(1 for e in log if 200 <= e["status"] < 300))
            rows.append((label, ms, reqs, chall, ok))
    finally:
        sim.stop()
        shutil.rmtree(ws, ignore_errors=True)
    ours = statistics.median(rows[0][1])
    lines = ["| client (100 authenticated calls, a new client per run) | requests | of which 401 challenges | requests per call | wall ms, median (min – max) | × Ductape's time |",
             "|---|---|---|---|---|---|"]
    for label, ms, reqs, chall, ok in rows:
        per = statistics.median(reqs) / statistics.median(ok)
        lines.append(f"| {label} | {statistics.median(reqs):.0f} | {statistics.median(chall):.0f} | **{per:.2f}** | {spread(ms)} | {statistics.median(ms) / ours:.2f} |")
    write("roundtrips", f"""Run: {header}; {rounds} run(s) per client, the clients one after another in the same run.
Each run is a new process (a new client: the first call pays Digest's challenge), timed from
creating the client to the last reply. Requests, 401s and 2xx answers are counted from the
simulator's log; "requests per call" = requests / 2xx answers.

""" + "\n".join(lines))


def sync():
    """Item 2 against the simulator binary: our one sync and the Go SDK's one POST per entry, the
    same 200 addresses into the same freshly seeded project (100 foreign entries), in one run."""
    rounds, n = (1 if QUICK else 5), 200
    header = machine_line()
    seed = json.load(open(os.path.join(REPO, "sim/seed/default.json")))
    seed["accessList"] = [{"groupId": GROUP, "cidrBlock": f"10.{i // 200}.{i % 200}.0/24", "comment": f"team {i}"}
                          for i in range(100)]
    sim = Sim("--no-rate-limit")
    rows = {"ours": [], "go": []}
    try:
        go = go_binary()
        # 200 + 100 entries: past Atlas's 200 per project (the core's plan reads
        # DUCTAPE_DEBUG_ACCESS_LIST_LIMIT in this debug-operations build).
        sim.req("POST", "config", {"access_list_limit": 400, "access_list_activation_delay_ms": 0})
        for _ in range(rounds):
            for who in rows:
                sim.req("POST", "reset", seed)
                if who == "ours":
                    ws = tempfile.mkdtemp(prefix="ductape-bench-sync-")
                    run_json([HARNESS, "setup", ws, sim.base])
                    cmd, env = [HARNESS, "sync", ws, sim.base, str(n)], {"DUCTAPE_DEBUG_ACCESS_LIST_LIMIT": "400"}
                else:
                    ws, cmd, env = None, [go, "-base", sim.base, "-mode", "entries", "-n", str(n)], KEYS
                sim.req("DELETE", "requests")
                r = run_json(cmd, env=env)
                log = sim.req("GET", "requests")
                rows[who].append((r["ms"], len(log), sum(1 for e in log if e["method"] == "POST"),
                                  sum(1 for e in log if e["status"] == 401)))
                if ws:
                    shutil.rmtree(ws, ignore_errors=True)
    finally:
        sim.stop()
    labels = {"ours": "Ductape: `cloud.connections.syncNetworkAccess` (one call)",
              "go": "Go SDK: `CreateAccessListEntry` × 200 (one entry each)"}
    ours = statistics.median(r[0] for r in rows["ours"])
    lines = ["| 200 addresses into 100 foreign entries, a new process per run | requests | POSTs | 401 challenges | wall ms, median (min – max) | × Ductape's time |",
             "|---|---|---|---|---|---|"]
    for who, runs in rows.items():
        med = lambda k: statistics.median(r[k] for r in runs)
        lines.append(f"| {labels[who]} | {med(1):.0f} | {med(2):.0f} | {med(3):.0f} | {spread([r[0] for r in runs])} | {med(0) / ours:.1f} |")
    write("sync", f"""Run: {header}; {rounds} run(s) per client, alternating, each on a freshly seeded
project. Each run is a new process with a new Atlas client (its first request pays Digest's
challenge), timed inside the process around its Atlas requests (ours: the sync call; Go: from
creating its client to the last reply). Requests, POSTs (each sent, 401s included) and 401
challenges are counted from the simulator's log.

""" + "\n".join(lines))


# ---- item 5 ---------------------------------------------------------------------------------------

def timed(cmd, cwd=None, env=None):
    """Runs cmd; answers (wall ms from spawn to exit, peak RSS KiB from the kernel, its JSON line)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    if status != 0:
        raise SystemExit(f"bench/run.py: {cmd} failed")
    return wall, ru.ru_maxrss, json.loads(out.strip().splitlines()[-1])


def coldstart():
    rounds = 2 if QUICK else 5
    conns, secrets = (1000, 10000)
    header = machine_line()
    ws = os.path.join(WORK, f"ws-cold-{conns}-{secrets}")
    if not os.path.exists(os.path.join(ws, ".seeded")):
        shutil.rmtree(ws, ignore_errors=True)
        r = run_json([HARNESS, "seed", ws, str(conns), str(secrets)])
        open(os.path.join(ws, ".seeded"), "w").write(json.dumps(r))
    seeded = json.load(open(os.path.join(ws, ".seeded")))
    langs = [("Rust (`bench_harness coldstart`, the core linked in)", [HARNESS, "coldstart", ws], None, None)]
    # The other languages use what scripts/bench-bindings.sh (bench.sh bindings) left: its one
    # release build of the library, laid out per language. A language it did not prepare is skipped.
    pkg = os.path.join(WORK, "python")  # the package with the release library (ductape/_native/)
    if os.path.isdir(os.path.join(pkg, "ductape")):
        langs.append(("Python (`import ductape`, the release library)", [sys.executable,
                      os.path.join(REPO, "bench/coldstart/coldstart.py"), ws], None, {"PYTHONPATH": pkg}))
    gobin = os.path.join(WORK, "coldstart-go")
    if os.path.exists(os.path.join(REPO, "bindings/go/native/libductape_ffi.a")) and shutil.which("go"):
        subprocess.run(["go", "build", "-o", gobin, "."], cwd=os.path.join(REPO, "bench/coldstart/go"), check=True,
                       env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"})
        langs.append(("Go (static link of the release archive)", [gobin, ws], None, None))
    if os.path.exists(os.path.join(REPO, "bindings/node/ductape.node")) and shutil.which("node"):
        langs.append(("Node.js (`import` of the package, the release addon)", ["node",
                      os.path.join(REPO, "bench/coldstart/coldstart.mjs"), ws], None, None))
    jar, cp = os.path.join(WORK, "java", "ductape-sdk.jar"), os.path.join(WORK, "java", "cp.txt")
    if os.path.exists(jar) and os.path.exists(cp) and shutil.which("javac") and shutil.which("java"):
        # cp.txt: the bench project's classpath (the SDK jar, with the library inside, and its
        # dependencies: Kotlin's stdlib, coroutines, JNA, Gson; JMH's jars too, never loaded here).
        classes = os.path.join(WORK, "coldstart-java")
        classpath = open(cp).read().strip()
        shutil.rmtree(classes, ignore_errors=True)
        subprocess.run(["javac", "-cp", classpath, "-d", classes, os.path.join(REPO, "bench/coldstart/java/ColdStart.java")],
                       check=True)
        langs.append(("Java (the SDK jar, the release library inside it)", ["java", "-cp", classes + os.pathsep + classpath,
                      "ColdStart", ws], None, None))
    dll, native = os.path.join(WORK, "dotnet", "Ductape.dll"), os.path.join(WORK, "native")
    if os.path.exists(dll) and os.path.exists(os.path.join(native, "libductape_ffi.so")) and shutil.which("mcs") \
            and shutil.which("mono"):
        exe = os.path.join(WORK, "dotnet", "ColdStart.exe")  # beside Ductape.dll, where Mono finds it
        subprocess.run(["mcs", "-langversion:7.2", "-warnaserror+", "-debug-", "-optimize+", "-target:exe", "-out:" + exe,
                        "-r:" + dll, os.path.join(REPO, "bench/coldstart/dotnet/ColdStart.cs")], check=True)
        langs.append((".NET (Mono, `Ductape.dll`, the release library)", ["mono", exe, ws], None,
                      {"LD_LIBRARY_PATH": native}))
    rows = []
    for label, cmd, cwd, env in langs:
        walls, rss, first = [], [], []
        for _ in range(rounds):
            w, m, j = timed(cmd, cwd, env)
            walls.append(w)
            rss.append(m / 1024)
            first.append(j["first_call_ms"])
        rows.append((label, walls, first, rss))
    lines = ["| language | process start → exit ms | start → first reply ms (in-process clock) | peak RSS MiB |", "|---|---|---|---|"]
    for label, walls, first, rss in rows:
        lines.append(f"| {label} | {spread(walls)} | {spread(first)} | {spread(rss)} |")
    write("coldstart", f"""Run: {header}; {rounds} runs per language. Workspace: {conns} completed connections (each an
encrypted API key) and {secrets} secrets, SQLite, seeded once in {seeded['s']:.1f} s. Each run is a new
process: load the library, open the workspace, `cloud.connections.fetch` of one connection, exit.
Peak RSS is the kernel's `ru_maxrss` for the process (`wait4`).

""" + "\n".join(lines))


# ---- item 6 ---------------------------------------------------------------------------------------

def throughput():
    rounds = 1 if QUICK else 3
    cycles = 20 if QUICK else 100
    header = machine_line()
    backends = ["sqlite"] + (["postgres"] if os.environ.get("DUCTAPE_TEST_POSTGRES_URL") else [])
    lines = ["| backend | callers | lifecycle ops/s, median (min – max) | × 1 thread |", "|---|---|---|---|"]
    for backend in backends:
        base = None
        for threads, procs in [(1, 1), (4, 1), (8, 1), (1, 2)]:
            v = [run_json([HARNESS, "lifecycle", backend, str(threads), str(cycles), str(procs)])["ops_per_s"]
                 for _ in range(rounds)]
            base = base or statistics.median(v)
            who = f"{procs} processes × 1 thread" if procs > 1 else f"{threads} thread(s), one handle"
            lines.append(f"| {backend} | {who} | {spread(v, '{:,.0f}')} | {statistics.median(v) / base:.2f} |")
    note = "" if "postgres" in backends else "\nPostgreSQL not run (no DUCTAPE_TEST_POSTGRES_URL).\n"
    write("throughput", f"""Run: {header}; {rounds} run(s) per row, {cycles} cycles per caller. One cycle is 5
operations on a new tag: `cloud.connections.create`, `complete` (encrypts the API key), `fetch`,
`update`, `delete`. Threads share one handle (as an application's threads do); the two processes
each open their own handle on the same workspace and start together.
{note}
""" + "\n".join(lines))


if __name__ == "__main__":
    parts = {"roundtrips": roundtrips, "sync": sync, "coldstart": coldstart, "throughput": throughput}
    for name in sys.argv[1:] or parts:
        parts[name]()
