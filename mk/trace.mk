# trace.mk - process tracing extras (issue 7).
#  - bench/bench_trace compares `bpfbox trace` with strace -f -c and with
#    the same object attached in the kernel through libbpf (-lbpf). It runs
#    build/examples/syscount.o, so `make bench` builds the examples.
$(BUILD)/bench/bench_trace: private LDLIBS += $(LIBBPF_LIBS)
bench: examples
