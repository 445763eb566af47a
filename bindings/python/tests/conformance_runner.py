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


def sim_request(base: str, method: str, path: str, body: Any = None) -> int:
    """One request to the simulator's control API (``/__sim/...``); answers the HTTP status."""
    data = b"" if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status // 100 != 2:
            raise AssertionError(f"{method} {path} failed: {resp.status}")
        return int(resp.status)


def seen_error(e: "ductape.DuctapeError") -> Dict[str, Any]:
    """What this runner saw, for the cross-language comparison (tests/conformance/tools/agree.py)."""
    return {"ok": False, "error": {"code": e.code, "field": e.field, "message": e.message, "details": e.details}}


def check_error(e: "ductape.DuctapeError", want: Dict[str, Any], where: str) -> None:
    if e.code != want["code"]:
        raise AssertionError(f"{where}: expected error code {want['code']}, got {e.code}: {e.message}")
    if type(e) is not ductape.errors.ERROR_CLASSES.get(e.code, ductape.DuctapeError):
        raise AssertionError(f"{where}: wrong exception class {type(e).__name__}")
    if "field" in want and want["field"] != e.field:
        raise AssertionError(f"{where}: expected error field {want['field']!r}, got {e.field!r}: {e.message}")
    if "message_contains" in want and want["message_contains"] not in e.message:
        raise AssertionError(f"{where}: expected message containing {want['message_contains']!r}, got {e.message!r}")


def run_vector(vector: Dict[str, Any], workdir: str, mode: str = "sync",
               report: Optional[List[Dict[str, Any]]] = None) -> None:
    """Runs one vector through ``Ductape.call`` (mode ``sync``) or ``AsyncDuctape.call`` (``async``),
    appending what it saw at each step to ``report``."""
    seen: List[Dict[str, Any]] = report if report is not None else []
    sim = sim_url()
    if sim:
        sim_request(sim, "POST", "/__sim/reset")
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
            seen.append({"step": "open", "seen": seen_error(e)})
            check_error(e, want, "open")
            return
        raise AssertionError(f"open: expected error {want}, got a client")
    client = ductape.Ductape(options)
    aclient = ductape.AsyncDuctape(options) if mode == "async" else None
    for i, step in enumerate(vector["steps"]):
        if "sim" in step:
            if not sim:
                raise AssertionError(f"step {i}: a sim step needs the simulator")
            control = step["sim"]
            seen.append({"step": i, "sim": sim_request(sim, control["method"], control["path"], control.get("body"))})
            continue
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
            seen.append({"step": i, "seen": seen_error(e)})
            if expect.get("ok", True):
                raise AssertionError(f"step {i} ({op}): expected ok, got {type(e).__name__} {e}") from None
            check_error(e, expect["error"], f"step {i} ({op})")
            continue
        seen.append({"step": i, "seen": {"ok": True, "result": result}})
        if not expect.get("ok", True):
            raise AssertionError(f"step {i} ({op}): expected error {expect['error']}, got ok {result!r}")
        if "result" in expect:
            try:
                match(expect["result"], result, "result")
            except AssertionError as e:
                raise AssertionError(f"step {i} ({op}): {e}") from None


def main() -> int:
    passed = failed = skipped = 0
    lines: Dict[str, List[str]] = {"sync": [], "async": []}
    with tempfile.TemporaryDirectory(prefix="ductape-conformance-py-") as root:
        for n, (name, vector) in enumerate(load_vectors()):
            if needs_sim(vector) and not sim_url():
                skipped += 1
                for mode in lines:
                    lines[mode].append(json.dumps({"vector": name, "outcome": "SKIP"}))
                continue
            failures = []
            for mode in ("sync", "async"):
                workdir = os.path.join(root, f"{n}-{mode}")
                os.makedirs(workdir)
                report: List[Dict[str, Any]] = []
                outcome = "PASS"
                try:
                    run_vector(vector, workdir, mode, report)
                except AssertionError as e:
                    outcome = "FAIL"
                    failures.append(f"[{mode}] {e}")
                for line in report:
                    lines[mode].append(json.dumps(dict(line, vector=name)))
                lines[mode].append(json.dumps({"vector": name, "outcome": outcome, "workdir": workdir}))
            if failures:
                failed += 1
                print(f"FAIL {name}: {'; '.join(failures)}", file=sys.stderr)
            else:
                passed += 1
    report_dir = os.environ.get("DUCTAPE_CONFORMANCE_REPORT_DIR")
    if report_dir:
        os.makedirs(report_dir, exist_ok=True)
        for mode, mode_lines in lines.items():
            with open(os.path.join(report_dir, f"python-{mode}.jsonl"), "w") as f:
                f.write("\n".join(mode_lines) + "\n")
    print(f"conformance (python, sync and asyncio): {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
