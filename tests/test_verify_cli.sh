#!/usr/bin/env bash
# tests/test_verify_cli.sh - "bpfbox verify" and "bpfbox run --no-verify":
# every example object and BPF test object that bpfbox can load is
# accepted; bad programs are rejected with the report's pinned parts (the
# instruction, the kernel's message, a hint) and exit status 1; JSON
# output; usage errors exit 2 with their exact message. An XDP object
# without a packet bounds check (compiled here with clang when available)
# is refused by `bpfbox run` and runs checked with --no-verify.
# Run from the repo root; BPFBOX is the binary, BUILD the build directory.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# has NAME PATTERN FILE: FILE has a line matching the extended regex
has() {
	if grep -Eq -- "$2" "$3"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: no line matching /$2/ in:"; sed 's/^/    /' "$3" | head -n 20; fi
}

need_bpfbox

USAGE='Usage: bpfbox verify OBJ [--prog NAME] [--type TYPE] [--flags LIST] [--unpriv] [-v] [--json]'
ACC='[A-Za-z_][A-Za-z0-9_.]*: accepted( \(processed [0-9]+ insns(, [0-9]+ states)?\))?'

# ---- programs ------------------------------------------------------------------
cat >good.s <<'EOF'
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto +2
r0 = *(u8 *)(r2 + 12)
exit
r0 = 2
exit
EOF
cat >uninit.s <<'EOF'
r0 = r2
exit
EOF
cat >nobounds.s <<'EOF'
r2 = *(u32 *)(r1 + 0)
r0 = *(u8 *)(r2 + 0)
exit
EOF
cat >align.s <<'EOF'
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
r0 = 0
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 0)
exit
EOF
"$BPFBOX" asm good.s -o good.bin 2>/dev/null

cat >leak.s <<'EOF'
r0 = r10
exit
EOF
cat >skblen.s <<'EOF'
r0 = *(u32 *)(r1 + 0)
r0 &= 1
exit
EOF

# ---- --unpriv: the kernel's unprivileged rules (both verdicts as this kernel
# gives them: tests/test_verifier_unpriv.c "return fp" judges the same program) ----
t unpriv-off 0 "~^leak\.s: accepted" '' -- "$BPFBOX" verify --type socket_filter leak.s
t unpriv-leak 1 '~kernel: R0 leaks addr as return value' '' -- "$BPFBOX" verify --type socket_filter --unpriv leak.s
t unpriv-type 1 '~kernel: program type 6 needs CAP_BPF' '' -- "$BPFBOX" verify --type xdp --unpriv good.s
t unpriv-good 0 "~^skblen\.s: accepted" '' -- "$BPFBOX" verify --type cgroup_skb --unpriv skblen.s

# ---- load flags (a u32 at packet offset 0: misaligned with NET_IP_ALIGN in strict mode) ----
t align-default 0 "~^align\.s: accepted" '' -- "$BPFBOX" verify --type xdp align.s
t align-strict 1 '~kernel: misaligned packet access off 2\+0\+0\+0 size 4' '' -- "$BPFBOX" verify --type xdp --strict-alignment align.s
t align-flags 1 '~kernel: misaligned packet access' '' -- "$BPFBOX" verify --type xdp --flags BPF_F_STRICT_ALIGNMENT align.s
t align-flags-num 1 '~kernel: misaligned packet access' '' -- "$BPFBOX" verify --type xdp --flags 0x1 align.s
t align-any-wins 0 "~^align\.s: accepted" '' -- "$BPFBOX" verify --type xdp --flags strict-alignment,any-alignment align.s
t rnd-hi32 0 "~^align\.s: accepted" '' -- "$BPFBOX" verify --type xdp --test-rnd-hi32 align.s
t bad-flag 2 '' "~--flags: unknown load flag 'frob' in" -- "$BPFBOX" verify --type xdp --flags 'strict-alignment|frob' align.s

# ---- accepted --------------------------------------------------------------------
t good-s 0 "~^good\.s: accepted( \(processed [0-9]+ insns(, [0-9]+ states)?\))?$" '' -- "$BPFBOX" verify --type xdp good.s
t good-bin 0 "~^good\.bin: accepted" '' -- "$BPFBOX" verify --type xdp good.bin
t good-json 0 '~^\{"programs": \[\{"name": "good\.s", "verdict": "accepted", "error": null, "insns_processed": ([0-9]+|null)\}\]\}$' '' -- "$BPFBOX" verify --type xdp --json good.s
t good-v 0 "~good\.s: accepted" '' -- "$BPFBOX" verify --type xdp -v good.s

# every example and BPF test object whose programs bpfbox can load
nobj=0
for o in "$BUILD"/examples/*.o "$BUILD"/bpf/pkt_*.o "$BUILD"/bpf/load_tail.o; do
	[[ -e $o ]] || continue
	nobj=$((nobj + 1))
	t "example-$(basename "$o")" 0 "~^($ACC
?)+$" '' -- "$BPFBOX" verify "$o"
done
(( nobj > 0 )) && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no example objects in $BUILD/examples (make builds them)"; }
# load_globals.o: one good program, and write_ro, which writes .rodata (the kernel rejects it too)
need_file "$BUILD/bpf/load_globals.o" && {
	t globals-ok 0 "~^globals: accepted" '' -- "$BPFBOX" verify "$BUILD/bpf/load_globals.o" --prog globals
	t globals-write-ro 1 "~kernel: write into map forbidden, value_size=8 off=0 size=8" '' -- "$BPFBOX" verify "$BUILD/bpf/load_globals.o" --prog write_ro
}
if need_file "$BUILD/examples/xdp_drop_tcp.o"; then
	t prog-select-ok 0 "~^xdp_drop_tcp: accepted" '' -- "$BPFBOX" verify "$BUILD/examples/xdp_drop_tcp.o" --prog xdp_drop_tcp
	t prog-json 0 '~^\{"programs": \[\{"name": "xdp_drop_tcp", "verdict": "accepted", "error": null, "insns_processed": ([0-9]+|null)\}\]\}$' '' -- "$BPFBOX" verify --json "$BUILD/examples/xdp_drop_tcp.o"
fi

# ---- rejected: the report --------------------------------------------------------
# (needs-verifier/*: these fail while the verifier has not landed.)
"$BPFBOX" verify --type xdp uninit.s >uninit.out 2>&1; rc=$?
t needs-verifier/uninit-rc 1 '*' '*' -- sh -c "exit $rc"
has needs-verifier/uninit-line1 '^uninit\.s: rejected$' uninit.out
has needs-verifier/uninit-insn '^ *error at insn 0: ' uninit.out
has needs-verifier/uninit-kernel '^ *kernel: R2 !read_ok$' uninit.out
has needs-verifier/uninit-hint '^ *hint: .+' uninit.out
has needs-verifier/uninit-regs '^ *registers: .*R2' uninit.out

"$BPFBOX" verify --type xdp nobounds.s >nobounds.out 2>&1; rc=$?
t needs-verifier/nobounds-rc 1 '*' '*' -- sh -c "exit $rc"
has needs-verifier/nobounds-line1 '^nobounds\.s: rejected$' nobounds.out
has needs-verifier/nobounds-insn '^ *error at insn 1: ' nobounds.out
has needs-verifier/nobounds-kernel '^ *kernel: (invalid access to packet, off=0 size=1|R2 offset is outside of the packet)' nobounds.out
has needs-verifier/nobounds-hint '^ *hint: .*(bounds|data_end)' nobounds.out

t needs-verifier/uninit-json 1 '~^\{"programs": \[\{"name": "uninit\.s", "verdict": "rejected", "error": \{"insn": 0, "message": "[^"]+", .*"kernel": "R2 !read_ok".*\}, "insns_processed": ([0-9]+|null)\}\]\}$' '' -- "$BPFBOX" verify --type xdp --json uninit.s
"$BPFBOX" verify --type xdp -v uninit.s >uninit-v.out 2>&1
has needs-verifier/uninit-v-log '^0: \(bf\) r0 = r2' uninit-v.out

# ---- usage errors (exit 2) and failures (exit 1) ------------------------------------
t no-args 2 '' 'bpfbox verify: missing object or program file' -- "$BPFBOX" verify
t no-type 2 '' 'bpfbox verify: good.s is not an ELF object: give its program type with --type TYPE' -- "$BPFBOX" verify good.s
t bad-type 2 '' "bpfbox verify: unknown program type 'frob' (e.g. xdp, socket_filter, sched_cls, kprobe, tracepoint)" -- "$BPFBOX" verify --type frob good.s
t bad-opt 2 '' "bpfbox verify: unknown option '--frob'" -- "$BPFBOX" verify --frob good.s
t two-files 2 '' "bpfbox verify: unexpected argument 'x'" -- "$BPFBOX" verify good.s x
t prog-raw 2 '' 'bpfbox verify: --prog is only for ELF objects' -- "$BPFBOX" verify --type xdp --prog p good.s
t usage-line 2 '' '*' -- "$BPFBOX" verify
t help 0 "~^$(printf '%s' "$USAGE" | sed 's/[][().*]/\\&/g')" '' -- "$BPFBOX" verify --help
t missing 1 '' "bpfbox verify: cannot open 'nope.o': No such file or directory" -- "$BPFBOX" verify nope.o
printf 'not elf' >fake.o
t not-elf 1 '' 'bpfbox verify: fake.o: not an ELF object (no ELF magic)' -- "$BPFBOX" verify fake.o
printf 'abc' >odd.bin
t odd-size 1 '' 'bpfbox verify: odd.bin: size 3 is not a multiple of 8 (eBPF instructions are 8 bytes)' -- "$BPFBOX" verify --type xdp odd.bin
if need_file "$BUILD/examples/xdp_drop_tcp.o"; then
	# --type on an object: the section's type stays where it names one
	t type-obj 0 "~^xdp_drop_tcp: accepted" '' -- "$BPFBOX" verify --type kprobe "$BUILD/examples/xdp_drop_tcp.o"
	t prog-unknown 1 '' "~^bpfbox verify: .*xdp_drop_tcp\.o: no program 'nope' \(programs: xdp_drop_tcp\)$" -- "$BPFBOX" verify --prog nope "$BUILD/examples/xdp_drop_tcp.o"
fi

# --type gives a type to a program whose section names none (libbpf's bpf_program__set_type)
if need_file "$BUILD/bpf/load_vars.o"; then
	t type-typeless 0 "~^typeless: accepted" '*' -- "$BPFBOX" verify --prog typeless --type sched_cls "$BUILD/bpf/load_vars.o"
	t type-none 1 "~cannot be loaded: its section names no known program type .*--type TYPE" '*' -- "$BPFBOX" verify --prog typeless "$BUILD/bpf/load_vars.o"
	t type-bad 2 '' "~unknown program type|--type" -- "$BPFBOX" verify --prog typeless --type nosuch "$BUILD/bpf/load_vars.o"
fi

# ---- bpfbox run verifies; --no-verify runs checked ----------------------------------
# (clang is a build dependency: a missing clang or a compile error is a failure)
CLANG=$(command -v clang-19 || command -v clang || echo clang-19)
cat >nocheck.bpf.c <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* reads the EtherType byte without checking it is inside the packet */
SEC("xdp")
int no_check(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[12] == 8 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
EOF
if "$CLANG" -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(gcc -print-multiarch) -c nocheck.bpf.c -o nocheck.o 2>nocheck.err; then
	printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00\x45\x00' >pkt16
	printf '\x00\x01\x02\x03' >pkt4
	"$BPFBOX" verify nocheck.o >nocheck.out 2>&1; rc=$?
	t needs-verifier/nocheck-verify-rc 1 '*' '*' -- sh -c "exit $rc"
	has needs-verifier/nocheck-verify-line1 '^no_check: rejected$' nocheck.out
	has needs-verifier/nocheck-kernel '^ *kernel: (invalid access to packet|R[0-9] offset is outside of the packet)' nocheck.out
	has needs-verifier/nocheck-source '^ *source: .*nocheck\.bpf\.c:[0-9]+' nocheck.out
	t needs-verifier/nocheck-run-refused 1 '' '*' -- "$BPFBOX" run nocheck.o --data pkt16
	t nocheck-noverify 0 "retval = 2 (XDP_PASS)" '' -- sh -c "'$BPFBOX' run nocheck.o --no-verify --data pkt16 | head -n 1"
	t nocheck-noverify-oob 1 '' '*' -- "$BPFBOX" run nocheck.o --no-verify --data pkt4
else
	fail=$((fail + 1)); echo "FAIL: $CLANG cannot compile the unchecked XDP program:"; head -n 5 nocheck.err
fi

# ---- global functions from an object: BTF func_info reaches the verifier ------------
# (verdicts as the kernel gives them: both objects loaded with libbpf on
# Linux 6.18; gf_bad's global get() may be passed NULL, so it must check)
if cat >gf.bpf.c <<'EOF' && cat >gf_bad.bpf.c <<'EOF2' &&
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arg_nonnull __attribute__((btf_decl_tag("arg:nonnull")))

__noinline int sum(struct __sk_buff *skb, int x, int *p)
{
	if (!p)
		return x;
	return *p + x + skb->len;
}

__noinline int must(int *p __arg_nonnull)
{
	return *p;
}

SEC("socket")
int prog(struct __sk_buff *skb)
{
	int v = 3;

	return sum(skb, 1, &v) + must(&v);
}

char LICENSE[] SEC("license") = "GPL";
EOF
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int get(int *p)
{
	return *p;
}

SEC("socket")
int prog(struct __sk_buff *skb)
{
	int v = 3;

	return get(&v);
}

char LICENSE[] SEC("license") = "GPL";
EOF2
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c gf.bpf.c -o gf.o 2>gf.err &&
	"$CLANG" -O2 -g -target bpf -mcpu=v3 -I/usr/include/$(uname -m)-linux-gnu -c gf_bad.bpf.c -o gf_bad.o 2>>gf.err
then
	t global-funcs 0 "~^prog: accepted" '' -- "$BPFBOX" verify gf.o
	t global-func-null 1 "~kernel: R1 invalid mem access 'mem_or_null'" '' -- "$BPFBOX" verify gf_bad.o
else
	# clang is a build dependency (mk/deps.mk): a compile error is a failure
	fail=$((fail + 1)); echo "FAIL: $CLANG cannot compile the global-function programs:"; head -n 5 gf.err
fi

printf 'r0 = 2\nexit\n' >two.s
t run-noverify-raw 0 'r0 = 0x2' '' -- "$BPFBOX" run --no-verify two.s

summary
