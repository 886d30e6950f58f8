# deps.mk - install missing build dependencies (scripts/deps.sh) before
# anything else. The Makefile includes it first, before mk/config.mk probes
# the machine, so a probe never sees a package that is about to be
# installed. It runs while make reads the Makefile, for every goal but
# `clean`, and only calls apt-get when something is missing (as root; else
# it prints the command). DEPS=0 skips it (packagers, other distributions:
# mk/config.mk still stops with a clear message if something is missing).
#   gcc make libc6-dev        the library and the CLI
#   libpcap-dev               the CLI: "bpfbox xdp/tc/socket --pcap" read and write captures
#   libcapstone-dev           the CLI: "bpfbox prog dump jited" disassembles native code
#                             (headers at build time; libcapstone is opened only then)
#   clang-19 libbpf-dev       BPF C test objects and examples (clang -target bpf,
#   linux-libc-dev            <bpf/bpf_helpers.h>, <linux/bpf.h>, <asm/types.h>); libbpf
#                             also loads them into the kernel in the differential tests
#   llvm-19                   test oracles for the assembler and disassembler:
#                             llvm-objdump-19 -d and llvm-mc-19 -triple bpf
#                             (tests/test_disasm_llvm.sh)
#   strace iproute2 procps jq test oracles and tools: counts vs strace -f -c, live packet
#                             tests in a network namespace (ip), pgrep, JSON checks (jq)
#   pkg-config                tests/test_install.sh builds the embedding example through it
DEPS_BUILD := gcc make libc6-dev libpcap-dev libcapstone-dev clang-19 libbpf-dev linux-libc-dev \
	llvm-19 strace iproute2 procps jq pkg-config
DEPS ?= 1
ifeq ($(DEPS),1)
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell bash scripts/deps.sh $(DEPS_BUILD) 1>&2 && echo ok),ok)
$(error missing build dependencies ($(DEPS_BUILD)); see the message above)
endif
endif
endif
