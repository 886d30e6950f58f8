/*
 * test_pkt_kernel.c - the XDP examples on a 100,000-packet capture, packet
 * by packet, against the kernel's BPF_PROG_TEST_RUN.
 *
 * build/pcapgen writes a capture of PKT_COUNT mixed packets (seed
 * PKT_SEED: IPv4/IPv6, TCP/UDP/ICMP, VLAN, ARP, junk, truncated frames,
 * 0..1500 bytes) into a temporary directory. For each example
 * (xdp_ipv4_trace, xdp_drop_tcp, xdp_swap_mac, xdp_ip_count in
 * $(BUILD)/examples) the kernel runs every packet once (libbpf, one
 * BPF_PROG_TEST_RUN per packet, repeat 1): its error or verdict and output
 * packet are the reference, its maps at the end too. Then bpfbox runs the
 * same packets three ways and each is compared with the kernel:
 *
 *  1. bpfbox_prog__test_run() per packet (the test-run path);
 *  2. bpfbox_pkt_hook__run() per packet (the packet hook, JIT);
 *  3. `bpfbox xdp OBJ --pcap CAP --json --out P --tx-out T --drop-out D`:
 *     verdict counts in the JSON, every packet of P / T / D in order
 *     (data as the program left it, timestamps of the input), and the
 *     "maps" JSON.
 *
 * Maps are compared entry by entry after the whole capture (hash maps
 * sorted by key; per-CPU values summed over the CPUs, as the CPUs the
 * kernel ran on are not ours).
 *
 * Packets the kernel refuses (XDP: shorter than the 14-byte Ethernet
 * header: -EINVAL) must be refused with the same error by (1) and (2); the
 * CLI must count them in "errors" and write them to no output file.
 *
 * SKIPs (with a message) when bpf(2) or BPF_PROG_TEST_RUN is not allowed,
 * libbpf is missing, or an example or build/pcapgen was not built; the
 * CLI part SKIPs if `bpfbox xdp` is not implemented. Env: BUILD (build
 * dir), BPFBOX (the CLI), PKT_COUNT (packets, default 100000),
 * PKT_KEEP=1 keeps the temporary directory.
 */
#include "bpfbox/bpfbox.h"
#include "testlib.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfbox/hooks.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kernel_xdp_ok.h"

#define PKT_COUNT_DEFAULT 100000
#define PKT_SEED 0x1d6u
#define OUT_CAP 4096
#define MAX_SHOW 3

static char last_log[1024];

/* log_cb - keep the last bpfbox error message for failure reports */
static void log_cb(void *ctx, enum bpfbox_log_level lvl, const char *msg)
{
	(void)ctx;
	if (lvl <= BPFBOX_LOG_WARN)
		snprintf(last_log, sizeof(last_log), "%s", msg);
}

/* ---- capture files (classic pcap, read without libpcap) ------------------------------ */

struct rec {
	size_t off;             /* into cap.buf */
	uint32_t len;           /* caplen */
	uint32_t sec, usec;     /* timestamp */
};

struct cap {
	uint8_t *buf;
	size_t size;
	struct rec *r;
	size_t n;
};

/* rd32 - a 32-bit header field, byte-swapped if the file is */
static uint32_t rd32(const uint8_t *p, bool swap)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return swap ? __builtin_bswap32(v) : v;
}

/* cap_read - read a whole pcap file; 0 or a message in why */
static int cap_read(const char *path, struct cap *c, char *why, size_t wlen)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	bool swap, nsec;
	size_t cap_n = 0, off = 24;
	uint32_t magic;

	memset(c, 0, sizeof(*c));
	if (!f || fstat(fileno(f), &st)) {
		snprintf(why, wlen, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	c->size = (size_t)st.st_size;
	c->buf = malloc(c->size ? c->size : 1);
	if (!c->buf || (c->size && fread(c->buf, c->size, 1, f) != 1)) {
		snprintf(why, wlen, "%s: cannot read it", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (c->size < 24) {
		snprintf(why, wlen, "%s: %zu bytes, shorter than a pcap header", path, c->size);
		return -1;
	}
	magic = rd32(c->buf, false);
	swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	if (!swap && !nsec && magic != 0xa1b2c3d4u) {
		snprintf(why, wlen, "%s: not a classic pcap file (magic 0x%08x)", path, magic);
		return -1;
	}
	while (off + 16 <= c->size) {
		const uint8_t *h = c->buf + off;
		struct rec r = { .off = off + 16, .len = rd32(h + 8, swap), .sec = rd32(h, swap),
				 .usec = rd32(h + 4, swap) };

		if (nsec)
			r.usec /= 1000;
		if (r.len > c->size - off - 16) {
			snprintf(why, wlen, "%s: record %zu truncated", path, c->n);
			return -1;
		}
		if (c->n == cap_n) {
			struct rec *nr = realloc(c->r, (cap_n = cap_n ? cap_n * 2 : 1024) * sizeof(*nr));
			if (!nr) {
				snprintf(why, wlen, "out of memory");
				return -1;
			}
			c->r = nr;
		}
		c->r[c->n++] = r;
		off = r.off + r.len;
	}
	if (off != c->size) {
		snprintf(why, wlen, "%s: %zu trailing bytes", path, c->size - off);
		return -1;
	}
	return 0;
}

static void cap_free(struct cap *c)
{
	free(c->buf);
	free(c->r);
	memset(c, 0, sizeof(*c));
}

/* ---- the kernel's results ------------------------------------------------------------- */

/* One packet's reference: err (0 or -errno), verdict, output packet. */
struct kres {
	int err;
	uint32_t retval;
	uint32_t len;
	size_t off;             /* into kref.out */
};

/* A map's contents: sorted (key, values) rows, values summed over CPUs. */
struct mrow {
	uint64_t key;
	uint64_t val[4];
	uint32_t nval;
};

struct mdump {
	char name[64];
	uint32_t type;
	struct mrow *rows;
	size_t n;
};

#define MAX_MAPS 4

struct kref {
	struct kres *r;
	uint8_t *out;
	size_t out_len, out_cap;
	uint64_t verdicts[5], refused, other;
	struct mdump maps[MAX_MAPS];
	size_t nmaps;
};

static void kref_free(struct kref *k)
{
	free(k->r);
	free(k->out);
	for (size_t i = 0; i < k->nmaps; i++)
		free(k->maps[i].rows);
	memset(k, 0, sizeof(*k));
}

static int cmp_row(const void *a, const void *b)
{
	const struct mrow *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static bool percpu_type(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* mrow_fill - a row from a raw key (<= 8 bytes) and value (u64 words,
 * nr_cpus copies of vsz bytes each, summed) */
static int mrow_fill(struct mrow *row, const void *key, uint32_t ksz, const uint8_t *val,
		     uint32_t vsz, uint32_t ncpu)
{
	memset(row, 0, sizeof(*row));
	if (ksz > 8 || vsz % 8 || vsz / 8 > 4)
		return -1;
	memcpy(&row->key, key, ksz);
	row->nval = vsz / 8;
	for (uint32_t c = 0; c < ncpu; c++) {
		for (uint32_t w = 0; w < row->nval; w++) {
			uint64_t v;

			memcpy(&v, val + (size_t)c * ((vsz + 7) & ~7u) + w * 8, 8);
			row->val[w] += v;
		}
	}
	return 0;
}

/* kmaps_dump - every non-internal map of the kernel object */
static int kmaps_dump(struct bpf_object *obj, struct kref *k, char *why, size_t wlen)
{
	struct bpf_map *m;
	int ncpu = libbpf_num_possible_cpus();

	bpf_object__for_each_map(m, obj) {
		struct mdump *d;
		uint32_t ksz = bpf_map__key_size(m), vsz = bpf_map__value_size(m), t = bpf_map__type(m);
		uint32_t nc = percpu_type(t) ? (uint32_t)ncpu : 1;
		uint8_t key[8], next[8], *val;
		size_t cap = 0;
		int fd = bpf_map__fd(m), err;

		if (bpf_map__is_internal(m) || k->nmaps == MAX_MAPS)
			continue;
		d = &k->maps[k->nmaps++];
		snprintf(d->name, sizeof(d->name), "%s", bpf_map__name(m));
		d->type = t;
		val = calloc(nc, (vsz + 7) & ~7u);
		if (!val || ksz > 8) {
			free(val);
			snprintf(why, wlen, "map %s: key of %u bytes", d->name, ksz);
			return -1;
		}
		err = bpf_map_get_next_key(fd, NULL, next);
		while (!err) {
			if (bpf_map_lookup_elem(fd, next, val) == 0) {
				if (d->n == cap) {
					struct mrow *nr = realloc(d->rows, (cap = cap ? cap * 2 : 64) * sizeof(*nr));
					if (!nr)
						break;
					d->rows = nr;
				}
				if (mrow_fill(&d->rows[d->n], next, ksz, val, vsz, nc)) {
					free(val);
					snprintf(why, wlen, "map %s: value of %u bytes not u64 words", d->name, vsz);
					return -1;
				}
				d->n++;
			}
			memcpy(key, next, ksz);
			err = bpf_map_get_next_key(fd, key, next);
		}
		free(val);
		qsort(d->rows, d->n, sizeof(*d->rows), cmp_row);
	}
	return 0;
}

/* kernel_run - load the example into the kernel and run every packet */
static int kernel_run(const char *path, const char *prog, const struct cap *c, struct kref *k,
		      char *why, size_t wlen)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;
	int fd, err;

	memset(k, 0, sizeof(*k));
	if (!obj) {
		snprintf(why, wlen, "libbpf cannot open %s", path);
		return -1;
	}
	err = bpf_object__load(obj);
	p = bpf_object__find_program_by_name(obj, prog);
	if (err || !p) {
		snprintf(why, wlen, "the kernel refuses to load %s (%d)", path, err);
		bpf_object__close(obj);
		return -1;
	}
	fd = bpf_program__fd(p);
	k->r = calloc(c->n ? c->n : 1, sizeof(*k->r));
	k->out_cap = c->size + (size_t)c->n * 16 + 4096;
	k->out = malloc(k->out_cap);
	if (!k->r || !k->out) {
		snprintf(why, wlen, "out of memory");
		bpf_object__close(obj);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct rec *r = &c->r[i];
		struct kres *kr = &k->r[i];
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = r->len ? c->buf + r->off : NULL,
			    .data_size_in = r->len, .data_out = k->out + k->out_len,
			    .data_size_out = OUT_CAP);

		if (k->out_cap - k->out_len < OUT_CAP) {
			uint8_t *no = realloc(k->out, k->out_cap *= 2);
			if (!no) {
				snprintf(why, wlen, "out of memory");
				bpf_object__close(obj);
				return -1;
			}
			k->out = no;
			t.data_out = k->out + k->out_len;
		}
		kr->err = bpf_prog_test_run_opts(fd, &t) ? -errno : 0;
		kr->off = k->out_len;
		if (kr->err) {
			k->refused++;
			continue;
		}
		kr->retval = t.retval;
		kr->len = t.data_size_out;
		k->out_len += kr->len;
		if (t.retval < 5)
			k->verdicts[t.retval]++;
		else
			k->other++;
	}
	err = kmaps_dump(obj, k, why, wlen);
	bpf_object__close(obj);
	return err;
}

/* ---- bpfbox: the object, maps ---------------------------------------------------------- */

struct bx {
	struct bpfbox_vm *vm;
	struct bpfbox_object *obj;
	struct bpfbox_prog *prog;
};

static void bx_close(struct bx *b)
{
	bpfbox_object__close(b->obj);
	bpfbox_vm__free(b->vm);
	memset(b, 0, sizeof(*b));
}

/* bx_open - a fresh VM with the object loaded (fresh maps) */
static int bx_open(const char *path, const char *prog, struct bx *b)
{
	BPFBOX_OPTS(bpfbox_vm_opts, vo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_object_opts, oo, .log = log_cb);
	BPFBOX_OPTS(bpfbox_object_load_opts, lo);
	struct bpfbox_program *p;
	int err;

	memset(b, 0, sizeof(*b));
	err = bpfbox_vm__new(&vo, &b->vm);
	if (!err)
		err = bpfbox_object__open_file(path, &oo, &b->obj);
	if (!err)
		err = bpfbox_object__load(b->obj, b->vm, &lo);
	p = err ? NULL : bpfbox_object__find_program_by_name(b->obj, prog);
	b->prog = p ? bpfbox_program__prog(p) : NULL;
	if (!err && !b->prog)
		err = -ENOENT;
	if (err)
		bx_close(b);
	return err;
}

/* bx_maps_check - bpfbox's maps (library API) against the kernel's */
static void bx_maps_check(const char *what, struct bx *b, const struct kref *k)
{
	for (size_t i = 0; i < k->nmaps; i++) {
		const struct mdump *d = &k->maps[i];
		struct bpfbox_map *m = bpfbox_object__find_map_instance(b->obj, d->name);
		uint32_t ksz, vsz, nc;
		uint8_t key[8], next[8], *val;
		struct mrow row;
		size_t n = 0, bad = 0;
		int err;

		if (!CHECK_MSG(m != NULL, "%s: bpfbox has no map %s", what, d->name))
			continue;
		ksz = bpfbox_map__key_size(m);
		vsz = bpfbox_map__value_size(m);
		nc = percpu_type(d->type) ? bpfbox_map__nr_cpus(m) : 1;
		val = calloc(1, bpfbox_map__value_buf_size(m) + 8);
		if (!val)
			continue;
		/* every bpfbox entry must be the kernel's; then the counts must agree */
		err = bpfbox_map__get_next_key(m, NULL, next);
		while (!err && ksz <= 8) {
			if (bpfbox_map__lookup_elem(m, next, val, 0) == 0 &&
			    mrow_fill(&row, next, ksz, val, vsz, nc) == 0) {
				const struct mrow *kr = bsearch(&row, d->rows, d->n, sizeof(row), cmp_row);

				n++;
				if (!kr || kr->nval != row.nval ||
				    memcmp(kr->val, row.val, row.nval * sizeof(uint64_t))) {
					if (bad++ < MAX_SHOW)
						printf("  %s: map %s key %llu: bpfbox %llu/%llu, kernel %s%llu/%llu\n",
						       what, d->name, (unsigned long long)row.key,
						       (unsigned long long)row.val[0],
						       (unsigned long long)row.val[1], kr ? "" : "(none) ",
						       kr ? (unsigned long long)kr->val[0] : 0ull,
						       kr ? (unsigned long long)kr->val[1] : 0ull);
				}
			}
			memcpy(key, next, ksz);
			err = bpfbox_map__get_next_key(m, key, next);
		}
		free(val);
		CHECK_MSG(bad == 0 && n == d->n, "%s: map %s: %zu entries (kernel %zu), %zu differ", what,
			  d->name, n, d->n, bad);
	}
}

/* ---- (1) bpfbox_prog__test_run ------------------------------------------------------------ */

struct pcounts {
	unsigned long packets, mismatches;
};

/* one packet's bpfbox result against the kernel's; prints the first few */
static bool same(const char *what, size_t i, const struct kref *k, int err, uint32_t retval,
		 const uint8_t *data, uint32_t len, unsigned long *bad)
{
	const struct kres *kr = &k->r[i];

	if (err == kr->err && (err || (retval == kr->retval && len == kr->len &&
				       !memcmp(data, k->out + kr->off, len))))
		return true;
	if ((*bad)++ < MAX_SHOW)
		printf("  MISMATCH %s packet %zu: kernel err %d retval %u len %u; bpfbox err %d retval %u len %u%s\n",
		       what, i, kr->err, kr->retval, kr->len, err, retval, len,
		       err == kr->err && retval == kr->retval && len == kr->len ? " (data differs)" : "");
	return false;
}

static void run_test_run(const char *path, const char *prog, const struct cap *c,
			 const struct kref *k, struct pcounts *pc)
{
	static uint8_t out[OUT_CAP];
	char what[128];
	unsigned long bad = 0;
	struct bx b;
	int err = bx_open(path, prog, &b);

	snprintf(what, sizeof(what), "%s test_run", prog);
	if (!CHECK_MSG(err == 0, "%s: bpfbox cannot load it: %d (%s)", what, err, last_log))
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct rec *r = &c->r[i];
		BPFBOX_OPTS(bpfbox_test_run_opts, t, .data_in = r->len ? c->buf + r->off : NULL,
			    .data_size_in = r->len, .data_out = out, .data_size_out = sizeof(out));

		err = bpfbox_prog__test_run(b.prog, &t);
		same(what, i, k, err, t.retval, out, t.data_size_out, &bad);
	}
	pc->packets += c->n;
	pc->mismatches += bad;
	CHECK_MSG(bad == 0, "%s: %lu of %zu packets differ from the kernel", what, bad, c->n);
	bx_maps_check(what, &b, k);
	bx_close(&b);
}

/* ---- (2) bpfbox_pkt_hook__run --------------------------------------------------------------- */

static void run_hook(const char *path, const char *prog, const struct cap *c, const struct kref *k,
		     struct pcounts *pc)
{
	BPFBOX_OPTS(bpfbox_pkt_hook_opts, ho, .cpu = -1);
	struct bpfbox_pkt_hook *h = NULL;
	char what[128];
	unsigned long bad = 0;
	struct bx b;
	int err = bx_open(path, prog, &b);

	snprintf(what, sizeof(what), "%s hook", prog);
	if (!CHECK_MSG(err == 0, "%s: bpfbox cannot load it: %d (%s)", what, err, last_log))
		return;
	err = bpfbox_pkt_hook__new(b.prog, &ho, &h);
	if (CHECK_MSG(err == 0, "%s: bpfbox_pkt_hook__new: %d (%s)", what, err, last_log)) {
		for (size_t i = 0; i < c->n; i++) {
			const struct rec *r = &c->r[i];
			struct bpfbox_pkt_result res = { 0 };

			err = bpfbox_pkt_hook__run(h, c->buf + r->off, r->len, &res);
			/* BPF_PROG_TEST_RUN's data_out starts with the metadata */
			same(what, i, k, err, res.action, res.data - res.meta_len,
			     res.len + res.meta_len, &bad);
		}
		pc->packets += c->n;
		pc->mismatches += bad;
		CHECK_MSG(bad == 0, "%s: %lu of %zu packets differ from the kernel", what, bad, c->n);
		bx_maps_check(what, &b, k);
	}
	bpfbox_pkt_hook__free(h);
	bx_close(&b);
}

/* ---- (3) bpfbox xdp --pcap ---------------------------------------------------------------- */

/* slurp - a whole text file (NUL-terminated) or NULL */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (n && fread(s, (size_t)n, 1, f) != 1) {
			free(s);
			s = NULL;
		} else {
			s[n] = 0;
		}
	}
	fclose(f);
	return s;
}

/* json_u64 - the number after "name": somewhere after `from`; -1 if none */
static long long json_num(const char *from, const char *name)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", name);
	p = from ? strstr(from, pat) : NULL;
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* json_numbers - the integers of one JSON value starting at *pp (object,
 * array, number), in order, skipping strings; advances *pp past it */
static size_t json_numbers(const char **pp, uint64_t *out, size_t max)
{
	const char *p = *pp;
	int depth = 0;
	size_t n = 0;

	do {
		while (*p == ' ' || *p == ',' || *p == ':')
			p++;
		if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else if ((*p >= '0' && *p <= '9') || *p == '-') {
			char *e;
			uint64_t v = strtoull(p, &e, 10);

			if (n < max)
				out[n] = v;
			n++;
			p = e;
		} else if (*p) {
			p++;    /* true / false / null: not in these maps */
		} else {
			break;
		}
	} while (depth > 0);
	*pp = p;
	return n;
}

/* cli_maps_check - the "maps" of the CLI's JSON against the kernel's */
static void cli_maps_check(const char *what, const char *json, const struct kref *k)
{
	const char *maps = strstr(json, "\"maps\": {");

	if (!CHECK_MSG(maps != NULL, "%s: no \"maps\" in the JSON", what))
		return;
	for (size_t i = 0; i < k->nmaps; i++) {
		const struct mdump *d = &k->maps[i];
		char pat[96];
		const char *p = NULL;
		size_t n = 0, bad = 0;

		snprintf(pat, sizeof(pat), "\"%s\": [", d->name);
		p = strstr(maps, pat);
		if (!CHECK_MSG(p != NULL, "%s: map %s not in the JSON", what, d->name))
			continue;
		p += strlen(pat);
		while (*p == '{' || (*p == ',' && p[1] == ' ' && p[2] == '{')) {
			uint64_t nums[64];
			struct mrow row = { 0 };
			const struct mrow *kr;
			const char *kp, *vp, *end;
			size_t nn;

			if (*p == ',')
				p += 2;
			end = p;
			json_numbers(&end, nums, 0);    /* the whole entry */
			kp = strstr(p, "\"key\": ");
			vp = strstr(p, "\"value\": ");
			if (!kp || !vp || vp > end) {
				bad++;
				break;
			}
			kp += 7;
			vp += 9;
			json_numbers(&kp, &row.key, 1);
			nn = json_numbers(&vp, nums, 64);
			if (percpu_type(d->type)) {     /* [v_cpu0, v_cpu1, ...] of u64 */
				row.nval = 1;
				for (size_t j = 0; j < nn && j < 64; j++)
					row.val[0] += nums[j];
			} else {
				row.nval = (uint32_t)(nn < 4 ? nn : 4);
				memcpy(row.val, nums, row.nval * sizeof(uint64_t));
			}
			n++;
			kr = bsearch(&row, d->rows, d->n, sizeof(row), cmp_row);
			if (!kr || kr->nval != row.nval ||
			    memcmp(kr->val, row.val, row.nval * sizeof(uint64_t))) {
				if (bad++ < MAX_SHOW)
					printf("  %s: map %s key %llu: bpfbox %llu/%llu, kernel %s%llu/%llu\n", what,
					       d->name, (unsigned long long)row.key,
					       (unsigned long long)row.val[0], (unsigned long long)row.val[1],
					       kr ? "" : "(none) ", kr ? (unsigned long long)kr->val[0] : 0ull,
					       kr ? (unsigned long long)kr->val[1] : 0ull);
			}
			p = end;
		}
		CHECK_MSG(bad == 0 && n == d->n, "%s: map %s: %zu entries in the JSON (kernel %zu), %zu differ",
			  what, d->name, n, d->n, bad);
	}
}

/* cli_outputs_check - output file `file` holds, in order, the packets
 * whose kernel verdict is in `mask` (bit per XDP_*), as the kernel left them */
static void cli_outputs_check(const char *what, const char *file, unsigned mask,
			      const struct cap *in, const struct kref *k, struct pcounts *pc)
{
	struct cap o;
	char why[1024];
	size_t j = 0;
	unsigned long bad = 0;

	if (!CHECK_MSG(cap_read(file, &o, why, sizeof(why)) == 0, "%s: %s", what, why)) {
		cap_free(&o);
		return;
	}
	for (size_t i = 0; i < in->n; i++) {
		const struct kres *kr = &k->r[i];

		if (kr->err || kr->retval >= 32 || !(mask & 1u << kr->retval))
			continue;
		if (j >= o.n) {
			j++;
			continue;
		}
		if (o.r[j].len != kr->len || memcmp(o.buf + o.r[j].off, k->out + kr->off, kr->len) ||
		    o.r[j].sec != in->r[i].sec || o.r[j].usec != in->r[i].usec) {
			if (bad++ < MAX_SHOW)
				printf("  MISMATCH %s: record %zu (input packet %zu): %u bytes at %u.%06u, kernel %u bytes at %u.%06u%s\n",
				       what, j, i, o.r[j].len, o.r[j].sec, o.r[j].usec, kr->len,
				       in->r[i].sec, in->r[i].usec,
				       o.r[j].len == kr->len ? " (data or time differs)" : "");
		}
		j++;
	}
	pc->packets += o.n;
	pc->mismatches += bad;
	CHECK_MSG(bad == 0 && j == o.n, "%s: %zu records, kernel %zu; %lu differ", what, o.n, j, bad);
	cap_free(&o);
}

/* run_cli - `bpfbox xdp` on the capture, compared with the kernel's verdicts */
static void run_cli(const char *bpfbox, const char *dir, const char *path, const char *prog,
		   const char *capf, const struct cap *c, const struct kref *k, struct pcounts *pc)
{
	static const char *const names[5] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					      "XDP_REDIRECT" };
	char cmd[8192], what[128], jf[512], ef[512], pf[512], tf[512], df[512];
	char *json, *errs;
	int st;

	snprintf(what, sizeof(what), "%s cli", prog);
	snprintf(jf, sizeof(jf), "%s/%s.json", dir, prog);
	snprintf(ef, sizeof(ef), "%s/%s.stderr", dir, prog);
	snprintf(pf, sizeof(pf), "%s/%s.pass.pcap", dir, prog);
	snprintf(tf, sizeof(tf), "%s/%s.tx.pcap", dir, prog);
	snprintf(df, sizeof(df), "%s/%s.drop.pcap", dir, prog);
	snprintf(cmd, sizeof(cmd),
		 "'%s' xdp '%s' --prog %s --pcap '%s' --json --out '%s' --tx-out '%s' --drop-out '%s' --trace-log /dev/null >'%s' 2>'%s'",
		 bpfbox, path, prog, capf, pf, tf, df, jf, ef);
	st = system(cmd);
	json = slurp(jf);
	errs = slurp(ef);
	if (!CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0 && json && json[0] == '{',
		       "%s: exit status %d, stderr: %.300s", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		       errs ? errs : "")) {
		free(json);
		free(errs);
		return;
	}
	{
		const char *v = strstr(json, "\"verdicts\"");
		bool ok = v != NULL;

		for (int a = 0; a < 5 && v; a++) {
			long long got = json_num(v, names[a]);

			if (got != (long long)k->verdicts[a]) {
				printf("  %s: %s %lld, kernel %llu\n", what, names[a], got,
				       (unsigned long long)k->verdicts[a]);
				ok = false;
			}
		}
		CHECK_MSG(ok, "%s: verdict counts differ from the kernel's", what);
		CHECK_MSG(json_num(json, "packets") == (long long)c->n, "%s: \"packets\": %lld, want %zu",
			  what, json_num(json, "packets"), c->n);
		CHECK_MSG(json_num(json, "errors") == (long long)k->refused,
			  "%s: \"errors\": %lld, kernel refused %llu", what, json_num(json, "errors"),
			  (unsigned long long)k->refused);
	}
	cli_outputs_check(pf, pf, 1u << XDP_PASS, c, k, pc);
	cli_outputs_check(tf, tf, 1u << XDP_TX, c, k, pc);
	cli_outputs_check(df, df, 1u << XDP_DROP | 1u << XDP_ABORTED, c, k, pc);
	cli_maps_check(what, json, k);
	free(json);
	free(errs);
}

/* shipped_pins - tests/test_pkt_cli.sh pins xdp_drop_tcp's counts on the
 * shipped capture examples/pcap/mixed-1k.pcap (DROP 156, PASS 775, 69
 * packets refused); the kernel is their oracle: check them here against
 * BPF_PROG_TEST_RUN, packet by packet. */
static void shipped_pins(const char *build)
{
	char path[512], why[1024];
	struct cap c;
	struct kref k;

	snprintf(path, sizeof(path), "%s/examples/xdp_drop_tcp.o", build);
	if (!CHECK_MSG(cap_read("examples/pcap/mixed-1k.pcap", &c, why, sizeof(why)) == 0, "%s", why))
		return;
	if (CHECK_MSG(kernel_run(path, "xdp_drop_tcp", &c, &k, why, sizeof(why)) == 0, "%s", why)) {
		printf("shipped capture, kernel: DROP %llu PASS %llu refused %llu (test_pkt_cli.sh pins 156, 775, 69)\n",
		       (unsigned long long)k.verdicts[XDP_DROP], (unsigned long long)k.verdicts[XDP_PASS],
		       (unsigned long long)k.refused);
		CHECK_MSG(k.verdicts[XDP_DROP] == 156 && k.verdicts[XDP_PASS] == 775 && k.refused == 69,
			  "the counts tests/test_pkt_cli.sh pins differ from the kernel's");
	}
	kref_free(&k);
	cap_free(&c);
}

/* ---- main ------------------------------------------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

/* rm_dir - remove the temporary directory and its files */
static void rm_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("  (cannot remove %s)\n", dir);
}

int main(void)
{
	static const char *const examples[] = { "xdp_ipv4_trace", "xdp_drop_tcp", "xdp_swap_mac",
						"xdp_ip_count" };
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	const char *bpfbox = getenv("BPFBOX");
	char bb[512], dir[] = "/tmp/bpfbox_pkt_XXXXXX", capf[600], gen[512], cmd[1400], why[1024];
	long count = getenv("PKT_COUNT") ? atol(getenv("PKT_COUNT")) : PKT_COUNT_DEFAULT;
	struct pcounts tr = { 0 }, hk = { 0 }, cli = { 0 };
	unsigned long compared = 0;
	struct cap c;

	libbpf_set_print(libbpf_quiet);
	if (!kernel_xdp_ok(why, sizeof(why))) {   /* the one skip: no kernel to compare with */
		TL_SKIP("packet differential test: %s", why);
		return tl_summary();
	}
	if (!bpfbox) {
		snprintf(bb, sizeof(bb), "%s/bpfbox", build);
		bpfbox = bb;
	}
	snprintf(gen, sizeof(gen), "%s/pcapgen", build);
	if (!CHECK_MSG(access(gen, X_OK) == 0, "%s not built (mk/pcapgen.mk builds it)", gen) ||
	    !CHECK_MSG(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno)))
		return tl_summary();
	snprintf(capf, sizeof(capf), "%s/mixed.pcap", dir);
	snprintf(cmd, sizeof(cmd), "'%s' --count %ld --seed %u -o '%s'", gen, count, PKT_SEED, capf);
	if (!CHECK_MSG(system(cmd) == 0, "%s failed", cmd) ||
	    !CHECK_MSG(cap_read(capf, &c, why, sizeof(why)) == 0, "%s", why)) {
		rm_dir(dir);
		return tl_summary();
	}
	CHECK_MSG(c.n == (size_t)count, "%s: %zu packets, want %ld", capf, c.n, count);
	printf("capture: %zu packets, %zu bytes (pcapgen --seed %u)\n", c.n, c.size, PKT_SEED);
	for (size_t e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
		char path[512];
		struct kref k;

		snprintf(path, sizeof(path), "%s/examples/%s.o", build, examples[e]);
		if (!CHECK_MSG(access(path, R_OK) == 0, "%s not built (mk/examples.mk builds it)", path))
			continue;
		/* the kernel loads trivial XDP programs here (kernel_xdp_ok): one that
		 * refuses an example means the example or the harness is broken */
		if (!CHECK_MSG(kernel_run(path, examples[e], &c, &k, why, sizeof(why)) == 0, "%s: %s",
			       examples[e], why)) {
			kref_free(&k);
			continue;
		}
		printf("%s: kernel: ABORTED %llu DROP %llu PASS %llu TX %llu REDIRECT %llu, refused %llu",
		       examples[e], (unsigned long long)k.verdicts[0], (unsigned long long)k.verdicts[1],
		       (unsigned long long)k.verdicts[2], (unsigned long long)k.verdicts[3],
		       (unsigned long long)k.verdicts[4], (unsigned long long)k.refused);
		for (size_t i = 0; i < k.nmaps; i++)
			printf(", map %s: %zu entries", k.maps[i].name, k.maps[i].n);
		printf("\n");
		CHECK_MSG(k.other == 0, "%s: %llu verdicts outside XDP_*", examples[e],
			  (unsigned long long)k.other);
		run_test_run(path, examples[e], &c, &k, &tr);
		run_hook(path, examples[e], &c, &k, &hk);
		run_cli(bpfbox, dir, path, examples[e], capf, &c, &k, &cli);
		compared++;
		kref_free(&k);
		fflush(stdout);
	}
	shipped_pins(build);
	printf("compared %lu examples x %zu packets with the kernel:\n"
	       "  bpfbox_prog__test_run: %lu packets, %lu mismatches\n", compared, c.n, tr.packets,
	       tr.mismatches);
	printf("  bpfbox_pkt_hook__run:  %lu packets, %lu mismatches\n", hk.packets, hk.mismatches);
	printf("  bpfbox xdp --pcap:     %lu output packets, %lu mismatches\n", cli.packets,
	       cli.mismatches);
	cap_free(&c);
	if (getenv("PKT_KEEP"))
		printf("kept %s\n", dir);
	else
		rm_dir(dir);
	return tl_summary();
}
