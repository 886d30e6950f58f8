# startup.mk - bench/bench_startup (make bench): start-up time of the bpfbox
# command beside libbpf's load + test run of the same object, which
# bench/startup/libbpf_run.c does as a separate program linked with -lbpf
# alone (libbpf-dev).
STARTUP_LIBBPF := $(BUILD)/bench/libbpf_run

$(STARTUP_LIBBPF): bench/startup/libbpf_run.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBBPF_LIBS)

$(BUILD)/bench/bench_startup: $(STARTUP_LIBBPF) $(BUILD)/bpfbox $(BUILD)/examples/xdp_drop_tcp.o
