#!/usr/bin/env bash
# Idle memory of the console: builds the release binary, starts the simulated NAS
# (`k8s-nas demo --serve`), starts the console against it in a private tmux server (160×45),
# waits, and prints the console process's VmRSS, VmHWM and thread count from /proc/PID/status.
#
#   benches/idle_rss.sh                 # build, wait 30 s, print the figures
#   WAIT=60 benches/idle_rss.sh         # idle longer
#   K8S_NAS_BIN=/path/to/k8s-nas benches/idle_rss.sh   # measure that binary, no build
#   CONSOLE_ENV="MALLOC_ARENA_MAX=1" benches/idle_rss.sh  # extra environment for the console
#   DETAIL=1 benches/idle_rss.sh        # also: resident kB per mapping and the thread names
#
# Reference: kdash (kube-rs, ratatui, tokio) idles at about 19.5 MB RSS on the same cluster.
# Needs tmux. Uses throwaway config/data/state directories, so your own config is not read.
set -euo pipefail
cd "$(dirname "$0")/.."

WAIT="${WAIT:-30}"
SCENARIO="${SCENARIO:-healthy}"
BIN="${K8S_NAS_BIN:-}"
if [ -z "$BIN" ]; then
  # both binaries: `demo --serve` runs k8s-nas-demo, which links the simulator
  cargo build --release --quiet --bins
  BIN="$PWD/target/release/k8s-nas"
fi
command -v tmux >/dev/null || { echo "tmux is required (apt-get install tmux)" >&2; exit 1; }

tmp="$(mktemp -d)"
sock="k8s-nas-idle-rss-$$"
demo_pid=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  if [ -n "$demo_pid" ]; then
    kill "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

dirs=(K8S_NAS_CONFIG_DIR="$tmp/config" K8S_NAS_DATA_DIR="$tmp/data" XDG_STATE_HOME="$tmp/state")
kc="$tmp/nas.yaml"
env "${dirs[@]}" "$BIN" demo --serve --scenario "$SCENARIO" --kubeconfig-out "$kc" \
  >"$tmp/demo.out" 2>&1 &
demo_pid=$!
for _ in $(seq 300); do
  [ -s "$kc" ] && break
  kill -0 "$demo_pid" 2>/dev/null || { cat "$tmp/demo.out" >&2; exit 1; }
  sleep 0.1
done
[ -s "$kc" ] || { echo "demo --serve wrote no kubeconfig" >&2; exit 1; }

# `exec env …`: the pane's process is the console itself.
tmux -L "$sock" -f /dev/null new-session -d -s rss -x 160 -y 45 \
  "exec env ${dirs[*]} ${CONSOLE_ENV:-} $BIN --kubeconfig $kc"
pid="$(tmux -L "$sock" display-message -p -t rss '#{pane_pid}')"
# The pane's shell execs `env`, which execs the console: give a loaded machine a moment.
for _ in $(seq 50); do
  [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$BIN")" ] && break
  sleep 0.1
done
[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$BIN")" ] \
  || { echo "pane process $pid is not the console" >&2; exit 1; }

# Idle means: the Services table is on screen (the cluster is listed), then WAIT seconds more.
title=""
for _ in $(seq 120); do
  kill -0 "$pid" 2>/dev/null || { echo "the console exited" >&2; exit 1; }
  screen="$(tmux -L "$sock" capture-pane -p -t rss)"
  title="$(grep -m1 -o 'Services([^]]*\]' <<<"$screen" || true)"
  [ -n "$title" ] && break
  sleep 0.5
done
[ -n "$title" ] || { echo "the console shows no Services table:" >&2; echo "$screen" >&2; exit 1; }
sleep "$WAIT"
kill -0 "$pid" 2>/dev/null || { echo "the console exited" >&2; exit 1; }
title="$(tmux -L "$sock" capture-pane -p -t rss | grep -m1 -o 'Services([^]]*\]' || true)"
pods="$(grep -c . < <(KUBECONFIG="$kc" kubectl get pods -A --no-headers 2>/dev/null) || true)"

field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }
rss="$(field VmRSS)"
hwm="$(field VmHWM)"
echo "console idle ${WAIT}s after its first Services screen, scenario ${SCENARIO}, ${pods:-?} pods, screen ${title}"
echo "  VmRSS    $(mb "$rss")  (${rss} kB)"
echo "  VmHWM    $(mb "$hwm")  (${hwm} kB)"
echo "  RssAnon  $(mb "$(field RssAnon)")   RssFile $(mb "$(field RssFile)")"
echo "  Threads  $(field Threads)"
echo "  binary   $BIN ($(du -k "$BIN" | cut -f1) kB)${CONSOLE_ENV:+, env $CONSOLE_ENV}"
echo "  goal     VmRSS <= 19.5 MB (kdash on the same stack)"
if [ -n "${DETAIL:-}" ]; then
  echo "  resident by mapping (kB, from /proc/$pid/smaps):"
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon]" : $6); perm = $2 }
       $1 == "Rss:" { rss[name " " perm] += $2 }
       END { for (k in rss) if (rss[k] > 0) printf "    %8d  %s\n", rss[k], k }' \
    "/proc/$pid/smaps" | sort -rn | head -20
  echo "  threads: $(cat /proc/"$pid"/task/*/comm | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')"
fi
