# examples.mk - build the examples: the embedding example (examples/embed)
# and the BPF C programs examples/*.bpf.c, compiled as libbpf users do
# (clang -O2 -g -target bpf) into $(BUILD)/examples/NAME.o. `make test`
# runs them (tests/test_embed.sh, tests/test_examples.sh).
EX_BPF_SRC   := $(sort $(wildcard examples/*.bpf.c))
EX_BPF_OBJ   := $(EX_BPF_SRC:examples/%.bpf.c=$(BUILD)/examples/%.o)

.PHONY: examples
examples: $(BUILD)/examples/embed $(BUILD)/examples/load_run $(EX_BPF_OBJ)

$(BUILD)/examples/embed $(BUILD)/examples/load_run: $(BUILD)/examples/%: examples/embed/%.c $(BUILD)/libbpfbox.a $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbpfbox.a $(LDLIBS)

$(BUILD)/examples/%.o: examples/%.bpf.c $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_TARGET_FLAGS) -c $< -o $@

test demo: examples

# tests/test_btf_dump.c reads $(BUILD)/bpf/btf_dump.o (mk/bpf.mk builds it).
$(BUILD)/tests/test_btf_dump: $(BPF_OBJ)
# tests/test_examples.sh also runs test objects of $(BUILD)/bpf.
test: $(BPF_OBJ)
# every test may open the BPF test objects and the examples
$(TEST_BIN): $(BPF_OBJ) $(EX_BPF_OBJ)
