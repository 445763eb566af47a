"""Per-call latency of blocking calls from Python, through the installed ``ductape`` wheel.

    python bindings/python/bench/bench_calls.py [--iterations N] [--warmup N] [--results FILE]

Measures ``debug.echo`` (a small value) and ``cloud.connections.fetch`` (one connection created
in a temporary workspace; no network) through the facade (``ductape.Ductape.call``: JSON encode,
native call, envelope decode) and through the raw uniffi client (``_native.DuctapeClient.call``:
JSON text in, JSON text out); and, as the FFI's floor, two uniffi functions with no operation
behind them (``debug_alive_tasks()`` answers an integer, ``native_version()`` a string). Each call
is timed on its own with ``time.perf_counter_ns`` (the timer's own cost, about 0.1 us, is
included): the median and p99 in microseconds; then calls per second from 1 and 8 threads
calling in a loop for 2 s (``threading``, with the GIL: ctypes releases it only for the native
call itself, so the Python side of the 8 threads runs one at a time). With ``--results`` it
appends ``python <api> <operation> <median_us> <p99_us> <iterations> <calls/s 1> <calls/s 8>``
lines.
The wheel must carry the debug operations (``maturin build --features debug-operations``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from typing import Any, Callable, List, Tuple

import ductape
from ductape import _native

ECHO = {"value": {"a": 1, "b": "two"}}
FETCH = {"tag": "bench"}


def measure(fn: Callable[[], Any], iterations: int, warmup: int) -> Tuple[float, float]:
    for _ in range(warmup):
        fn()
    clock = time.perf_counter_ns
    samples: List[int] = [0] * iterations
    for i in range(iterations):
        start = clock()
        fn()
        samples[i] = clock() - start
    samples.sort()
    median = statistics.median(samples) / 1000.0
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000.0
    return median, p99


def per_second(threads: int, fn: Callable[[], Any], seconds: float = 2.0) -> float:
    counts = [0] * threads
    start = time.perf_counter()

    def loop(slot: int) -> None:
        n = 0
        while time.perf_counter() - start < seconds:
            fn()
            n += 1
        counts[slot] = n

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--results", help="append result lines to this file")
    args = parser.parse_args()

    workspace = tempfile.mkdtemp(prefix="ductape-bench-py-")
    try:
        client = ductape.Ductape(workspace_dir=workspace, debug_operations=True)
        client.cloud.connections.create({"provider": "mongodb_atlas", "name": "bench"})
        raw = client._require_open()  # the generated uniffi DuctapeClient
        echo_json, fetch_json = json.dumps(ECHO), json.dumps(FETCH)
        assert client.call("debug.echo", ECHO) == ECHO["value"]
        assert client.call("cloud.connections.fetch", FETCH)["tag"] == "bench"
        assert json.loads(raw.call("cloud.connections.fetch", fetch_json))["ok"] is True

        cases = [
            ("facade", "debug.echo", lambda: client.call("debug.echo", ECHO)),
            ("native", "debug.echo", lambda: raw.call("debug.echo", echo_json)),
            ("facade", "cloud.connections.fetch", lambda: client.call("cloud.connections.fetch", FETCH)),
            ("native", "cloud.connections.fetch", lambda: raw.call("cloud.connections.fetch", fetch_json)),
            # The FFI's own floor, with no operation behind it: a uniffi function that answers an
            # integer (no string crosses) and one that answers a String (one RustBuffer lifted, freed).
            ("ffi_floor", "debug_alive_tasks()", _native.debug_alive_tasks),
            ("ffi_floor", "native_version()", _native.native_version),
        ]
        print(f"python {sys.version.split()[0]}, {args.iterations} timed calls after {args.warmup} warm-up calls")
        print(f"{'api':<10} {'operation':<26} {'median us':>10} {'p99 us':>10} {'calls/s 1':>10} {'calls/s 8':>10}")
        lines = []
        for api, op, fn in cases:
            median, p99 = measure(fn, args.iterations, args.warmup)
            one, eight = per_second(1, fn), per_second(8, fn)
            print(f"{api:<10} {op:<26} {median:>10.2f} {p99:>10.2f} {one:>10.0f} {eight:>10.0f}")
            lines.append(f"python {api} {op} {median:.2f} {p99:.2f} {args.iterations} {one:.0f} {eight:.0f}\n")
        client.close()
        if args.results:
            with open(args.results, "a", encoding="utf-8") as out:
                out.writelines(lines)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
