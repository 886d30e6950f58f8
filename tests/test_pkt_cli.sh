#!/usr/bin/env bash
# tests/test_pkt_cli.sh - "bpfbox xdp | tc | socket" on capture files: the
# verdict counts and JSON form on the shipped capture, the --out /
# --tx-out / --drop-out captures (fed back through bpfbox), the trace log,
# and bad input: usage errors, a truncated capture (every whole packet
# before the damage is counted, exit 1), a corrupt or missing capture, a
# missing interface, a program of the wrong type, a non-ELF object.
# Run from the repo root; BPFBOX is the binary, BUILD the build directory.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bpfbox
EX=$BUILD/examples
PC=$ROOT/examples/pcap/mixed-1k.pcap
DROP=$EX/xdp_drop_tcp.o

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
# jnum JSON KEY: the number after "KEY": in JSON
jnum() { [[ $1 =~ \"$2\":\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }
# u32 FILE OFFSET: a little-endian u32 of FILE
u32() { od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '; }

# ---- usage errors (no object needed) ----
t help 0 '~^Usage: bpfbox xdp OBJ' '' -- "$BPFBOX" xdp --help
t help-tc 0 '~--egress' '' -- "$BPFBOX" tc --help
t no-obj 2 '' '~missing the object file' -- "$BPFBOX" xdp
t no-source 2 '' '~one packet source' -- "$BPFBOX" xdp x.o
t two-sources 2 '' '~one packet source' -- "$BPFBOX" xdp x.o --pcap a --iface lo
t ingress-xdp 2 '' '~--ingress is for tc programs only' -- "$BPFBOX" xdp x.o --pcap a --ingress
t in-and-eg 2 '' '~exclude each other' -- "$BPFBOX" tc x.o --pcap a --ingress --egress
t tx-out-tc 2 '' '~--tx-out is for xdp' -- "$BPFBOX" tc x.o --pcap a --tx-out t.pcap
t out-live 2 '' '~are for --pcap' -- "$BPFBOX" xdp x.o --iface lo --out o.pcap
t bad-stats 2 '' "~--stats-every: 'x'" -- "$BPFBOX" xdp x.o --pcap a --stats-every x
t bad-count 2 '' "~--count: '0'" -- "$BPFBOX" xdp x.o --pcap a --count 0
t bad-engine 2 '' "~unknown engine 'fast'" -- "$BPFBOX" xdp x.o --pcap a --engine fast
t bad-opt 2 '' "~unknown option '--frob'" -- "$BPFBOX" xdp x.o --frob
t extra-arg 2 '' "~unexpected argument 'y.o'" -- "$BPFBOX" xdp x.o y.o --pcap a
t missing-iface 1 '' "~no such network interface 'nosuch0'" -- "$BPFBOX" xdp x.o --iface nosuch0
printf 'not an elf' >notelf.o
t not-elf 1 '' '*' -- "$BPFBOX" xdp notelf.o --pcap "$PC"

if ! need_file "$DROP" || ! need_file "$PC"; then
	summary
	exit
fi

# ---- the TCP dropper on the shipped capture ----
# The counts (DROP 156, PASS 775, 69 too short to run) are the kernel's:
# tests/test_pkt_kernel.c checks them against BPF_PROG_TEST_RUN on this file.
t text 0 '~XDP_DROP +156.*XDP_PASS +775.*packets +1000.*errors +69.*packets/s +[0-9]+.*map stats' \
	'~69 packets were not run: BPF_PROG_TEST_RUN refuses' -- "$BPFBOX" xdp "$DROP" --pcap "$PC"
j=$("$BPFBOX" xdp "$DROP" --pcap "$PC" --json --out pass.pcap --drop-out drop.pcap --tx-out tx.pcap 2>/dev/null)
check json-shape "$j" '~^\{"verdicts": \{"XDP_ABORTED": 0, "XDP_DROP": 156, "XDP_PASS": 775, "XDP_TX": 0, "XDP_REDIRECT": 0\}, "packets": 1000, "errors": 69, "duration_ns": [0-9]+, "pps": [0-9]+, "maps": \{"stats": \[\{"key": 0, "value": \[775(, 0)*\]\}, \{"key": 1, "value": \[156(, 0)*\]\}\]\}\}$'
# what went to the files comes back with the same verdicts
j=$("$BPFBOX" xdp "$DROP" --pcap pass.pcap --json 2>/dev/null)
check out-pass "$(jnum "$j" XDP_PASS)/$(jnum "$j" XDP_DROP)/$(jnum "$j" packets)" "775/0/775"
j=$("$BPFBOX" xdp "$DROP" --pcap drop.pcap --json 2>/dev/null)
check out-drop "$(jnum "$j" XDP_DROP)/$(jnum "$j" packets)" "156/156"
check out-tx-empty "$(stat -c %s tx.pcap)" 24
t count 0 '~"packets": 10,' '*' -- "$BPFBOX" xdp "$DROP" --pcap "$PC" --count 10 --json
t interp 0 '~"XDP_DROP": 156, "XDP_PASS": 775' '*' -- "$BPFBOX" xdp "$DROP" --pcap "$PC" --json --engine interp

# XDP_TX: the bouncer's output is the input with the MACs swapped
SWAP=$EX/xdp_swap_mac.o
if need_file "$SWAP"; then
	j=$("$BPFBOX" xdp "$SWAP" --pcap "$PC" --json --tx-out tx.pcap 2>/dev/null)
	ntx=$(jnum "$j" XDP_TX)
	check tx-some "$ntx" '~^[1-9][0-9]*$'
	j=$("$BPFBOX" xdp "$SWAP" --pcap tx.pcap --json 2>/dev/null)
	check tx-back "$(jnum "$j" packets)/$(jnum "$j" errors)" "$ntx/0"
fi

# the trace log goes to --trace-log
TRACE=$EX/xdp_ipv4_trace.o
if need_file "$TRACE"; then
	"$BPFBOX" xdp "$TRACE" --pcap "$ROOT/examples/pcap/eth-100.pcap" --trace-log tr.log >/dev/null 2>&1
	# every packet passes unchanged: --out is the input, record for record
	"$BPFBOX" xdp "$TRACE" --pcap "$ROOT/examples/pcap/eth-100.pcap" --out same.pcap >/dev/null 2>&1
	check out-same "$(cmp <(tail -c +25 same.pcap) <(tail -c +25 "$ROOT/examples/pcap/eth-100.pcap") && echo same)" same
	check trace-log "$(head -n 1 tr.log)" '~bpf_trace_printk: src [0-9.]+ dst [0-9.]+ proto [0-9]+$'
fi

# tc and socket filters (test objects of $BUILD/bpf)
if need_file "$BUILD/bpf/pkt_tc.o"; then
	t tc-needs-prog 1 '' '~has 4 tc programs; choose one with --prog' -- "$BPFBOX" tc "$BUILD/bpf/pkt_tc.o" --pcap "$PC"
	t tc-json 0 '~^\{"verdicts": \{"TC_ACT_UNSPEC": [0-9]+, "TC_ACT_OK": [0-9]+, .*"TC_ACT_TRAP": [0-9]+\}, "packets": 1000,' '*' \
		-- "$BPFBOX" tc "$BUILD/bpf/pkt_tc.o" --prog tc_ttl --pcap "$PC" --json --egress
	t sock 0 '~^kept +[0-9]+
dropped +[0-9]+
packets +1000' '*' -- "$BPFBOX" socket "$BUILD/bpf/pkt_sock.o" --prog sock_trunc --pcap "$PC"
	t sock-wrong 1 '' "~program 'tc_ttl' is of type sched_cls, not socket_filter" \
		-- "$BPFBOX" socket "$BUILD/bpf/pkt_tc.o" --prog tc_ttl --pcap "$PC"
fi

# --devmap fills a devmap before the run
if need_file "$BUILD/bpf/pkt_devmap.o"; then
	DM=$BUILD/bpf/pkt_devmap.o
	t devmap-empty 0 '~"XDP_PASS": 931, "XDP_TX": 0, "XDP_REDIRECT": 0' '*' -- "$BPFBOX" xdp "$DM" --pcap "$PC" --json
	t devmap-set 0 '~"XDP_REDIRECT": 931\}.*"tx_ports": \[\{"key": 0, "value": 1\}\]' '*' \
		-- "$BPFBOX" xdp "$DM" --pcap "$PC" --json --devmap tx_ports:0=1
	t devmap-bad 1 '' "~--devmap 'x': expected MAP:KEY=IF" -- "$BPFBOX" xdp "$DM" --pcap "$PC" --devmap x
	t devmap-noif 1 '' "~no such network interface 'nosuch0'" -- "$BPFBOX" xdp "$DM" --pcap "$PC" --devmap tx_ports:0=nosuch0
	t devmap-nomap 1 '' "~no devmap or devmap_hash named 'foo'" -- "$BPFBOX" xdp "$DM" --pcap "$PC" --devmap foo:0=1
	t devmap-key 1 '' "~cannot set the entry: Argument list too long" -- "$BPFBOX" xdp "$DM" --pcap "$PC" --devmap tx_ports:9=1
fi

# ---- bad input ----
# a program of the wrong type
if need_file "$EX/syscount.o"; then
	t wrong-type 1 '' '~syscount.o: the object has no xdp program' -- "$BPFBOX" xdp "$EX/syscount.o" --pcap "$PC"
	t wrong-type-prog 1 '' "~program 'syscount' is of type raw_tracepoint, not xdp" \
		-- "$BPFBOX" xdp "$EX/syscount.o" --prog syscount --pcap "$PC"
fi
t missing-pcap 1 '' '~nosuch.pcap: cannot read the capture' -- "$BPFBOX" xdp "$DROP" --pcap nosuch.pcap
printf 'this is not a capture file at all, no' >junk.pcap
t corrupt-pcap 1 '' '~junk.pcap: cannot read the capture' -- "$BPFBOX" xdp "$DROP" --pcap junk.pcap
head -c 24 "$PC" >empty.pcap
t empty-pcap 0 '~"packets": 0,' '' -- "$BPFBOX" xdp "$DROP" --pcap empty.pcap --json
# cut the capture inside packet 8: the 7 whole packets before it are processed
off=24
for ((i = 0; i < 7; i++)); do off=$((off + 16 + $(u32 "$PC" $((off + 8))))); done
head -c $((off + 16 + 5)) "$PC" >cut.pcap
t truncated 1 '~"packets": 7,' '~cut.pcap: the capture is damaged after packet 7' \
	-- "$BPFBOX" xdp "$DROP" --pcap cut.pcap --json
head -c $((off + 7)) "$PC" >cut2.pcap	# inside the record header
t truncated-hdr 1 '~packets +7' '~cut2.pcap: the capture is damaged after packet 7' \
	-- "$BPFBOX" xdp "$DROP" --pcap cut2.pcap
# a record claiming a huge length
cp "$PC" huge.pcap
printf '\xff\xff\xff\x7f' | dd of=huge.pcap bs=1 seek=$((off + 8)) conv=notrunc 2>/dev/null
t huge-record 1 '~"packets": 7,' '~huge.pcap: the capture is damaged after packet 7' \
	-- "$BPFBOX" xdp "$DROP" --pcap huge.pcap --json

summary
