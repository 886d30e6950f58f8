# trace.mk - process tracing extras (issue 7).
#  - bench/bench_trace compares `bpfbox trace` with strace -f -c and with
#    the same object attached in the kernel through libbpf (linked with
#    -lbpf when libbpf-dev is there, else built with -DBPFBOX_NO_LIBBPF and
#    the kernel column is skipped). It runs build/examples/syscount.o, so
#    `make bench` builds the examples.
TRACE_LIBBPF_OK := $(shell printf 'int main(void){return 0;}' | $(CC) -include bpf/libbpf.h -x c - -lbpf -o /dev/null 2>/dev/null && echo 1)
ifeq ($(TRACE_LIBBPF_OK),1)
$(BUILD)/bench/bench_trace: private LDLIBS += -lbpf
else
$(BUILD)/bench/bench_trace: private CFLAGS += -DBPFBOX_NO_LIBBPF
endif
bench: examples
