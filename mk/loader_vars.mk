# loader_vars.mk - tests/test_loader_vars.c compares what a loader sets
# before load (globals, program type, autoload, SEC names) with the kernel
# through libbpf: it links -lbpf and runs the CLI on tests/bpf/load_vars.bpf.c.
$(BUILD)/tests/test_loader_vars: private LDLIBS += $(LIBBPF_LIBS)
$(BUILD)/tests/test_loader_vars: $(BUILD)/bpf/load_vars.o $(BUILD)/bpf/load_sleep.o $(BUILD)/bpfbox
