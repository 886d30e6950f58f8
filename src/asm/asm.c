/*
 * asm.c - the assembler driver: bpfbox_asm().
 *
 * The source is read line by line, twice. Pass 1 parses quietly to learn
 * how many slots each statement takes and where the labels are; pass 2
 * parses again with every label known, reports errors and encodes.
 *
 * Per line: comments are cut ("#" at the start or after a blank, ";" and
 * "//" anywhere), listing decorations are dropped (llvm-objdump "12:\tb7 00
 * ...\t", kernel log "12: (b7) "), "name:" and objdump's "0000 <name>:"
 * define labels, and what is left is one statement for the LLVM or the
 * mnemonic parser.
 */
#include "asm_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * bxa_error - report "FILE:LINE: error: ..." (pass 2 only; one error per
 * line). Pass 1 only notes that the line failed.
 */
void bxa_error(struct bxa_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->line_err)
		return;
	c->line_err = true;
	if (c->pass != 2)
		return;
	c->nerr++;
	if (c->nerr > BXA_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bx_err(c->log, "%s:%d: error: %s", c->file, c->line, msg);
	if (c->nerr == BXA_MAX_ERRORS)
		bx_err(c->log, "%s:%d: error: too many errors, giving up", c->file, c->line);
}

/* Order labels by name, then by line (so the first definition comes first). */
static int label_cmp(const void *a, const void *b)
{
	const struct bxa_label *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	return (x->line > y->line) - (x->line < y->line);
}

/* The first (earliest) definition of name, or NULL. Labels are sorted. */
static const struct bxa_label *label_find(const struct bxa_ctx *c, const char *name)
{
	size_t lo = 0, hi = c->nlabels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->labels[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nlabels && strcmp(c->labels[lo].name, name) == 0)
		return &c->labels[lo];
	return NULL;
}

/*
 * bxa_label_lookup - the slot a label names. A jump to an undefined label
 * "exit" goes to the first exit instruction (as the conformance suite's
 * assembler does).
 */
int bxa_label_lookup(struct bxa_ctx *c, const char *name, size_t *idx)
{
	const struct bxa_label *l;

	if (c->pass == 1) {
		*idx = c->pc;
		return 0;
	}
	l = label_find(c, name);
	if (l) {
		*idx = l->idx;
		return 0;
	}
	if (strcmp(name, "exit") == 0 && c->first_exit >= 0) {
		*idx = (size_t)c->first_exit;
		return 0;
	}
	bxa_error(c, "undefined label '%s'", name);
	return -1;
}

/*
 * bxa_find_row - the first table row with this operand shape whose LLVM
 * text, class, K/X bit and access size match (NULL / -1: any).
 */
int bxa_find_row(int fmt, const char *llvm, int cls, int x, int size)
{
	for (int op = 0; op < BX_OP__COUNT; op++) {
		const struct bx_opinfo *o = &bx_ops[op];
		if (o->fmt != fmt)
			continue;
		if (llvm && strcmp(o->llvm, llvm) != 0)
			continue;
		if (cls >= 0 && BX_CLASS(o->code) != cls)
			continue;
		if (x >= 0 && (BX_SRC(o->code) != 0) != (x != 0))
			continue;
		if (size >= 0 && BX_SIZE(o->code) != size)
			continue;
		return op;
	}
	return -1;
}

/* Record a label definition (pass 1). */
static int label_add(struct bxa_ctx *c, const char *name)
{
	if (c->nlabels == c->labels_cap) {
		size_t cap = c->labels_cap ? c->labels_cap * 2 : 16;
		struct bxa_label *l = realloc(c->labels, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		c->labels = l;
		c->labels_cap = cap;
	}
	char *dup = strdup(name);
	if (!dup)
		return -ENOMEM;
	c->labels[c->nlabels++] = (struct bxa_label){ .name = dup, .idx = c->pc, .line = c->line };
	return 0;
}

/* A label definition: pass 1 records it, pass 2 checks for duplicates. */
static int define_label(struct bxa_ctx *c, const char *name)
{
	if (c->pass == 1)
		return label_add(c, name);
	const struct bxa_label *l = label_find(c, name);
	if (l && l->line != c->line)
		bxa_error(c, "duplicate label '%s' (first defined on line %d)", name, l->line);
	c->line_err = false; /* a statement may follow on the line */
	return 0;
}

/* Cut comments in place: "#" at the start or after a blank, ";", "//". */
static void cut_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == ';' || (p[0] == '/' && p[1] == '/') ||
		    (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t'))) {
			*p = '\0';
			return;
		}
	}
}

/* Is ch a hex digit? */
static bool is_hex(int ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Skip listing prefixes: "12:" then "(b7)" or raw bytes "b7 00 ...". */
static const char *skip_listing_prefix(const char *s)
{
	const char *p = s;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == s || *p != ':' || (p[1] && p[1] != ' ' && p[1] != '\t'))
		return s;
	p++;
	bxa_skip_ws(&p);
	if (p[0] == '(' && is_hex((unsigned char)p[1]) && is_hex((unsigned char)p[2]) && p[3] == ')') {
		p += 4;
	} else {
		while (is_hex((unsigned char)p[0]) && is_hex((unsigned char)p[1]) &&
		       (p[2] == ' ' || p[2] == '\t' || !p[2])) {
			p += 2;
			bxa_skip_ws(&p);
		}
	}
	bxa_skip_ws(&p);
	return p;
}

/* objdump's symbol header "0000000000000000 <name>:": copy name, or 0. */
static bool objdump_symbol(const char *s, char *name, size_t size)
{
	const char *p = s, *e;

	while (is_hex((unsigned char)*p))
		p++;
	if (p == s || (*p != ' ' && *p != '\t'))
		return false;
	bxa_skip_ws(&p);
	if (*p != '<' || !(e = strchr(p, '>')) || e[1] != ':')
		return false;
	p++;
	size_t n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
	memcpy(name, p, n);
	name[n] = '\0';
	e += 2;
	bxa_skip_ws(&e);
	return !*e && n;
}

/* Lines of listings that carry no instruction. */
static bool ignored_line(const char *s)
{
	return strncmp(s, "Disassembly of section", 22) == 0 || strstr(s, "file format") ||
	       strstr(s, "R_BPF_") ||
	       (s[0] == 'R' && s[1] >= '0' && s[1] <= '9'); /* kernel log register state */
}

/*
 * bxa_looks_llvm - statements that start with a register, "*(", "if",
 * "goto", "gotol", "lock *", or a call/exit without "%", "local" or
 * "kfunc <blank>" are the LLVM syntax; the rest is mnemonic.
 */
bool bxa_looks_llvm(const char *s)
{
	const char *p = s;

	if ((s[0] == 'r' || s[0] == 'w') && s[1] >= '0' && s[1] <= '9')
		return true;
	if (s[0] == '*')
		return true;
	if (bxa_eat_word(&p, "if") || bxa_eat_word(&p, "goto") || bxa_eat_word(&p, "gotol"))
		return true;
	if (bxa_eat_word(&p, "lock"))
		return bxa_eat(&p, "*");
	if (bxa_eat_word(&p, "call") || bxa_eat_word(&p, "callx") || bxa_eat_word(&p, "exit")) {
		const char *q = p;
		if (strchr(p, '%') || bxa_eat_word(&q, "local"))
			return false;
		q = p;
		if (bxa_eat_word(&q, "kfunc") && *q != ':')
			return false;
		return true;
	}
	return false;
}

/* The parts of one bpfbox_asm() call that the line loop needs. */
struct bxa_run {
	struct bxa_ctx c;
	enum bpfbox_asm_syntax syntax;
	struct bpfbox_insn *out; /* pass 2 */
	size_t cap;              /* slots allocated in out */
};

/*
 * encode - turn a parsed statement into its slots: the opcode byte of its
 * row, the operand fields, and the row's MATCH field.
 */
static int encode(const struct bxa_stmt *st, struct bpfbox_insn slot[2])
{
	const struct bx_opinfo *o = &bx_ops[st->op];

	memset(slot, 0, 2 * sizeof(*slot));
	slot[0].code = o->code;
	slot[0].dst_reg = st->dst & 0xf;
	slot[0].src_reg = st->src & 0xf;
	slot[0].off = st->off;
	slot[0].imm = st->imm;
	switch (o->match) {
	case BX_M_OFF: slot[0].off = (int16_t)o->mval; break;
	case BX_M_IMM: slot[0].imm = o->mval; break;
	case BX_M_SRC: slot[0].src_reg = (uint8_t)o->mval & 0xf; break;
	default: break;
	}
	if (bx_op_slots(st->op) == 2)
		slot[1].imm = st->imm2;
	return bx_op_slots(st->op);
}

/* Handle one statement (labels and decorations already removed). */
static int do_statement(struct bxa_run *r, const char *s)
{
	struct bxa_ctx *c = &r->c;
	struct bxa_stmt st = { .op = -1 };
	bool llvm;
	int err;

	if (r->syntax == BPFBOX_SYNTAX_LLVM)
		llvm = true;
	else if (r->syntax == BPFBOX_SYNTAX_MNEMONIC)
		llvm = false;
	else
		llvm = bxa_looks_llvm(s);
	err = llvm ? bxa_parse_llvm(c, s, &st) : bxa_parse_mnemonic(c, s, &st);
	if (err || st.op < 0 || c->line_err) {
		if (!c->line_err) {
			char buf[64];
			bxa_error(c, "invalid instruction '%s'", bxa_excerpt(s, buf, sizeof(buf)));
		}
		c->pc++;
		return 0;
	}
	if (c->pass == 1 && st.op == BX_OP_EXIT && c->first_exit < 0)
		c->first_exit = (long)c->pc;
	if (c->pass == 2 && r->out && c->pc + (size_t)bx_op_slots(st.op) <= r->cap) {
		struct bpfbox_insn slot[2];
		int n = encode(&st, slot);
		memcpy(&r->out[c->pc], slot, (size_t)n * sizeof(*slot));
	}
	c->pc += (size_t)bx_op_slots(st.op);
	return 0;
}

/* Process one line (NUL-terminated, writable copy). */
static int do_line(struct bxa_run *r, char *s)
{
	struct bxa_ctx *c = &r->c;
	char name[256];
	const char *p;
	int err;

	cut_comment(s);
	p = s;
	bxa_skip_ws(&p);
	if (!*p || ignored_line(p))
		return 0;
	if (objdump_symbol(p, name, sizeof(name)))
		return define_label(c, name);
	p = skip_listing_prefix(p);
	if (ignored_line(p))
		return 0;
	/* label definitions: "name:" (possibly several, possibly a statement after) */
	for (;;) {
		const char *q = p;
		if (!bxa_ident(&q, name, sizeof(name)) || *q != ':')
			break;
		if ((err = define_label(c, name)))
			return err;
		p = q + 1;
		bxa_skip_ws(&p);
	}
	if (!*p)
		return 0;
	return do_statement(r, p);
}

/*
 * run_pass - walk every line of the text once.
 */
static int run_pass(struct bxa_run *r, const char *text, size_t len, char **buf, size_t *bufcap)
{
	struct bxa_ctx *c = &r->c;
	size_t pos = 0;

	c->pc = 0;
	c->line = 0;
	while (pos < len && c->nerr < BXA_MAX_ERRORS) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		int err;

		c->line++;
		c->line_err = false;
		if (n + 1 > *bufcap) {
			size_t cap = n + 1 > 2 * *bufcap ? n + 1 : 2 * *bufcap;
			char *b = realloc(*buf, cap);
			if (!b)
				return -ENOMEM;
			*buf = b;
			*bufcap = cap;
		}
		memcpy(*buf, text + pos, n);
		(*buf)[n] = '\0';
		pos = end + 1;
		if (memchr(*buf, '\0', n)) {
			bxa_error(c, "invalid NUL byte in line");
			continue;
		}
		if ((err = do_line(r, *buf)))
			return err;
	}
	return 0;
}

/*
 * bpfbox_asm - assemble source text (see bpfbox.h).
 */
int bpfbox_asm(const char *text, size_t len, const struct bpfbox_asm_opts *opts,
	       struct bpfbox_insn **insns_out, size_t *cnt_out)
{
	struct bpfbox_asm_opts o;
	struct bx_log log;
	struct bxa_run r;
	char *buf = NULL;
	size_t bufcap = 0, cnt;
	int err;

	if (insns_out)
		*insns_out = NULL;
	if (cnt_out)
		*cnt_out = 0;
	if ((!text && len) || !insns_out || !cnt_out)
		return -EINVAL;
	if ((err = bx_opts_copy(&o, sizeof(o), opts)))
		return err;
	log = (struct bx_log){ .fn = o.log, .ctx = o.log_ctx };
	memset(&r, 0, sizeof(r));
	r.syntax = o.syntax;
	r.c.log = &log;
	r.c.file = o.filename ? o.filename : "<input>";
	r.c.first_exit = -1;
	if (o.syntax > BPFBOX_SYNTAX_MNEMONIC) {
		bx_err(&log, "%s: error: unknown syntax %d", r.c.file, (int)o.syntax);
		return -EINVAL;
	}

	r.c.pass = 1;
	if ((err = run_pass(&r, text, len, &buf, &bufcap)))
		goto out;
	cnt = r.c.pc;
	if (r.c.nlabels)
		qsort(r.c.labels, r.c.nlabels, sizeof(*r.c.labels), label_cmp);
	if (cnt) {
		r.out = calloc(cnt, sizeof(*r.out));
		if (!r.out) {
			err = -ENOMEM;
			goto out;
		}
		r.cap = cnt;
	}
	r.c.pass = 2;
	if ((err = run_pass(&r, text, len, &buf, &bufcap)))
		goto out;
	if (!r.c.nerr && r.c.pc == 0) {
		bx_err(&log, "%s: error: no instructions", r.c.file);
		r.c.nerr++;
	}
	if (r.c.nerr) {
		err = -EINVAL;
		goto out;
	}
	*insns_out = r.out;
	*cnt_out = cnt;
	r.out = NULL;
out:
	free(r.out);
	free(buf);
	for (size_t i = 0; i < r.c.nlabels; i++)
		free(r.c.labels[i].name);
	free(r.c.labels);
	return err;
}

/* The row with this operand shape and MATCH value. */
int bxa_find_mval(int fmt, int32_t mval)
{
	for (int op = 0; op < BX_OP__COUNT; op++)
		if (bx_ops[op].fmt == fmt && bx_ops[op].match != BX_M_NONE &&
		    bx_ops[op].mval == mval)
			return op;
	return -1;
}

/* A pc-relative distance into a 16-bit offset. */
int bxa_rel_off16(struct bxa_ctx *c, int64_t rel, int16_t *out)
{
	if (rel < INT16_MIN || rel > INT16_MAX) {
		bxa_error(c, "jump offset %lld is out of range (16 bits)", (long long)rel);
		return -1;
	}
	*out = (int16_t)rel;
	return 0;
}

/* A pc-relative distance into a 32-bit immediate. */
int bxa_rel_imm32(struct bxa_ctx *c, int64_t rel, int32_t *out)
{
	if (rel < INT32_MIN || rel > INT32_MAX) {
		bxa_error(c, "jump offset %lld is out of range (32 bits)", (long long)rel);
		return -1;
	}
	*out = (int32_t)rel;
	return 0;
}

/* lddw pseudo forms, by src value. */
const struct bxa_pseudo bxa_pseudos[] = {
	{ BX_PSEUDO_MAP_FD,          false, false, "map[fd:" },
	{ BX_PSEUDO_MAP_VALUE,       true,  false, "map[fd:" },
	{ BX_PSEUDO_BTF_ID,          false, false, "btf_id[" },
	{ BX_PSEUDO_FUNC,            false, true,  "func[" },
	{ BX_PSEUDO_MAP_IDX,         false, false, "map[idx:" },
	{ BX_PSEUDO_MAP_IDX_VALUE,   true,  false, "map[idx:" },
};
const size_t bxa_npseudos = sizeof(bxa_pseudos) / sizeof(bxa_pseudos[0]);
