#!/usr/bin/env bash
# tests/fuzz/run.sh - `make fuzz`: build and run every tests/fuzz/fuzz_*.c
# with libFuzzer + ASan + UBSan for FUZZ_SECONDS (default 60) each.
#
# Each target is built with the library sources into build/fuzz/NAME and
# runs on the corpus build/fuzz/corpus/NAME, seeded with examples/asm/*.s,
# bench/progs/*.s and the conformance suite (asm sources, and raw
# bytecode from bpf_conformance.jsonl) when ../shared is there; ELF targets
# (fuzz_elf*) get the objects of `make bpf` (build/bpf/*.o), including the
# CO-RE ones (core_*.o). Targets of other parsers get their own seeds, made
# here and never committed: fuzz_tracefs the host's tracefs format files
# (syscalls, raw_syscalls, a few sched events), fuzz_uprobe small ELF
# executables and a shared library (/bin/true, tiny programs built with cc),
# fuzz_inflate small gzip files (gzip(1), /proc/config.gz), fuzz_btf the
# .BTF sections of build/bpf/core_*.o (llvm-objcopy).
# FUZZ_TARGETS="tracefs btf" runs only the targets whose names contain one
# of those words. Crashes are saved as build/fuzz/NAME-crash-*; the exit
# status is non-zero if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-}
SHARED=${BPFBOX_SHARED:-../shared}
OUT=build/fuzz
CLANG=${CLANG:-clang-19}

bash scripts/deps.sh "$CLANG" "libclang-rt-${CLANG#clang-}-dev"
mkdir -p "$OUT/corpus"
make -s bpf >/dev/null 2>&1 || true   # BPF objects as ELF seeds, when clang can build them

# seeds: source text for asm targets, bytecode for the others
seed_dir=$OUT/seeds
rm -rf "$seed_dir"; mkdir -p "$seed_dir/text" "$seed_dir/bin"
for f in examples/asm/*.s bench/progs/*.s; do
	[[ -e $f ]] && cp "$f" "$seed_dir/text/$(basename "$f")"
done
if [[ -x build/bpfbox ]]; then   # bytecode of our own examples, if the CLI is built
	for f in "$seed_dir"/text/*.s; do
		build/bpfbox asm "$f" -o "$seed_dir/bin/$(basename "$f" .s).bin" 2>/dev/null || true
	done
fi
if [[ -d $SHARED/conformance ]]; then
	for f in "$SHARED"/conformance/bpf_conformance/*.data; do
		sed -n '/^-- asm/,/^-- /{/^-- /d;p}' "$f" >"$seed_dir/text/$(basename "$f" .data).s"
	done
	if command -v python3 >/dev/null; then
		python3 - "$SHARED/conformance/bpf_conformance.jsonl" "$seed_dir/bin" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    open(f"{sys.argv[2]}/{d['name']}.bin", "wb").write(bytes.fromhex(d["code_hex"]))
PY
	fi
else
	echo "fuzz: $SHARED/conformance not found; seeding from examples only"
fi

# tracefs format files (fuzz_tracefs): whatever the host exposes
mkdir -p "$seed_dir/tracefs"
for tfs in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	for ev in syscalls/sys_enter_openat syscalls/sys_exit_openat syscalls/sys_enter_execve \
		syscalls/sys_enter_mmap syscalls/sys_enter_write raw_syscalls/sys_enter \
		raw_syscalls/sys_exit sched/sched_switch sched/sched_process_exec; do
		[[ -r $tfs/events/$ev/format ]] &&
			cat "$tfs/events/$ev/format" >"$seed_dir/tracefs/${ev//\//_}" 2>/dev/null || true
	done
	compgen -G "$seed_dir/tracefs/*" >/dev/null && break
done
printf 'syscalls/sys_enter_openat' >"$seed_dir/tracefs/name_openat"   # event names too
printf 'raw_syscalls:sys_exit' >"$seed_dir/tracefs/name_raw_exit"

# small ELF files with symbols (fuzz_uprobe)
mkdir -p "$seed_dir/uprobe"
cp /bin/true "$seed_dir/uprobe/true" 2>/dev/null || true
if command -v cc >/dev/null; then
	printf 'int f(int x) { return x + 1; }\nint main(void) { return f(0) - 1; }\n' >"$OUT/tiny.c"
	printf 'void _start(void) { for (;;) ; }\nint f(int x) { return x * 2; }\n' >"$OUT/tiny_nolibc.c"
	cc -Os -o "$seed_dir/uprobe/tiny" "$OUT/tiny.c" 2>/dev/null || true
	cc -Os -s -o "$seed_dir/uprobe/tiny_stripped" "$OUT/tiny.c" 2>/dev/null || true
	cc -Os -shared -fPIC -o "$seed_dir/uprobe/tiny.so" "$OUT/tiny.c" 2>/dev/null || true
	cc -Os -static -nostdlib -o "$seed_dir/uprobe/tiny_nolibc" "$OUT/tiny_nolibc.c" 2>/dev/null || true
fi

# small gzip files (fuzz_inflate): fixed, dynamic and stored blocks
mkdir -p "$seed_dir/inflate"
if command -v gzip >/dev/null; then
	: | gzip -c >"$seed_dir/inflate/empty.gz"
	printf 'CONFIG_BPF=y\nCONFIG_HZ=250\n' | gzip -9 -c >"$seed_dir/inflate/config.gz"
	printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' | gzip -1 -c >"$seed_dir/inflate/repeat.gz"
	head -c 300 /dev/urandom | gzip -c >"$seed_dir/inflate/random.gz"   # stored block
	head -c 4000 tests/fuzz/run.sh | gzip -9 -n -c >"$seed_dir/inflate/text.gz"
	printf 'x' | gzip -c --name >"$seed_dir/inflate/named.gz"
fi
[[ -r /proc/config.gz ]] && cp /proc/config.gz "$seed_dir/inflate/proc_config.gz" 2>/dev/null || true

# raw BTF of the CO-RE objects (fuzz_btf)
mkdir -p "$seed_dir/btf"
OBJCOPY=${OBJCOPY:-llvm-objcopy-${CLANG#clang-}}
command -v "$OBJCOPY" >/dev/null || OBJCOPY=llvm-objcopy
for f in build/bpf/core_*.o; do
	[[ -e $f ]] && "$OBJCOPY" --dump-section ".BTF=$seed_dir/btf/$(basename "$f" .o).btf" "$f" \
		/dev/null 2>/dev/null || true
done

# the library, instrumented once for every target (2 jobs at a time)
CFLAGS_FUZZ="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -Iinclude -Isrc"
echo "=== building the library for fuzzing"
mkdir -p "$OUT/obj"
export CLANG CFLAGS_FUZZ OUT
LIB_SRC=(src/*/*.c)
printf '%s\n' "${LIB_SRC[@]}" | xargs -P 2 -I{} sh -c 'o="$OUT/obj/$(echo "{}" | tr / _).o"; $CLANG $CFLAGS_FUZZ -c "{}" -o "$o"'
LIB_OBJ=$(for f in "${LIB_SRC[@]}"; do echo "$OUT/obj/$(echo "$f" | tr / _).o"; done)
rc=0
shopt -s nullglob
targets=(tests/fuzz/fuzz_*.c)
(( ${#targets[@]} )) || { echo "fuzz: no tests/fuzz/fuzz_*.c"; exit 1; }
for src in "${targets[@]}"; do
	name=$(basename "$src" .c)
	bin=$OUT/$name
	if [[ -n $FUZZ_TARGETS ]]; then
		want=0
		for w in $FUZZ_TARGETS; do [[ $name == *"$w"* ]] && want=1 || true; done
		(( want )) || continue
	fi
	if [[ $name == fuzz_btf && ! -e build/bpf/core_local.o ]]; then
		echo "$name: SKIP (build/bpf/core_local.o missing: needs \`make bpf\`)"
		continue
	fi
	echo "=== $name: building"
	# shellcheck disable=SC2086
	"$CLANG" $CFLAGS_FUZZ -fsanitize=fuzzer -o "$bin" "$src" $LIB_OBJ -lm -lpthread
	corpus=$OUT/corpus/$name
	mkdir -p "$corpus"
	case $name in
	*asm*) cp -n "$seed_dir"/text/* "$corpus"/ 2>/dev/null || true ;;
	*elf*) cp -n build/bpf/*.o "$corpus"/ 2>/dev/null || true ;;   # from `make bpf`
	*tracefs* | *uprobe* | *inflate* | *btf*)
	       cp -n "$seed_dir/${name#fuzz_}"/* "$corpus"/ 2>/dev/null || true ;;
	*)     cp -n "$seed_dir"/bin/* "$corpus"/ 2>/dev/null || true ;;
	esac
	echo "=== $name: running ${FUZZ_SECONDS}s on $corpus ($(ls "$corpus" | wc -l) inputs)"
	log=$OUT/$name.log
	if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/$name-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
		execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "$name: ok, ${execs:-?} executions, no crash"
	else
		rc=1
		echo "$name: CRASH (log: $log)"
		grep -E 'ERROR:|SUMMARY:|runtime error|Test unit written' "$log" | head -n 20 || true
	fi
done
exit $rc
