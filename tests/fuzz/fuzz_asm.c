/*
 * fuzz_asm.c - libFuzzer target for the assembler and disassembler.
 *
 * The input is source text in any syntax (auto-detected; the first byte
 * also picks a forced syntax now and then). If it assembles, every
 * instruction is disassembled in both syntaxes, and the LLVM text must
 * assemble back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox/bpfbox.h"

/* Disassemble every slot with `flags`; returns the text (malloc'd). */
static char *disasm_all(const struct bpfbox_insn *insns, size_t cnt, unsigned flags)
{
	BPFBOX_OPTS(bpfbox_disasm_opts, o, .flags = flags);
	size_t cap = cnt * 96 + 1, len = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	text[0] = '\0';
	for (size_t i = 0; i < cnt;) {
		char line[96];
		int n = bpfbox_disasm_insn(insns, cnt, i, &o, line, sizeof(line));
		size_t l = strlen(line);
		if (n < 0) { /* only a truncated trailing lddw half can be invalid */
			free(text);
			return NULL;
		}
		if (len + l + 2 > cap) {
			free(text);
			return NULL;
		}
		memcpy(text + len, line, l);
		len += l;
		text[len++] = '\n';
		text[len] = '\0';
		i += (size_t)n;
	}
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BPFBOX_OPTS(bpfbox_asm_opts, ao, .filename = "fuzz.s");
	struct bpfbox_insn *insns = NULL;
	size_t cnt = 0;

	if (size && data[0] == 0x01)
		ao.syntax = BPFBOX_SYNTAX_LLVM;
	else if (size && data[0] == 0x02)
		ao.syntax = BPFBOX_SYNTAX_MNEMONIC;
	if (bpfbox_asm((const char *)data, size, &ao, &insns, &cnt) != 0)
		return 0;

	for (unsigned flags = 0; flags < 4; flags++) {
		char *text = disasm_all(insns, cnt, flags);
		if (!text)
			continue;
		if (flags == 0) {
			/* the LLVM text assembles back to the same bytes, unless
			 * fields the syntax cannot show were set (reserved bits) */
			BPFBOX_OPTS(bpfbox_asm_opts, ro, .syntax = BPFBOX_SYNTAX_LLVM);
			struct bpfbox_insn *again = NULL;
			size_t n2 = 0;
			if (bpfbox_asm(text, strlen(text), &ro, &again, &n2) == 0 &&
			    (n2 != cnt || memcmp(again, insns, cnt * sizeof(*insns)) != 0)) {
				/* a source can only set shown fields, so this is a bug */
				abort();
			}
			free(again);
		}
		free(text);
	}
	free(insns);
	return 0;
}
