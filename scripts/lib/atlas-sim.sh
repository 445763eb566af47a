# Sourced by the test scripts: start_atlas_sim BINARY LOG starts the simulator binary on a free
# port in the background and sets SIM_PID and DUCTAPE_SIM_URL (read from its first line,
# "atlas-sim listening on http://..."). When it has not started within 10 s it prints the log,
# stops the process and answers 1. The caller stops it (kill "$SIM_PID").
start_atlas_sim() {
  local bin="$1" log="$2" line=""
  DUCTAPE_SIM_URL=""
  "$bin" --port 0 > "$log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$log" 2>/dev/null || true)
    case "$line" in "atlas-sim listening on http://"*) DUCTAPE_SIM_URL=${line#atlas-sim listening on }; return 0 ;; esac
    kill -0 "$SIM_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "atlas-sim did not start:"; cat "$log"; kill "$SIM_PID" 2>/dev/null || true
  return 1
}
