# testrun.mk - tests/test_testrun_kernel.c compares bpfbox test runs with the
# kernel's BPF_PROG_TEST_RUN through libbpf: only this test links -lbpf
# (the library never does). Both testrun tests need the BPF test objects
# (tests/bpf/pkt_*.bpf.c, mk/bpf.mk) and use the examples.
$(BUILD)/tests/test_testrun_kernel: private LDLIBS += $(LIBBPF_LIBS)
$(BUILD)/tests/test_testrun_kernel $(BUILD)/tests/test_testrun: $(filter $(BUILD)/bpf/pkt_%,$(BPF_OBJ)) $(EX_BPF_OBJ)
