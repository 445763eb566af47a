#!/usr/bin/env bash
# One version for every artifact: the workspace's (Cargo.toml [workspace.package] version), which
# the native library, the CLI and the Python wheel (maturin, pyproject `dynamic`) take from it.
# The other languages write the version down where their tools read it; this script fails, naming
# the file, when one of them differs. Each binding's suite also checks its constant against the
# native library's own version at run time.
#
#   bash scripts/check-versions.sh          # exits non-zero on a mismatch
#   bash scripts/check-versions.sh --print  # prints the version
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PY'
import json, re, sys

def find(path, pattern):
    text = open(path, encoding="utf-8").read()
    m = re.search(pattern, text, re.S | re.M)
    return m.group(1) if m else None

version = find("Cargo.toml", r'^\[workspace\.package\].*?^version = "([^"]+)"')
if not version:
    sys.exit("check-versions: no [workspace.package] version in Cargo.toml")
if sys.argv[1:] == ["--print"]:
    print(version)
    sys.exit(0)

def lock_version(path):
    lock = json.load(open(path, encoding="utf-8"))
    return lock["packages"][""]["version"]

# (file, how its version is found); the first <version> after the SDK's artifactId is the project's.
places = [
    ("bindings/java/pom.xml", r"<artifactId>ductape-sdk</artifactId>\s*<version>([^<]+)</version>"),
    ("bindings/java/src/main/java/dev/ductape/Ductape.java", r'String VERSION = "([^"]+)";'),
    ("bindings/java/bench/pom.xml", r"<artifactId>ductape-sdk</artifactId>\s*<version>([^<]+)</version>"),
    ("examples/jvm/pom.xml", r"<artifactId>ductape-sdk</artifactId>\s*<version>([^<]+)</version>"),
    ("bindings/go/ductape.go", r'const SDKVersion = "([^"]+)"'),
    ("bindings/dotnet/src/Ductape/Ductape.csproj", r"<Version>([^<]+)</Version>"),
    ("bindings/dotnet/src/Ductape/DuctapeClient.cs", r'const string Version = "([^"]+)";'),
    ("bindings/node/package.json", r'^  "version": "([^"]+)"'),
]
wrong = []
for path, pattern in places:
    found = find(path, pattern)
    if found != version:
        wrong.append(f"{path}: {found!r}")
found = lock_version("bindings/node/package-lock.json")
if found != version:
    wrong.append(f"bindings/node/package-lock.json: {found!r}")
if wrong:
    print(f"check-versions: the workspace's version is {version!r}; these differ:", file=sys.stderr)
    for w in wrong:
        print(f"  {w}", file=sys.stderr)
    sys.exit(1)
print(f"check-versions: {len(places) + 1} places carry {version}")
PY
