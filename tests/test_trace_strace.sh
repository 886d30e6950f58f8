#!/usr/bin/env bash
# tests/test_trace_strace.sh - `bpfbox trace` counts syscalls exactly as
# strace -f -c does, on the shipped workload (examples/workload/workload.sh:
# forks, execs, file I/O, deterministic):
#   - syscount (raw_tracepoint/sys_enter, a hash pid -> calls): the sum over
#     all pids == strace's total, and one entry per process strace saw;
#   - tests/bpf/trace_exit_count (raw_tracepoint/sys_exit): its sum == strace's
#     total exactly (both count returns), its error count == strace's errors;
#   - tailcall_dispatch --prog dispatch: handled[read/write/openat] ==
#     strace's read/write/openat calls, unhandled == the rest;
#   - execve_uid (tracepoint/syscalls/sys_enter_execve) == execve calls;
#   - openat_latency (sys_enter/exit_openat) histogram total == openat calls.
# What strace -c counts: every syscall whose exit it saw, in every process,
# from the command's initial execve on. A call that never returns
# (exit_group, exit) has no exit, so strace leaves it out of its summary;
# bpfbox runs sys_enter programs for it. So the comparison is
#   bpfbox sys_enter count == strace total + the exit/exit_group calls
# (those are counted in a separate `strace -f` log of the same workload).
# Every run also leaves the workload's output and exit status unchanged.
# The bpfbox runs are done twice: on the seccomp fast path and without it.
# Skips without strace or without the examples (clang).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

need_bpfbox
EX=$BUILD/examples
WL=$ROOT/examples/workload/workload.sh
# strace is the oracle and a build dependency (mk/deps.mk): missing is a failure
if ! command -v strace >/dev/null; then
	echo "FAIL: no strace (scripts/deps.sh installs it)"; echo "0 passed, 1 failed"; exit 1
fi
need_file "$EX/syscount.o" || { summary; exit; }
if ! "$BPFBOX" trace --help >/dev/null 2>&1; then
	echo "FAIL: bpfbox trace --help does not work"; echo "0 passed, 1 failed"; exit 1
fi

# the workload, always with the same environment, arguments and directory
mkdir -p "$T/w"
run_wl() { env -i PATH=/usr/bin:/bin LC_ALL=C "$@" sh "$WL" "$T/w"; }

# check NAME GOT WANT
check() {
	if [[ $2 == "$3" ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got [$2] want [$3]"; fi
}

# map_sum FILE MAP: sum of the values of MAP in a text map dump
map_sum() { awk -v m="$2" '/^map /{in_m = ($2 == m)} in_m && /^  key: /{s += $NF} END{print s + 0}' "$1"; }
# map_val FILE MAP KEY: the value of KEY in MAP (empty if none)
map_val() { awk -v m="$2" -v k="$3" '/^map /{in_m = ($2 == m)} in_m && $1 == "key:" && $2 == k {print $NF}' "$1"; }
# map_n FILE MAP: number of entries of MAP
map_n() { awk -v m="$2" '/^map /{in_m = ($2 == m)} in_m && /^  key: /{n++} END{print n + 0}' "$1"; }
# calls SYSCALL: strace's calls of SYSCALL (0 if absent)
calls() { awk -v s="$1" 'NR > 2 && $NF == s {print $4; f = 1} END{if (!f) print 0}' "$T/strace.txt"; }

run_wl >"$T/want.out"; want_rc=$?
check workload-untraced-rc "$want_rc" 0
run_wl strace -f -c -o "$T/strace.txt" >"$T/strace.out"; check strace-rc $? 0
check strace-output "$(cat "$T/strace.out")" "$(cat "$T/want.out")"
total=$(awk '$NF == "total" {print $4}' "$T/strace.txt")
run_wl strace -f -qq -o "$T/strace.log" >/dev/null
nproc=$(awk '{print $1}' "$T/strace.log" | sort -u | wc -l)
nexit=$(grep -cE '^[0-9]+ +(exit_group|exit)\(' "$T/strace.log")
echo "  strace -f -c: $total syscalls in $nproc processes, + $nexit exit/exit_group (not in -c)"
entries=$((total + nexit))

# trace OUT OBJ [ARGS...]: the workload under bpfbox trace; stdout = the
# workload's lines then the map dump
trace() {
	local out=$1 obj=$2; shift 2
	run_wl "$BPFBOX" trace "$EX/$obj" "$@" --trace-log "$T/trace.log" -- >"$T/$out" 2>"$T/$out.err"
}

# both ways: the seccomp fast path (default for a started command) and the
# ptrace-only path (BPFBOX_TRACE_SECCOMP=off, as --no-seccomp)
for MODE in on off; do
	export BPFBOX_TRACE_SECCOMP=$MODE
	echo "  seccomp fast path: $MODE"
	trace syscount.out syscount.o; rc=$?
	check syscount-rc "$rc" "$want_rc"
	check syscount-output "$(head -n "$(wc -l <"$T/want.out")" "$T/syscount.out")" "$(cat "$T/want.out")"
	got=$(map_sum "$T/syscount.out" counts)
	echo "  bpfbox syscount: $got syscalls in $(map_n "$T/syscount.out" counts) processes"
	check syscount-total-vs-strace "$got" "$entries"
	check syscount-processes "$(map_n "$T/syscount.out" counts)" "$nproc"
	[[ -s $T/syscount.out.err ]] && head -n 3 "$T/syscount.out.err" | sed 's/^/    stderr: /'

	if need_file "$BUILD/bpf/trace_exit_count.o"; then
		run_wl "$BPFBOX" trace "$BUILD/bpf/trace_exit_count.o" -- >"$T/exit.out" 2>"$T/exit.err"
		check exitcount-rc $? "$want_rc"
		check exitcount-total-vs-strace "$(map_sum "$T/exit.out" exits)" "$total"
		check exitcount-errors-vs-strace "$(map_val "$T/exit.out" errors 0)" \
			"$(awk '$NF == "total" {print $5}' "$T/strace.txt")"
	fi

	trace tail.out tailcall_dispatch.o --prog dispatch; check tailcall-rc $? "$want_rc"
	check tailcall-read "$(map_val "$T/tail.out" handled 0)" "$(calls read)"
	check tailcall-write "$(map_val "$T/tail.out" handled 1)" "$(calls write)"
	check tailcall-openat "$(map_val "$T/tail.out" handled 257)" "$(calls openat)"
	check tailcall-unhandled "$(map_val "$T/tail.out" unhandled 0)" \
		"$((entries - $(calls read) - $(calls write) - $(calls openat)))"

	trace execve.out execve_uid.o; check execve-rc $? "$want_rc"
	check execve-uid "$(map_val "$T/execve.out" execs "$(id -u)")" "$(calls execve)"
	check execve-uids "$(map_n "$T/execve.out" execs)" 1

	trace openat.out openat_latency.o; check openat-rc $? "$want_rc"
	check openat-hist-total "$(map_sum "$T/openat.out" hist)" "$(calls openat)"
	check openat-start-empty "$(map_n "$T/openat.out" start)" 0
done
unset BPFBOX_TRACE_SECCOMP

summary
