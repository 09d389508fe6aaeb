#!/usr/bin/env bash
# make demo: the main job, end to end, on the embedded emulator (issue 12).
#
#   tools/demo.sh [AUTOTASK]     AUTOTASK = the command to run (default .venv/bin/autotask;
#                                `make demo BIN=dist/autotask` runs the single binary)
#
# Starts `autotask emulator` with demo data on a free port, then through the `autotask` command:
# a 1,000-ticket batch create from examples/tickets.jsonl (progress bar, journal), a query as a
# table, an attachment upload and download, the API usage, and a closing summary. The emulator
# is stopped on every exit path (success, failure, Ctrl-C); nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

AUTOTASK=${1:-.venv/bin/autotask}
case "$AUTOTASK" in /*) ;; *) AUTOTASK="$PWD/$AUTOTASK" ;; esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/autotask-demo.XXXXXX")
EMULATOR_PID=""

cleanup() {
    status=$?
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    if [ "$status" -ne 0 ]; then
        echo "demo: FAILED (exit $status)" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Bold headings on a terminal only, and never with NO_COLOR set (https://no-color.org).
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
step() { printf "\n${bold}== %s${plain}\n" "$*" >&2; }
started=$(date +%s)

step "Starting the emulator (demo data, a free port, 20 ms per request, Autotask's limits)"
# 20 ms per request while holding one of the 3 thread slots per entity: the batch below runs
# at the limit a real tenant enforces (at most 150 creates/s here) instead of loopback speed.
"$AUTOTASK" emulator --port 0 --data demo --latency-ms 20 >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMULATOR_PID=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$WORK/emulator.out" 2>/dev/null && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$WORK/emulator.err" >&2; exit 1; }
    sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$WORK/emulator.out" | head -n 1)
[ -n "$URL" ] || { echo "demo: the emulator did not start" >&2; exit 1; }
echo "$URL" >&2

# The emulator's documented default credentials (README "The emulator"), passed the way a cron
# job passes them: in the environment, never as arguments.
export AUTOTASK_USERNAME=emulator@example.com
export AUTOTASK_INTEGRATION_CODE=EMULATORINTEGRATIONCODE
export AUTOTASK_SECRET=emulator-secret
export AUTOTASK_API_URL="$URL"
export AUTOTASK_CACHE_DIR="$WORK/cache"
export XDG_CONFIG_HOME="$WORK/config"

step "Batch create: 1,000 tickets from examples/tickets.jsonl, with a journal"
"$AUTOTASK" batch create Tickets examples/tickets.jsonl --journal "$WORK/tickets.journal" \
    --results "$WORK/results.jsonl" --output summary

step "Query: the first ten demo tickets, with picklist labels"
"$AUTOTASK" query Tickets status=New "title^Demo ticket" --fields id,title,priority,queueID \
    --limit 10 --output table --labels

step "Attachments: upload a file to a ticket, download it again"
ticket=$("$AUTOTASK" query Tickets "title^Demo ticket" --fields id --limit 1 --output jsonl \
    | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
head -c 300000 /dev/urandom >"$WORK/report.bin"
attachment=$("$AUTOTASK" attachments upload Ticket "$ticket" "$WORK/report.bin" \
    --title "Demo report" --output jsonl | sed -n 's/.*"id": *\([0-9]*\).*/\1/p' | head -n 1)
"$AUTOTASK" attachments list Ticket "$ticket" --output table
"$AUTOTASK" attachments download "$attachment" "$WORK/downloaded.bin"
cmp "$WORK/report.bin" "$WORK/downloaded.bin"
echo "downloaded attachment $attachment: byte-identical" >&2

step "API usage (ThresholdInformation)"
"$AUTOTASK" usage

step "Summary"
created=$("$AUTOTASK" count Tickets "title^Demo ticket")
echo "tickets created by the demo: $created; elapsed $(( $(date +%s) - started )) s" >&2
[ "$created" = "1000" ] || { echo "demo: expected 1000 tickets, found $created" >&2; exit 1; }
echo "demo: OK" >&2
