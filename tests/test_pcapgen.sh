#!/usr/bin/env bash
# tests/test_pcapgen.sh - the capture generator build/pcapgen
# (tools/pcapgen/pcapgen.c, mk/pcapgen.mk) and the shipped captures
# examples/pcap/*.pcap: usage errors, determinism (same seed, same bytes;
# the shipped files are what `make pcaps` writes), the pcap headers,
# --snaplen / --min-len / --stats, the shipped files' total size (<= 300 KB),
# and that `bpfbox xdp` reads the shipped captures with every XDP example.
# Run from the repo root; BUILD is the build directory.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GEN=$BUILD/pcapgen
PC=$ROOT/examples/pcap

if [[ ! -x $GEN ]]; then
	echo "FAIL: $GEN not built (mk/pcapgen.mk)"
	echo "0 passed, 1 failed"
	exit 1
fi
# check NAME GOT WANT
check() {
	if [[ $2 == "$3" ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got [$2] want [$3]"; fi
}
# hexat FILE OFFSET COUNT: bytes as hex
hexat() { od -An -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# ---- usage -------------------------------------------------------------------------
t no-out 2 '' 'pcapgen: -o FILE.pcap is required' -- "$GEN" --count 3
t bad-count 2 '' "pcapgen: --count needs a non-negative number, got 'abc'" -- "$GEN" --count abc -o x.pcap
t neg-seed 2 '' "pcapgen: --seed needs a non-negative number, got '-1'" -- "$GEN" --seed -1 -o x.pcap
t missing-arg 2 '' "pcapgen: --seed needs a non-negative number, got ''" -- "$GEN" -o x.pcap --seed
t unknown 2 '' "pcapgen: unknown argument '--frobnicate'" -- "$GEN" --frobnicate -o x.pcap
t bad-snaplen 2 '' 'pcapgen: --snaplen must be 1..262144 and --min-len 0..1500' -- "$GEN" --snaplen 0 -o x.pcap
t unwritable 1 '' 'pcapgen: /nonexistent/dir/x.pcap: No such file or directory' -- "$GEN" -o /nonexistent/dir/x.pcap
t help 0 '~^usage: pcapgen --count N --seed S -o FILE.pcap' '' -- "$GEN" --help

# ---- format and determinism ----------------------------------------------------------
t empty 0 '' '' -- "$GEN" --count 0 -o empty.pcap
check empty-size "$(stat -c %s empty.pcap)" 24
# magic a1b2c3d4 (little-endian), version 2.4, snaplen 65535, LINKTYPE_ETHERNET
check magic-version-linktype "$(hexat empty.pcap 0 8)$(hexat empty.pcap 16 8)" d4c3b2a102000400ffff000001000000
t a 0 '' '' -- "$GEN" --count 500 --seed 9 -o a.pcap
t b 0 '' '' -- "$GEN" -n 500 -s 9 -o b.pcap
t c 0 '' '' -- "$GEN" --count 500 --seed 10 -o c.pcap
t same-seed-same-bytes 0 '' '' -- cmp a.pcap b.pcap
t other-seed-other-bytes 1 '*' '' -- cmp -s a.pcap c.pcap
t stdout 0 '' '' -- sh -c "'$GEN' --count 500 --seed 9 -o - | cmp - a.pcap"
# first record: 2024-01-01T00:00:00Z + 1..100 us, caplen == len
check first-ts-sec "$(hexat a.pcap 24 4)" 80009265
check caplen-is-len "$(hexat a.pcap 32 4)" "$(hexat a.pcap 36 4)"
t stats 0 '' '~^[a-z0-9./]+ +[0-9]+$' -- "$GEN" --count 100 --seed 3 -o s.pcap --stats
check stats-total "$("$GEN" --count 100 --seed 3 -o s.pcap --stats 2>&1 | tail -n 1)" "total        100"
t snaplen 0 '' '' -- "$GEN" --count 50 --snaplen 64 -o snap.pcap
check snaplen-header "$(hexat snap.pcap 16 4)" 40000000

# ---- the shipped captures are what `make pcaps` writes ----------------------------------
t mixed-1k 0 '' '' -- "$GEN" --count 1000 --seed 1 -o mixed-1k.pcap
t eth-100 0 '' '' -- "$GEN" --count 100 --seed 7 --min-len 14 -o eth-100.pcap
t shipped-mixed-1k 0 '' '' -- cmp mixed-1k.pcap "$PC/mixed-1k.pcap"
t shipped-eth-100 0 '' '' -- cmp eth-100.pcap "$PC/eth-100.pcap"
total=$(cat "$PC"/*.pcap | wc -c)
check shipped-size-le-300KB "$(( total <= 300 * 1024 ))" 1

# ---- bpfbox xdp reads them -------------------------------------------------------------
# The oracle for "errors": the kernel's BPF_PROG_TEST_RUN refuses an XDP
# packet shorter than an Ethernet header (14 bytes), so the expected count
# is the number of such records, read from the capture file here (od), not
# from bpfbox.
short_records() { # FILE: records of a classic little-endian pcap with caplen < 14
	local -a b
	local off=24 n=0 len size
	mapfile -t b < <(od -An -v -tu1 -w1 "$1" | tr -d ' ')
	size=${#b[@]}
	while (( off + 16 <= size )); do
		len=$(( b[off + 8] | b[off + 9] << 8 | b[off + 10] << 16 | b[off + 11] << 24 ))
		(( len < 14 )) && n=$((n + 1))
		off=$((off + 16 + len))
	done
	echo "$n"
}
EX=$BUILD/examples
if need_file "$BPFBOX" && need_file "$EX/xdp_drop_tcp.o"; then
	short_mixed=$(short_records "$PC/mixed-1k.pcap") short_eth=$(short_records "$PC/eth-100.pcap")
	short_snap=$(short_records snap.pcap)
	for n in xdp_ipv4_trace xdp_drop_tcp xdp_swap_mac xdp_ip_count; do
		t "cli-$n-mixed" 0 "~\"packets\": 1000, \"errors\": $short_mixed," '*' -- \
			"$BPFBOX" xdp "$EX/$n.o" --pcap "$PC/mixed-1k.pcap" --json --trace-log /dev/null
		t "cli-$n-eth" 0 "~\"packets\": 100, \"errors\": $short_eth," '*' -- \
			"$BPFBOX" xdp "$EX/$n.o" --pcap "$PC/eth-100.pcap" --json --trace-log /dev/null
	done
	t cli-snaplen 0 "~\"packets\": 50, \"errors\": $short_snap," '*' -- \
		"$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --pcap snap.pcap --json
	# pcapng (read through libpcap): the same packets give the same verdicts
	# and byte-identical output captures as the pcap form
	t ng-gen 0 '' '' -- "$GEN" --count 3000 --seed 11 --pcapng -o ng.pcapng
	t ng-gen-pcap 0 '' '' -- "$GEN" --count 3000 --seed 11 -o ng.pcap
	check ng-magic "$(hexat ng.pcapng 0 4)" 0a0d0d0a
	for f in ng.pcap ng.pcapng; do
		"$BPFBOX" xdp "$EX/xdp_swap_mac.o" --pcap "$f" --json --tx-out "$f.tx" \
			--drop-out "$f.drop" 2>/dev/null | sed 's/"duration_ns": [0-9]*, "pps": [0-9]*//' >"$f.json"
	done
	t ng-same-json 0 '' '' -- cmp ng.pcap.json ng.pcapng.json
	t ng-same-tx 0 '' '' -- cmp ng.pcap.tx ng.pcapng.tx
	t ng-same-drop 0 '' '' -- cmp ng.pcap.drop ng.pcapng.drop
	t ng-counted 0 '~"packets": 3000,' '' -- cat ng.pcapng.json
fi
summary
