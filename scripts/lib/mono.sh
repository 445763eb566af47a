# ensure_mono: Debian's Mono 6.8 (mcs and the runtime) from apt when either is missing; there is
# no .NET SDK here. Sourced by scripts/test-dotnet.sh and scripts/bench-bindings.sh.
ensure_mono() {
  if command -v mcs > /dev/null && command -v mono > /dev/null; then return 0; fi
  echo "---- installing Mono (apt) ----"
  DEBIAN_FRONTEND=noninteractive apt-get update -q > /dev/null || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    mono-mcs mono-runtime libmono-system4.0-cil libmono-system-core4.0-cil > /dev/null
}
