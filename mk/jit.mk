# jit.mk - the JIT's extras.
#  - The CLI disassembles native code ("bpfbox prog dump jited") with
#    libcapstone, opened with dlopen only then (tools/cmd_dump.c); the
#    library never links it.
#  - bench/bench_jit compares the JIT with the kernel's JIT
#    (BPF_PROG_TEST_RUN through libbpf), native -O2 C (bench/native_*.c)
#    and the interpreter, on the BPF C programs bench/progs/*.bpf.c.
BENCH_BPF_SRC   := $(sort $(wildcard bench/progs/*.bpf.c))
BENCH_BPF_OBJ   := $(BENCH_BPF_SRC:bench/progs/%.bpf.c=$(BUILD)/bench/progs/%.o)
BENCH_NATIVE    := $(sort $(wildcard bench/native/*.c))

$(BUILD)/bench/progs/%.o: bench/progs/%.bpf.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_TARGET_FLAGS) -c $< -o $@

$(BUILD)/bench/bench_jit: private LDLIBS += $(LIBBPF_LIBS)
# the same loops compiled natively with -O2 (not -O1 under SAN: always -O2)
$(BUILD)/bench/bench_jit: $(BENCH_NATIVE) $(BENCH_BPF_OBJ)
$(BUILD)/bench/bench_jit: private LDLIBS += $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o)
$(BUILD)/bench/bench_jit: $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o)
$(BENCH_BPF_OBJ) $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o): bench/progs/loops.h
# bench/bench_jit_checked runs the same XDP loops on the checked JIT
$(BUILD)/bench/bench_jit_checked: $(if $(BENCH_BPF_CLANG),$(BENCH_BPF_OBJ))
