"""Checks that every conformance runner saw the same thing, reply by reply.

Each runner writes `$DUCTAPE_CONFORMANCE_REPORT_DIR/<runner>.jsonl`: one line per step
(`{"vector", "step", "seen": {"ok", "result"}|{"ok", "error": {code, field, message, details}}}`,
or `{"vector", "step", "sim": status}` for a simulator control step) and one line per vector
(`{"vector", "outcome": "PASS"|"FAIL"|"SKIP", "workdir"?}`). This script fails unless:
- every runner reports every vector in the vector files exactly once, and every one PASSed;
- every runner's reply at every step equals the first runner's, where what differs by nature
  between runs is compared by its structure instead of its value:
  - UUIDs: within a vector, the k-th distinct UUID a runner saw (steps in order, object keys
    sorted) stands where the reference runner's k-th distinct UUID stands: the mapping between
    the two runners' ids is a bijection, consistent over the whole vector;
  - timestamps: each one parses, and within a vector no two of them are in the opposite order in
    two runners (compared at the coarser precision of the two; a tie in one runner matches
    either order in the other when its two are less than 10 s apart: clock reads of one
    millisecond in a fast runner, a few apart in a slow one);
  - the password inside a connection string (`mongodb://user:password@`, which
    cloud.resources.import generates anew on every run): equal, or of the same length and the
    same alphabet (the smallest of 0-9, 0-9a-f, 0-9a-z, 0-9A-Za-z holding it, and any other
    characters it has);
  - each runner's own workspace directory, and 1 vs 1.0.

    python3 agree.py REPORT_DIR VECTORS_DIR rust java kotlin python-sync python-async go dotnet
    python3 agree.py --self-test      # shows that each kind of difference fails the check
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})\b")
# The password of mongodb://user:password@hosts: an import generates a new one on every run.
PASSWORD = re.compile(r"(mongodb(?:\+srv)?://[^:/@\s]+:)([^@\s]+)(@)")

# A timestamp as (seconds since the epoch, microseconds, digits of its fraction).
Instant = Tuple[int, int, int]


class Seen:
    """What one runner saw in one vector, in order: its UUIDs (numbered by first appearance),
    timestamps and connection-string passwords, and timestamps that did not parse."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.ids: Dict[str, int] = {}
        self.times: List[Tuple[str, Optional[Instant]]] = []
        self.passwords: List[str] = []

    def string(self, value: str) -> str:
        if self.workdir:
            value = value.replace(self.workdir, "<workspace>")
        # One pass, left to right, so that the order of appearance is the order in the text.
        def uuid(m: "re.Match[str]") -> str:
            return f"<uuid#{self.ids.setdefault(m.group(0), len(self.ids))}>"

        def time(m: "re.Match[str]") -> str:
            self.times.append((m.group(0), parse_time(m)))
            return "<time>"

        def password(m: "re.Match[str]") -> str:
            self.passwords.append(m.group(2))
            return f"{m.group(1)}<password>{m.group(3)}"

        return PASSWORD.sub(password, TIME.sub(time, UUID.sub(uuid, value)))

    def normalise(self, value: Any) -> Any:
        if isinstance(value, dict):
            # Sorted, so that every runner meets the same values in the same order.
            return {k: self.normalise(value[k]) for k in sorted(value)}
        if isinstance(value, list):
            return [self.normalise(v) for v in value]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            return self.string(value)
        return value


def parse_time(m: "re.Match[str]") -> Optional[Instant]:
    fraction = m.group(2) or ""
    zone = m.group(3)
    try:
        t = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if hours > 23 or minutes > 59:
                return None
            t -= sign * dt.timedelta(hours=hours, minutes=minutes)
    except ValueError:
        return None
    seconds = int((t - dt.datetime(1970, 1, 1)).total_seconds())
    digits = len(fraction) - 1 if fraction else 0
    micros = int((fraction[1:] + "000000")[:6]) if fraction else 0
    return seconds, micros, digits


def coarse(t: Instant, digits: int) -> Tuple[int, int]:
    """`t` at a precision of `digits` fractional digits (at most 6)."""
    step = 10 ** (6 - min(digits, 6))
    return t[0], t[1] // step * step


def difference(a: Instant, b: Instant) -> int:
    """b - a in microseconds, at the coarser precision of the two (0: a tie)."""
    digits = min(a[2], b[2])
    x, y = coarse(a, digits), coarse(b, digits)
    return (y[0] - x[0]) * 1_000_000 + y[1] - x[1]


# Two clock reads that fall in one millisecond in one runner may be a few apart in another (a
# slower language, a loaded machine): a tie in one runner matches either order in the other, as
# long as that other's two are closer than this. Further apart, one of them moved.
TIE_TOLERANCE_US = 10_000_000


def disordered(ref: Tuple[Instant, Instant], other: Tuple[Instant, Instant]) -> bool:
    """Whether two timestamps are in the opposite order in two runners, or a tie in one and far
    apart in the other."""
    x, y = difference(*ref), difference(*other)
    if x * y < 0:
        return True
    return (x == 0 or y == 0) and abs(x - y) > TIE_TOLERANCE_US


# Alphabets from the smallest; a password's is the first that holds all its characters (plus any
# other character it has, named). Not the classes it happens to use: 32 random characters of
# A-Z a-z 0-9 have no digit once in 280 draws, but leave out a whole alphabet step (no capital)
# about once in 36 million.
ALPHABETS = [("0-9", set("0123456789")), ("0-9a-f", set("0123456789abcdef")),
             ("0-9a-z", set("0123456789abcdefghijklmnopqrstuvwxyz")),
             ("0-9A-Za-z", set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))]


def alphabet(text: str) -> str:
    name, letters = next(((n, a) for n, a in ALPHABETS if set(text) <= a), ALPHABETS[-1])
    others = "".join(sorted(set(text) - letters))
    return name + (f" and {others!r}" if others else "")


def vector_names(vectors_dir: Path) -> List[str]:
    names = []
    for path in sorted(vectors_dir.glob("*.json")):
        for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]:
            names.append(f"{path.stem}/{vector['name']}")
    return names


def step_order(step: str) -> Tuple[int, str]:
    """`open` first, then the steps by number."""
    return (-1, "") if step == "open" else (int(step), "") if step.isdigit() else (1 << 30, step)


class Report:
    def __init__(self) -> None:
        self.outcomes: Dict[str, str] = {}
        self.steps: Dict[Tuple[str, str], Any] = {}
        self.seen: Dict[str, Seen] = {}
        self.problems: List[str] = []


def load(path: Path) -> Report:
    """Each vector's outcome, its normalised entry per (vector, step), what each vector saw."""
    report = Report()
    workdirs: Dict[str, str] = {}
    raw: Dict[str, List[Dict[str, Any]]] = {}
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        line = json.loads(text)
        if "outcome" in line:
            if line["vector"] in report.outcomes:
                report.problems.append(f"{path.name}:{n}: {line['vector']} reported twice")
            report.outcomes[line["vector"]] = line["outcome"]
            workdirs[line["vector"]] = line.get("workdir") or ""
        else:
            raw.setdefault(line["vector"], []).append(line)
    for vector, lines in raw.items():
        seen = report.seen[vector] = Seen(workdirs.get(vector, ""))
        for line in sorted(lines, key=lambda x: step_order(str(x["step"]))):
            key = (vector, str(line["step"]))
            if key in report.steps:
                report.problems.append(f"{path.name}: {vector} step {key[1]} reported twice")
            body = line["seen"] if "seen" in line else {"sim": line["sim"]}
            report.steps[key] = seen.normalise(body)
        for text, instant in seen.times:
            if instant is None:
                report.problems.append(f"{path.name}: {vector}: the timestamp {text} does not parse")
    return report


def compare_seen(vector: str, ref_name: str, ref: Seen, name: str, other: Seen) -> List[str]:
    """Timestamps in the same order and passwords of the same shape (the steps' structure,
    ids included, is compared by the caller)."""
    problems = []
    where = f"{name} disagrees with {ref_name} at {vector}"
    if len(ref.times) == len(other.times):
        pairs = [(a, b) for a, b in zip(ref.times, other.times) if a[1] is not None and b[1] is not None]
        instants = [(a[1], b[1]) for a, b in pairs]
        reversed_at = next(
            ((i, j) for i in range(len(pairs)) for j in range(i + 1, len(pairs))
             if disordered((instants[i][0], instants[j][0]), (instants[i][1], instants[j][1]))),  # type: ignore[arg-type]
            None,
        )
        if reversed_at:
            i, j = reversed_at
            problems.append(
                f"{where}: timestamps #{i} and #{j} are not in the same order:\n"
                f"  {ref_name}: {pairs[i][0][0]} then {pairs[j][0][0]}\n  {name}: {pairs[i][1][0]} then {pairs[j][1][0]}"
            )
    if len(ref.passwords) == len(other.passwords):
        for k, (a, b) in enumerate(zip(ref.passwords, other.passwords)):
            if a != b and (len(a) != len(b) or alphabet(a) != alphabet(b)):
                problems.append(
                    f"{where}: connection-string password #{k}: {ref_name}'s has {len(a)} characters of "
                    f"{alphabet(a)}, {name}'s {len(b)} of {alphabet(b)}"
                )
    return problems


def check(report_dir: Path, vectors_dir: Path, runners: List[str]) -> List[str]:
    expected = vector_names(vectors_dir)
    problems: List[str] = []
    reports: Dict[str, Report] = {}
    for runner in runners:
        path = report_dir / f"{runner}.jsonl"
        if not path.is_file() or path.stat().st_size == 0:
            problems.append(f"no report from {runner} ({path})")
            continue
        report = load(path)
        problems += report.problems
        missing = [v for v in expected if v not in report.outcomes]
        extra = [v for v in report.outcomes if v not in set(expected)]
        if missing:
            problems.append(f"{runner} did not report {len(missing)} of {len(expected)} vectors, e.g. {missing[:3]}")
        if extra:
            problems.append(f"{runner} reported vectors no file has: {extra[:3]}")
        bad = sorted(f"{v} {o}" for v, o in report.outcomes.items() if o != "PASS")
        if bad:
            problems.append(f"{runner}: {len(bad)} vectors did not pass: {bad[:5]}")
        reports[runner] = report
    if len(reports) < 2:
        return problems
    reference_name = runners[0] if runners[0] in reports else next(iter(reports))
    reference = reports[reference_name]
    for runner, report in reports.items():
        if runner == reference_name:
            continue
        for key in sorted(set(reference.steps) | set(report.steps), key=lambda k: (k[0], step_order(k[1]))):
            want, got = reference.steps.get(key, "<no step>"), report.steps.get(key, "<no step>")
            if want != got:
                problems.append(
                    f"{runner} disagrees with {reference_name} at {key[0]} step {key[1]}:\n"
                    f"  {reference_name}: {json.dumps(want, sort_keys=True)[:600]}\n"
                    f"  {runner}: {json.dumps(got, sort_keys=True)[:600]}"
                )
        for vector in sorted(set(reference.seen) & set(report.seen)):
            problems += compare_seen(vector, reference_name, reference.seen[vector], runner, report.seen[vector])
    return problems


def self_test() -> int:
    """Each kind of difference must fail the check, and what differs only by nature must not."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        vectors = root / "vectors"
        vectors.mkdir()
        (vectors / "t.json").write_text(json.dumps({"description": "d", "vectors": [{"name": "a", "steps": []}, {"name": "b", "steps": []}]}))
        reports = root / "reports"
        reports.mkdir()
        ids_one = ["4eb5144e-bcf5-4219-8c2c-088eba6cbcae", "0c0cb0bd-8a73-4f5b-9a35-4bb0a3c2f1d3"]
        ids_two = ["7d1f5a2e-6b0c-4c8e-9f3a-2a5d8e1b7c40", "e3b0c442-98fc-4c14-9afb-f4c8996fb924"]
        password = "Xk3fQ9zLm2Wp7RtY4vBn8HcJ5dGs6AeU"

        def write(runner: str, status: str = "active", workdir: str = "/tmp/one", outcome_b: str = "PASS",
                  with_b: bool = True, ids: Optional[List[str]] = None, times: Tuple[str, str, str] = (
                      "2026-12-01T20:33:42.737Z", "2026-12-01T20:33:43.001Z", "2026-12-01T20:34:00Z"),
                  pw: str = password) -> None:
            a, b, c = ids or ids_one
            lines = [
                {"vector": "t/a", "step": 0, "seen": {"ok": True, "result": {
                    "id": a, "status": status, "n": 1.0, "at": times[0], "dir": workdir + "/workspace.db"}}},
                {"vector": "t/a", "step": 1, "seen": {"ok": True, "result": {
                    "id": b, "owner": a, "at": times[1],
                    "url": f"mongodb://ductape-u:{pw}@127.0.0.1:27017/?tls=true"}}},
                {"vector": "t/a", "step": 2, "seen": {"ok": False, "error": {
                    "code": "not_found", "message": f"no connection {c}", "details": {"at": times[2]}}}},
                {"vector": "t/a", "outcome": "PASS", "workdir": workdir},
            ]
            if with_b:
                lines.append({"vector": "t/b", "outcome": outcome_b})
            (reports / f"{runner}.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")

        def problems() -> List[str]:
            return check(reports, vectors, ["one", "two"])

        def fails(what: str, expected: str) -> None:
            found = problems()
            assert len(found) == 1 and expected in found[0], f"{what}: {found}"
            print(f"  fails as it should: {what}: {found[0].splitlines()[0]}")

        write("one", ids=[ids_one[0], ids_one[1], ids_one[0]])
        # Other ids (mapped one to one), other times in the same order, another workspace, another
        # password of the same shape, 1 for 1.0: the same replies.
        write("two", workdir="/tmp/other", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-02T08:00:00.100Z", "2026-12-02T08:00:00.105Z", "2026-12-02T08:00:00.5+00:00"),
              pw="m4NqZ7xB2cV9kL3pR8tW5yH6jD1fG0sA")
        assert problems() == [], problems()
        # A tie at the coarser precision of the two (here the second of 20:34:00Z) matches either
        # order: one's two are a second apart, two's fall in the same second.
        write("one", ids=[ids_one[0], ids_one[1], ids_one[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:33:59.990Z", "2026-12-01T20:34:00Z"))
        write("two", workdir="/tmp/other", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:34:00.250Z", "2026-12-01T20:34:00Z"))
        assert problems() == [], problems()
        write("one", ids=[ids_one[0], ids_one[1], ids_one[0]])

        write("two", status="pending", ids=[ids_one[0], ids_one[1], ids_one[0]])
        fails("a differing reply", "two disagrees with one at t/a step 0")
        # Ids: the third is the first one again in runner one, a new one in two (and the converse).
        write("two", ids=[ids_two[0], ids_two[1], ids_one[0]])
        fails("an id that is a new one where the reference repeats one", "two disagrees with one at t/a step 2")
        write("two", ids=[ids_two[0], ids_two[0], ids_two[0]])
        fails("one id where the reference has two", "two disagrees with one at t/a step 1")
        # Timestamps: the second shifted before the first.
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:33:41.900Z", "2026-12-01T20:34:00Z"))
        fails("a timestamp shifted out of order", "timestamps #0 and #1 are not in the same order")
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:33:43.001Z", "2026-12-01T21:33:40+01:00"))
        fails("a timestamp in another zone, out of order", "timestamps #0 and #2 are not in the same order")
        # Two equal timestamps in the reference (created_at == updated_at), a day apart in the other.
        write("one", ids=[ids_one[0], ids_one[1], ids_one[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:33:42.737Z", "2026-12-01T20:34:00Z"))
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-11-30T20:33:42.737Z", "2026-12-01T20:34:00Z"))
        fails("a timestamp shifted a day back from its equal", "timestamps #0 and #1 are not in the same order")
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-12-01T20:33:42.739Z", "2026-12-01T20:34:00Z"))
        assert problems() == [], f"two clock reads 2 ms apart where the reference's fell in one: {problems()}"
        write("one", ids=[ids_one[0], ids_one[1], ids_one[0]])
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]],
              times=("2026-12-01T20:33:42.737Z", "2026-13-01T20:33:43.001Z", "2026-12-01T20:34:00Z"))
        fails("a timestamp that does not parse", "the timestamp 2026-13-01T20:33:43.001Z does not parse")
        # Passwords: shorter, or from another alphabet. One without a digit is still alphanumeric.
        write("two", workdir="/tmp/other", ids=[ids_two[0], ids_two[1], ids_two[0]],
              pw="mNqZxBcVkLpRtWyHjDfGsAQwErTyUiOp")
        assert problems() == [], f"a password of letters where the reference's has digits: {problems()}"
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]], pw=password[:-1])
        fails("a password one character shorter", "password #0: one's has 32 characters")
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]], pw=password.lower())
        fails("a password without capitals", "password #0")
        write("two", ids=[ids_two[0], ids_two[1], ids_two[0]], pw=password[:-1] + "%")
        fails("a password with a character outside the alphabet", "password #0")

        write("two", workdir="/tmp/other", with_b=False, ids=[ids_one[0], ids_one[1], ids_one[0]])
        assert any("did not report 1 of 2" in p for p in problems())
        write("two", workdir="/tmp/other", outcome_b="SKIP", ids=[ids_one[0], ids_one[1], ids_one[0]])
        assert any("did not pass" in p for p in problems())
        assert any("no report from three" in p for p in check(reports, vectors, ["one", "two", "three"]))
    print("agree.py self-test: a differing reply, an inconsistent id mapping, a timestamp out of order or unparsable, "
          "a password of another length or alphabet, a missing vector, a skipped vector and a missing runner each fail "
          "the check; other ids, times and passwords of the same structure do not")
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
