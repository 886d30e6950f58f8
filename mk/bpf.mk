# mk/bpf.mk - compile the BPF C test objects tests/bpf/*.bpf.c into
# $(BUILD)/bpf/*.o with clang (clang-19 preferred). Included by the Makefile.
#
# Without clang the objects are simply not built and tests/test_elf.c skips
# the tests that need them (with a message).

BPF_CLANG ?= $(shell command -v clang-19 2>/dev/null || command -v clang 2>/dev/null)
BPF_SRC   := $(sort $(wildcard tests/bpf/*.bpf.c))
BPF_OBJ   := $(BPF_SRC:tests/bpf/%.bpf.c=$(BUILD)/bpf/%.o)
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
	-I/usr/include/$(shell uname -m)-linux-gnu -Itests/bpf

.PHONY: bpf
bpf: $(if $(BPF_CLANG),$(BPF_OBJ))

$(BUILD)/bpf/%.o: tests/bpf/%.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@ || { rm -f $@; \
	  echo "mk/bpf.mk: cannot compile $< (needs clang and libbpf-dev); test_elf will skip it"; }

# test_elf opens these objects (it finds them in $(BUILD)/bpf or skips).
$(BUILD)/tests/test_elf: $(if $(BPF_CLANG),$(BPF_OBJ))

# the verifier's loop test needs its loops (and loops.h of the JIT bench)
$(BUILD)/bpf/vloops.o: bench/progs/loops.h
$(BUILD)/tests/test_verifier_loops: $(if $(BPF_CLANG),$(BUILD)/bpf/vloops.o)
$(BUILD)/bench/bench_verifier: $(if $(BPF_CLANG),$(BUILD)/bpf/vloops.o)
