#!/usr/bin/env bash
# scripts/demo.sh [BPFBOX] - `make demo`: bpfbox doing its main job on a
# shipped example. examples/xdp_drop_tcp.bpf.c is compiled as any libbpf
# user compiles it (clang -O2 -g -target bpf), listed, disassembled with its
# source, and run on two packets (an IPv4 TCP segment, dropped, and a UDP
# datagram behind a VLAN tag, passed) with its per-CPU map dumped, then on
# every packet of a shipped capture (examples/pcap/mixed-1k.pcap, made by
# build/pcapgen). Last, examples/syscount.bpf.c traces a real command.
set -euo pipefail
BPFBOX=${1:-build/bpfbox}
build=$(dirname "$BPFBOX")
out=$build/demo
mkdir -p "$out"
CLANG=$(command -v clang-19 || command -v clang || true)

show() { # print the command (quoted as typed), then run it
	local a line=""
	for a in "$@"; do [[ $a =~ [[:space:]] ]] && line+=" \"$a\"" || line+=" $a"; done
	echo; echo "\$${line}"; "$@"
}
bin() { # HEX FILE
	local h=${1//[[:space:]]/} esc="" i
	for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
	printf "$esc" >"$2"
}

if [[ -z $CLANG ]]; then
	echo "demo: clang is needed to compile examples/xdp_drop_tcp.bpf.c" >&2
	exit 1
fi
echo "== examples/xdp_drop_tcp.bpf.c: an XDP filter dropping TCP (IPv4/IPv6, VLAN), libbpf style"
sed -n '/^SEC("xdp")/,/^}/p' examples/xdp_drop_tcp.bpf.c >"$out/src.txt"
head -n 12 "$out/src.txt"
echo "    ..."
obj=$out/xdp_drop_tcp.o
show "$CLANG" -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu \
	-c examples/xdp_drop_tcp.bpf.c -o "$obj"
show "$BPFBOX" prog list "$obj"
echo; echo "\$ $BPFBOX disasm -S $obj | head -n 16"
# (through a file: `| head` would end the writer with SIGPIPE under pipefail)
"$BPFBOX" disasm -S "$obj" >"$out/disasm.txt"
head -n 16 "$out/disasm.txt"

eth='02 00 00 00 00 02 02 00 00 00 00 01'
bin "$eth 08 00 45 00 00 28 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02
     30 39 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00" "$out/tcp.bin"
bin "$eth 81 00 00 05 08 00 45 00 00 1c 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02
     30 39 00 35 00 08 00 00" "$out/vlan_udp.bin"
echo; echo "# an IPv4 TCP packet (10.0.0.1:12345 -> 10.0.0.2:80): dropped"
show "$BPFBOX" run "$obj" --data "$out/tcp.bin" --repeat 1000 --cpu 0 --json --dump-maps
echo; echo "# a UDP datagram behind an 802.1Q tag: passed, the packet unchanged"
show "$BPFBOX" run "$obj" --data "$out/vlan_udp.bin" --cpu 0 --dump-maps
echo; echo "# every packet of a shipped capture (1000 mixed packets); passed ones to a new capture"
show "$BPFBOX" xdp "$obj" --pcap examples/pcap/mixed-1k.pcap --out "$out/passed.pcap"

sc=$out/syscount.o
echo; echo "== examples/syscount.bpf.c: syscalls per process, attached to a real command (ptrace)"
show "$CLANG" -O2 -g -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu \
	-c examples/syscount.bpf.c -o "$sc"
show "$BPFBOX" trace "$sc" -- sh -c 'ls / >/dev/null; echo done'
echo
echo "Next: 'make test' runs every test (examples: tests/test_examples.sh)."
