# examples.mk - build the embedding example; `make test` runs it
# (tests/test_embed.sh).
.PHONY: examples
examples: $(BUILD)/examples/embed

$(BUILD)/examples/embed: examples/embed/embed.c $(BUILD)/libbpfbox.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libbpfbox.a $(LDLIBS)

test: $(BUILD)/examples/embed
