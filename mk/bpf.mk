# mk/bpf.mk - compile the BPF C test objects tests/bpf/*.bpf.c into
# $(BUILD)/bpf/*.o with clang (mk/config.mk: BPF_CLANG, BPF_TARGET_FLAGS).
# A clang error is a build error: the tests that open these objects never
# see a missing one.
BPF_SRC   := $(sort $(wildcard tests/bpf/*.bpf.c))
BPF_OBJ   := $(BPF_SRC:tests/bpf/%.bpf.c=$(BUILD)/bpf/%.o)
BPF_CFLAGS := $(BPF_TARGET_FLAGS) -Itests/bpf

.PHONY: bpf
bpf: $(BPF_OBJ)

$(BUILD)/bpf/%.o: tests/bpf/%.bpf.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

# test_elf opens these objects
$(BUILD)/tests/test_elf: $(BPF_OBJ)

# the verifier's loop test needs its loops (and loops.h of the JIT bench)
$(BUILD)/bpf/vloops.o: bench/progs/loops.h
$(BUILD)/tests/test_verifier_loops: $(BUILD)/bpf/vloops.o
$(BUILD)/bench/bench_verifier: $(BUILD)/bpf/vloops.o

# BTF-typed programs judged by the kernel and bpfbox
$(BUILD)/tests/test_btf_kernel: $(BUILD)/bpf/btf_progs.o
