/*
 * test_btf_dump.c - bpfbox_btf__dump_value(): every kind it formats, text
 * and JSON, on the BTF of a real object ($(BUILD)/bpf/btf_dump.o from
 * tests/bpf/btf_dump.bpf.c), plus truncation and bad arguments.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfbox/bpfbox.h"
#include "testlib.h"

static char bpf_dir[512];

#define DUMP_TEXT "{.i = -5, .u = 4000000000, .neg = -1234567890123, .name = \"hi\\\"x\", " \
	".c = BLUE, .bf1 = 5, .bf2 = 17, .arr = [1, -2, 3], .pt = {.x = -1, .y = 2}, " \
	".a = 16909060, .b = [4, 3, 2, 1], .flag = true, .ptr = 0x0}"
#define DUMP_JSON "{\"i\": -5, \"u\": 4000000000, \"neg\": -1234567890123, \"name\": \"hi\\\"x\", " \
	"\"c\": \"BLUE\", \"bf1\": 5, \"bf2\": 17, \"arr\": [1, -2, 3], \"pt\": {\"x\": -1, \"y\": 2}, " \
	"\"a\": 16909060, \"b\": [4, 3, 2, 1], \"flag\": true, \"ptr\": \"0x0\"}"

/* The .data map definition of obj. */
static const struct bpfbox_map_def *data_map(const struct bpfbox_object *obj)
{
	for (size_t i = 0; i < bpfbox_object__map_cnt(obj); i++)
		if (!strcmp(bpfbox_object__map(obj, i)->section, ".data"))
			return bpfbox_object__map(obj, i);
	return NULL;
}

static void test_dump(const struct bpfbox_object *obj)
{
	const struct bpfbox_btf *btf = bpfbox_object__btf(obj);
	const struct bpfbox_map_def *d = data_map(obj);
	struct bpfbox_btf_member m;
	struct bpfbox_btf_type var;
	const uint8_t *data;
	size_t off = (size_t)-1;
	char buf[1024], small[16];
	int id, n;

	CHECK(btf != NULL);
	CHECK(d != NULL && d->init_data != NULL && d->btf_value_type_id != 0);
	if (!btf || !d || !d->init_data)
		return;
	data = d->init_data;
	id = bpfbox_btf__find_by_name_kind(btf, "dump_me", BPFBOX_BTF_KIND_STRUCT);
	CHECK(id > 0);
	for (uint32_t i = 0; bpfbox_btf__member(btf, d->btf_value_type_id, i, &m) == 0; i++)
		if (bpfbox_btf__type(btf, m.type, &var) == 0 && !strcmp(var.name, "dump_me_var"))
			off = m.offset;
	CHECK(off != (size_t)-1);
	if (id <= 0 || off == (size_t)-1)
		return;

	n = bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, d->value_size - off, 0, buf,
				   sizeof(buf));
	CHECK_STR(buf, DUMP_TEXT);
	CHECK_EQ_INT(n, strlen(DUMP_TEXT));
	n = bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, d->value_size - off,
				   BPFBOX_BTF_DUMP_JSON, buf, sizeof(buf));
	CHECK_STR(buf, DUMP_JSON);
	CHECK_EQ_INT(n, strlen(DUMP_JSON));

	/* the whole .data section through its DATASEC */
	n = bpfbox_btf__dump_value(btf, d->btf_value_type_id, data, d->value_size, 0, buf,
				   sizeof(buf));
	CHECK_MSG(n > 0 && strstr(buf, ".dump_me_var = " DUMP_TEXT) && strstr(buf, ".counter = 42}"),
		  "datasec: %d %s", n, buf);
	n = bpfbox_btf__dump_value(btf, d->btf_value_type_id, data, d->value_size,
				   BPFBOX_BTF_DUMP_JSON, buf, sizeof(buf));
	CHECK_MSG(n > 0 && strstr(buf, "\"dump_me_var\": " DUMP_JSON) && strstr(buf, "\"counter\": 42}"),
		  "datasec json: %d %s", n, buf);

	/* snprintf semantics: truncated but NUL-terminated, full length returned */
	memset(small, 'x', sizeof(small));
	n = bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, d->value_size - off, 0, small,
				   sizeof(small));
	CHECK_EQ_INT(n, strlen(DUMP_TEXT));
	CHECK_STR(small, "{.i = -5, .u = ");
	CHECK_EQ_INT(bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, d->value_size - off, 0,
					    NULL, 0), strlen(DUMP_TEXT));

	/* errors */
	CHECK_EQ_INT(bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, 8, 0, buf, sizeof(buf)),
		     -EINVAL);
	CHECK_EQ_INT(bpfbox_btf__dump_value(btf, (uint32_t)id, data + off, d->value_size - off,
					    0x100, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ_INT(bpfbox_btf__dump_value(btf, 0x7fffffff, data, 8, 0, buf, sizeof(buf)), -ENOENT);
	CHECK_EQ_INT(bpfbox_btf__dump_value(NULL, 1, data, 8, 0, buf, sizeof(buf)), -EINVAL);
	/* an int and an enum alone; an unknown enum value prints as a number */
	{
		int32_t v = -7;
		uint32_t c = 3;
		int iid = bpfbox_btf__find_by_name_kind(btf, "int", BPFBOX_BTF_KIND_INT);
		int eid = bpfbox_btf__find_by_name_kind(btf, "color", BPFBOX_BTF_KIND_ENUM);

		CHECK(iid > 0 && eid > 0);
		bpfbox_btf__dump_value(btf, (uint32_t)iid, &v, 4, BPFBOX_BTF_DUMP_JSON, buf, sizeof(buf));
		CHECK_STR(buf, "-7");
		bpfbox_btf__dump_value(btf, (uint32_t)eid, &c, 4, BPFBOX_BTF_DUMP_JSON, buf, sizeof(buf));
		CHECK_STR(buf, "3");
		c = 1;
		bpfbox_btf__dump_value(btf, (uint32_t)eid, &c, 4, 0, buf, sizeof(buf));
		CHECK_STR(buf, "GREEN");
	}
}

/* Put a little-endian u32 / u16 into b. */
static void put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/*
 * test_hostile_btf - a struct whose member's bit offset is near 2^32 (the
 * bounds check once wrapped in 32 bits and read far outside the value;
 * found by fuzz_btf): an object with CO-RE relocations is opened with that
 * raw BTF as its target BTF (its relocations then fail to resolve), and dumping the struct must fail cleanly or stay inside the
 * 4 bytes given.
 */
static void test_hostile_btf(const char *obj_path)
{
	static const char strs[] = "\0int\0s\0a";	/* offsets 0, 1, 5, 7 */
	uint8_t raw[24 + 16 + 24 + sizeof(strs)] = { 0 }, *t = raw + 24;
	char tmp[] = "/tmp/bpfbox-btf-XXXXXX", out[256];
	const uint8_t val[4] = { 1, 2, 3, 4 };
	struct bpfbox_object *obj = NULL;
	const struct bpfbox_btf *btf;
	int fd = mkstemp(tmp), n;

	if (fd < 0) {
		TL_SKIP("mkstemp: %s", strerror(errno));
		return;
	}
	raw[0] = 0x9f, raw[1] = 0xeb, raw[2] = 1;	/* magic, version 1, flags 0 */
	put32(raw + 4, 24);				/* hdr_len */
	put32(raw + 8, 0);				/* type_off */
	put32(raw + 12, 40);				/* type_len */
	put32(raw + 16, 40);				/* str_off */
	put32(raw + 20, sizeof(strs));			/* str_len */
	put32(t, 1), put32(t + 4, 1u << 24), put32(t + 8, 4), put32(t + 12, 32);  /* [1] int */
	put32(t + 16, 5), put32(t + 20, 4u << 24 | 1), put32(t + 24, 4);           /* [2] struct s */
	put32(t + 28, 7), put32(t + 32, 1), put32(t + 36, 0xffffffdeu);           /* a: int @ bit 2^32-34 */
	memcpy(t + 40, strs, sizeof(strs));
	CHECK(write(fd, raw, sizeof(raw)) == (ssize_t)sizeof(raw));
	close(fd);
	{
		BPFBOX_OPTS(bpfbox_object_opts, oo, .target_btf_path = tmp);

		CHECK_EQ_INT(bpfbox_object__open_file(obj_path, &oo, &obj), 0);
	}
	btf = obj ? bpfbox_object__target_btf(obj) : NULL;
	CHECK(btf != NULL);
	if (btf) {
		n = bpfbox_btf__dump_value(btf, 2, val, sizeof(val), 0, out, sizeof(out));
		CHECK_MSG(n < (int)sizeof(out), "dump of the hostile struct: %d", n);
		n = bpfbox_btf__dump_value(btf, 2, val, sizeof(val), BPFBOX_BTF_DUMP_JSON, out, sizeof(out));
		CHECK_MSG(n < (int)sizeof(out), "JSON dump of the hostile struct: %d", n);
	}
	bpfbox_object__close(obj);
	unlink(tmp);
}

int main(int argc, char **argv)
{
	char self[512], path[700];
	struct bpfbox_object *obj = NULL;
	FILE *f;

	(void)argc;
	/* build/tests/test_btf_dump -> build/bpf/btf_dump.o */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/../bpf", dirname(self));
	snprintf(path, sizeof(path), "%s/btf_dump.o", bpf_dir);
	if (!CHECK_MSG((f = fopen(path, "rb")) != NULL, "%s missing (mk/bpf.mk builds it)", path))
		return tl_summary();
	fclose(f);
	CHECK_EQ_INT(bpfbox_object__open_file(path, NULL, &obj), 0);
	if (obj)
		test_dump(obj);
	bpfbox_object__close(obj);
	/* an object with CO-RE relocations: it reads its target BTF */
	snprintf(path, sizeof(path), "%s/core_local.o", bpf_dir);
	if (CHECK_MSG((f = fopen(path, "rb")) != NULL, "%s missing (mk/bpf.mk builds it)", path)) {
		fclose(f);
		test_hostile_btf(path);
	}
	return tl_summary();
}
