"""Checks that every conformance runner saw the same thing, reply by reply.

Each runner writes `$DUCTAPE_CONFORMANCE_REPORT_DIR/<runner>.jsonl`: one line per step
(`{"vector", "step", "seen": {"ok", "result"}|{"ok", "error": {code, field, message, details}}}`,
or `{"vector", "step", "sim": status}` for a simulator control step) and one line per vector
(`{"vector", "outcome": "PASS"|"FAIL"|"SKIP", "workdir"?}`). This script fails unless:
- every runner reports every vector in the vector files exactly once, and every one PASSed;
- every runner's reply at every step equals the first runner's, after normalising what differs by
  nature between runs (UUIDs, timestamps, each runner's own workspace directory, 1 vs 1.0, the
  generated password inside a connection string that cloud.resources.import stored).

    python3 agree.py REPORT_DIR VECTORS_DIR rust java kotlin python-sync python-async go dotnet
    python3 agree.py --self-test      # shows that a reply differing in one runner fails the check
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\b")
# The password of mongodb://user:password@hosts: an import generates a new one on every run.
PASSWORD = re.compile(r"(mongodb(?:\+srv)?://[^:/@\s]+:)[^@\s]+@")


def vector_names(vectors_dir: Path) -> List[str]:
    names = []
    for path in sorted(vectors_dir.glob("*.json")):
        for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]:
            names.append(f"{path.stem}/{vector['name']}")
    return names


def normalise(value: Any, workdir: str) -> Any:
    if isinstance(value, dict):
        return {k: normalise(v, workdir) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, workdir) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        if workdir:
            value = value.replace(workdir, "<workspace>")
        return PASSWORD.sub(r"\1<password>@", TIME.sub("<time>", UUID.sub("<uuid>", value)))
    return value


def load(path: Path) -> Tuple[Dict[str, str], Dict[Tuple[str, str], Any], List[str]]:
    """(outcome per vector, normalised entry per (vector, step), problems)."""
    outcomes: Dict[str, str] = {}
    workdirs: Dict[str, str] = {}
    raw: List[Dict[str, Any]] = []
    problems = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        line = json.loads(text)
        if "outcome" in line:
            if line["vector"] in outcomes:
                problems.append(f"{path.name}:{n}: {line['vector']} reported twice")
            outcomes[line["vector"]] = line["outcome"]
            workdirs[line["vector"]] = line.get("workdir") or ""
        else:
            raw.append(line)
    steps = {}
    for line in raw:
        key = (line["vector"], str(line["step"]))
        body = line["seen"] if "seen" in line else {"sim": line["sim"]}
        steps[key] = normalise(body, workdirs.get(line["vector"], ""))
    return outcomes, steps, problems


def check(report_dir: Path, vectors_dir: Path, runners: List[str]) -> List[str]:
    expected = vector_names(vectors_dir)
    problems: List[str] = []
    reports = {}
    for runner in runners:
        path = report_dir / f"{runner}.jsonl"
        if not path.is_file() or path.stat().st_size == 0:
            problems.append(f"no report from {runner} ({path})")
            continue
        outcomes, steps, load_problems = load(path)
        problems += load_problems
        missing = [v for v in expected if v not in outcomes]
        extra = [v for v in outcomes if v not in set(expected)]
        if missing:
            problems.append(f"{runner} did not report {len(missing)} of {len(expected)} vectors, e.g. {missing[:3]}")
        if extra:
            problems.append(f"{runner} reported vectors no file has: {extra[:3]}")
        bad = sorted(f"{v} {o}" for v, o in outcomes.items() if o != "PASS")
        if bad:
            problems.append(f"{runner}: {len(bad)} vectors did not pass: {bad[:5]}")
        reports[runner] = steps
    if len(reports) < 2:
        return problems
    reference_name = runners[0] if runners[0] in reports else next(iter(reports))
    reference = reports[reference_name]
    for runner, steps in reports.items():
        if runner == reference_name:
            continue
        for key in sorted(set(reference) | set(steps)):
            want, got = reference.get(key, "<no step>"), steps.get(key, "<no step>")
            if want != got:
                problems.append(
                    f"{runner} disagrees with {reference_name} at {key[0]} step {key[1]}:\n"
                    f"  {reference_name}: {json.dumps(want, sort_keys=True)[:600]}\n"
                    f"  {runner}: {json.dumps(got, sort_keys=True)[:600]}"
                )
    return problems


def self_test() -> int:
    """A reply that differs in one runner, a missing vector and a skipped one must each fail."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        vectors = root / "vectors"
        vectors.mkdir()
        (vectors / "t.json").write_text(json.dumps({"description": "d", "vectors": [{"name": "a", "steps": []}, {"name": "b", "steps": []}]}))
        reports = root / "reports"
        reports.mkdir()

        def write(runner: str, status: str, workdir: str, outcome_b: str = "PASS", with_b: bool = True) -> None:
            lines = [
                {"vector": "t/a", "step": 0, "seen": {"ok": True, "result": {"id": "4eb5144e-bcf5-4219-8c2c-088eba6cbcae", "status": status, "n": 1.0, "at": "2026-12-01T20:33:42.737Z", "dir": workdir + "/workspace.db"}}},
                {"vector": "t/a", "outcome": "PASS", "workdir": workdir},
            ]
            if with_b:
                lines.append({"vector": "t/b", "outcome": outcome_b})
            (reports / f"{runner}.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")

        write("one", "active", "/tmp/one")
        write("two", "active", "/tmp/other")
        ok = check(reports, vectors, ["one", "two"])
        assert ok == [], ok
        write("two", "pending", "/tmp/other")
        differs = check(reports, vectors, ["one", "two"])
        assert len(differs) == 1 and "two disagrees with one at t/a step 0" in differs[0], differs
        write("two", "active", "/tmp/other", with_b=False)
        assert any("did not report 1 of 2" in p for p in check(reports, vectors, ["one", "two"]))
        write("two", "active", "/tmp/other", outcome_b="SKIP")
        assert any("did not pass" in p for p in check(reports, vectors, ["one", "two"]))
        assert any("no report from three" in p for p in check(reports, vectors, ["one", "two", "three"]))
    print("agree.py self-test: a differing reply, a missing vector, a skipped vector and a missing runner each fail the check")
    return 0


def main(argv: List[str]) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    report_dir, vectors_dir, runners = Path(argv[1]), Path(argv[2]), argv[3:]
    problems = check(report_dir, vectors_dir, runners)
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print(f"... and {len(problems) - 20} more")
    n = len(vector_names(vectors_dir))
    if problems:
        print(f"conformance agreement: {len(problems)} problems across {', '.join(runners)}")
        return 1
    steps = sum(1 for _ in (report_dir / f"{runners[0]}.jsonl").read_text().splitlines() if '"step"' in _)
    print(f"{', '.join(runners)} agree reply by reply on {n} vectors ({steps} steps): {n} passed in each, 0 failed, 0 skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
