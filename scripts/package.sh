#!/usr/bin/env bash
# Every artifact a user installs, built from this checkout into dist/ (linux x86-64, glibc):
#
#   dist/python/ductape_sdk-VERSION-cp38-abi3-manylinux_*_x86_64.whl   pip install
#   dist/java/ductape-sdk-VERSION{.jar,.pom,-sources.jar,-javadoc.jar}   a Maven repository's files
#   dist/go/proxy/ductape.dev/ductape/@v/vVERSION.{info,mod,zip}         a GOPROXY directory
#   dist/dotnet/Ductape.VERSION.nupkg                                    a NuGet package
#   dist/node/ductape-VERSION.tgz                                        npm install
#   dist/cli/ductape-VERSION-x86_64-unknown-linux-gnu.tar.gz             the `ductape` binary
#
# The native code is built with the release profile (thin LTO) and stripped; none of it carries
# the debug-operations feature. One version for all of them: the workspace's (scripts/check-versions.sh).
# Each artifact's size is printed at the end and written, with its SHA-256, to dist/SHA256SUMS.
#
#   bash scripts/package.sh
#   DUCTAPE_PACKAGE_PROFILE=dev bash scripts/package.sh   # the same artifacts from the dev profile
#       (unoptimised, still stripped): what the test command's install tests use, because a release
#       build of the whole workspace takes about 20 minutes on 2 cores
#
# Needs: cargo, python3 (venv), Maven + JDK 17, Node.js 20 + npm, strip (binutils), and Mono's mcs +
# nuget (installed with apt when missing, as scripts/test-dotnet.sh does). Go is not needed to build the module.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
PROFILE="${DUCTAPE_PACKAGE_PROFILE:-release}"
case "$PROFILE" in
  release) OUT_DIR=release ;;
  dev) OUT_DIR=debug ;;
  *) echo "package.sh: DUCTAPE_PACKAGE_PROFILE must be release or dev, not '$PROFILE'" >&2; exit 2 ;;
esac
DIST="$REPO/dist"
WORK="$REPO/.work/package"
bash scripts/check-versions.sh
VERSION="$(bash scripts/check-versions.sh --print)"
rm -rf "$DIST" "$WORK"
mkdir -p "$DIST"/{python,java,go,dotnet,node,cli} "$WORK"
started=$SECONDS
say() { echo; echo "---- $* ($((SECONDS - started)) s) ----"; }

# ---- native code --------------------------------------------------------------------------------
# Two cargo runs, so that each has the features of what it ships: ductape-ffi alone is also what
# maturin builds below (the same feature set, so maturin reuses it), and the CLI with the Node addon.
say "cargo build --profile $PROFILE: ductape-ffi (cdylib + staticlib)"
cargo build --locked --profile "$PROFILE" -p ductape-ffi
say "cargo build --profile $PROFILE: the ductape CLI and the Node.js addon"
cargo build --locked --profile "$PROFILE" -p ductape-cli -p ductape-node
# The generator is a build tool: its dev build is enough (it reads the library's metadata).
cargo build --locked -p uniffi-bindgen
NATIVE="$WORK/native"
mkdir -p "$NATIVE"
cp "$TARGET/$OUT_DIR/libductape_ffi.so" "$TARGET/$OUT_DIR/libductape_ffi.a" "$NATIVE/"
# Kotlin from the unstripped library (the metadata uniffi reads are in its symbols).
"$TARGET/debug/uniffi-bindgen" generate "$NATIVE/libductape_ffi.so" --language kotlin --no-format \
  --out-dir "$WORK/java/generated-kotlin"
# --strip-unneeded keeps the dynamic symbols every binding calls; the archive keeps its symbol
# table (a linker needs it) and loses only debug sections.
strip --strip-unneeded "$NATIVE/libductape_ffi.so"
strip --strip-debug "$NATIVE/libductape_ffi.a"

# ---- Python: maturin wheel ------------------------------------------------------------------------
say "python: maturin build (wheel)"
VENV="$WORK/venv"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "maturin>=1.7,<2" "wheel>=0.42"
# manylinux: the tag pip accepts on any Linux with at least the glibc the library needs; maturin
# reads that minimum off the library's versioned glibc symbols (auditwheel's check), so the tag is
# the build machine's floor, not a guess. abi3: the wheel holds no CPython extension (uniffi's
# Python is ctypes), so one wheel serves every Python 3.8+.
# Not maturin's --strip: it strips before it reads the uniffi metadata off the library (and the
# flag's rustflags would rebuild every crate). The library is stripped in the wheel afterwards;
# `wheel pack` rewrites RECORD with the new hashes.
(cd bindings/python && "$VENV/bin/maturin" build -q --profile "$PROFILE" --compatibility pypi \
  --out "$WORK/python")
"$VENV/bin/python" -m wheel unpack --dest "$WORK/python/unpacked" "$WORK"/python/ductape_sdk-*.whl > /dev/null
find "$WORK/python/unpacked" -name '*.so' -exec strip --strip-unneeded {} +
"$VENV/bin/python" -m wheel pack --dest-dir "$DIST/python" "$WORK"/python/unpacked/ductape_sdk-* > /dev/null

# ---- Java / Kotlin: jar, POM, sources, javadoc ----------------------------------------------------
say "java: mvn -P release package (jar, sources, javadoc)"
mkdir -p "$WORK/java/native/linux-x86-64"
cp "$NATIVE/libductape_ffi.so" "$WORK/java/native/linux-x86-64/"
mvn -B -ntp -q -f bindings/java/pom.xml -P release -DskipTests \
  -Dductape.generated.dir="$WORK/java/generated-kotlin" -Dductape.native.dir="$WORK/java/native" \
  -Dductape.build.dir="$WORK/java/target" package
for suffix in .jar -sources.jar -javadoc.jar; do
  cp "$WORK/java/target/ductape-sdk-$VERSION$suffix" "$DIST/java/"
done
cp bindings/java/pom.xml "$DIST/java/ductape-sdk-$VERSION.pom"

# ---- Go: a module proxy directory ----------------------------------------------------------------
say "go: module ductape.dev/ductape v$VERSION (GOPROXY directory)"
GO_MOD="$WORK/go/module"
mkdir -p "$GO_MOD/native"
# The module as a user builds it: sources without the tests (they need this repository's vectors),
# the header and the stripped libraries under native/ (static by default, .so for -tags ductape_dynamic).
(cd bindings/go && git ls-files -- . ':!:*_test.go' | while read -r f; do
  mkdir -p "$GO_MOD/$(dirname "$f")"; cp "$f" "$GO_MOD/$f"; done)
cp "$REPO/LICENSE" "$GO_MOD/"
cp bindings/ffi/include/ductape.h "$NATIVE/libductape_ffi.a" "$NATIVE/libductape_ffi.so" "$GO_MOD/native/"
python3 scripts/package/go_proxy.py "$GO_MOD" ductape.dev/ductape "v$VERSION" "$DIST/go/proxy"

# ---- .NET: a NuGet package ----------------------------------------------------------------------
say ".NET: mcs + nuget pack"
bash scripts/package/dotnet.sh "$VERSION" "$NATIVE/libductape_ffi.so" "$WORK/dotnet" "$DIST/dotnet"

# ---- Node.js: npm pack --------------------------------------------------------------------------
say "node: tsc + npm pack"
(cd bindings/node && npm ci --no-audit --no-fund --loglevel=error && npm run -s build:ts)
NODE_PKG="$WORK/node/package"
mkdir -p "$NODE_PKG"
cp -r bindings/node/package.json bindings/node/README.md bindings/node/dist bindings/node/esm "$NODE_PKG/"
cp "$REPO/LICENSE" "$NODE_PKG/"
cp "$TARGET/$OUT_DIR/libductape_node.so" "$NODE_PKG/ductape.node"
strip --strip-unneeded "$NODE_PKG/ductape.node"
(cd "$NODE_PKG" && npm pack --silent --pack-destination "$DIST/node" > /dev/null)

# ---- the CLI ------------------------------------------------------------------------------------
say "cli: ductape binary"
CLI_DIR="$WORK/cli/ductape-$VERSION-x86_64-unknown-linux-gnu"
mkdir -p "$CLI_DIR"
cp "$TARGET/$OUT_DIR/ductape" "$CLI_DIR/"
strip "$CLI_DIR/ductape"
cp "$REPO/LICENSE" "$REPO/docs/cli.md" "$REPO/docs/default-seed.md" "$CLI_DIR/"
tar -C "$WORK/cli" -czf "$DIST/cli/$(basename "$CLI_DIR").tar.gz" "$(basename "$CLI_DIR")"

# ---- sizes --------------------------------------------------------------------------------------
say "artifacts (profile $PROFILE, version $VERSION)"
(cd "$DIST" && find . -type f ! -name SHA256SUMS ! -path './go/proxy/*/list' | sort | sed 's|^\./||' \
  | xargs sha256sum > SHA256SUMS)
python3 - "$DIST" "$NATIVE" <<'PY'
import os, sys
dist, native = sys.argv[1], sys.argv[2]
mb = lambda n: f"{n / 1e6:8.1f} MB" if n >= 1e5 else f"{n / 1e3:8.1f} kB"
for line in open(os.path.join(dist, "SHA256SUMS")):
    path = line.split(None, 1)[1].strip()
    print(f"{mb(os.path.getsize(os.path.join(dist, path)))}  dist/{path}")
for name in ("libductape_ffi.so", "libductape_ffi.a"):
    print(f"{mb(os.path.getsize(os.path.join(native, name)))}  (the stripped {name} inside them)")
PY
