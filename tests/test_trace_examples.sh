#!/usr/bin/env bash
# tests/test_trace_examples.sh - every tracing example runs for real under
# `bpfbox trace` against the shipped workload (examples/workload/workload.sh)
# and the examples agree with each other: hello's log has one line per
# syscall, as many as syscount counts; ringbuf_events streams the same
# syscalls as records (BTF JSON with --event-type, hex otherwise);
# tailcall_dispatch, execve_uid and openat_latency count what hello saw;
# read_rewrite changes what read() returns. The workload's output and exit
# status are unchanged under every example but read_rewrite.
# (Exact agreement with strace: tests/test_trace_strace.sh.)
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

need_bpfbox
EX=$BUILD/examples
WL=$ROOT/examples/workload/workload.sh
need_file "$EX/hello.o" || { summary; exit; }
t trace-help 0 '*' '' -- "$BPFBOX" trace --help

mkdir -p "$T/w"
run_wl() { env -i PATH=/usr/bin:/bin LC_ALL=C "$@" sh "$WL" "$T/w"; }

# check NAME GOT WANT ('~RE': GOT must match the regex)
check() {
	local ok=0
	case $3 in '~'*) [[ $2 =~ ${3:1} ]] && ok=1 ;; *) [[ $2 == "$3" ]] && ok=1 ;; esac
	if ((ok)); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got [$2] want [$3]"; fi
}
map_sum() { awk -v m="$2" '/^map /{in_m = ($2 == m)} in_m && /^  key: /{s += $NF} END{print s + 0}' "$1"; }
map_val() { awk -v m="$2" -v k="$3" '/^map /{in_m = ($2 == m)} in_m && $1 == "key:" && $2 == k {print $NF}' "$1"; }
map_n() { awk -v m="$2" '/^map /{in_m = ($2 == m)} in_m && /^  key: /{n++} END{print n + 0}' "$1"; }

run_wl >"$T/want.out"; check workload-rc $? 0
WANT=$(cat "$T/want.out")
NW=$(wc -l <"$T/want.out")
check workload-lines "$NW" 7

# ex NAME OBJ [ARGS...]: the workload under bpfbox trace (log to NAME.log);
# checks its exit status and output (the first lines of stdout that are not
# ring-buffer records), leaves stdout in NAME.out
ex() {
	local name=$1 obj=$2 rc; shift 2
	run_wl "$BPFBOX" trace "$EX/$obj" --trace-log "$T/$name.log" "$@" -- >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	check "$name-rc" "$rc" 0
	check "$name-output" "$(grep -vE '^(\{"pid"|events: )' "$T/$name.out" | head -n "$NW")" "$WANT"
	if ((rc)); then head -n 3 "$T/$name.err" | sed 's/^/    stderr: /'; fi
}

# ---- hello: one trace_pipe line per syscall ----
ex hello hello.o
N=$(wc -l <"$T/hello.log")
check hello-lines-format "$(grep -cvE '^ *[^ ]+-[0-9]+ +\[[0-9]{3}\] \.\.\.\.\. +[0-9]+\.[0-9]{6}: bpf_trace_printk: hello from pid [0-9]+ syscall [0-9]+$' "$T/hello.log")" 0
check hello-first-is-execve "$(head -n 1 "$T/hello.log" | awk '{print $NF}')" 59
check hello-last-is-exit_group "$(tail -n 1 "$T/hello.log" | awk '{print $NF}')" 231
for c in sh mkdir cat wc sort tail dd rm; do
	check "hello-comm-$c" "$(grep -cE "^ *$c-[0-9]+ " "$T/hello.log")" '~^[1-9][0-9]*$'
done
# pid in the prefix == pid the program saw
check hello-pids "$(awk '{p = $1; sub(/.*-/, "", p); if (p != $(NF-2)) bad++} END{print bad + 0}' "$T/hello.log")" 0
awk '{print $NF}' "$T/hello.log" | sort -n >"$T/hello.nrs"
nr_count() { grep -cx "$1" "$T/hello.nrs"; }

# ---- syscount: per-pid totals ----
ex syscount syscount.o
check syscount-total-eq-hello "$(map_sum "$T/syscount.out" counts)" "$N"
check syscount-pids "$(map_n "$T/syscount.out" counts)" \
	"$(awk '{print $(NF-2)}' "$T/hello.log" | sort -u | wc -l)"
echo "  workload: $N syscalls, $(map_n "$T/syscount.out" counts) processes"

# ---- syscount --json: one final object ----
run_wl "$BPFBOX" trace "$EX/syscount.o" --json -- >"$T/json.out" 2>"$T/json.err"
check json-rc $? 0
last=$(tail -n 1 "$T/json.out")
check json-object "$last" '~^\{"maps": \{"counts": \[\{"key": [0-9]+, "value": [0-9]+\}.*\]\}, "exit_status": 0[,}]'
check json-syscalls "$last" "~\"syscalls\": $N[,}]"
# jq (a build dependency: mk/deps.mk) parses the JSON independently of bpfbox
check json-jq-sum "$(printf '%s' "$last" | jq '[.maps.counts[].value] | add')" "$N"

# ---- execve_uid ----
ex execve execve_uid.o
check execve-count "$(map_val "$T/execve.out" execs "$(id -u)")" "$(nr_count 59)"

# ---- openat_latency ----
ex openat openat_latency.o
check openat-hist "$(map_sum "$T/openat.out" hist)" "$(nr_count 257)"
check openat-start-empty "$(map_n "$T/openat.out" start)" 0

# ---- tailcall_dispatch (default: the prog array's targets are not attached) ----
for v in default prog; do
	if [[ $v == prog ]]; then ex tail-$v tailcall_dispatch.o --prog dispatch; else ex tail-$v tailcall_dispatch.o; fi
	check tail-$v-read "$(map_val "$T/tail-$v.out" handled 0)" "$(nr_count 0)"
	check tail-$v-write "$(map_val "$T/tail-$v.out" handled 1)" "$(nr_count 1)"
	check tail-$v-openat "$(map_val "$T/tail-$v.out" handled 257)" "$(nr_count 257)"
	check tail-$v-unhandled "$(map_val "$T/tail-$v.out" unhandled 0)" \
		"$((N - $(nr_count 0) - $(nr_count 1) - $(nr_count 257)))"
done

# ---- ringbuf_events: records as they arrive ----
ex ringbuf ringbuf_events.o --event-type event
grep '^{"pid"' "$T/ringbuf.out" >"$T/rb.json"
check ringbuf-json-count "$(wc -l <"$T/rb.json")" "$N"
check ringbuf-json-format "$(grep -cvE '^\{"pid": [0-9]+, "uid": [0-9]+, "comm": "[^"]*", "msg": "syscall [0-9]+"\}$' "$T/rb.json")" 0
check ringbuf-json-syscalls "$(sed -E 's/.*"syscall ([0-9]+)"\}$/\1/' "$T/rb.json" | sort -n | md5sum)" \
	"$(md5sum <"$T/hello.nrs")"
check ringbuf-json-uid "$(grep -cv "\"uid\": $(id -u)," "$T/rb.json")" 0
ex ringbuf-hex ringbuf_events.o
check ringbuf-hex-count "$(grep -cE '^events:( [0-9a-f]{2}){56}$' "$T/ringbuf-hex.out")" "$N"
run_wl "$BPFBOX" trace "$EX/ringbuf_events.o" --json -- >"$T/rbj.out" 2>/dev/null
check ringbuf-hex-json "$(grep -cE '^\{"map": "events", "size": 56, "hex": "[0-9a-f]{112}"\}$' "$T/rbj.out")" "$N"
t ringbuf-bad-type 1 '' 'bpfbox trace: --event-type nosuch: no such struct, union or typedef in the object'"'"'s BTF' \
	-- "$BPFBOX" trace "$EX/ringbuf_events.o" --event-type nosuch -- true

# ---- read_rewrite: read() returns rewritten data ----
# (cat's stdout must not be a regular file: then GNU cat copies with
# copy_file_range and never calls read; hence the pipes into cat)
if need_file "$EX/read_rewrite.o"; then
	printf 'Hello from the kernel\n' >"$T/hello.txt"
	t rewrite-untraced 0 'Hello from the kernel' '' -- cat "$T/hello.txt"
	"$BPFBOX" trace "$EX/read_rewrite.o" --trace-log "$T/rw.log" -- cat "$T/hello.txt" 2>"$T/rw.err" | cat >"$T/rw.out"
	check rewrite-rc "${PIPESTATUS[0]}" 0
	check rewrite-output "$(head -n 1 "$T/rw.out")" 'Hello from the bpfbox'
	check rewrite-count "$(map_val "$T/rw.out" rewrites 0)" 1
	check rewrite-bufs-empty "$(map_n "$T/rw.out" bufs)" 0
	check rewrite-log "$(grep -c 'bpf_trace_printk: read_rewrite: 1 word(s) rewritten$' "$T/rw.log")" 1
	check rewrite-file-unchanged "$(cat "$T/hello.txt")" 'Hello from the kernel'
	printf 'kernel kernel, the kernel\n' >"$T/k3.txt"
	"$BPFBOX" trace "$EX/read_rewrite.o" -- cat "$T/k3.txt" 2>/dev/null | cat >"$T/rw3.out"
	check rewrite-three "$(head -n 1 "$T/rw3.out")" 'bpfbox bpfbox, the bpfbox'
	check rewrite-three-count "$(map_val "$T/rw3.out" rewrites 0)" 3
	# the workload still exits 0 under it
	run_wl "$BPFBOX" trace "$EX/read_rewrite.o" -- >"$T/rww.out" 2>/dev/null
	check rewrite-workload-rc $? 0
	check rewrite-workload-rewrites "$(map_val "$T/rww.out" rewrites 0)" '~^[1-9][0-9]*$'
fi

# ---- the workload's exit status passes through ----
t exit-status-3 3 '*' '' -- "$BPFBOX" trace "$EX/syscount.o" --json -- sh -c 'exit 3'
summary
