# config.mk - what the build knows about the machine, found once and only
# here, after mk/deps.mk has installed the packages. Nothing is optional:
# a missing piece stops the build with its package name (scripts/deps.sh
# installs them all).
#
#   BPF_CLANG         clang for BPF C (clang-19, else clang)
#   (llvm-19)         llvm-objdump-19 and llvm-mc-19: the disassembler's and
#                     assembler's oracles in tests/test_disasm_llvm.sh
#   BPF_TARGET_FLAGS  how every BPF C object is compiled (as libbpf users do;
#                     -I the multiarch dir: Debian keeps <asm/types.h> there)
#   TOOL_LIBS         the CLI: libdl. libpcap (--pcap) and capstone ("prog dump
#                     jited") are required, but only their headers at build
#                     time: the CLI opens each library when that command needs
#                     it, so the others start without loading them
#   LIBBPF_LIBS       -lbpf: the kernel-differential tests and benchmarks
#   BUILD_FLAGS       $(BUILD)/flags: every flag the build uses; the Makefile
#                     rewrites it (at its end) only when they change, and every
#                     object, binary and BPF object depends on it, so changed
#                     flags rebuild everything built with the old ones.
HASH := \#
BUILD_FLAGS := $(BUILD)/flags

ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
# $(call bx_probe,HEADER,LIBS,PACKAGE): PACKAGE if HEADER does not compile and link
bx_probe = $(shell printf '$(HASH)include <$(1)>\nint main(void){return 0;}\n' | \
	$(CC) -x c - $(2) -o /dev/null 2>/dev/null || echo '$(3)')
BPF_CLANG := $(shell command -v clang-19 2>/dev/null || command -v clang 2>/dev/null)
CONFIG_MISSING := $(strip $(if $(BPF_CLANG),,clang-19) \
	$(if $(shell command -v llvm-objdump-19 2>/dev/null),,llvm-19) \
	$(call bx_probe,pcap/pcap.h,-lpcap,libpcap-dev) \
	$(call bx_probe,capstone/capstone.h,,libcapstone-dev) \
	$(call bx_probe,bpf/libbpf.h,-lbpf,libbpf-dev) \
	$(call bx_probe,linux/bpf.h,,linux-libc-dev))
ifneq ($(CONFIG_MISSING),)
$(error missing: $(CONFIG_MISSING) (scripts/deps.sh installs them; on Debian: apt-get install $(CONFIG_MISSING)))
endif
BX_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null || echo $$(uname -m)-linux-gnu)
endif

BPF_TARGET_FLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$(BX_MULTIARCH)
TOOL_CFLAGS :=
TOOL_LIBS   := -ldl
LIBBPF_LIBS := -lbpf
