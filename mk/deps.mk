# deps.mk - install missing build tools before building (scripts/deps.sh).
# Runs at parse time for the goals a newcomer types (all, test, demo, bench);
# it only calls apt-get when something is missing.
#   gcc make                  the library and the CLI
#   libcapstone-dev           "bpfbox prog dump jited" disassembles native code
#   libpcap-dev               "bpfbox xdp/tc/socket --pcap" read and write captures
#   strace iproute2           tracing tests compare with strace; live packet tests use ip netns
#   clang-19 libbpf-dev ...   BPF C test objects and examples (clang -target bpf,
#                             <bpf/bpf_helpers.h>, <linux/bpf.h>)
DEPS_BUILD := gcc make clang-19 libbpf-dev linux-libc-dev libcapstone-dev libpcap-dev strace iproute2
ifneq ($(filter all lib cli test demo bench examples bpf,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell bash scripts/deps.sh $(DEPS_BUILD) 1>&2 && echo ok),ok)
$(error missing build dependencies ($(DEPS_BUILD)); see the message above)
endif
endif
