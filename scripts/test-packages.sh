#!/usr/bin/env bash
# Install tests: every artifact of dist/ installed the way a user installs it, into a throw-away
# project outside this repository, which then runs the quick start (tests/packages/<language>: the
# product page's calls) against the simulator that the packaged `ductape` CLI starts. Each run's
# output must equal tests/packages/expected.txt line for line.
#
#   bash scripts/test-packages.sh     # builds dist/ first: scripts/package.sh with
#                                     # DUCTAPE_PACKAGE_PROFILE=dev unless it is set (see package.sh)
#   DUCTAPE_PACKAGES_PREBUILT=1 bash scripts/test-packages.sh   # tests the dist/ that is there
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
if [ -z "${DUCTAPE_PACKAGES_PREBUILT:-}" ]; then
  DUCTAPE_PACKAGE_PROFILE="${DUCTAPE_PACKAGE_PROFILE:-dev}" bash scripts/package.sh
fi
DIST="$REPO/dist"
VERSION="$(bash scripts/check-versions.sh --print)"
QS="$REPO/tests/packages"
if ! command -v go > /dev/null && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi

# Outside the repository (and outside any Go module, npm package or Maven project of it).
USERS="$(mktemp -d /tmp/ductape-users.XXXXXX)"
SIM_PID=""
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$USERS"
}
trap cleanup EXIT

echo "---- the CLI: unpack dist/cli, start \`ductape sim\` ----"
tar -C "$USERS" -xzf "$DIST/cli/ductape-$VERSION-x86_64-unknown-linux-gnu.tar.gz"
DUCTAPE="$USERS/ductape-$VERSION-x86_64-unknown-linux-gnu/ductape"
"$DUCTAPE" --version
SIM_LOG="$USERS/sim.log"
# Users' propagation waits at 200 ms: the import's wait is real but short.
"$DUCTAPE" sim --port 0 --user-apply-delay-ms 200 > "$SIM_LOG" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
  grep -q "Ctrl-C stops it" "$SIM_LOG" 2>/dev/null && break
  kill -0 "$SIM_PID" 2>/dev/null || break
  sleep 0.1
done
MONGODB_ATLAS_BASE_URL="$(sed -n 's/^ *Admin API: *//p' "$SIM_LOG")"
DUCTAPE_CLUSTER_CA_FILE="$(sed -n 's/^ *data plane CA: *//p' "$SIM_LOG")"
[ -n "$MONGODB_ATLAS_BASE_URL" ] && [ -f "$DUCTAPE_CLUSTER_CA_FILE" ] || { echo "ductape sim did not start:"; cat "$SIM_LOG"; exit 1; }
export MONGODB_ATLAS_BASE_URL DUCTAPE_CLUSTER_CA_FILE RUST_BACKTRACE=0
echo "simulator: $MONGODB_ATLAS_BASE_URL"

results=()
failed=0
# quickstart NAME DIR CMD...: runs the quick start in DIR with a workspace of its own and a fresh
# simulator state, and compares what it printed with the expected output.
quickstart() {
  local name=$1 dir=$2; shift 2
  curl -fsS -X POST "$MONGODB_ATLAS_BASE_URL/__sim/reset" > /dev/null || return 1
  local out="$USERS/$name.out"
  (cd "$dir" && DUCTAPE_WORKSPACE_DIR="$USERS/$name-workspace" "$@") > "$out" 2> "$USERS/$name.err" || {
    echo "$name: the quick start failed:"; cat "$out" "$USERS/$name.err"; return 1; }
  sed "s/@VERSION@/$VERSION/" "$QS/expected.txt" | diff -u - "$out" || { echo "$name: unexpected output"; return 1; }
}
step() {
  local name=$1; shift
  echo
  echo "---- $name ----"
  if "$@"; then results+=("PASS $name"); else results+=("FAIL $name"); failed=$((failed + 1)); fi
}

python_user() {
  local p="$USERS/python"
  mkdir -p "$p" && cp "$QS/python/quickstart.py" "$p/" || return 1
  python3 -m venv "$p/venv" || return 1
  "$p/venv/bin/pip" install -q --disable-pip-version-check "$DIST"/python/ductape_sdk-"$VERSION"-*.whl || return 1
  quickstart python "$p" "$p/venv/bin/python" quickstart.py
}

java_user() {
  local p="$USERS/java"
  cp -r "$QS/java" "$p" || return 1
  # A file repository, filled as one installs a jar that is not (yet) on Maven Central.
  mvn -B -ntp -q org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file \
    -Dfile="$DIST/java/ductape-sdk-$VERSION.jar" -DpomFile="$DIST/java/ductape-sdk-$VERSION.pom" \
    -Dsources="$DIST/java/ductape-sdk-$VERSION-sources.jar" -Djavadoc="$DIST/java/ductape-sdk-$VERSION-javadoc.jar" \
    -DlocalRepositoryPath="$p/repository" || return 1
  # The SDK from that repository (the project names it), its dependencies from Maven Central, and a
  # local repository of its own: the default ~/.m2 may hold a ductape-sdk that examples/ installed.
  (cd "$p" && mvn -B -ntp -q -Dstyle.color=never -Dmaven.repo.local="$p/m2" \
    -Dductape.repository="file://$p/repository" -Dductape.version="$VERSION" \
    compile dependency:build-classpath -Dmdep.outputFile=classpath.txt) || return 1
  quickstart java "$p" sh -c 'exec java -cp "target/classes:$(cat classpath.txt)" QuickStart'
}

go_user() {
  local p="$USERS/go"
  mkdir -p "$p" && cp "$QS/go/main.go" "$p/" || return 1
  # The module from a GOPROXY directory; GONOSUMDB: a module the checksum database has never seen.
  (cd "$p" && export GOPROXY="file://$DIST/go/proxy" GONOSUMDB=ductape.dev GOFLAGS=-mod=mod GOTOOLCHAIN=local \
      GOPATH="$p/gopath" GOMODCACHE="$p/gopath/pkg/mod" \
    && go mod init example.com/quickstart > /dev/null 2>&1 && go get "ductape.dev/ductape@v$VERSION" \
    && go build -o quickstart .) || return 1
  quickstart go "$p" ./quickstart
}

dotnet_user() {
  local p="$USERS/dotnet"
  mkdir -p "$p" && cp "$QS/dotnet/QuickStart.cs" "$p/" || return 1
  (cd "$p" && nuget install Ductape -Version "$VERSION" -Source "$DIST/dotnet" -OutputDirectory packages -NonInteractive > /dev/null) || return 1
  local pkg="$p/packages/Ductape.$VERSION"
  mcs -langversion:7.2 -out:"$p/QuickStart.exe" -r:"$pkg/lib/netstandard2.0/Ductape.dll" "$p/QuickStart.cs" || return 1
  # What a .NET build does with the package: the assembly and the runtime's native library beside the program.
  cp "$pkg/lib/netstandard2.0/Ductape.dll" "$pkg/runtimes/linux-x64/native/libductape_ffi.so" "$p/" || return 1
  quickstart dotnet "$p" mono QuickStart.exe
}

node_user() {
  local p="$USERS/node"
  mkdir -p "$p" && cp "$QS/node/quickstart.mjs" "$p/" || return 1
  (cd "$p" && npm init -y > /dev/null && npm install --no-audit --no-fund --loglevel=error "$DIST/node/ductape-$VERSION.tgz") || return 1
  quickstart node "$p" node quickstart.mjs
}

cli_user() {
  # The CLI's own story against the same simulator (what `ductape demo` does, with its own simulator).
  local out="$USERS/cli.out"
  "$DUCTAPE" demo > "$out" 2>&1 || { cat "$out"; return 1; }
  grep -q "^demo complete: 16 steps" "$out" || { cat "$out"; return 1; }
}

# The READMEs show these programs and this output: they must be the ones run here.
readmes_quote_the_quick_starts() {
  python3 - "$REPO" "$VERSION" <<'PY'
import pathlib, sys
repo, version = pathlib.Path(sys.argv[1]), sys.argv[2]
expected = (repo / "tests/packages/expected.txt").read_text().replace("@VERSION@", version)
stale = []
for readme, program in (("python", "python/quickstart.py"), ("java", "java/src/main/java/QuickStart.java"),
                        ("go", "go/main.go"), ("dotnet", "dotnet/QuickStart.cs"), ("node", "node/quickstart.mjs")):
    text = (repo / "bindings" / readme / "README.md").read_text()
    for what, quoted in ((program, (repo / "tests/packages" / program).read_text()), ("expected.txt", expected)):
        if quoted.rstrip() not in text:
            stale.append(f"bindings/{readme}/README.md does not show tests/packages/{what} as it is")
print("\n".join(stale) or "the five READMEs show the quick starts and their output as run here")
sys.exit(1 if stale else 0)
PY
}

step "readmes: each binding's quick start is the program run below" readmes_quote_the_quick_starts
step "python: pip install the wheel into a fresh venv" python_user
step "java: install:install-file into a file repository, a Maven project using it" java_user
step "go: go get from a GOPROXY directory" go_user
step ".NET: nuget install from a folder feed, mcs + mono" dotnet_user
step "node: npm install of the tarball" node_user
step "cli: ductape demo from the unpacked tarball" cli_user

echo
echo "---- packages summary ----"
printf '%s\n' "${results[@]}"
echo "packages: $(( ${#results[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
