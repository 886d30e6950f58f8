# testrun.mk - tests/test_testrun_kernel.c compares bpfbox test runs with the
# kernel's BPF_PROG_TEST_RUN through libbpf: only this test links -lbpf
# (the library never does). Without libbpf-dev it is built with
# -DBPFBOX_NO_LIBBPF and skips. Both testrun tests need the BPF test objects
# (tests/bpf/pkt_*.bpf.c, mk/bpf.mk) and use the examples when they exist.
TESTRUN_LIBBPF_OK := $(shell printf 'int main(void){return 0;}' | $(CC) -include bpf/libbpf.h -x c - -lbpf -o /dev/null 2>/dev/null && echo 1)

ifeq ($(TESTRUN_LIBBPF_OK),1)
$(BUILD)/tests/test_testrun_kernel: private LDLIBS += -lbpf
else
$(BUILD)/tests/test_testrun_kernel: private CFLAGS += -DBPFBOX_NO_LIBBPF
endif

$(BUILD)/tests/test_testrun_kernel $(BUILD)/tests/test_testrun: $(if $(BPF_CLANG),$(filter $(BUILD)/bpf/pkt_%,$(BPF_OBJ)))
