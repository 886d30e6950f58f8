#!/usr/bin/env bash
# tests/test_trace_stack.sh - user stacks of a traced process: a uprobe on
# leaf() of a target built with frame pointers (main -> outer -> mid ->
# leaf, -O0 so that every function starts with push %rbp, -no-pie so
# that ips are link addresses) calls bpf_get_stackid()
# and bpf_get_stack() with BPF_F_USER_STACK (tests/bpf/trace_stack.bpf.c).
# The frames must resolve, through the target's symbols (nm), to leaf,
# mid, outer, main: what the kernel's perf_callchain_user() gives for a
# uprobe at a function's entry (the ip, then the return address at sp as
# is_uprobe_at_func_entry() adds it, then the rbp chain). The stack map
# holds the same ips; the kernel stack (no BPF_F_USER_STACK) is empty in
# userspace: get_stackid returns -EFAULT (14), as the kernel for an empty
# callchain.
source tests/lib.sh
need_bpfbox
TB=$BUILD/bpf

cat >target.c <<'EOF2'
#include <stdio.h>
__attribute__((noinline)) int leaf(int x) { __asm__ volatile(""); return x + 1; }
__attribute__((noinline)) int mid(int x) { int r = leaf(x) * 2; __asm__ volatile(""); return r; }
__attribute__((noinline)) int outer(int x) { int r = mid(x) + 3; __asm__ volatile(""); return r; }
int main(void) { printf("r=%d\n", outer(1)); return 0; }
EOF2
check() { if (( $2 )); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: $3"; fi; }
res_val() { grep -o "{\"key\": $2, \"value\": [0-9-]*}" <<<"$1" | head -n 1 | sed 's/.*: //; s/}//'; }
# sym ADDR(decimal): the function of the target containing it
sym() {
	local addr val typ name best=0 res=
	while read -r addr typ name; do
		[[ $typ == [Tt] ]] || continue
		val=$((16#$addr))
		if ((val <= $1 && val > best)); then best=$val res=$name; fi
	done < <(nm bpfbox_stack_target)
	echo "$res"
}

if ! cc -O0 -no-pie -fno-omit-frame-pointer -o bpfbox_stack_target target.c 2>cc.err; then
	echo "FAIL: cannot compile the target program: $(head -n 1 cc.err)"
	fail=$((fail + 1))
elif need_file "$TB/trace_stack.o"; then
	j=$(PATH=$PWD:$PATH "$BPFBOX" trace "$TB/trace_stack.o" --json -- bpfbox_stack_target 2>err.txt); rc=$?
	check "rc" $((rc == 0)) "rc $rc $(head -n 2 err.txt)"
	check "output" $(($(grep -c '^r=7$' <<<"$j") == 1)) "$j"
	check "one call" $(($(res_val "$j" 3) == 1)) "$j"
	check "get_stackid >= 0" $(($(res_val "$j" 0) >= 0)) "$j"
	check "get_stack: >= 4 frames" $(($(res_val "$j" 1) >= 32 && $(res_val "$j" 1) % 8 == 0)) "$j"
	check "kernel stack: -EFAULT" $(($(res_val "$j" 2) == -14)) "$j"
	ips=($(grep -o '"ip": \[[0-9, ]*\]' <<<"$j" | grep -o '[0-9][0-9]*'))
	want=(leaf mid outer main)
	for i in 0 1 2 3; do
		s=$(sym "${ips[$i]:-0}")
		check "get_stack frame $i is ${want[$i]}" $([[ $s == "${want[$i]}" ]] && echo 1 || echo 0) "got '$s' (${ips[*]})"
	done
	# the stack map's value: 8 little-endian u64 in hex
	hex=$(grep -o '"stacks": \[{"key": "[0-9a-f]*", "value": "[0-9a-f]*"' <<<"$j" | sed 's/.*"value": "//; s/"//')
	for i in 0 1 2 3; do
		le=${hex:$((i * 16)):16} be=
		for ((b = 14; b >= 0; b -= 2)); do be+=${le:$b:2}; done
		check "stack map frame $i = get_stack's" $(( ${#le} == 16 && 16#${be:-0} == ${ips[$i]:-1} )) "$hex vs ${ips[*]}"
	done
fi
summary
