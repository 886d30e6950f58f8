# pcapgen.mk - build/pcapgen (tools/pcapgen/pcapgen.c): writes deterministic
# capture files of tests/pktgen.c packets (own pcap writer, no libpcap).
# It lives in tools/pcapgen/ so the CLI's tools/*.c wildcard leaves it out.
# `make pcaps` regenerates the small shipped captures examples/pcap/*.pcap.
#
# Also the packet-hook differential test and benchmark:
#  - tests/test_pkt_kernel (H-pkt-data): every XDP example through
#    `bpfbox xdp --pcap` vs the kernel's BPF_PROG_TEST_RUN per packet, on a
#    generated 100,000-packet capture; links -lbpf and tests/pktgen.c.
#  - bench/bench_pkt: packets per second through bpfbox_pkt_hook__run (JIT)
#    vs the kernel's per-packet XDP test run time; links -lbpf and pktgen.
PCAPGEN := $(BUILD)/pcapgen

.PHONY: pcapgen pcaps
pcapgen: $(PCAPGEN)
all: $(PCAPGEN)

$(PCAPGEN): tools/pcapgen/pcapgen.c $(BUILD)/obj/tests/pktgen.o $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(BUILD)/obj/tests/pktgen.o

# the shipped captures (small: <= 300 KB together)
pcaps: $(PCAPGEN)
	$(PCAPGEN) --count 1000 --seed 1 -o examples/pcap/mixed-1k.pcap
	$(PCAPGEN) --count 100 --seed 7 --min-len 14 -o examples/pcap/eth-100.pcap

PKT_TEST := $(BUILD)/tests/test_pkt_kernel
PKT_BENCH := $(BUILD)/bench/bench_pkt

$(PKT_TEST) $(PKT_BENCH): private LDLIBS += $(LIBBPF_LIBS)
# the test runs build/pcapgen, build/bpfbox and the XDP examples
$(PKT_TEST): $(PCAPGEN) $(BUILD)/bpfbox $(EX_BPF_OBJ)
# the benchmark generates its packets with tests/pktgen.c
$(PKT_BENCH): $(BUILD)/obj/tests/pktgen.o $(EX_BPF_OBJ)
$(PKT_BENCH): private LDLIBS += $(BUILD)/obj/tests/pktgen.o
$(PKT_BENCH): private CFLAGS += -Itests
