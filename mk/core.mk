# core.mk - tests/test_core.c opens the CO-RE / .kconfig test objects
# tests/bpf/core_*.bpf.c (compiled by mk/bpf.mk) and runs core_ksyscall.o
# under build/bpfbox trace.
$(BUILD)/tests/test_core: $(filter $(BUILD)/bpf/core_%,$(BPF_OBJ)) $(BUILD)/bpfbox
