# jit.mk - the JIT's extras.
#  - The CLI disassembles native code ("bpfbox prog dump jited") with
#    libcapstone when it is installed (the library never links it).
#  - bench/bench_jit compares the JIT with the kernel's JIT
#    (BPF_PROG_TEST_RUN through libbpf), native -O2 C (bench/native_*.c)
#    and the interpreter, on the BPF C programs bench/progs/*.bpf.c.
CAPSTONE_OK := $(shell printf '$(HASH)include <capstone/capstone.h>\nint main(void){return 0;}' | $(CC) -x c - -lcapstone -o /dev/null 2>/dev/null && echo 1)
ifeq ($(CAPSTONE_OK),1)
TOOL_CFLAGS += -DBPFBOX_HAVE_CAPSTONE=1
TOOL_LIBS   += -lcapstone
endif

BENCH_BPF_CLANG ?= $(shell command -v clang-19 2>/dev/null || command -v clang 2>/dev/null)
BENCH_BPF_SRC   := $(sort $(wildcard bench/progs/*.bpf.c))
BENCH_BPF_OBJ   := $(BENCH_BPF_SRC:bench/progs/%.bpf.c=$(BUILD)/bench/progs/%.o)
BENCH_NATIVE    := $(sort $(wildcard bench/native/*.c))

$(BUILD)/bench/progs/%.o: bench/progs/%.bpf.c
	@mkdir -p $(dir $@)
	$(BENCH_BPF_CLANG) -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
		-I/usr/include/$(shell uname -m)-linux-gnu -c $< -o $@

BENCH_JIT_LIBBPF_OK := $(shell printf 'int main(void){return 0;}' | $(CC) -include bpf/libbpf.h -x c - -lbpf -o /dev/null 2>/dev/null && echo 1)
ifeq ($(BENCH_JIT_LIBBPF_OK),1)
$(BUILD)/bench/bench_jit: private LDLIBS += -lbpf
else
$(BUILD)/bench/bench_jit: private CFLAGS += -DBPFBOX_NO_LIBBPF
endif
# the same loops compiled natively with -O2 (not -O1 under SAN: always -O2)
$(BUILD)/bench/bench_jit: $(BENCH_NATIVE) $(if $(BENCH_BPF_CLANG),$(BENCH_BPF_OBJ))
$(BUILD)/bench/bench_jit: private LDLIBS += $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o)
$(BUILD)/bench/bench_jit: $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o)
$(BENCH_BPF_OBJ) $(BENCH_NATIVE:%.c=$(BUILD)/obj/%.o): bench/progs/loops.h
# bench/bench_jit_checked runs the same XDP loops on the checked JIT
$(BUILD)/bench/bench_jit_checked: $(if $(BENCH_BPF_CLANG),$(BENCH_BPF_OBJ))
