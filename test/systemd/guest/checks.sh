#!/bin/bash
# Runs inside the guest (systemd is PID 1), from run-checks.service: installs the checkout at
# /opt/vigil for real with scripts/install.sh and checks what the pair does under systemd.
# Writes $RESULTS/<phase>/tap.txt (unnumbered "ok - …" / "not ok - …" lines: run.sh numbers
# them), one evidence file per step, and "done" (the number that failed); then powers off.
# Two phases, one per boot (the phase is kept in /var/lib/vigil-checks):
#   main  refusals (a checkout under /var/tmp, one under a group-writable folder); install; units, notify, polkit, status, the idle
#         watchdog's wakeups (measured, not asserted), journal, logs; SIGKILL and SIGSTOP of either process; the detached
#         grandchild; kill -9 of the agent's main process, also with a process of its unit left behind; recover hard; an operator's restart; stop/start;
#         the crash loop; the unit scores; a second install; then reboot
#   boot  both up at boot and clean; uninstall --purge leaves nothing
set -u
RESULTS=${RESULTS:-/results}
PREFIX=${VIGIL_PREFIX:-/opt/vigil}
STATE=/var/lib/vigil-checks
mkdir -p "$STATE"
PHASE=$(cat "$STATE/phase" 2>/dev/null || echo main)
R="$RESULTS/$PHASE"
mkdir -p "$R"
: > "$R/tap.txt"
FAILED=0 STEP=0 EV=/dev/null
T0=$(date +%s.%N)
AGENT=vigil-agent.service
WATCHDOG=vigil-watchdog.service

vigil() { /usr/bin/node "$PREFIX/packages/cli/dist/bin/vigil.js" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ok() { echo "ok - $1" | tee -a "$R/tap.txt"; }
notok() {
  FAILED=$((FAILED + 1))
  echo "not ok - $1" | tee -a "$R/tap.txt"
  [ -z "${2:-}" ] || printf '  # %s\n' "$2" | tee -a "$R/tap.txt"
}
# check DESCRIPTION COMMAND…: ok when the command succeeds.
check() { local what="$1"; shift; if "$@" >>"$EV" 2>&1; then ok "$what"; else notok "$what" "failed: $*"; fi; }
# step NAME: the evidence that follows goes to NN-NAME.txt.
step() {
  STEP=$((STEP + 1))
  EV=$(printf '%s/%02d-%s.txt' "$R" "$STEP" "$1")
  : > "$EV"
  echo "# $1 (at $(since "$T0") s)" >> "$R/tap.txt"
}
ev() { { echo "\$ $*"; "$@" 2>&1; echo "[exit $?]"; echo; } >> "$EV"; }
# wait_for SECONDS COMMAND…: polls every 0.1 s until the command succeeds, or fails at the deadline.
wait_for() {
  local deadline
  deadline=$(awk -v t="$(now)" -v s="$1" 'BEGIN { printf "%.1f", t + s }')
  shift
  until "$@" >/dev/null 2>&1; do
    awk -v t="$(now)" -v d="$deadline" 'BEGIN { exit !(t > d) }' && return 1
    sleep 0.1
  done
}
prop() { systemctl show -P "$2" "$1"; }
mainpid() { prop "$1" MainPID; }
active() { [ "$(systemctl is-active "$1")" = active ]; }
inactive() { ! systemctl is-active --quiet "$1"; }
new_main() { local p; p=$(mainpid "$1"); [ "$p" != 0 ] && [ "$p" != "$2" ] && active "$1"; }
healthy() { vigil status >/dev/null 2>&1; }
# The journal of both units (and systemd's lines about them) since a `now` stamp.
journal_since() { journalctl --no-pager -o short-precise --since "@${1%.*}" -u "$WATCHDOG" -u "$AGENT"; }
# journalctl's --since takes whole seconds: lines of the same second before T are dropped by
# their microsecond stamp, then the prefix is cut so that PATTERN sees the message as -o cat has it.
jcount() {
  journalctl --no-pager -o short-unix --since "@${1%.*}" "${@:3}" |
    awk -v t="$1" '$1 + 0 >= t + 0 { sub(/^[^ ]+ [^ ]+ [^ ]+: /, ""); print }' | grep -cE "$2"
}
# `vigil status --json` / `vigil history --json` read with node: json CMD EXPRESSION-of-v
json() { vigil "$1" --json 2>/dev/null | /usr/bin/node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{let v;try{v=JSON.parse(s)}catch{process.exit(1)}const r=($2);if(r===undefined||r===false)process.exit(1);console.log(typeof r==='string'?r:JSON.stringify(r))})"; }
state_is() { [ "$(json status 'v.agent.state')" = "$1" ]; }
status_pid_is_main() { [ "$(json status 'v.agent.pid')" = "$(mainpid "$AGENT")" ] && healthy; }
newest() { json history "v[0] && v[0].$1"; }
newest_is() { [ "$(newest "$1")" = "$2" ]; }
new_incident_is() { # T WANT: the newest incident opened after the `now` stamp T is WANT (signal/outcome)
  [ "$(json history "v[0] && v[0].openedAt >= $(awk -v t="$1" 'BEGIN { printf "%d", t * 1000 }') && v[0].signal + '/' + v[0].outcome")" = "$2" ]
}
newest_matches() { [[ "$(newest "$1")" =~ $2 ]]; }
no_lines() { [ "$(jcount "$@")" = 0 ]; } # no_lines T PATTERN JOURNALCTL-ARGS…
agent_is() { [ "$(mainpid "$AGENT")" = "$1" ]; }
healthy_with() { healthy && agent_is "$1"; }
no_restarts() { [ "$(prop "$AGENT" NRestarts)" = 0 ]; }
both_inactive() { inactive "$WATCHDOG" && inactive "$AGENT"; }
both_active() { active "$WATCHDOG" && active "$AGENT"; }
gone() { [ ! -d "/proc/$1" ]; }
sandboxed_checks_pass() {
  json status "(h => h && h.checks && h.checks.ok >= 4 && !['sees-journald', 'metrics-port', 'metrics-http', 'dbus-active'].some(n => (h.failing || []).includes(n)))(v.agent.health)"
}
supervised() { local p; p=$(json status 'v.agent.state !== "failed" && v.agent.pid') && [ "$p" = "$(mainpid "$AGENT")" ]; }
in_journal() { journalctl --no-pager -o cat --since "@${1%.*}" -u "$3" | grep -q "$2"; } # in_journal T TEXT UNIT
more_starts() { [ "$(jcount "$1" '^Started vigil-agent.service' -u "$AGENT")" -gt "$2" ]; }
as_user() { local who="$1"; shift; setpriv --reuid="$who" --regid="$who" --init-groups "$@"; }
exit_of() { tail -2 "$EV" | grep -q "^\[exit $1\]"; }
ms_between() { # UNIT FROM-PROPERTY TO-PROPERTY: milliseconds between two monotonic stamps of PID 1
  awk -v a="$(prop "$1" "$2")" -v b="$(prop "$1" "$3")" 'BEGIN { printf "%d", (b - a) / 1000 }'
}
# Context switches of every thread of PID, summed: "VOLUNTARY INVOLUNTARY" (a voluntary one is a wakeup).
ctxt_switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^voluntary_ctxt_switches/ { v += $2 } /^nonvoluntary_ctxt_switches/ { n += $2 } END { print v + 0, n + 0 }'
}
# The first journal line of UNIT matching PATTERN after the `now` stamp T, as seconds since the epoch.
first_line_at() { # T PATTERN UNIT
  journalctl --no-pager -o short-unix --since "@${1%.*}" -u "$3" |
    awk -v t="$1" -v p="$2" '$1 + 0 >= t + 0 && $0 ~ p { print $1; exit }'
}
ms_since() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "") print "?"; else printf "%d", (b - a) * 1000 }'; } # FROM TO
# Moves PID into the cgroups (cgroup2, and systemd's own v1 hierarchy on a hybrid host) that
# UNIT-PID is in: to systemd it is then a process of that unit.
join_cgroups() { # UNIT-PID PID
  local line rest ctl path dir
  while IFS= read -r line; do
    rest=${line#*:} ctl=${rest%%:*} path=${rest#*:}
    case "$ctl" in
      "") if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then dir=/sys/fs/cgroup; else dir=/sys/fs/cgroup/unified; fi ;;
      # Listed on a unified guest too (the host's hierarchy), but mounted only on a hybrid one.
      name=systemd) dir=/sys/fs/cgroup/systemd; [ "$(stat -fc %T "$dir" 2>/dev/null)" = cgroupfs ] || continue ;;
      *) continue ;;
    esac
    echo "$2" > "$dir$path/cgroup.procs" || return 1
  done < "/proc/$1/cgroup"
}

finish() {
  echo "# phase $PHASE: $FAILED failed, $(since "$T0") s" | tee -a "$R/tap.txt"
  journalctl --no-pager -o short-precise -b > "$R/journal.txt" 2>&1
  echo "$FAILED" > "$R/done"
  sync
  systemctl poweroff --no-block
  exit 0
}

{
  echo "phase $PHASE; kernel $(uname -r); virt $(systemd-detect-virt 2>&1); $(systemctl --version | head -1)"
  echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup); node $(/usr/bin/node --version); polkit $(dpkg-query -W -f '${Version}' polkitd)"
} > "$R/00-environment.txt"
[ -f "$PREFIX/packages/cli/dist/bin/vigil.js" ] || { notok "a built checkout at $PREFIX"; PHASE=none; }
cd "$PREFIX" 2>/dev/null || cd /

case "$PHASE" in
main)
  step refuse-tmp
  # PrivateTmp=yes would hide a checkout under /var/tmp from both units: refused unless --force.
  mkdir -p /var/tmp/vigil-copy/packages/watchdog/dist/bin /var/tmp/vigil-copy/packages/agent/dist/bin
  touch /var/tmp/vigil-copy/packages/watchdog/dist/bin/vigil-watchdog.js /var/tmp/vigil-copy/packages/agent/dist/bin/vigil-agent.js
  ev vigil install --prefix /var/tmp/vigil-copy
  if exit_of 1 && grep -q 'PrivateTmp=yes' "$EV" && [ ! -e /etc/systemd/system/$AGENT ]; then
    ok "install refuses a checkout under /var/tmp (PrivateTmp=yes) and changes nothing"
  else notok "install refuses a checkout under /var/tmp (PrivateTmp=yes) and changes nothing" "see $(basename "$EV")"; fi
  rm -rf /var/tmp/vigil-copy

  step refuse-writable
  # The units run the checkout as root: one under a group-writable folder is refused, naming it.
  mkdir -m 0775 /srv/vigil-open
  mkdir -p /srv/vigil-open/copy/packages/watchdog/dist/bin /srv/vigil-open/copy/packages/agent/dist/bin
  touch /srv/vigil-open/copy/packages/watchdog/dist/bin/vigil-watchdog.js /srv/vigil-open/copy/packages/agent/dist/bin/vigil-agent.js
  ev vigil install --prefix /srv/vigil-open/copy
  if exit_of 1 && grep -q 'VIGIL_INSTALL_PATH_UNSAFE' "$EV" && grep -q 'fix: chmod go-w /srv/vigil-open' "$EV" && [ ! -e /etc/systemd/system/$AGENT ]; then
    ok "install refuses a checkout under a group-writable folder and changes nothing"
  else notok "install refuses a checkout under a group-writable folder and changes nothing" "see $(basename "$EV")"; fi
  rm -rf /srv/vigil-open

  step install
  install -D -m 0644 /checks/vigil.yaml /etc/vigil/vigil.yaml
  t=$(now)
  ev scripts/install.sh
  if exit_of 0; then ok "scripts/install.sh (no --root) exits 0 in $(since "$t") s"; else notok "scripts/install.sh exits 0" "see $(basename "$EV")"; fi
  ev cat /etc/systemd/system/$WATCHDOG /etc/systemd/system/$AGENT /etc/polkit-1/rules.d/50-vigil.rules
  ev systemd-analyze verify /etc/systemd/system/$WATCHDOG /etc/systemd/system/$AGENT
  INSTALLED=$(now)

  step started
  check "$AGENT is active" wait_for 30 active $AGENT
  check "$WATCHDOG is active: READY=1 reached systemd (Type=notify)" wait_for 30 active $WATCHDOG
  if wait_for 30 healthy; then ok "the pair is healthy (vigil status exits 0)"; else
    notok "the pair is healthy (vigil status exits 0)" "the remaining checks are skipped"
    ev systemctl status --no-pager -l $WATCHDOG $AGENT
    PHASE=aborted
    touch "$R/aborted"
  fi
  [ "$PHASE" = main ] || finish
  ev systemctl show $WATCHDOG -p StatusText -p NotifyAccess -p WatchdogUSec -p WatchdogTimestampMonotonic -p NRestarts
  st=$(prop $WATCHDOG StatusText)
  if [ -n "$st" ]; then ok "STATUS= reached systemd: \"$st\""; else notok "STATUS= reached systemd" "StatusText is empty"; fi
  w1=$(prop $WATCHDOG WatchdogTimestampMonotonic)
  if wait_for 15 bash -c "[ \"\$(systemctl show -P WatchdogTimestampMonotonic $WATCHDOG)\" -gt $w1 ]"; then
    ok "WATCHDOG=1 pings reach systemd (WatchdogTimestampMonotonic moves on)"
  else notok "WATCHDOG=1 pings reach systemd" "WatchdogTimestampMonotonic stayed $w1"; fi
  ev systemctl show $AGENT -p Type -p Restart -p KillMode -p NRestarts
  if [ "$(prop $AGENT Type)/$(prop $AGENT Restart)/$(prop $AGENT KillMode)" = exec/no/control-group ]; then
    ok "$AGENT is Type=exec, Restart=no, KillMode=control-group: only the watchdog restarts it"
  else notok "$AGENT is Type=exec, Restart=no, KillMode=control-group" "$(prop $AGENT Type)/$(prop $AGENT Restart)/$(prop $AGENT KillMode)"; fi

  step polkit
  # What the watchdog does through polkit, as its user by hand: allowed for the agent's unit only.
  for verb in "kill -s SIGCONT" reset-failed restart; do
    ev as_user vigil systemctl --no-ask-password $verb $AGENT
    if exit_of 0; then ok "polkit: user vigil may ${verb%% *} $AGENT"; else notok "polkit: user vigil may ${verb%% *} $AGENT" "see $(basename "$EV")"; fi
  done
  for other in "restart systemd-journald.service" "stop $WATCHDOG" "start dbus.service"; do
    ev as_user vigil systemctl --no-ask-password $other
    if exit_of 0; then notok "polkit: user vigil may not ${other}" "it could"; else ok "polkit: user vigil may not ${other}"; fi
  done
  check "the pair is healthy again after the polkit checks" wait_for 30 healthy

  step status
  ev vigil status
  check "vigil status exits 0 as root" healthy
  check "vigil status --json: agent.pid is the unit's MainPID" status_pid_is_main
  useradd --system --no-create-home --shell /usr/sbin/nologin alice && usermod -aG vigil alice
  useradd --system --no-create-home --shell /usr/sbin/nologin bob && usermod -aG vigil,systemd-journal bob
  ev as_user alice /usr/bin/node "$PREFIX/packages/cli/dist/bin/vigil.js" status
  if exit_of 0; then ok "vigil status works for alice, in group vigil, without root"; else notok "vigil status works for a member of group vigil" "see $(basename "$EV")"; fi
  # The install put vigil on PATH, so the README's `vigil status` works as written.
  ev as_user alice env PATH=/usr/local/bin:/usr/bin:/bin vigil status
  if exit_of 0; then ok "vigil is on PATH (/usr/local/bin/vigil) and works for alice"; else notok "vigil is on PATH (/usr/local/bin/vigil) and works for alice" "see $(basename "$EV")"; fi

  step sandbox
  # Checks that need another user's /proc entry, a TCP and an HTTP connection (by name: netlink
  # for getaddrinfo) and D-Bus: each works under the agent's sandbox.
  ev vigil status --json
  check "the agent's process, tcp, http and systemd checks pass under its sandbox" wait_for 20 sandboxed_checks_pass
  ev vigil status

  step idle-wakeups
  # How often the idle watchdog wakes in systemd mode: measured and reported, never asserted.
  check "the pair is healthy before the measurement" wait_for 30 healthy
  wpid=$(mainpid $WATCHDOG)
  grep -H voluntary_ctxt_switches /proc/"$wpid"/task/*/status > "$EV.before" 2>/dev/null
  read -r v0 n0 < <(ctxt_switches "$wpid")
  m0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/"$wpid"/status)
  sleep 30
  read -r v1 n1 < <(ctxt_switches "$wpid")
  m1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' /proc/"$wpid"/status)
  grep -H voluntary_ctxt_switches /proc/"$wpid"/task/*/status > "$EV.after" 2>/dev/null
  # Per thread (the main thread is the watchdog's pid; the rest are libuv's and V8's).
  { echo "voluntary context switches per thread in the 30 s:"
    awk -F'[/:]' '$7 == "voluntary_ctxt_switches" { if (FILENAME ~ /before$/) b[$5] = $8; else printf "  task %s (%s): %d\n", $5, $5 == p ? "main" : "other", $8 - b[$5] }' \
      p="$wpid" "$EV.before" "$EV.after"
    for t in /proc/"$wpid"/task/*; do echo "  task ${t##*/}: $(cat "$t/comm")"; done; } >> "$EV"
  check "the watchdog sees the agent's exit through its cgroup: no fallback to polling in its journal" no_lines "$INSTALLED" 'exit detection falls back to polling' -u $WATCHDOG
  check "the same watchdog ran through the 30 s (pid $wpid)" bash -c '[ "$0" = "$1" ]' "$(mainpid $WATCHDOG)" "$wpid"
  wakeups="watchdog idle in systemd mode: $((v1 - v0)) voluntary context switches in 30 s ($(awk -v n="$((v1 - v0))" 'BEGIN { printf "%.1f", n / 30 }')/s; main thread $((m1 - m0))), $((n1 - n0)) involuntary"
  echo "$wakeups" >> "$EV"
  echo "# $wakeups" >> "$R/tap.txt"

  step journal-and-logs
  journalctl --no-pager -o short-precise -u $WATCHDOG -u $AGENT > "$EV.journal" 2>&1
  check "journald has the watchdog's lines (SyslogIdentifier=vigil-watchdog)" grep -q 'vigil-watchdog\[' "$EV.journal"
  check "journald has the agent's lines (SyslogIdentifier=vigil-agent)" grep -q 'vigil-agent\[' "$EV.journal"
  bad='interactive authentication|access denied|not authorized|permission denied|EACCES|EPERM|EROFS|read-only file system|SIGSYS|Bad system call'
  if grep -Eiq "$bad" "$EV.journal"; then notok "no permission or system call filter errors in either journal" "$(grep -Ei -m3 "$bad" "$EV.journal" | tr '\n' ' ')"
  else ok "no permission or system call filter errors in either journal"; fi
  ev vigil logs -n 30 --json
  if exit_of 0 && grep -q '"component":"watchdog"' "$EV" && grep -q '"component":"agent"' "$EV"; then ok "vigil logs (root) shows both units' lines"
  else notok "vigil logs (root) shows both units' lines" "see $(basename "$EV")"; fi
  ev as_user alice /usr/bin/node "$PREFIX/packages/cli/dist/bin/vigil.js" logs -n 5
  if exit_of 1 && grep -q 'systemd-journal' "$EV"; then ok "vigil logs for alice (group vigil only) names the group reading the journal needs"
  else notok "vigil logs for alice names the group reading the journal needs" "see $(basename "$EV")"; fi
  ev as_user bob /usr/bin/node "$PREFIX/packages/cli/dist/bin/vigil.js" logs -n 5
  if exit_of 0; then ok "vigil logs works for bob, in groups vigil and systemd-journal"; else notok "vigil logs works for a member of vigil and systemd-journal" "see $(basename "$EV")"; fi

  step kill-agent
  old=$(mainpid $AGENT) t=$(now)
  ev systemctl kill -s SIGKILL --kill-whom=main $AGENT
  if wait_for 10 new_main $AGENT "$old"; then
    took=$(ms_between $AGENT ActiveExitTimestampMonotonic ActiveEnterTimestampMonotonic)
    if [ "$took" -lt 1000 ]; then ok "SIGKILLed agent restarted by the watchdog in $took ms (systemd: from its exit to active again)"
    else notok "SIGKILLed agent restarted by the watchdog in under 1 s" "took $took ms"; fi
  else notok "SIGKILLed agent restarted within 10 s"; fi
  check "no restart of systemd's own: no 'Scheduled restart job'" no_lines "$t" 'Scheduled restart job' -u $AGENT
  check "... and NRestarts=0" no_restarts
  check "history: an exit, taken to the hard rung, restarted" wait_for 10 newest_is 'signal + "/" + v[0].rung + "/" + v[0].outcome' exit/hard/restarted
  check "the recorded command line is node's, not systemd's (node) placeholder" grep -q 'vigil-agent.js' /run/vigil/agent.pid
  ev cat /run/vigil/agent.pid
  check "the pair is healthy again" wait_for 30 healthy
  ev journal_since "$t"

  step detached-grandchild
  # The agent's command check leaves /bin/sleep 7777777 behind: setsid, double fork, empty environment.
  orphan=""
  wait_for 20 pgrep -f '^/bin/sleep 7777777$' && orphan=$(pgrep -f '^/bin/sleep 7777777$' | head -1)
  ev ps -o pid,ppid,sid,pgid,user,args -p "${orphan:-1}"
  ev cat /proc/"${orphan:-1}"/cgroup
  if [ -n "$orphan" ] && [ ! -s /proc/"$orphan"/environ ] && grep -q "/$AGENT" /proc/"$orphan"/cgroup &&
    [ "$(ps -o sid= -p "$orphan" | tr -d ' ')" != "$(ps -o sid= -p "$(mainpid $AGENT)" | tr -d ' ')" ]; then
    ok "the agent left a grandchild (pid $orphan) in its own session with an empty environment"
  else notok "the agent left a detached, environment-cleared grandchild" "see $(basename "$EV")"; fi
  old=$(mainpid $AGENT)
  ev systemctl kill -s SIGKILL --kill-whom=main $AGENT
  if [ -n "$orphan" ] && wait_for 10 gone "$orphan"; then ok "the grandchild dies with the agent (KillMode=control-group)"
  else notok "the grandchild dies with the agent (KillMode=control-group)" "pid $orphan is still there"; fi
  check "and the watchdog restarts the agent" wait_for 10 new_main $AGENT "$old"
  check "the pair is healthy again" wait_for 30 healthy

  step kill-9-main
  # A plain kill -9 of the main process while the unit's detached grandchild still lives: systemd
  # stops what is left of the unit, and the watchdog sees the exit and restarts it.
  wait_for 20 pgrep -f '^/bin/sleep 7777777$'
  old=$(mainpid $AGENT) t=$(now)
  ev kill -9 "$old"
  check "kill -9 of the agent's main process (pid $old): the watchdog restarts the unit" wait_for 10 new_main $AGENT "$old"
  check "history: a new incident, an exit, restarted" wait_for 10 new_incident_is "$t" exit/restarted
  check "the watchdog logged the kill" wait_for 10 in_journal "$t" 'agent killed by SIGKILL' $WATCHDOG
  echo "# kill -9: the watchdog logged the exit after $(ms_since "$t" "$(first_line_at "$t" 'agent killed by SIGKILL' $WATCHDOG)") ms" >> "$R/tap.txt"
  check "the pair is healthy again" wait_for 30 healthy
  ev journal_since "$t"

  step kill-9-lingering
  # The main process dies while another process of the unit ignores SIGTERM: the unit's cgroup
  # stays populated until systemd's SIGKILL (TimeoutStopSec=), and the exit is still seen.
  (trap '' TERM; exec /bin/sleep 8888888) </dev/null >/dev/null 2>&1 &
  lingering=$!
  old=$(mainpid $AGENT)
  check "a SIGTERM-ignoring process (pid $lingering) joins the agent's unit" join_cgroups "$old" "$lingering"
  ev cat /proc/"$lingering"/cgroup
  t=$(now)
  ev kill -9 "$old"
  check "kill -9 of the main process (pid $old): the watchdog restarts the unit" wait_for 15 new_main $AGENT "$old"
  check "history: a new incident, an exit, restarted" wait_for 10 new_incident_is "$t" exit/restarted
  check "the lingering process is gone (systemd's SIGKILL)" wait_for 10 gone "$lingering"
  kill -9 "$lingering" 2>/dev/null
  wait "$lingering" 2>/dev/null
  seen=$(first_line_at "$t" 'agent killed by SIGKILL' $WATCHDOG)
  killed=$(first_line_at "$t" 'State .stop-sigterm. timed out' $AGENT)
  echo "# kill -9 with a lingering process: the watchdog logged the exit after $(ms_since "$t" "$seen") ms; systemd's SIGKILL of the rest came after $(ms_since "$t" "$killed") ms" >> "$R/tap.txt"
  check "the pair is healthy again" wait_for 30 healthy
  ev journal_since "$t"

  step kill-watchdog
  wold=$(mainpid $WATCHDOG) aold=$(mainpid $AGENT) t=$(now)
  ev systemctl kill -s SIGKILL --kill-whom=main $WATCHDOG
  check "SIGKILLed watchdog restarted by systemd (Restart=always)" wait_for 30 new_main $WATCHDOG "$wold"
  check "the new watchdog adopts the agent (journal: 'adopted the running agent')" wait_for 20 in_journal "$t" 'adopted the running agent' $WATCHDOG
  check "the pair is healthy, with the same agent (pid $aold)" wait_for 20 healthy_with "$aold"
  ev journal_since "$t"

  step watchdog-timeout
  wold=$(mainpid $WATCHDOG) aold=$(mainpid $AGENT) t=$(now)
  ev systemctl kill -s SIGSTOP --kill-whom=main $WATCHDOG
  check "a SIGSTOPped watchdog is replaced by systemd (WatchdogSec=)" wait_for 40 new_main $WATCHDOG "$wold"
  check "systemd logged 'Watchdog timeout'" in_journal "$t" 'Watchdog timeout' $WATCHDOG
  check "the agent kept running through it (pid $aold)" agent_is "$aold"
  check "the pair is healthy" wait_for 30 healthy
  ev journal_since "$t"

  step hang-agent
  old=$(mainpid $AGENT) t=$(now)
  ev systemctl kill -s SIGSTOP --kill-whom=main $AGENT
  check "a SIGSTOPped agent is replaced by the watchdog" wait_for 30 new_main $AGENT "$old"
  check "history: a lost heartbeat or a stopped process, taken straight to the hard rung" wait_for 10 newest_matches 'signal + "/" + v[0].rungs.join(",")' '^(heartbeat-lost|process-stopped)/hard$'
  check "not by systemd (NRestarts=0)" no_restarts
  check "the pair is healthy again" wait_for 30 healthy
  ev journal_since "$t"

  step recover-hard
  old=$(mainpid $AGENT) t=$(now)
  ev vigil recover hard
  check "vigil recover hard restarts the agent's unit" wait_for 30 new_main $AGENT "$old"
  check "the pair is healthy again" wait_for 30 healthy
  ev journal_since "$t"

  step operator-restart
  old=$(mainpid $AGENT) t=$(now)
  ev systemctl restart $AGENT
  new=$(mainpid $AGENT)
  check "after systemctl restart $AGENT the watchdog supervises the new agent (status healthy, its pid)" wait_for 15 status_pid_is_main
  check "and it is the restarted one, left running (pid $old -> $new)" bash -c '[ "$0" != "$1" ]' "$old" "$new"
  check "... still pid $new" agent_is "$new"
  check "history: recorded as the operator's, no rung, restarted" wait_for 10 newest_is 'signal + "/" + (v[0].rung || "none") + "/" + v[0].outcome' operator/none/restarted
  check "no alert and no rung in the watchdog's journal" no_lines "$t" '"msg":"(alert: |incident rung)' -u $WATCHDOG
  check "no hello refused" no_lines "$t" 'refused a hello' -u $WATCHDOG
  ev vigil history -n 1
  ev journal_since "$t"

  step stop-start
  ev systemctl stop $WATCHDOG $AGENT
  check "systemctl stop $WATCHDOG $AGENT stops both" both_inactive
  sleep 2 # Nothing may bring either back by itself.
  check "both stay stopped" both_inactive
  ev systemctl start $WATCHDOG
  check "systemctl start $WATCHDOG starts the agent too (Wants=)" wait_for 30 both_active
  check "the pair is healthy" wait_for 30 healthy

  step crash-loop
  # node exits at once: NODE_OPTIONS from /etc/vigil/agent.env (read after Environment=).
  printf 'NODE_OPTIONS=--require=/nonexistent-vigil-check.js\n' > /etc/vigil/agent.env
  t=$(now)
  ev vigil recover hard
  check "the watchdog's guard marks the agent failed" wait_for 30 state_is failed
  starts=$(jcount "$t" '^Started vigil-agent.service' -u $AGENT)
  check "every start was the watchdog's: no 'Scheduled restart job' ($starts starts)" no_lines "$t" 'Scheduled restart job' -u $AGENT
  check "within its intensity: 2 to maxRestarts + 1 = 5 starts before failed ($starts)" bash -c '[ "$0" -ge 2 ] && [ "$0" -le 5 ]' "$starts"
  check "one alert that it failed" bash -c '[ "$0" = 1 ]' "$(jcount "$t" 'alert: .*restarts within the intensity window' -u $WATCHDOG)"
  check "it keeps probing: one more start after probeMs" wait_for 15 more_starts "$t" "$starts"
  check "... and is still failed" state_is failed
  # The fix, then the operator's restart while the watchdog knows no agent: its hello is from a
  # pid the watchdog did not start, and must be adopted (the unit's MainPID), not refused for
  # good. Paused, so that no probe restarts the unit meanwhile and the adoption is what is seen.
  rm -f /etc/vigil/agent.env
  ev vigil pause
  t=$(now)
  ev systemctl restart $AGENT
  check "an operator's restart while failed: the hello of the unit's MainPID is adopted" wait_for 30 newest_is 'signal + "/" + v[0].outcome' operator/restarted
  check "... and the watchdog supervises it (status: its pid, not failed)" wait_for 30 supervised
  check "... after at most one refused hello" bash -c '[ "$0" -le 1 ]' "$(jcount "$t" 'refused a hello' -u $WATCHDOG)"
  ev vigil resume
  check "resumed, the pair is healthy" wait_for 30 status_pid_is_main
  ev vigil status
  ev journal_since "$t"

  step security
  for pair in "$WATCHDOG 3.0" "$AGENT 2.0"; do
    set -- $pair
    ev systemd-analyze security --no-pager --threshold="$(awk -v t="$2" 'BEGIN { printf "%d", t * 10 }')" "$1"
    score=$(grep -oE 'Overall exposure level for [^:]+: [0-9.]+' "$EV" | tail -1 | awk '{ print $NF }')
    if exit_of 0; then ok "systemd-analyze security $1: $score (at most $2)"; else notok "systemd-analyze security $1 at most $2" "scored $score"; fi
  done

  step reinstall
  ev scripts/install.sh
  if exit_of 0 && ! grep -Eq '^(write|add|remove|systemctl|run) ' "$EV"; then ok "a second install changes nothing"
  else notok "a second install changes nothing" "see $(basename "$EV")"; fi

  step whole-run
  # Exactly what was caused: the watchdog died twice (SIGKILL, then its one watchdog timeout).
  journalctl --no-pager -o short-precise --since "@${INSTALLED%.*}" -u $WATCHDOG > "$EV.journal"
  exits=$(grep -c "$WATCHDOG: Main process exited" "$EV.journal")
  timeouts=$(grep -c "$WATCHDOG: Watchdog timeout" "$EV.journal")
  if [ "$exits" = 2 ] && [ "$timeouts" = 1 ]; then ok "no watchdog exit or timeout beyond the two caused"
  else notok "no watchdog exit or timeout beyond the two caused" "$exits exits, $timeouts timeouts"; fi
  echo boot > "$STATE/phase"
  date +%s > "$STATE/rebooted-at"
  ;;

boot)
  step boot
  check "$AGENT came up at boot" wait_for 60 active $AGENT
  check "$WATCHDOG came up at boot" wait_for 60 active $WATCHDOG
  check "the pair is healthy after the reboot" wait_for 30 status_pid_is_main
  ev vigil status
  ev vigil history -n 3
  check "cleanly: NRestarts=0" no_restarts
  check "cleanly: the agent started once, at boot" bash -c '[ "$0" = 1 ]' "$(journalctl -b --no-pager -o cat -u $AGENT | grep -c '^Started vigil-agent.service')"
  check "no incident since the reboot" bash -c '[ -z "$0" ] || [ "$0" -lt "$1" ]' "$(newest 'openedAt')" "$(($(cat "$STATE/rebooted-at") * 1000))"

  step uninstall-purge
  vuid=$(id -u vigil)
  ev scripts/uninstall.sh --purge
  if exit_of 0; then ok "scripts/uninstall.sh --purge exits 0"; else notok "scripts/uninstall.sh --purge exits 0" "see $(basename "$EV")"; fi
  ev systemctl list-units --all --no-pager 'vigil*'
  check "neither unit is loaded" bash -c '! systemctl list-units --all --plain --no-legend "vigil-watchdog*" "vigil-agent*" | grep -q .'
  check "no unit file, drop-in or wants/ link is left" bash -c '! ls -d /etc/systemd/system/vigil-* /etc/systemd/system/*/vigil-* 2>/dev/null | grep -q .'
  check "no process of user vigil (uid $vuid) is left" bash -c '! pgrep -U "$0"' "$vuid"
  check "no user or group vigil" bash -c '! getent passwd vigil && ! getent group vigil'
  check "no polkit rule" test ! -e /etc/polkit-1/rules.d/50-vigil.rules
  check "no vigil on PATH and no completion script" bash -c '! ls -d /usr/local/bin/vigil /usr/share/bash-completion/completions/vigil /usr/share/zsh/vendor-completions/_vigil 2>/dev/null | grep -q .'
  check "no /etc/vigil, /var/lib/vigil, /var/log/vigil or /run/vigil" bash -c '! ls -d /etc/vigil /var/lib/vigil /var/log/vigil /run/vigil 2>/dev/null | grep -q .'
  echo done > "$STATE/phase"
  ;;
*) echo "# nothing to do in phase $PHASE" >> "$R/tap.txt" ;;
esac

finish
