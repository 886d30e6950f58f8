#!/usr/bin/env bash
# tests/test_examples.sh - the BPF C examples (examples/*.bpf.c) through the
# CLI: each compiles (make rule, $BUILD/examples/NAME.o), `bpfbox prog list`
# shows it, and `bpfbox run` on crafted packets / contexts gives the pinned
# retval, output packet, trace line and map contents. Also the CLI's errors
# for objects (--prog missing or unknown, non-ELF .o, truncated object).
# Run from the repo root; BPFBOX is the binary, BUILD the build directory.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EX=$BUILD/examples

# check NAME GOT WANT: exact string comparison ('~RE' for a regex)
check() {
	local name=$1 got=$2 want=$3
	if [[ $want == '~'* ]]; then
		[[ $got =~ ${want:1} ]] && { pass=$((pass + 1)); return; }
	else
		[[ $got == "$want" ]] && { pass=$((pass + 1)); return; }
	fi
	fail=$((fail + 1)); echo "FAIL $name: got [$got] want [$want]"
}
# bin HEX FILE: write hex bytes (spaces allowed) to FILE
bin() {
	local h=${1//[[:space:]]/} esc="" i
	for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
	printf "$esc" >"$2"
}
# runpid OUT ERR CMD...: run CMD; its pid goes to stdout, its exit status
# to $T/.rc (so tests can expect the program to see that pid)
runpid() {
	local out=$1 err=$2; shift 2
	"$@" >"$out" 2>"$err" </dev/null &
	local pid=$!
	wait $pid; echo $? >"$T/.rc"
	echo $pid
}

need_bpfbox
NAMES="hello syscount xdp_ipv4_trace execve_uid ringbuf_events tailcall_dispatch xdp_drop_tcp openat_latency xdp_swap_mac xdp_ip_count read_rewrite"
for n in $NAMES; do
	t "compiled-$n" 0 '' '' -- test -s "$EX/$n.o"
done

UID_=$(id -u)
NCPU=$(getconf _NPROCESSORS_CONF)
DUR='[0-9]+'

# ---- packets and contexts ---------------------------------------------------
ETH='02 00 00 00 00 02 02 00 00 00 00 01'              # dst, src
IP4_TCP='45 00 00 28 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02'
IP4_UDP='45 00 00 1c 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02'
TCP='30 39 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00'
UDP='30 39 00 35 00 08 00 00'
IP6_TCP='60 00 00 00 00 14 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02'
IP6_UDP='60 00 00 00 00 08 11 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02'
bin "$ETH 08 00 $IP4_TCP $TCP" tcp4.bin
bin "$ETH 08 00 $IP4_UDP $UDP" udp4.bin
bin "$ETH 86 dd $IP6_TCP $TCP" tcp6.bin
bin "$ETH 86 dd $IP6_UDP $UDP" udp6.bin
bin "$ETH 81 00 00 05 08 00 $IP4_TCP $TCP" vlan_tcp4.bin
bin "$ETH 88 a8 00 05 81 00 00 06 86 dd $IP6_TCP $TCP" qinq_tcp6.bin
bin "$ETH 81 00 00 05 08 00 $IP4_UDP $UDP" vlan_udp4.bin
bin "$ETH 08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01 00 00 00 00 00 00 0a 00 00 02" arp.bin
bin "$ETH 08 00 45 00 00 28 00 01 40 00" trunc_ip4.bin      # IPv4 header cut short
bin "$ETH 81 00 00" trunc_vlan.bin                           # VLAN tag cut short
bin "$ETH 08 00" eth_only.bin
bin "00 01 02 03 04 05 06 07 08 09" short.bin                # < ETH_HLEN: refused
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
# raw_tracepoint/sys_enter context: args[0] = struct pt_regs * (0), args[1] = syscall id
rawtp() { bin "00 00 00 00 00 00 00 00 $(printf '%02x %02x' $(($1 & 255)) $(($1 >> 8))) 00 00 00 00 00 00" "$2"; }
rawtp 1 rt_write.bin
rawtp 0 rt_read.bin
rawtp 39 rt_getpid.bin
rawtp 59 rt_execve.bin
rawtp 257 rt_openat.bin
# syscalls/sys_enter_execve: common (8), __syscall_nr = 59 (4 + 4 pad), filename, argv, envp
bin "01 00 00 00 00 00 00 00 3b 00 00 00 00 00 00 00 $(printf '00 %.0s' {1..24})" tp_execve.bin
# syscalls/sys_enter_openat (48 bytes); sys_exit_openat reads ret at offset 16 (here 3)
bin "01 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00 03 00 00 00 00 00 00 00 $(printf '00 %.0s' {1..24})" tp_openat.bin

# ---- prog list ----------------------------------------------------------------
t list-hello 0 'NAME   SECTION                   TYPE            ATTACH     INSNS  LOADABLE
hello  raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     11  yes

MAP      TYPE     KEY  VALUE  MAX_ENTRIES  FLAGS
.rodata  array      4     30            1  0x480' '' -- "$BPFBOX" prog list "$EX/hello.o"
t list-syscount 0 'NAME      SECTION                   TYPE            ATTACH     INSNS  LOADABLE
syscount  raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     23  yes

MAP     TYPE    KEY  VALUE  MAX_ENTRIES  FLAGS
counts  hash      4      8        10240  0x0' '' -- "$BPFBOX" prog list "$EX/syscount.o"
t list-xdp_ipv4_trace 0 'NAME            SECTION  TYPE  ATTACH  INSNS  LOADABLE
xdp_ipv4_trace  xdp      xdp   -          23  yes

MAP      TYPE     KEY  VALUE  MAX_ENTRIES  FLAGS
.rodata  array      4     27            1  0x480' '' -- "$BPFBOX" prog list "$EX/xdp_ipv4_trace.o"
t list-execve_uid 0 'NAME        SECTION                               TYPE        ATTACH                     INSNS  LOADABLE
execve_uid  tracepoint/syscalls/sys_enter_execve  tracepoint  syscalls/sys_enter_execve     22  yes

MAP    TYPE    KEY  VALUE  MAX_ENTRIES  FLAGS
execs  hash      4      8         1024  0x0' '' -- "$BPFBOX" prog list "$EX/execve_uid.o"
t list-ringbuf_events 0 'NAME            SECTION                   TYPE            ATTACH     INSNS  LOADABLE
ringbuf_events  raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     32  yes

MAP      TYPE       KEY  VALUE  MAX_ENTRIES  FLAGS
events   ringbuf      0      0        65536  0x0
.rodata  array        4     12            1  0x480
.bss     array        4      8            1  0x400' '' -- "$BPFBOX" prog list "$EX/ringbuf_events.o"
t list-tailcall_dispatch 0 'NAME           SECTION                   TYPE            ATTACH     INSNS  LOADABLE
handle_read    raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     22  yes
handle_write   raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     22  yes
handle_openat  raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     22  yes
dispatch       raw_tracepoint/sys_enter  raw_tracepoint  sys_enter     16  yes

MAP        TYPE          KEY  VALUE  MAX_ENTRIES  FLAGS
handlers   prog_array      4      4          512  0x0
unhandled  array           4      8            1  0x0
handled    hash            4      8          512  0x0' '' -- "$BPFBOX" prog list "$EX/tailcall_dispatch.o"
t list-xdp_drop_tcp 0 'NAME          SECTION  TYPE  ATTACH  INSNS  LOADABLE
xdp_drop_tcp  xdp      xdp   -         118  yes

MAP    TYPE            KEY  VALUE  MAX_ENTRIES  FLAGS
stats  percpu_array      4      8            2  0x0' '' -- "$BPFBOX" prog list "$EX/xdp_drop_tcp.o"
t list-openat_latency 0 'NAME          SECTION                               TYPE        ATTACH                     INSNS  LOADABLE
openat_enter  tracepoint/syscalls/sys_enter_openat  tracepoint  syscalls/sys_enter_openat     14  yes
openat_exit   tracepoint/syscalls/sys_exit_openat   tracepoint  syscalls/sys_exit_openat      83  yes

MAP    TYPE     KEY  VALUE  MAX_ENTRIES  FLAGS
start  hash       8      8        10240  0x0
hist   array      4      8           32  0x0' '' -- "$BPFBOX" prog list "$EX/openat_latency.o"
t list-json 0 '{"programs": [{"name": "xdp_drop_tcp", "section": "xdp", "type": "xdp", "attach": "", "insns": 118, "autoload": true, "loadable": true}], "maps": [{"name": "stats", "type": "percpu_array", "key_size": 4, "value_size": 8, "max_entries": 2, "flags": 0}]}' '' -- \
	"$BPFBOX" prog list "$EX/xdp_drop_tcp.o" --json

# The instruction counts pinned here and below (xdp_drop_tcp 118, openat_enter
# 14, openat_exit 83, hello 11, dispatch 16: clang-19 -O2 output) come from
# the ELF symbol table, not from bpfbox: each program's FUNC symbol size / 8,
# read with binutils' readelf. A compiler that emits other code changes
# both sides; this keeps the pins honest.
sym_insns() { # OBJ FUNC: the function's size in instruction slots
	readelf -sW "$1" | awk -v s="$2" '$4 == "FUNC" && $8 == s {print $3 / 8; exit}'
}
for p in xdp_drop_tcp:xdp_drop_tcp:118 openat_latency:openat_enter:14 openat_latency:openat_exit:83 \
	hello:hello:11 tailcall_dispatch:dispatch:16; do
	IFS=: read -r o f n <<<"$p"
	t "insns-oracle-$f" 0 "$n" '' -- sym_insns "$EX/$o.o" "$f"
done

# ---- disasm of objects --------------------------------------------------------
# Where the pinned listings come from: each instruction's text is
# llvm-objdump-19 -d's of the same object (tests/test_disasm_llvm.sh
# compares every section line for line); the counts are readelf's
# (insns-oracle-* above); the source lines are hello.bpf.c's, as the BTF
# line info points at them (llvm-objdump-19 -S prints the same); the
# helper names (bpf_get_current_pid_tgid#14) are the kernel's numbering
# (<linux/bpf.h>); `map[idx:N]` and the `; name` comment are bpfbox's
# spelling of the relocation llvm-objdump -r shows against that symbol.
t disasm-hello-S 0 'hello: section raw_tracepoint/sys_enter, type raw_tracepoint, 11 insns
<hello>:
; 	long id = (long)ctx->args[1];
   0: r6 = *(u64 *)(r1 + 8)
; 	int pid = (int)(bpf_get_current_pid_tgid() >> 32);
   1: call bpf_get_current_pid_tgid#14
   2: r0 >>= 0x20
; 	bpf_printk("hello from pid %d syscall %ld", pid, id);
   3: r1 = map[idx:0][0]+0 ll	; .rodata
   5: w2 = 0x1e
   6: w3 = w0
   7: r4 = r6
   8: call bpf_trace_printk#6
; 	return 0;
   9: w0 = 0x0
  10: exit' '' -- "$BPFBOX" disasm -S "$EX/hello.o"
t disasm-prog 0 'dispatch: section raw_tracepoint/sys_enter, type raw_tracepoint, 16 insns
<dispatch>:
   0: r3 = *(u64 *)(r1 + 8)
   1: w2 = 0x0
   2: *(u32 *)(r10 - 4) = r2
   3: r2 = map[idx:0] ll	; handlers
   5: call bpf_tail_call#12
   6: r2 = r10
   7: r2 += -0x4
   8: r1 = map[idx:1] ll	; unhandled
  10: call bpf_map_lookup_elem#1
  11: if r0 == 0x0 goto +2
  12: r1 = 0x1
  13: lock *(u64 *)(r0 + 0) += r1
  14: w0 = 0x1
  15: exit' '' -- "$BPFBOX" disasm "$EX/tailcall_dispatch.o" --prog dispatch
t disasm-tailcall 0 '~call bpf_tail_call#12' '' -- "$BPFBOX" disasm "$EX/tailcall_dispatch.o" --prog dispatch
t disasm-raw-obj 0 '~       0:	79 16 08 00 00 00 00 00	r6 = \*\(u64 \*\)\(r1 \+ 8\)' '' -- "$BPFBOX" disasm --raw "$EX/hello.o"
t disasm-json-obj 0 '~^\[
 \{"name": "hello", "section": "raw_tracepoint/sys_enter", "insns": \[
  \{"idx": 0, "bytes": "79 16 08 00 00 00 00 00", "text": "r6 = \*\(u64 \*\)\(r1 \+ 8\)", "line": [0-9]+, "source": ' '' -- \
	"$BPFBOX" disasm --json "$EX/hello.o"
t disasm-all-sources 0 '' '' -- sh -c "for f in '$EX'/*.o; do '$BPFBOX' disasm -S \"\$f\" >/dev/null || exit 1; done"

# ---- hello: trace line ------------------------------------------------------------
pid=$(runpid out.txt err.txt "$BPFBOX" run "$EX/hello.o" --ctx rt_getpid.bin)
check hello-rc "$(cat .rc)" 0
check hello-out "$(cat out.txt)" "~^retval = 0
duration = $DUR ns \(mean of 1 run\)$"
check hello-trace "$(cat err.txt)" "~^ +bpfbox-$pid +\[[0-9]{3}\] \.\.\.\.\. +[0-9]+\.[0-9]{6}: bpf_trace_printk: hello from pid $pid syscall 39$"
t hello-trace-log 0 '*' '' -- "$BPFBOX" run "$EX/hello.o" --ctx rt_execve.bin --repeat 2 --trace-log trace.txt
check hello-trace-log-lines "$(grep -c 'bpf_trace_printk: hello from pid [0-9]* syscall 59$' trace.txt)" 2
t hello-json 0 "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 1\}$" '*' -- "$BPFBOX" run "$EX/hello.o" --ctx rt_write.bin --json

# ---- syscount: our pid counted --repeat times -------------------------------------
pid=$(runpid out.txt err.txt "$BPFBOX" run "$EX/syscount.o" --ctx rt_write.bin --repeat 3 --dump-maps --json)
check syscount-rc "$(cat .rc)" 0
check syscount-json "$(cat out.txt)" "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 3, \"maps\": \{\"counts\": \[\{\"key\": $pid, \"value\": 3\}\]\}\}$"
pid=$(runpid out.txt err.txt "$BPFBOX" run "$EX/syscount.o" --ctx rt_write.bin --repeat 2 --dump-maps)
check syscount-text "$(cat out.txt)" "~^retval = 0
duration = $DUR ns \(mean of 2 runs\)
map counts \(hash, key 4, value 8, max_entries 10240\):
  key: $pid  value: 2$"

# ---- xdp_ipv4_trace: %pI4 --------------------------------------------------------
t xdp-trace-tcp 0 "~^retval = 2 \(XDP_PASS\)
data_out = $(hex tcp4.bin) \(54 bytes\)
duration = $DUR ns \(mean of 1 run\)$" \
	"~^ +bpfbox-[0-9]+ +\[[0-9]{3}\] \.\.\.\.\. +[0-9]+\.[0-9]{6}: bpf_trace_printk: src 10\.0\.0\.1 dst 10\.0\.0\.2 proto 6$" \
	-- "$BPFBOX" run "$EX/xdp_ipv4_trace.o" --data tcp4.bin
t xdp-trace-udp 0 '*' '~bpf_trace_printk: src 10\.0\.0\.1 dst 10\.0\.0\.2 proto 17$' -- "$BPFBOX" run "$EX/xdp_ipv4_trace.o" --data udp4.bin
t xdp-trace-ipv6-silent 0 '*' '' -- "$BPFBOX" run "$EX/xdp_ipv4_trace.o" --data tcp6.bin
t xdp-trace-trunc-silent 0 '*' '' -- "$BPFBOX" run "$EX/xdp_ipv4_trace.o" --data trunc_ip4.bin
t xdp-trace-json 0 "~^\{\"retval\": 2, \"action\": \"XDP_PASS\", \"data_out\": \"$(hex udp4.bin)\", \"duration_ns\": $DUR, \"repeat\": 4\}$" '*' -- \
	"$BPFBOX" run "$EX/xdp_ipv4_trace.o" --data udp4.bin --json --repeat 4 --trace-log /dev/null

# ---- xdp_drop_tcp: verdicts and per-CPU stats -------------------------------------
xdp() { # NAME PKT RETVAL ACTION
	t "drop-tcp-$1" 0 "~^retval = $3 \($4\)
data_out = $(hex "$2") \([0-9]+ bytes\)
duration = $DUR ns" '' -- "$BPFBOX" run "$EX/xdp_drop_tcp.o" --data "$2"
}
xdp tcp4 tcp4.bin 1 XDP_DROP
xdp tcp6 tcp6.bin 1 XDP_DROP
xdp vlan-tcp4 vlan_tcp4.bin 1 XDP_DROP
xdp qinq-tcp6 qinq_tcp6.bin 1 XDP_DROP
xdp udp4 udp4.bin 2 XDP_PASS
xdp udp6 udp6.bin 2 XDP_PASS
xdp vlan-udp4 vlan_udp4.bin 2 XDP_PASS
xdp arp arp.bin 2 XDP_PASS
xdp trunc-ip4 trunc_ip4.bin 2 XDP_PASS
xdp trunc-vlan trunc_vlan.bin 2 XDP_PASS
xdp eth-only eth_only.bin 2 XDP_PASS
# per-CPU values: CPU 0 ran the program 5 times (dropped); the other CPUs 0
zeros=""; for ((c = 1; c < NCPU; c++)); do zeros+=", 0"; done
t drop-tcp-stats 0 "~^\{\"retval\": 1, \"action\": \"XDP_DROP\", \"data_out\": \"$(hex tcp4.bin)\", \"duration_ns\": $DUR, \"repeat\": 5, \"maps\": \{\"stats\": \[\{\"key\": 0, \"value\": \[0$zeros\]\}, \{\"key\": 1, \"value\": \[5$zeros\]\}\]\}\}$" '' -- \
	"$BPFBOX" run "$EX/xdp_drop_tcp.o" --data tcp4.bin --repeat 5 --json --dump-maps --cpu 0
t drop-tcp-stats-text 0 "~map stats \(percpu_array, key 4, value 8, max_entries 2\):
  key: 0  value: \[cpu0\] 1(, \[cpu[0-9]+\] 0)*
  key: 1  value: \[cpu0\] 0(, \[cpu[0-9]+\] 0)*$" '' -- \
	"$BPFBOX" run "$EX/xdp_drop_tcp.o" --data udp4.bin --dump-maps --cpu 0
t drop-tcp-refused 1 '' '~^bpfbox run: .*' -- "$BPFBOX" run "$EX/xdp_drop_tcp.o" --data short.bin
t drop-tcp-no-data 1 '' '~^bpfbox run: .*' -- "$BPFBOX" run "$EX/xdp_drop_tcp.o"

# ---- execve_uid: per-UID counter on a tracepoint ----------------------------------
t execve-uid 0 "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 2, \"maps\": \{\"execs\": \[\{\"key\": $UID_, \"value\": 2\}\]\}\}$" '' -- \
	"$BPFBOX" run "$EX/execve_uid.o" --ctx tp_execve.bin --repeat 2 --json --dump-maps

# ---- ringbuf_events: records in the ring buffer -------------------------------------
pid=$(runpid out.txt err.txt "$BPFBOX" run "$EX/ringbuf_events.o" --ctx rt_execve.bin --repeat 2 --dump-maps --json)
check ringbuf-rc "$(cat .rc)" 0
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
REC="$(le32 $pid)$(le32 $UID_)$(printf 'bpfbox' | od -An -tx1 | tr -d ' \n')$(printf '00%.0s' {1..10})$(printf 'syscall 59' | od -An -tx1 | tr -d ' \n')$(printf '00%.0s' {1..22})"
check ringbuf-records "$(cat out.txt)" "~\"events\": \[\{\"size\": 56, \"value\": \"$REC\"\}, \{\"size\": 56, \"value\": \"$REC\"\}\]"
check ringbuf-retval "$(cat out.txt)" "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 2, "
t ringbuf-text 0 "~map events \(ringbuf, key 0, value 0, max_entries 65536\):
  record 0 \(56 bytes\): [0-9a-f ]+" '' -- "$BPFBOX" run "$EX/ringbuf_events.o" --ctx rt_execve.bin --dump-maps

# ---- tailcall_dispatch: handler chosen by syscall number ---------------------------
TC="$EX/tailcall_dispatch.o"
t tailcall-write 0 "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 3, \"maps\": \{\"handlers\": \[\{\"key\": 0, \"value\": \"handle_read\"\}, \{\"key\": 1, \"value\": \"handle_write\"\}, \{\"key\": 257, \"value\": \"handle_openat\"\}\], \"unhandled\": \[\{\"key\": 0, \"value\": 0\}\], \"handled\": \[\{\"key\": 1, \"value\": 3\}\]\}\}$" '' -- \
	"$BPFBOX" run "$TC" --prog dispatch --ctx rt_write.bin --repeat 3 --json --dump-maps
t tailcall-openat 0 '~"handled": \[\{"key": 257, "value": 1\}\]' '' -- \
	"$BPFBOX" run "$TC" --prog dispatch --ctx rt_openat.bin --json --dump-maps
t tailcall-unhandled 0 "~^\{\"retval\": 1, .*\"unhandled\": \[\{\"key\": 0, \"value\": 2\}\], \"handled\": \[\]\}\}$" '' -- \
	"$BPFBOX" run "$TC" --prog dispatch --ctx rt_getpid.bin --repeat 2 --json --dump-maps
t tailcall-two-progs 0 '~"handled": \[\{"key": [01], "value": 1\}, \{"key": [01], "value": 1\}\]' '' -- \
	"$BPFBOX" run "$TC" --prog dispatch --prog handle_read --ctx rt_write.bin --json --dump-maps

# ---- openat_latency: two programs sharing maps --------------------------------------
OL="$EX/openat_latency.o"
pid=$(runpid out.txt err.txt "$BPFBOX" run "$OL" --prog openat_enter --ctx tp_openat.bin --json --dump-maps)
check latency-enter "$(cat out.txt)" "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 1, \"maps\": \{\"start\": \[\{\"key\": $(( (pid << 32) | pid )), \"value\": [0-9]+\}\], \"hist\": \[\{\"key\": 0, \"value\": 0\}, "
t latency-exit-alone 0 '~"start": \[\], "hist": \[(\{"key": [0-9]+, "value": 0\}(, )?){32}\]' '' -- \
	"$BPFBOX" run "$OL" --prog openat_exit --ctx tp_openat.bin --json --dump-maps
"$BPFBOX" run "$OL" --prog openat_enter --prog openat_exit --ctx tp_openat.bin --json --dump-maps >out.txt 2>err.txt
check latency-both-rc "$?" 0
check latency-both-runs "$(cat out.txt)" "~^\{\"runs\": \[\{\"prog\": \"openat_enter\", \"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 1\}, \{\"prog\": \"openat_exit\", \"retval\": 0, "
check latency-both-start-empty "$(cat out.txt)" '~"start": \[\], "hist": '
check latency-both-one-call "$(grep -o '"value": 1}' out.txt | wc -l)" 1

# ---- global data through its DATASEC --------------------------------------------------
t hello-rodata 0 "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 1, \"maps\": \{\".rodata\": \[\{\"key\": 0, \"value\": \{\"hello.____fmt\": \"hello from pid %d syscall %ld\"\}\}\]\}\}$" '' -- \
	"$BPFBOX" run "$EX/hello.o" --ctx rt_write.bin --json --dump-maps --trace-log /dev/null

# ---- test objects (tests/bpf): map-in-maps, prog arrays, queues, perf ------------------
# The map contents pinned below are the initialisers written in
# tests/bpf/maps.bpf.c (inner_a at 0, inner_b at 2, tail_a at 1, counter = 7,
# limit = 42, extra = {1, 2, 3, 4}), read back through BTF: hand-written
# source, not earlier bpfbox output.
B=$BUILD/bpf
if need_file "$B/maps.o" && need_file "$B/cli_queue.o"; then
	t maps-obj 0 '~"outer": \[\{"key": 2, "value": "inner_b"\}, \{"key": 0, "value": "inner_a"\}\], "jumps": \[\{"key": 1, "value": "tail_a"\}\], "counts": \[\], "rb": \[\], .*".data": \[\{"key": 0, "value": \{"counter": 7\}\}\], ".rodata": \[\{"key": 0, "value": \{"limit": 42\}\}\], ".data.extra": \[\{"key": 0, "value": \{"extra": \[1, 2, 3, 4\]\}\}\]' '*' -- \
		"$BPFBOX" run "$B/maps.o" --prog xdp_main --data tcp4.bin --json --dump-maps
	t maps-obj-text 0 '~map outer \(hash_of_maps, key 4, value 4, max_entries 4\):
  key: 2  value: map inner_b
  key: 0  value: map inner_a

map jumps \(prog_array, key 4, value 4, max_entries 3\):
  key: 1  value: prog tail_a
' '*' -- "$BPFBOX" run "$B/maps.o" --prog xdp_main --data tcp4.bin --dump-maps
	t maps-not-loadable 1 '' "~^bpfbox run: $B/maps\.o: kp_core: insn 0: invalid func unknown#195896080" -- \
		sh -c "'$BPFBOX' run '$B/maps.o' --prog kp_core --ctx rt_write.bin 2>&1 >/dev/null | grep -v warning: >&2; exit 1"
	t queue-stack-perf 0 "~^\{\"retval\": 0, \"duration_ns\": $DUR, \"repeat\": 2, \"maps\": \{\"q\": \[\{\"value\": 11\}, \{\"value\": 12\}, \{\"value\": 13\}, \{\"value\": 11\}, \{\"value\": 12\}, \{\"value\": 13\}\], \"st\": \[\{\"value\": 13\}, \{\"value\": 12\}, \{\"value\": 11\}, \{\"value\": 13\}, \{\"value\": 12\}, \{\"value\": 11\}\], \"events\": \[\{\"cpu\": 0, \"size\": [0-9]+, \"value\": \"8877665544332211[0-9a-f]*\"\}, \{\"cpu\": 0, " '' -- \
		"$BPFBOX" run "$B/cli_queue.o" --ctx rt_write.bin --dump-maps --json --repeat 2 --cpu 0
	t queue-text 0 "~map q \(queue, key 0, value 4, max_entries 8\):
  value: 11
  value: 12
  value: 13

map st \(stack, key 0, value 4, max_entries 8\):
  value: 13
  value: 12
  value: 11

map events \(perf_event_array, key 4, value 4, max_entries 64\):
  cpu 0, [0-9]+ bytes: 88 77 66 55 44 33 22 11" '' -- "$BPFBOX" run "$B/cli_queue.o" --ctx rt_write.bin --dump-maps --cpu 0
fi

# ---- errors -------------------------------------------------------------------------
t err-prog-missing 1 '' "bpfbox run: $TC: the object has 4 programs; choose one with --prog NAME (handle_read, handle_write, handle_openat, dispatch)" -- \
	"$BPFBOX" run "$TC" --ctx rt_write.bin
t err-prog-unknown 1 '' "bpfbox run: $TC: no program 'nope' (programs: handle_read, handle_write, handle_openat, dispatch)" -- \
	"$BPFBOX" run "$TC" --prog nope --ctx rt_write.bin
t err-disasm-prog-unknown 1 '' "bpfbox disasm: $EX/hello.o: no program 'nope' (programs: hello)" -- \
	"$BPFBOX" disasm "$EX/hello.o" --prog nope
head -c 200 /dev/urandom | tr '\177' x >garbage.o
t err-garbage-run 1 '' 'bpfbox run: garbage.o: not an ELF object (no ELF magic)' -- "$BPFBOX" run garbage.o
t err-garbage-list 1 '' 'bpfbox prog: garbage.o: not an ELF object (no ELF magic)' -- "$BPFBOX" prog list garbage.o
t err-garbage-disasm 1 '' 'bpfbox disasm: garbage.o: not an ELF object (no ELF magic)' -- "$BPFBOX" disasm garbage.o
head -c 1000 "$EX/syscount.o" >trunc.o
t err-trunc-run 1 '' '~^bpfbox run: trunc\.o: .*1000-byte file' -- "$BPFBOX" run trunc.o
t err-trunc-list 1 '' '~^bpfbox prog: trunc\.o: .*1000-byte file' -- "$BPFBOX" prog list trunc.o
head -c 64 "$EX/syscount.o" >hdr.o
t err-hdr-only 1 '' '~^bpfbox run: hdr\.o: ' -- "$BPFBOX" run hdr.o
t err-mem-obj 2 '' 'bpfbox run: --mem is not for ELF objects (use --data or --ctx)' -- "$BPFBOX" run "$EX/hello.o" --mem 00
t err-ctx-bytecode 2 '' 'bpfbox run: --ctx is only for ELF objects' -- sh -c "printf 'r0 = 0\nexit\n' >z.s && '$BPFBOX' run z.s --ctx rt_write.bin"
t err-missing-ctx 1 '' "bpfbox run: cannot open 'nofile': No such file or directory" -- "$BPFBOX" run "$EX/hello.o" --ctx nofile
t err-trace-log 1 '' "~^bpfbox run: cannot open '/nonexistent/x': " -- "$BPFBOX" run "$EX/hello.o" --ctx rt_write.bin --trace-log /nonexistent/x
t err-bad-cpu 2 '' "bpfbox run: --cpu: 'x' is not a CPU number (0-4095)" -- "$BPFBOX" run "$EX/hello.o" --cpu x
t err-list-usage 2 '' "bpfbox prog: unknown subcommand 'frob' (list)" -- "$BPFBOX" prog frob x.o
# every truncation of an object fails cleanly (never crashes)
crashes=0
size=$(stat -c %s "$EX/tailcall_dispatch.o")
for cut in 0 4 16 52 63 64 65 100 512 1024 2048 4096 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$EX/tailcall_dispatch.o" >cut.o
	for cmd in "run cut.o --prog dispatch --ctx rt_write.bin" "prog list cut.o" "disasm -S cut.o"; do
		$BPFBOX $cmd >/dev/null 2>&1; rc=$?
		(( rc == 1 )) || { crashes=$((crashes + 1)); echo "  cut $cut: $cmd: exit $rc"; }
	done
done
check truncations-fail-cleanly "$crashes" 0

summary
