"""The Python conformance runner: every vector in tests/conformance/vectors through the
``ductape`` package's generic ``Ductape.call`` (exceptions included), the same vectors the
Rust, Java and Kotlin runners run. Run it as a script to print ``N passed, N failed``.

``DUCTAPE_SIM_URL`` names a running atlas-sim; without it, vectors that require the simulator
are skipped.
"""
from __future__ import annotations

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


def run_vector(vector: Dict[str, Any], workdir: str) -> None:
    sim = sim_url()
    if sim:
        reset_sim(sim)
    options: Dict[str, Any] = {
        "workspace_dir": workdir,
        "atlas_base_url": sim or "http://127.0.0.1:9",
        "debug_operations": True,
    }
    options.update(vector.get("options") or {})
    client = ductape.Ductape(options)
    for i, step in enumerate(vector["steps"]):
        op = step["op"]
        expect = step["expect"]
        try:
            if "params_raw" in step:
                result = ductape.decode_envelope(client._client.call(op, step["params_raw"]))
            else:
                result = client.call(op, step.get("params"))
        except ductape.DuctapeError as e:
            if expect.get("ok", True):
                raise AssertionError(f"step {i} ({op}): expected ok, got {type(e).__name__} {e}") from None
            want = expect["error"]
            where = f"step {i} ({op})"
            if e.code != want["code"]:
                raise AssertionError(f"{where}: expected error code {want['code']}, got {e.code}: {e.message}")
            if type(e) is not ductape.errors.ERROR_CLASSES.get(e.code, ductape.DuctapeError):
                raise AssertionError(f"{where}: wrong exception class {type(e).__name__}")
            if "field" in want and want["field"] != e.field:
                raise AssertionError(f"{where}: expected error field {want['field']!r}, got {e.field!r}: {e.message}")
            if "message_contains" in want and want["message_contains"] not in e.message:
                raise AssertionError(f"{where}: expected message containing {want['message_contains']!r}, got {e.message!r}")
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
    with tempfile.TemporaryDirectory(prefix="ductape-conformance-py-") as root:
        for n, (name, vector) in enumerate(load_vectors()):
            if needs_sim(vector) and not sim_url():
                skipped += 1
                continue
            workdir = os.path.join(root, str(n))
            os.makedirs(workdir)
            try:
                run_vector(vector, workdir)
                passed += 1
            except AssertionError as e:
                failed += 1
                print(f"FAIL {name}: {e}", file=sys.stderr)
    print(f"conformance (python): {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
