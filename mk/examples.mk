# examples.mk - build the examples: the embedding example (examples/embed)
# and the BPF C programs examples/*.bpf.c, compiled as libbpf users do
# (clang -O2 -g -target bpf) into $(BUILD)/examples/NAME.o. `make test`
# runs them (tests/test_embed.sh, tests/test_examples.sh); without clang
# the BPF objects are not built and tests/test_examples.sh skips.
EX_BPF_CLANG ?= $(shell command -v clang-19 2>/dev/null || command -v clang 2>/dev/null)
EX_BPF_SRC   := $(sort $(wildcard examples/*.bpf.c))
EX_BPF_OBJ   := $(EX_BPF_SRC:examples/%.bpf.c=$(BUILD)/examples/%.o)
EX_BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
	-I/usr/include/$(shell uname -m)-linux-gnu

.PHONY: examples
examples: $(BUILD)/examples/embed $(if $(EX_BPF_CLANG),$(EX_BPF_OBJ))

$(BUILD)/examples/embed: examples/embed/embed.c $(BUILD)/libbpfbox.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbpfbox.a $(LDLIBS)

$(BUILD)/examples/%.o: examples/%.bpf.c
	@mkdir -p $(dir $@)
	$(EX_BPF_CLANG) $(EX_BPF_CFLAGS) -c $< -o $@

test demo: examples

# tests/test_btf_dump.c reads $(BUILD)/bpf/btf_dump.o (mk/bpf.mk builds it).
$(BUILD)/tests/test_btf_dump: $(if $(BPF_CLANG),$(BPF_OBJ))
# tests/test_examples.sh also runs test objects of $(BUILD)/bpf.
test: $(if $(BPF_CLANG),$(BPF_OBJ))
