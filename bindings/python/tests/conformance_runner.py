"""The Python conformance runner: every vector in tests/conformance/vectors through the
``ductape`` package's generic ``Ductape.call`` (exceptions included), the same vectors the
Rust, Java and Kotlin runners run. Run it as a script to print ``N passed, N failed``.

``DUCTAPE_SIM_URL`` names a running atlas-sim; without it, vectors that require the simulator
are skipped.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import ductape

VECTORS_DIR = Path(__file__).resolve().parents[3] / "tests" / "conformance" / "vectors"
_MISSING = object()


def sim_url() -> Optional[str]:
    return os.environ.get("DUCTAPE_SIM_URL") or None


def load_vectors() -> List[Tuple[str, Dict[str, Any]]]:
    out = []
    for path in sorted(VECTORS_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for vector in doc["vectors"]:
            out.append((f"{path.stem}/{vector['name']}", vector))
    return out


def needs_sim(vector: Dict[str, Any]) -> bool:
    return "sim" in (vector.get("requires") or [])


def _same_number(e: Any, a: Any) -> bool:
    return not isinstance(e, bool) and not isinstance(a, bool) and isinstance(e, (int, float)) and isinstance(a, (int, float)) and float(e) == float(a)


def match(expected: Any, actual: Any, path: str) -> None:
    """Subset matching, identical in every runner (see tests/conformance/README.md)."""
    if expected == "$absent":
        if actual is not _MISSING:
            raise AssertionError(f"{path}: expected absent, got {actual!r}")
        return
    if actual is _MISSING:
        raise AssertionError(f"{path}: missing")
    if expected == "$any":
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            match(value, actual.get(key, _MISSING), f"{path}.{key}")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            raise AssertionError(f"{path}: expected {len(expected)} elements, got {len(actual)}: {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            match(e, a, f"{path}[{i}]")
        return
    if _same_number(expected, actual):
        return
    if type(expected) is not type(actual) or expected != actual:
        raise AssertionError(f"{path}: expected {expected!r}, got {actual!r}")


def reset_sim(base: str) -> None:
    req = urllib.request.Request(base.rstrip("/") + "/__sim/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status // 100 != 2:
            raise AssertionError(f"simulator reset failed: {resp.status}")


def check_error(e: "ductape.DuctapeError", want: Dict[str, Any], where: str) -> None:
    if e.code != want["code"]:
        raise AssertionError(f"{where}: expected error code {want['code']}, got {e.code}: {e.message}")
    if type(e) is not ductape.errors.ERROR_CLASSES.get(e.code, ductape.DuctapeError):
        raise AssertionError(f"{where}: wrong exception class {type(e).__name__}")
    if "field" in want and want["field"] != e.field:
        raise AssertionError(f"{where}: expected error field {want['field']!r}, got {e.field!r}: {e.message}")
    if "message_contains" in want and want["message_contains"] not in e.message:
        raise AssertionError(f"{where}: expected message containing {want['message_contains']!r}, got {e.message!r}")


def run_vector(vector: Dict[str, Any], workdir: str, mode: str = "sync") -> None:
    """Runs one vector through ``Ductape.call`` (mode ``sync``) or ``AsyncDuctape.call`` (``async``)."""
    sim = sim_url()
    if sim:
        reset_sim(sim)
    options: Dict[str, Any] = {
        "workspace_dir": workdir,
        "atlas_base_url": sim or "http://127.0.0.1:9",
        "debug_operations": True,
    }
    options.update(vector.get("options") or {})
    if "open_error" in vector:
        want = vector["open_error"]
        try:
            ductape.AsyncDuctape(options) if mode == "async" else ductape.Ductape(options)
        except ductape.DuctapeError as e:
            check_error(e, want, "open")
            return
        raise AssertionError(f"open: expected error {want}, got a client")
    client = ductape.Ductape(options)
    aclient = ductape.AsyncDuctape(options) if mode == "async" else None
    for i, step in enumerate(vector["steps"]):
        op = step["op"]
        expect = step["expect"]
        try:
            if "params_raw" in step:
                result = ductape.decode_envelope(client._client.call(op, step["params_raw"]))
            elif aclient is not None:
                result = asyncio.run(aclient.call(op, step.get("params")))
            else:
                result = client.call(op, step.get("params"))
        except ductape.DuctapeError as e:
            if expect.get("ok", True):
                raise AssertionError(f"step {i} ({op}): expected ok, got {type(e).__name__} {e}") from None
            check_error(e, expect["error"], f"step {i} ({op})")
            continue
        if not expect.get("ok", True):
            raise AssertionError(f"step {i} ({op}): expected error {expect['error']}, got ok {result!r}")
        if "result" in expect:
            try:
                match(expect["result"], result, "result")
            except AssertionError as e:
                raise AssertionError(f"step {i} ({op}): {e}") from None


def main() -> int:
    passed = failed = skipped = 0
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="ductape-conformance-py-") as root:
        for n, (name, vector) in enumerate(load_vectors()):
            if needs_sim(vector) and not sim_url():
                skipped += 1
                outcomes.append(f"{name} SKIP")
                continue
            try:
                for mode in ("sync", "async"):
                    workdir = os.path.join(root, f"{n}-{mode}")
                    os.makedirs(workdir)
                    try:
                        run_vector(vector, workdir, mode)
                    except AssertionError as e:
                        raise AssertionError(f"[{mode}] {e}") from None
                passed += 1
                outcomes.append(f"{name} PASS")
            except AssertionError as e:
                failed += 1
                outcomes.append(f"{name} FAIL")
                print(f"FAIL {name}: {e}", file=sys.stderr)
    report = os.environ.get("DUCTAPE_CONFORMANCE_REPORT_DIR")
    if report:
        os.makedirs(report, exist_ok=True)
        with open(os.path.join(report, "python.txt"), "w") as f:
            f.write("\n".join(outcomes) + "\n")
    print(f"conformance (python, sync and asyncio): {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
