#!/usr/bin/env bash
# tests/test_pkt_live.sh - packet hooks on a live interface. The test makes
# its own network namespace with a veth pair (veth0 <-> veth1, IPv6 off so
# that no neighbour discovery adds frames), attaches
# `bpfbox xdp examples/xdp_drop_tcp.o --iface veth1`, sends known numbers of
# TCP, UDP and ICMP frames from veth0 ($BUILD/pkt_send), stops bpfbox with
# SIGINT and checks the counts: TCP dropped, everything else passed. Then
# the bouncer (xdp_swap_mac, XDP_TX) on veth1 with a counter on veth0: every
# frame comes back. Also tc --egress and a socket filter on the same pair.
# Skips with a message where namespaces cannot be made (not root, no ip).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bpfbox
EX=$BUILD/examples
SEND=$BUILD/pkt_send
NS=bxpkt$$

skip_all() {
	skip=$((skip + 1))
	echo "SKIP: $*"
	summary
	exit
}

# a missing object or tool is a failure (make and scripts/deps.sh provide
# them); only what the machine cannot do (root, namespaces, veth) skips
need_file "$EX/xdp_drop_tcp.o" && need_file "$SEND" || { summary; exit; }
command -v ip >/dev/null || { fail=$((fail + 1)); echo "FAIL: no 'ip' command (scripts/deps.sh installs iproute2)"; summary; exit; }
[[ $(id -u) == 0 ]] || skip_all "network namespaces need root"
ip netns add "$NS" 2>/dev/null || skip_all "cannot create a network namespace"
cleanup() {
	[[ -n ${BGPID:-} ]] && kill "$BGPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
nsx() { ip netns exec "$NS" "$@"; }
nsx sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1 2>/dev/null
if ! nsx ip link add veth0 type veth peer name veth1 2>/dev/null; then
	skip_all "cannot create a veth pair in the namespace"
fi
nsx ip link add veth2 type veth peer name veth3 2>/dev/null
nsx ip link set lo up
for v in veth0 veth1 veth2 veth3; do nsx ip link set $v up 2>/dev/null; done
sleep 0.3

# check NAME GOT WANT
check() {
	if [[ $2 == "$3" ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got [$2] want [$3]"; fi
}
jnum() { [[ $1 =~ \"$2\":\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }

# start NAME CMD...: run bpfbox in the namespace in the background and wait
# until it says it is attached (its pid in BGPID)
start() {
	local name=$1; shift
	ip netns exec "$NS" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	BGPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'attached to' "$T/$name.err" 2>/dev/null && return 0
		kill -0 "$BGPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL $name: bpfbox did not attach:"; sed 's/^/    /' "$T/$name.err"
	fail=$((fail + 1))
	return 1
}
# stop NAME: SIGINT, wait; the JSON in OUT, exit status in RC
stop() {
	sleep 0.3
	kill -INT "$BGPID" 2>/dev/null
	wait "$BGPID"; RC=$?
	BGPID=
	OUT=$(cat "$T/$1.out")
}

NT=40 NU=25 NI=15
# ---- the TCP dropper ----
if start drop "$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --iface veth1 --json; then
	nsx "$SEND" veth0 $NT $NU $NI >/dev/null
	stop drop
	check drop-rc "$RC" 0
	check drop-counts "$(jnum "$OUT" XDP_DROP)/$(jnum "$OUT" XDP_PASS)/$(jnum "$OUT" packets)/$(jnum "$OUT" errors)" \
		"$NT/$((NU + NI))/$((NT + NU + NI))/0"
	check drop-map "$([[ $OUT =~ \"key\":\ 1,\ \"value\":\ \[$NT[],] ]] && echo ok)" ok
fi

# ---- the bouncer: XDP_TX back out of veth1, counted coming into veth0 ----
if need_file "$EX/xdp_swap_mac.o" && start count "$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --iface veth0 --json; then
	CPID=$BGPID
	if start swap "$BPFBOX" xdp "$EX/xdp_swap_mac.o" --iface veth1 --json; then
		nsx "$SEND" veth0 $NT $NU $NI >/dev/null
		stop swap
		check swap-tx "$(jnum "$OUT" XDP_TX)/$(jnum "$OUT" packets)" "$((NT + NU + NI))/$((NT + NU + NI))"
	fi
	BGPID=$CPID
	stop count
	check bounced-back "$(jnum "$OUT" XDP_DROP)/$(jnum "$OUT" XDP_PASS)" "$NT/$((NU + NI))"
fi

# ---- XDP_REDIRECT through a devmap: veth1 -> veth2, counted arriving on veth3 ----
if need_file "$BUILD/bpf/pkt_devmap.o" && start count3 "$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --iface veth3 --json; then
	CPID=$BGPID
	if start redir "$BPFBOX" xdp "$BUILD/bpf/pkt_devmap.o" --iface veth1 --devmap tx_ports:0=veth2 --json; then
		nsx "$SEND" veth0 $NT $NU $NI >/dev/null
		stop redir
		check redirect "$(jnum "$OUT" XDP_REDIRECT)/$(jnum "$OUT" packets)" "$((NT + NU + NI))/$((NT + NU + NI))"
	fi
	BGPID=$CPID
	stop count3
	check redirected-out "$(jnum "$OUT" XDP_DROP)/$(jnum "$OUT" XDP_PASS)" "$NT/$((NU + NI))"
fi

# ---- tc egress on veth0 and a socket filter on veth1 ----
if need_file "$BUILD/bpf/pkt_tc.o" && start tc "$BPFBOX" tc "$BUILD/bpf/pkt_tc.o" --prog tc_ttl --iface veth0 --egress --json; then
	nsx "$SEND" veth0 $NT $NU $NI >/dev/null
	stop tc
	check tc-egress "$(jnum "$OUT" packets)/$(jnum "$OUT" errors)" "$((NT + NU + NI))/0"
fi
if need_file "$BUILD/bpf/pkt_sock.o" && start sock "$BPFBOX" socket "$BUILD/bpf/pkt_sock.o" --prog sock_trunc --iface veth1 --json; then
	nsx "$SEND" veth0 $NT $NU $NI >/dev/null
	stop sock
	check sock "$(jnum "$OUT" packets)/$(jnum "$OUT" errors)" "$((NT + NU + NI))/0"
fi

# ---- a missing interface, and Ctrl-C with nothing received ----
t live-missing 1 '' "~no such network interface 'veth9'" -- nsx "$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --iface veth9
if start idle "$BPFBOX" xdp "$EX/xdp_drop_tcp.o" --iface veth1 --stats-every 1; then
	sleep 1.2
	stop idle
	check idle "$RC/$([[ $OUT =~ packets\ +0 ]] && echo zero)" "0/zero"
	n=$(grep -c 'packets (0 pps): XDP_ABORTED 0, XDP_DROP 0' "$T/idle.err")
	check stats-every "$((n >= 1))" 1
fi

summary
