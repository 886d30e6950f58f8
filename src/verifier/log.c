/*
 * log.c - the verifier log (kernel style: "N: (bf) r1 = r2" lines and
 * register states as print_verifier_state prints them) and the error
 * report a rejection ends with.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "verifier/verifier.h"

/* lput - append text to the log buffer (truncated safely, NUL-terminated). */
static void lput(struct bxr_env *env, const char *s)
{
	size_t n = strlen(s);

	if (!env->lbuf || env->lsize < 2)
		return;
	if (env->llen + 1 >= env->lsize)
		return;
	if (n > env->lsize - 1 - env->llen)
		n = env->lsize - 1 - env->llen;
	memcpy(env->lbuf + env->llen, s, n);
	env->llen += n;
	env->lbuf[env->llen] = '\0';
}

/* bxr_log - printf into the log buffer. */
void bxr_log(struct bxr_env *env, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!env->lbuf)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lput(env, buf);
}

/*
 * bxr_reject - record the rejection (only the first one counts): the
 * kernel's message, the registers to show; returns err.
 */
int bxr_reject(struct bxr_env *env, int err, int r1, int r2, const char *kmsg_fmt, ...)
{
	va_list ap;

	if (env->failed)
		return err;
	env->failed = true;
	env->err_insn = env->insn;
	env->err_regs[0] = r1;
	env->err_regs[1] = r2;
	va_start(ap, kmsg_fmt);
	vsnprintf(env->kmsg, sizeof(env->kmsg), kmsg_fmt, ap);
	va_end(ap);
	return err;
}

/* bxr_reason - the plain-words reason of the rejection (first one wins). */
void bxr_reason(struct bxr_env *env, const char *fmt, ...)
{
	va_list ap;

	if (env->reason[0])
		return;
	va_start(ap, fmt);
	vsnprintf(env->reason, sizeof(env->reason), fmt, ap);
	va_end(ap);
}

/* bxr_hint - what usually fixes it. */
void bxr_hint(struct bxr_env *env, const char *text)
{
	if (!env->hint[0])
		snprintf(env->hint, sizeof(env->hint), "%s", text);
}

/* bxr_type_str - the kernel's reg_type_str(). */
const char *bxr_type_str(const struct bxr_reg *r)
{
	bool null = r->flags & BXR_MAYBE_NULL;

	switch (r->type) {
	case BXR_NOT_INIT: return "?";
	case BXR_SCALAR: return "scalar";
	case BXR_CTX: return "ctx";
	case BXR_MAP_PTR: return "map_ptr";
	case BXR_MAP_VALUE:
		if (r->flags & BXR_RDONLY)
			return null ? "rdonly_map_value_or_null" : "rdonly_map_value";
		return null ? "map_value_or_null" : "map_value";
	case BXR_MAP_KEY: return "map_key";
	case BXR_STACK: return "fp";
	case BXR_PKT: return "pkt";
	case BXR_PKT_META: return "pkt_meta";
	case BXR_PKT_END: return "pkt_end";
	case BXR_MEM:
		if (r->flags & BXR_RINGBUF)
			return null ? "ringbuf_mem_or_null" : "ringbuf_mem";
		return null ? "mem_or_null" : "mem";
	case BXR_FUNC: return "func";
	case BXR_BTF_ID:
		if (r->flags & BXR_TRUSTED)
			return null ? "trusted_ptr_or_null_" : "trusted_ptr_";
		if (r->flags & BXR_RCU)
			return null ? "rcu_ptr_or_null_" : "rcu_ptr_";
		if (r->flags & BXR_UNTRUSTED)
			return null ? "untrusted_ptr_or_null_" : "untrusted_ptr_";
		return null ? "ptr_or_null_" : "ptr_";
	default: return "?";
	}
}

/* bounds_str - the non-trivial bounds of a scalar or a pointer's variable part. */
static size_t bounds_str(char *b, size_t n, const struct bxr_reg *r, bool comma)
{
	size_t l = 0;
	char t[64];

#define ADD(...) do { if (l < n) l += (size_t)snprintf(b + l, n - l, __VA_ARGS__); } while (0)
#define SEP() ADD("%s", (comma || l) ? "," : "")
	if (r->smin != INT64_MIN && r->smin != (int64_t)r->umin) { SEP(); ADD("smin=%lld", (long long)r->smin); }
	if (r->smax != INT64_MAX && r->smax != (int64_t)r->umax) { SEP(); ADD("smax=%lld", (long long)r->smax); }
	if (r->umin != 0) { SEP(); ADD("umin=%llu", (unsigned long long)r->umin); }
	if (r->umax != UINT64_MAX) { SEP(); ADD("umax=%llu", (unsigned long long)r->umax); }
	if (r->s32min != INT32_MIN && r->s32min != (int32_t)r->u32min && r->s32min != r->smin) { SEP(); ADD("smin32=%d", r->s32min); }
	if (r->s32max != INT32_MAX && r->s32max != (int32_t)r->u32max && r->s32max != r->smax) { SEP(); ADD("smax32=%d", r->s32max); }
	if (r->u32min != 0 && r->u32min != r->umin) { SEP(); ADD("umin32=%u", r->u32min); }
	if (r->u32max != UINT32_MAX && r->u32max != r->umax) { SEP(); ADD("umax32=%u", r->u32max); }
	if (r->var.mask != ~0ull && !bxr_tnum_is_const(r->var)) {
		bxr_tnum_str(t, sizeof(t), r->var);
		SEP(); ADD("var_off=%s", t);
	}
#undef SEP
#undef ADD
	return l < n ? l : n;
}

/* bxr_reg_str - one register as print_verifier_state shows it. */
int bxr_reg_str(struct bxr_env *env, char *buf, size_t n, const struct bxr_reg *r)
{
	char bb[256] = "";
	size_t l;
	const struct bxr_map *m = NULL;

	if (r->type == BXR_SCALAR) {
		if (bxr_tnum_is_const(r->var))
			return snprintf(buf, n, "%lld", (long long)r->var.value);
		char idb[24] = "";

		if (r->id)
			snprintf(idb, sizeof(idb), "id=%u", r->id);
		bounds_str(bb, sizeof(bb), r, r->id != 0);
		return snprintf(buf, n, "scalar(%s%s)", idb, bb);
	}
	if (r->type == BXR_STACK && bxr_tnum_is_const(r->var))
		return snprintf(buf, n, "fp%d", r->off + (int)r->var.value);
	if (r->type == BXR_MAP_PTR || r->type == BXR_MAP_VALUE || r->type == BXR_MAP_KEY)
		m = r->aux < (uint32_t)env->nmaps ? &env->maps[r->aux] : NULL;
	l = (size_t)snprintf(buf, n, "%s%s(", bxr_type_str(r),
			     r->type == BXR_BTF_ID ? bxr_btf_name(env, r->aux) : "");
#define ADD(...) do { if (l < n) l += (size_t)snprintf(buf + l, n - l, __VA_ARGS__); } while (0)
	{
		bool c = false;

		if (r->id) { ADD("id=%u", r->id); c = true; }
		if (r->ref_obj_id) { ADD("%sref_obj_id=%u", c ? "," : "", r->ref_obj_id); c = true; }
		if (m) { ADD("%smap=%s,ks=%u,vs=%u", c ? "," : "", m->name, m->key_size, m->value_size); c = true; }
		if (r->type == BXR_MEM) { ADD("%ssz=%u", c ? "," : "", r->aux); c = true; }
		if (r->off) { ADD("%soff=%d", c ? "," : "", r->off); c = true; }
		if (bxr_is_pkt(r)) { ADD("%sr=%d", c ? "," : "", r->range); c = true; }
		if (!bxr_tnum_is_const(r->var) || r->var.value) {
			bounds_str(bb, sizeof(bb), r, c);
			ADD("%s", bb);
		}
	}
	ADD(")");
#undef ADD
	return (int)l;
}

/* bxr_log_insn - "N: (code) disassembly". */
void bxr_log_insn(struct bxr_env *env, int i)
{
	char d[160];

	if (bpfbox_disasm_insn(env->insns, (size_t)env->cnt, (size_t)i, NULL, d, sizeof(d)) < 0)
		snprintf(d, sizeof(d), "(bad)");
	bxr_log(env, "%d: (%02x) %s\n", i, env->insns[i].code, d);
}

/* regs_line - the initialised registers of the current frame. */
static void regs_line(struct bxr_env *env, char *out, size_t n)
{
	size_t l = 0;

	out[0] = '\0';
	if (!env->cur)
		return;
	for (int f = 0; f <= env->cur->curframe; f++) {
		struct bxr_func *fr = env->cur->frame[f];

		if (f < env->cur->curframe)
			continue;
		for (int r = 0; r < BX_NREGS && l < n; r++) {
			char rb[320];

			if (fr->regs[r].type == BXR_NOT_INIT)
				continue;
			bxr_reg_str(env, rb, sizeof(rb), &fr->regs[r]);
			l += (size_t)snprintf(out + l, n - l, "%sR%d=%s", l ? " " : "", r, rb);
		}
		for (int j = 0; j < fr->nslots && l < n; j++) {
			char rb[320];
			const struct bxr_slot *s = &fr->stack[j];

			if (s->st[0] == BXR_ST_SPILL) {
				bxr_reg_str(env, rb, sizeof(rb), &s->spill);
				l += (size_t)snprintf(out + l, n - l, " fp%d=%s", -8 * (j + 1), rb);
			} else {
				char t[9];
				bool any = false;

				for (int k = 0; k < 8; k++) {
					static const char c[] = "?rm0";
					t[7 - k] = c[s->st[k] & 3];
					any |= s->st[k] != BXR_ST_INVALID;
				}
				t[8] = '\0';
				if (any)
					l += (size_t)snprintf(out + l, n - l, " fp%d=%s", -8 * (j + 1), t);
			}
		}
	}
	if (l >= n && n)
		out[n - 1] = '\0';
}

/* bxr_log_state - the register state of the current frame, prefixed. */
void bxr_log_state(struct bxr_env *env, const char *prefix)
{
	char line[2048];

	if (!env->lbuf)
		return;
	regs_line(env, line, sizeof(line));
	bxr_log(env, "%s%s\n", prefix, line);
}

/* src_line - the source line of insn i, from the line info, or NULL. */
static const struct bpfbox_line_info *src_line(struct bxr_env *env, int i)
{
	const struct bpfbox_line_info *best = NULL;

	for (size_t k = 0; env->opts && k < env->opts->line_info_cnt; k++) {
		const struct bpfbox_line_info *li = &env->opts->line_info[k];

		if (li->insn_off <= (uint32_t)i && (!best || li->insn_off >= best->insn_off))
			best = li;
	}
	return best;
}

/*
 * bxr_report - the error report: to the log buffer and to the vm's log
 * (ERROR level, one message).
 */
void bxr_report(struct bxr_env *env)
{
	char d[160] = "", rl[1024] = "", src[512] = "", msg[3072];
	const struct bpfbox_line_info *li;
	size_t l = 0;
	int i = env->err_insn;

	if (i >= 0 && i < env->cnt &&
	    bpfbox_disasm_insn(env->insns, (size_t)env->cnt, (size_t)i, NULL, d, sizeof(d)) < 0)
		d[0] = '\0';
	for (int k = 0; k < 2 && env->cur; k++) {
		int r = env->err_regs[k];
		char rb[320];

		if (r < 0 || r >= BX_NREGS)
			continue;
		bxr_reg_str(env, rb, sizeof(rb), &bxr_regs(env)[r]);
		if (bxr_regs(env)[r].type == BXR_NOT_INIT)
			snprintf(rb, sizeof(rb), "not initialized");
		l += (size_t)snprintf(rl + l, sizeof(rl) - l, "%sR%d=%s", l ? " " : "", r, rb);
		if (l >= sizeof(rl))
			break;
	}
	li = i >= 0 ? src_line(env, i) : NULL;
	if (li && li->file) {
		const char *base = strrchr(li->file, '/');

		snprintf(src, sizeof(src), "%s:%u:%s%s", base ? base + 1 : li->file, li->line,
			 li->text ? "  " : "", li->text ? li->text : "");
	}
	l = 0;
#define ADD(...) do { if (l < sizeof(msg)) l += (size_t)snprintf(msg + l, sizeof(msg) - l, __VA_ARGS__); } while (0)
	if (i >= 0 && d[0])
		ADD("error at insn %d: %s\n", i, d);
	else
		ADD("error: program rejected\n");
	ADD("  reason: %s\n", env->reason[0] ? env->reason : env->kmsg);
	if (rl[0])
		ADD("  registers: %s\n", rl);
	if (src[0])
		ADD("  source: %s\n", src);
	if (env->hint[0])
		ADD("  hint: %s\n", env->hint);
	ADD("  kernel: ");
	for (const char *k = env->kmsg; *k && l < sizeof(msg) - 12; k++) {
		msg[l++] = *k;
		if (*k == '\n')
			l += (size_t)snprintf(msg + l, sizeof(msg) - l, "          ");
	}
	msg[l < sizeof(msg) ? l : sizeof(msg) - 1] = '\0';
#undef ADD
	bxr_log(env, "%s\n", env->kmsg);
	bxr_log(env, "%s\n", msg);
	if (env->log)
		bx_logf(env->log, BPFBOX_LOG_ERROR, "%s: insn %d: %s\n%s", env->prog && env->prog->name ?
			env->prog->name : "prog", i, env->kmsg, msg);
}
