/*
 * helpers_trace.c - bpf_trace_printk(), bpf_trace_vprintk() and
 * bpf_snprintf(), with the kernel's format rules (bpf_bprintf_prepare()
 * in kernel/bpf/helpers.c) and output (bstr_printf() in lib/vsprintf.c).
 *
 * Accepted conversions (anything else is -EINVAL, checked over the whole
 * format before anything is printed):
 *   %% ; flags [0 +-] and a width (no precision, no '#');
 *   %d %i %u %x %X with no, l or ll length (no h, hh, z, ...);
 *   %c ; %s (must be followed by NUL, a space or punctuation);
 *   %p followed by NUL, space or punctuation (plain pointer), %pK %px %ps
 *   %pS %pB, %pks %pus (kernel / user strings), %pI4 %pi4 %pI6 %pi6
 *   (addresses read through the pointer).
 * As bstr_printf(), letters and digits right after a %p conversion are
 * swallowed ("%pI6c" prints like "%pI6"), and %pI4/%pks... ignore width.
 *
 * Differences from the kernel (see docs/HELPERS.md): %p and %pK print the
 * pointer value (the kernel hashes or hides it), %ps %pS %pB print "0x" +
 * hex (no kernel symbols here). String arguments (%s, %pks) are read from
 * bpfbox's own memory, %pus from the memory of the process the run serves;
 * an unreadable string prints as "", an unreadable address as zeros.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helpers/helpers.h"
#include "vm/vm_internal.h"

/* Output cursor: counts everything, stores what fits (size - 1 bytes). */
struct bxk_out {
	char *buf;
	size_t size;
	size_t pos;
};

static void bxk_putc(struct bxk_out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void bxk_puts(struct bxk_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bxk_putc(o, s[i]);
}

static void bxk_pad(struct bxk_out *o, char c, long n)
{
	for (; n > 0; n--)
		bxk_putc(o, c);
}

/* ASCII classes of the kernel's ctype (no locale). */
static bool bxk_isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool bxk_isdigit(int c) { return c >= '0' && c <= '9'; }
static bool bxk_isalnum(int c)
{
	return bxk_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool bxk_ispunct(int c) { return c > ' ' && c < 0x7f && !bxk_isalnum(c); }
static bool bxk_isprint(int c) { return c >= ' ' && c < 0x7f; }

/* One conversion's flags and width. */
struct bxk_spec {
	bool left, plus, space, zero;
	long width;             /* -1: none */
};

/* A string with width (the kernel's string(): pads with spaces). */
static void bxk_emit_str(struct bxk_out *o, const struct bxk_spec *sp, const char *s,
			 size_t n)
{
	long pad = sp->width > (long)n ? sp->width - (long)n : 0;

	if (!sp->left)
		bxk_pad(o, ' ', pad);
	bxk_puts(o, s, n);
	if (sp->left)
		bxk_pad(o, ' ', pad);
}

/* A number (the kernel's number(), no precision). */
static void bxk_emit_num(struct bxk_out *o, const struct bxk_spec *sp, uint64_t v,
			 bool is_signed, int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	long pad;

	if (is_signed && (int64_t)v < 0) {
		sign = '-';
		v = -v;
	} else if (is_signed && sp->plus) {
		sign = '+';
	} else if (is_signed && sp->space) {
		sign = ' ';
	}
	do {
		tmp[n++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v);
	pad = sp->width - n - (sign ? 1 : 0);
	if (!sp->left && !sp->zero)
		bxk_pad(o, ' ', pad);
	if (sign)
		bxk_putc(o, sign);
	if (!sp->left && sp->zero)
		bxk_pad(o, '0', pad);
	while (n)
		bxk_putc(o, tmp[--n]);
	if (sp->left)
		bxk_pad(o, ' ', pad);
}

/* %pI4 %pi4 %pI6 %pi6 of the 4 or 16 bytes at ip, into buf (>= 48
 * bytes): "1.2.3.4", "001.002.003.004", "2001:0db8:...:0001" (8 groups,
 * not compressed), 32 hex digits. */
static size_t bxk_fmt_ip(char *buf, size_t size, const uint8_t *ip, char kind, char ver)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	(void)size;	/* callers pass >= 48 bytes: 39 + NUL is the longest */
	if (ver == '4') {
		for (int i = 0; i < 4; i++) {
			unsigned v = ip[i];

			if (i)
				buf[n++] = '.';
			if (kind == 'i' || v >= 100)
				buf[n++] = (char)('0' + v / 100);
			if (kind == 'i' || v >= 10)
				buf[n++] = (char)('0' + v / 10 % 10);
			buf[n++] = (char)('0' + v % 10);
		}
		buf[n] = 0;
		return n;
	}
	for (int i = 0; i < 16; i++) {
		if (kind == 'I' && i && !(i & 1))
			buf[n++] = ':';
		buf[n++] = hex[ip[i] >> 4];
		buf[n++] = hex[ip[i] & 15];
	}
	buf[n] = 0;
	return n;
}

/* The kernel's 512-byte argument buffer: numbers are stored 4-aligned,
 * strings with their NUL. Returns false if `need` bytes do not fit. */
static bool bxk_bin_take(size_t *used, size_t need, bool align)
{
	if (align)
		*used = (*used + 3) & ~(size_t)3;
	if (BXK_MAX_BPRINTF_BIN_ARGS - *used < need)
		return false;
	*used += need;
	return true;
}

/*
 * bxk_bprintf_pass - one pass over the format. With o->size == 0 it only
 * validates (strings are still read, to account the argument buffer as
 * the kernel does). Returns 0 or -EINVAL / -ENOSPC.
 */
static int bxk_bprintf_pass(const struct bpfbox_call *call, struct bxk_out *o,
			    const char *fmt, size_t len, const uint64_t *args,
			    uint32_t nargs)
{
	uint32_t spec_n = 0;
	size_t used = 0;

	for (size_t i = 0; i < len; i++) {
		struct bxk_spec sp = { .width = -1 };
		char c = fmt[i], strbuf[BXK_MAX_BPRINTF_BIN_ARGS];
		uint64_t arg;

		if ((!bxk_isprint(c) && !bxk_isspace(c)) || (unsigned char)c > 0x7f)
			return -EINVAL;
		if (c != '%') {
			bxk_putc(o, c);
			continue;
		}
		if (i + 1 < len && fmt[i + 1] == '%') {
			bxk_putc(o, '%');
			i++;
			continue;
		}
		if (spec_n >= nargs)
			return -EINVAL;
		arg = args[spec_n++];
		i++;
		/* fmt[len] is treated as the NUL: every fmt[j] below has j <= len */
#define CH(j) ((j) < len ? fmt[(j)] : '\0')
		for (;; i++) {
			if (CH(i) == '0') sp.zero = true;
			else if (CH(i) == '+') sp.plus = true;
			else if (CH(i) == '-') sp.left = true;
			else if (CH(i) == ' ') sp.space = true;
			else break;
		}
		if (CH(i) >= '1' && CH(i) <= '9') {
			sp.width = 0;
			while (bxk_isdigit(CH(i))) {
				if (sp.width < 1000000)
					sp.width = sp.width * 10 + (CH(i) - '0');
				i++;
			}
		}
		if (sp.left)
			sp.zero = false;

		if (CH(i) == 'p') {
			char n1 = CH(i + 1), n2 = CH(i + 2), tmp[64];
			size_t p = i;

			if (n1 == 0 || bxk_isspace(n1) || bxk_ispunct(n1) ||
			    n1 == 'K' || n1 == 'x') {	/* the pointer value */
				struct bxk_spec ps = sp;

				if (!bxk_bin_take(&used, 8, true))
					return -ENOSPC;
				if (ps.width < 0) {
					ps.width = 16;
					ps.zero = true;
				}
				bxk_emit_num(o, &ps, arg, false, 16, false);
			} else if (n1 == 's' || n1 == 'S' || n1 == 'B') {	/* symbols */
				int n = snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)arg);

				if (!bxk_bin_take(&used, n1 == 'B' ? (size_t)n + 1 : 8, n1 != 'B'))
					return -ENOSPC;
				if (n1 == 'B')
					bxk_puts(o, tmp, (size_t)n);
				else
					bxk_emit_str(o, &sp, tmp, (size_t)n);
			} else if ((n1 == 'k' || n1 == 'u') && n2 == 's') {	/* strings */
				long n;

				if (CH(p + 3) != 0 && !bxk_isspace(CH(p + 3)) && !bxk_ispunct(CH(p + 3)))
					return -EINVAL;
				if (used == BXK_MAX_BPRINTF_BIN_ARGS)
					return -ENOSPC;
				n = bxk_mem_read_str(call, n1 == 'u' ? BXK_MEM_USER : BXK_MEM_KERNEL,
						     strbuf, arg, BXK_MAX_BPRINTF_BIN_ARGS - used);
				if (n < 0) {
					strbuf[0] = 0;
					n = 1;
				}
				used += (size_t)n;
				bxk_puts(o, strbuf, (size_t)n - 1);
			} else if ((n1 == 'i' || n1 == 'I') && (n2 == '4' || n2 == '6')) {
				uint8_t ip[16];
				size_t iplen = n2 == '4' ? 4 : 16;
				size_t n;

				if (BXK_MAX_BPRINTF_BIN_ARGS - used < iplen)
					return -ENOSPC;
				if (bxk_mem_read(call, BXK_MEM_KERNEL, ip, arg, iplen))
					memset(ip, 0, iplen);
				n = bxk_fmt_ip(tmp, sizeof(tmp), ip, n1, n2);
				if (BXK_MAX_BPRINTF_BIN_ARGS - used < n + 1)
					return -ENOSPC;
				used += n + 1;
				bxk_puts(o, tmp, n);
			} else {
				return -EINVAL;
			}
			/* bstr_printf() swallows the letters and digits after
			 * the 'p' (all printable, so validation agrees) */
			i = p;
			while (bxk_isalnum(CH(i + 1)))
				i++;
			continue;
		}
		if (CH(i) == 's') {
			long n;

			if (CH(i + 1) != 0 && !bxk_isspace(CH(i + 1)) && !bxk_ispunct(CH(i + 1)))
				return -EINVAL;
			if (used == BXK_MAX_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			n = bxk_mem_read_str(call, BXK_MEM_KERNEL, strbuf, arg,
					     BXK_MAX_BPRINTF_BIN_ARGS - used);
			if (n < 0) {
				strbuf[0] = 0;
				n = 1;
			}
			used += (size_t)n;
			bxk_emit_str(o, &sp, strbuf, (size_t)n - 1);
			continue;
		}
		if (CH(i) == 'c') {
			char ch = (char)arg;

			if (used == BXK_MAX_BPRINTF_BIN_ARGS)
				return -ENOSPC;
			used++;
			bxk_emit_str(o, &sp, &ch, 1);
			continue;
		}
		{
			int lng = 0;
			char conv;

			if (CH(i) == 'l') {
				lng++;
				i++;
			}
			if (CH(i) == 'l') {
				lng++;
				i++;
			}
			conv = CH(i);
			if (conv != 'i' && conv != 'd' && conv != 'u' && conv != 'x' && conv != 'X')
				return -EINVAL;
			if (!bxk_bin_take(&used, lng ? 8 : 4, true))
				return -ENOSPC;
			if (!lng)
				arg = (conv == 'i' || conv == 'd') ? (uint64_t)(int64_t)(int32_t)arg
								   : (uint32_t)arg;
			bxk_emit_num(o, &sp, arg, conv == 'i' || conv == 'd',
				     (conv == 'x' || conv == 'X') ? 16 : 10, conv == 'X');
		}
#undef CH
	}
	return 0;
}

/*
 * bxk_bprintf - see helpers.h: validate the whole format first, then
 * print, so that a refused format writes nothing.
 */
int bxk_bprintf(const struct bpfbox_call *call, char *out, size_t size,
		const char *fmt, size_t fmt_len, const uint64_t *args, uint32_t nargs)
{
	struct bxk_out o = { .buf = out, .size = 0, .pos = 0 };
	int err;

	err = bxk_bprintf_pass(call, &o, fmt, fmt_len, args, nargs);
	if (err)
		return err;
	o.size = size;
	o.pos = 0;
	err = bxk_bprintf_pass(call, &o, fmt, fmt_len, args, nargs);
	if (err)
		return err;
	if (size)
		out[o.pos < size ? o.pos : size - 1] = 0;
	return o.pos > INT32_MAX ? INT32_MAX : (int)o.pos;
}

/* The length of the NUL-terminated format in [fmt, fmt+fmt_size), or
 * -EINVAL if there is no NUL (checked runs: every byte is checked). */
static long bxk_fmt_len(struct bpfbox_call *call, const char *helper, uint64_t fmt,
			uint64_t fmt_size)
{
	const char *nul;

	if (!fmt || fmt_size == 0)
		return -EINVAL;
	if (bxk_arg_mem(call, helper, 1, "fmt", fmt, fmt_size, false))
		return -EFAULT;
	nul = memchr(BXK_PTR(fmt), 0, fmt_size);
	return nul ? nul - (const char *)BXK_PTR(fmt) : -EINVAL;
}

/* Send one formatted line to the vm's trace sink. */
static void bxk_trace_emit(struct bpfbox_call *call, const char *msg)
{
	struct bpfbox_trace_rec rec;
	struct timespec ts;

	if (!call->vm->trace)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	rec.msg = msg;
	rec.len = strlen(msg);
	rec.task = bxv_call_task(call);
	rec.cpu = call->cpu;
	rec.ts_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	call->vm->trace(call->vm->trace_ctx, &rec);
}

/* trace_printk and trace_vprintk: format into the kernel's 1 KiB buffer,
 * emit, return the length of the whole output. */
static uint64_t bxk_printk(struct bpfbox_call *call, const char *helper, uint64_t fmt,
			   uint64_t fmt_size, const uint64_t *args, uint32_t nargs)
{
	char buf[BXK_MAX_BPRINTF_BUF];
	long len = bxk_fmt_len(call, helper, fmt, (uint32_t)fmt_size);
	int n;

	if (len < 0)
		return (uint64_t)len;
	n = bxk_bprintf(call, buf, sizeof(buf), BXK_PTR(fmt), (size_t)len, args, nargs);
	if (n < 0)
		return (uint64_t)(long)n;
	bxk_trace_emit(call, buf);
	return (uint64_t)n;
}

/*
 * bxk_trace_printk - long bpf_trace_printk(fmt, fmt_size, a1, a2, a3):
 * at most 3 conversions; returns the length of the formatted line, or
 * -EINVAL (bad format, no NUL within fmt_size).
 */
uint64_t bxk_trace_printk(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			  uint64_t r3, uint64_t r4, uint64_t r5)
{
	const uint64_t args[BXK_MAX_TRACE_PRINTK_VARARGS] = { r3, r4, r5 };

	return bxk_printk(call, "trace_printk", r1, r2, args, BXK_MAX_TRACE_PRINTK_VARARGS);
}

/* The u64 argument array of vprintk/snprintf: -EINVAL unless data_len is a
 * multiple of 8 up to 12 * 8, and data is non-NULL when data_len > 0. */
static int bxk_data_args(struct bpfbox_call *call, const char *helper, int argno,
			 uint64_t data, uint32_t data_len, uint64_t *args)
{
	if (data_len % 8 || data_len > BXK_MAX_BPRINTF_VARARGS * 8 || (data_len && !data))
		return -EINVAL;
	if (bxk_arg_mem(call, helper, argno, "data", data, data_len, false))
		return -EFAULT;
	if (data_len)
		memcpy(args, BXK_PTR(data), data_len);
	return 0;
}

/*
 * bxk_trace_vprintk - long bpf_trace_vprintk(fmt, fmt_size, data,
 * data_len): bpf_printk() with more than 3 arguments (up to 12).
 */
uint64_t bxk_trace_vprintk(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			   uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t args[BXK_MAX_BPRINTF_VARARGS];
	int err;

	(void)r5;
	err = bxk_data_args(call, "trace_vprintk", 3, r3, (uint32_t)r4, args);
	if (err)
		return (uint64_t)(long)err;
	return bxk_printk(call, "trace_vprintk", r1, r2, args, (uint32_t)r4 / 8);
}

/*
 * bxk_snprintf - long bpf_snprintf(str, str_size, fmt, data, data_len):
 * format into str (truncated, always NUL-terminated when str_size > 0);
 * returns the size the whole output needs incl. the NUL, or -EINVAL.
 */
uint64_t bxk_snprintf(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
		      uint64_t r3, uint64_t r4, uint64_t r5)
{
	static const char name[] = "snprintf";
	uint64_t args[BXK_MAX_BPRINTF_VARARGS];
	uint32_t str_size = (uint32_t)r2;
	size_t len;
	int err, n;

	if (!r3)
		return (uint64_t)(long)-EINVAL;
	if (str_size && !r1)
		return (uint64_t)(long)-EINVAL;
	err = bxk_data_args(call, name, 4, r4, (uint32_t)r5, args);
	if (err)
		return (uint64_t)(long)err;
	if (bxk_arg_mem(call, name, 1, "str", r1, str_size, true))
		return (uint64_t)(long)-EFAULT;
	/* PTR_TO_CONST_STR: NUL-terminated; checked runs check each byte */
	for (len = 0;; len++) {
		if (bxk_arg_mem(call, name, 3, "fmt", r3 + len, 1, false))
			return (uint64_t)(long)-EFAULT;
		if (!((const char *)BXK_PTR(r3))[len])
			break;
	}
	n = bxk_bprintf(call, BXK_PTR(r1), str_size, BXK_PTR(r3), len, args, (uint32_t)r5 / 8);
	if (n < 0)
		return (uint64_t)(long)n;
	return (uint64_t)n + 1;
}
