# bpfbox - GNU make build.
#
#   make            library (static + shared) and CLI into build/
#   make test       every test; ends with "N passed, N failed"
#   make test T=test_vm [CASE=test_alu]   one test (and, within it, the
#                   cases whose name matches CASE; tests/run.sh)
#   make test SAN=1 the same under ASan + UBSan (objects in build/san/)
#   make bench      benchmarks
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=: headers, libbpfbox.a and .so,
#                   libbpfbox.pc, the CLI, its man page and bash completion
#
# Sources are found by wildcard: src/*/*.c is the library, tools/*.c the
# CLI, tests/test_*.c the unit tests, bench/*.c the benchmarks.

CC      ?= cc
# the library's version (bpfbox_version() says the same: tests/test_install.sh)
# and its ABI's: libbpfbox.so.$(SOVERSION) is the SONAME
VERSION   := 0.1.0
SOVERSION := 0
SAN     ?= 0
ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
else
BUILD   := build
SANFLAGS:=
OPT     := -O2
endif

CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror
CFLAGS  ?=
CFLAGS  += $(CSTD) $(OPT) -g $(WARN) $(SANFLAGS) -fPIC -fvisibility=hidden -Iinclude -Isrc -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += -lpthread -lm

# Set-up first: install what is missing (mk/deps.mk, scripts/deps.sh), then
# probe the machine once (mk/config.mk), so no probe sees a machine that the
# install step is about to change.
include mk/deps.mk
include mk/config.mk

LIB_SRC   := $(sort $(wildcard src/*/*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TESTLIB_SRC := $(sort $(filter-out $(TEST_SRC),$(wildcard tests/*.c)))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all lib cli test bench fuzz clean
all: lib cli
lib: $(BUILD)/libbpfbox.a $(BUILD)/libbpfbox.so $(BUILD)/libbpfbox.so.$(SOVERSION)
cli: $(BUILD)/bpfbox

$(BUILD)/obj/%.o: %.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(if $(filter tools/%,$<),$(TOOL_CFLAGS)) -c $< -o $@

$(BUILD)/libbpfbox.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# the shared library: SONAME libbpfbox.so.$(SOVERSION), bpfbox_* exported
# alone (mk/libbpfbox.map), every symbol resolved at link time
$(BUILD)/libbpfbox.so.$(VERSION): $(LIB_OBJ) mk/libbpfbox.map
	$(CC) -shared $(LDFLAGS) -Wl,-soname,libbpfbox.so.$(SOVERSION) \
		-Wl,--version-script=mk/libbpfbox.map -Wl,--no-undefined -o $@ $(LIB_OBJ) $(LDLIBS)
$(BUILD)/libbpfbox.so.$(SOVERSION) $(BUILD)/libbpfbox.so: $(BUILD)/libbpfbox.so.$(VERSION)
	ln -sf $(notdir $<) $@

$(BUILD)/bpfbox: $(TOOL_OBJ) $(BUILD)/libbpfbox.a
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(BUILD)/libbpfbox.a $(TOOL_LIBS) $(LDLIBS)

# Unit tests link the static library (internals visible: -Isrc) and tests/*.c helpers.
$(BUILD)/tests/%: tests/%.c $(TESTLIB_OBJ) $(BUILD)/libbpfbox.a $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(BUILD)/libbpfbox.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libbpfbox.a $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbpfbox.a $(LDLIBS)

# T=NAME: only that test (built and run); CASE=PATTERN: only its matching cases
T ?=
CASE ?=
TEST_PICK := $(if $(T),$(filter $(addprefix $(BUILD)/tests/,$(T) $(T:.sh=)),$(TEST_BIN)),$(TEST_BIN))
test: all $(TEST_PICK)
	@BUILD=$(BUILD) SAN=$(SAN) T='$(T)' TL_CASE='$(CASE)' bash tests/run.sh $(TEST_BIN)

bench: all $(BENCH_BIN)
	@BUILD=$(BUILD) bash bench/run.sh $(BENCH_BIN)

fuzz:
	@bash tests/fuzz/run.sh

clean:
	rm -rf build

# Fragments: mk/*.mk add rules (e.g. compiling BPF C test objects with clang).
-include $(sort $(filter-out mk/deps.mk mk/config.mk,$(wildcard mk/*.mk)))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Last, with every flag known: rewrite $(BUILD)/flags when they changed
# (mk/config.mk says why).
BX_FLAGS_TEXT := $(strip CC=$(CC) CFLAGS=$(CFLAGS) LDFLAGS=$(LDFLAGS) LDLIBS=$(LDLIBS) \
	TOOL_CFLAGS=$(TOOL_CFLAGS) TOOL_LIBS=$(TOOL_LIBS) BPF_CLANG=$(BPF_CLANG) $(BPF_TARGET_FLAGS))
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
ifneq ($(file <$(BUILD_FLAGS)),$(BX_FLAGS_TEXT))
$(shell mkdir -p $(BUILD))
$(file >$(BUILD_FLAGS),$(BX_FLAGS_TEXT))
endif
endif
