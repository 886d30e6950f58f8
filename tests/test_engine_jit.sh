#!/usr/bin/env bash
# tests/test_engine_jit.sh - the examples and loader objects with the engine
# named explicitly (issue 5: "examples and loader tests pass with
# --engine jit"):
#   1. tests/test_examples.sh again, once with every `bpfbox run` given
#      `--engine jit` and once with `--engine interp` (a wrapper adds the
#      option): all its pinned results must hold with either engine.
#      With --engine jit a checked run takes the checked JIT; a run the
#      JIT cannot take fails (-EOPNOTSUPP), it never falls back to the
#      interpreter.
#   2. every program of every example and loader object ($BUILD/examples,
#      $BUILD/bpf) that `bpfbox run` accepts, on a set of packets or
#      contexts: `--engine jit` and `--engine interp` print the same
#      (retval, output packet, maps; durations masked).
#   3. the loader tests in C (test_obj_load, test_testrun,
#      test_testrun_kernel) again with BPFBOX_TEST_ENGINE=jit and =interp:
#      every trusted run they make takes that engine (tests/testlib.c
#      tl_engine()); checked runs keep the interpreter.
# Run from the repo root; BPFBOX is the binary, BUILD the build directory.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_bpfbox
if [[ $(uname -m) != x86_64 ]]; then
	echo "SKIP: no JIT on $(uname -m)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# ---- 1. the example tests with the engine forced --------------------------------
# wrapper ENGINE: a bpfbox that adds --engine ENGINE to `run` and logs it
wrapper() {
	cat >"$T/bpfbox-$1" <<EOF
#!/usr/bin/env bash
if [[ \${1:-} == run ]]; then
	echo "run --engine $1" >>"$T/engine-$1.log"
	exec "$BPFBOX" "\$@" --engine $1
fi
exec "$BPFBOX" "\$@"
EOF
	chmod +x "$T/bpfbox-$1"
}
for eng in jit interp; do
	wrapper $eng
	out=$(cd "$ROOT" && BPFBOX="$T/bpfbox-$eng" BUILD="$BUILD" bash tests/test_examples.sh 2>&1)
	last=$(tail -n 1 <<<"$out")
	runs=$(wc -l <"$T/engine-$eng.log" 2>/dev/null || echo 0)
	if [[ $last =~ ^([0-9]+)\ passed,\ 0\ failed(,\ ([0-9]+)\ skipped)?$ ]] && ((runs > 0)); then
		pass=$((pass + 1))
		echo "examples with --engine $eng: $last ($runs bpfbox runs)"
		skip=$((skip + ${BASH_REMATCH[3]:-0}))
		grep '^SKIP' <<<"$out" | sed 's/^/    /'
	else
		fail=$((fail + 1))
		echo "FAIL examples with --engine $eng: $last ($runs runs)"
		grep '^FAIL' <<<"$out" | head -n 10 | sed 's/^/    /'
	fi
done

# ---- 2. every program, both engines, same output -------------------------------
bin() {
	local h=${1//[[:space:]]/} esc="" i
	for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
	printf "$esc" >"$2"
}
ETH='02 00 00 00 00 02 02 00 00 00 00 01'
IP4_TCP='45 00 00 28 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02'
IP4_UDP='45 00 00 1c 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02'
TCP='30 39 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00'
UDP='30 39 00 35 00 08 00 00'
IP6_TCP='60 00 00 00 00 14 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02'
bin "$ETH 08 00 $IP4_TCP $TCP" p_tcp4.bin
bin "$ETH 08 00 $IP4_UDP $UDP" p_udp4.bin
bin "$ETH 86 dd $IP6_TCP $TCP" p_tcp6.bin
bin "$ETH 81 00 00 05 08 00 $IP4_TCP $TCP" p_vlan.bin
bin "$ETH 08 00 45 00 00 28 00 01" p_trunc.bin
bin "$ETH 08 06 00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01" p_arp.bin
# contexts: raw tracepoint sys_enter (args[1] = syscall id), and zeros
bin "00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00" c_write.bin
bin "00 00 00 00 00 00 00 00 3b 00 00 00 00 00 00 00" c_execve.bin
bin "00 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00" c_openat.bin
head -c 256 /dev/zero >c_zero.bin

# mask: what differs between two processes (durations, the pid, trace
# times, clock values and pid_tgid: any number of 10 digits or more)
mask() { sed -E 's/[0-9]+ ns/N ns/g; s/"duration_ns": [0-9]+/"duration_ns": N/g;
		 s/bpfbox-[0-9]+/bpfbox-P/g; s/ [0-9]+\.[0-9]{6}:/ T:/g; s/\b[0-9]{10,}\b/BIG/g'; }
# eng ENGINE CMD...: run CMD --engine ENGINE; output in $T/ENGINE.out, its
# status in $T/ENGINE.rc, its pid in $T/ENGINE.pid
eng() {
	local e=$1 pid; shift
	"$@" --engine "$e" >"$T/$e.out" 2>&1 </dev/null &
	pid=$!
	wait $pid; echo $? >"$T/$e.rc"
	echo $pid >"$T/$e.pid"
}
# masked FILE: the output with both runs' pids masked (as numbers, and as
# the little-endian u32 in hex dumps of records), then mask
masked() {
	local sedx="" p
	for p in $(<"$T/jit.pid") $(<"$T/interp.pid"); do
		sedx+="s/\\b$p\\b/PID/g; s/$(printf '%02x%02x%02x%02x' $((p & 255)) $((p >> 8 & 255)) \
			$((p >> 16 & 255)) $((p >> 24)))/PIDX/g; "
	done
	mask <"$1" | sed -E "$sedx"
}
compared=0 mismatched=0 refused=0
for obj in "$BUILD"/examples/*.o "$BUILD"/bpf/*.o; do
	[[ -e $obj ]] || continue
	progs=$("$BPFBOX" prog list "$obj" 2>/dev/null | awk 'NR > 1 && NF >= 6 && $NF == "yes" { print $1 " " $3 } /^$/ { exit }')
	while read -r name type; do
		[[ -n $name ]] || continue
		case $type in
		xdp | tc | sched_cls | sched_act | socket_filter | cgroup_skb | lwt_*) ins="--data p_tcp4.bin --data p_udp4.bin --data p_tcp6.bin --data p_vlan.bin --data p_trunc.bin --data p_arp.bin" ;;
		*) ins="--ctx c_write.bin --ctx c_execve.bin --ctx c_openat.bin --ctx c_zero.bin" ;;
		esac
		set -- $ins
		while (($#)); do
			a=("$BPFBOX" run "$obj" --prog "$name" "$1" "$2" --repeat 2 --dump-maps --json
			   --cpu 0)
			eng jit "${a[@]}"
			eng interp "${a[@]}"
			ij=$(masked "$T/jit.out"); rj=$(<"$T/jit.rc")
			ii=$(masked "$T/interp.out"); ri=$(<"$T/interp.rc")
			if ((ri != 0)); then
				# the interpreter refuses this input too: both must fail alike
				refused=$((refused + 1))
				if ((rj == 0)); then
					mismatched=$((mismatched + 1))
					echo "FAIL $(basename "$obj") $name $2: jit ran, interp failed: $ii"
				fi
			elif ((rj != 0)) || [[ $ij != "$ii" ]]; then
				mismatched=$((mismatched + 1))
				echo "FAIL $(basename "$obj") $name $2 (jit $rj, interp $ri):"
				diff <(echo "$ii") <(echo "$ij") | head -n 6 | sed 's/^/    /'
			fi
			compared=$((compared + 1))
			shift 2
		done
	done <<<"$progs"
done
# an unverified program runs checked: --engine jit on the checked JIT,
# --engine interp in the checked interpreter, same verdict
if need_file "$BUILD/examples/xdp_drop_tcp.o"; then
	t jit-runs-checked 0 '~^retval = 1 \(XDP_DROP\)' '' -- \
		"$BPFBOX" run "$BUILD/examples/xdp_drop_tcp.o" --data p_tcp4.bin --no-verify --engine jit
	t interp-runs-checked 0 '~^retval = 1 \(XDP_DROP\)' '' -- \
		"$BPFBOX" run "$BUILD/examples/xdp_drop_tcp.o" --data p_tcp4.bin --no-verify --engine interp
fi
echo "jit vs interp: $compared runs compared ($refused refused by both), $mismatched differ"
if ((compared == 0)); then
	fail=$((fail + 1))
	echo "FAIL jit vs interp: nothing compared"
elif ((mismatched == 0)); then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
fi
# ---- 3. the loader tests in C with the engine forced ----------------------------
for eng in jit interp; do
	for tb in test_obj_load test_testrun test_testrun_kernel; do
		bin=$BUILD/tests/$tb
		need_file "$bin" || continue
		out=$(cd "$ROOT" && BPFBOX_TEST_ENGINE=$eng "$bin" 2>&1)
		last=$(tail -n 1 <<<"$out")
		if [[ $last =~ ^([0-9]+)\ passed,\ 0\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
			pass=$((pass + 1))
			echo "$tb with engine $eng: $last"
			# its skips are this test's too: counted, with their reasons
			skip=$((skip + ${BASH_REMATCH[3]:-0}))
			grep '^SKIP' <<<"$out" | sed 's/^/    /'
		else
			fail=$((fail + 1))
			echo "FAIL $tb with engine $eng: $last"
			grep '^FAIL' <<<"$out" | head -n 10 | sed 's/^/    /'
		fi
	done
done
summary
