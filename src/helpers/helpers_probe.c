/*
 * helpers_probe.c - bpf_probe_read*() and their _str forms: reads of
 * arbitrary addresses that must never crash the host.
 *
 * Every read goes through process_vm_readv(2) on the process that owns
 * the address space (bxk_mem_pid()): the kernel validates the address and
 * a bad one yields EFAULT instead of a signal. Remote ranges are split at
 * page boundaries so that a partial read stops exactly at the first
 * unreadable page (string reads need the bytes before it).
 *
 * Memory the run itself owns (its stack, its context, the packet buffer
 * of a packet hook) is known to be mapped: reads of it are copied
 * directly, which matters for bpf_printk("%pI4", &iph->saddr) per packet.
 *
 * Address spaces: "kernel" memory is bpfbox's own (stacks, contexts, maps);
 * "user" memory is the memory of the process the hook serves, today also
 * this process. The legacy bpf_probe_read()/bpf_probe_read_str() read user
 * memory, as the kernel does on x86 for addresses below TASK_SIZE.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "vm/vm_internal.h"

#define BXK_PAGE 4096u   /* split granularity (any page size >= 4 KiB works) */
#define BXK_IOV 16       /* remote pieces per system call */

/*
 * bxk_mem_pid - the process a read of `space` goes to. The one place the
 * tracing issue changes to serve a traced process (BXK_MEM_USER).
 */
int bxk_mem_pid(const struct bpfbox_call *call, enum bxk_mem_space space)
{
	int pid;

	if (space == BXK_MEM_USER && (pid = bxh_trace_pid(call)) > 0)
		return pid;	/* a tracer run (src/trace/trace_*.c): the traced task */
	return (int)getpid();
}

/* Bytes from addr to the end of [lo, lo+size), or 0 if addr is outside. */
static uint64_t bxk_avail(uint64_t addr, uint64_t lo, uint64_t size)
{
	return lo && addr >= lo && addr - lo < size ? size - (addr - lo) : 0;
}

/*
 * bxk_mem_local - how many bytes from addr can be copied without a system
 * call (0: none): memory this run owns and keeps mapped, i.e. the whole
 * call stack, the context and the packet buffer of a packet hook; never
 * the memory of a traced process.
 */
static uint64_t bxk_mem_local(const struct bpfbox_call *call, enum bxk_mem_space space,
			      uint64_t addr)
{
	const void *buf;
	uint64_t buf_len;
	uint64_t stack = (uint64_t)BX_MAX_CALL_DEPTH * BX_STACK_SIZE, n;

	if (space == BXK_MEM_USER && bxh_trace_pid(call) > 0)
		return 0;
	if ((call->stack_top > stack && (n = bxk_avail(addr, call->stack_top - stack, stack))) ||
	    (n = bxk_avail(addr, (uint64_t)(uintptr_t)call->ctx, call->ctx_size)))
		return n;
	if (bxh_hook_mem(call, &buf, &buf_len))
		return bxk_avail(addr, (uint64_t)(uintptr_t)buf, buf_len);
	return 0;
}

/* Read up to len bytes from addr of process pid into dst; stops at the
 * first unreadable page. Returns the number of bytes read. */
static size_t bxk_read_some(int pid, char *dst, uint64_t addr, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local, remote[BXK_IOV];
		size_t want = 0;
		int n = 0;
		ssize_t got;

		while (n < BXK_IOV && done + want < len) {
			uint64_t a = addr + done + want;
			size_t piece = BXK_PAGE - (size_t)(a % BXK_PAGE);

			if (piece > len - done - want)
				piece = len - done - want;
			remote[n].iov_base = BXK_PTR(a);
			remote[n].iov_len = piece;
			want += piece;
			n++;
		}
		local.iov_base = dst + done;
		local.iov_len = want;
		got = process_vm_readv(pid, &local, 1, remote, (unsigned long)n, 0);
		if (got <= 0)
			break;
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
	return done;
}

/*
 * bxk_mem_read - see helpers.h.
 */
int bxk_mem_read(const struct bpfbox_call *call, enum bxk_mem_space space,
		 void *dst, uint64_t addr, size_t len)
{
	if (len == 0)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	if (bxk_mem_local(call, space, addr) >= len) {
		memcpy(dst, BXK_PTR(addr), len);
		return 0;
	}
	return bxk_read_some(bxk_mem_pid(call, space), dst, addr, len) == len ? 0 : -EFAULT;
}

/*
 * bxk_mem_read_str - see helpers.h. Reads a page (or less) at a time into
 * a bounce buffer and stops at the NUL, so a string that ends just before
 * an unmapped page is read fine. As the kernel's strncpy_from_*_nofault,
 * dst gets the bytes up to and including the NUL and nothing after it (the
 * rest of dst is left as it was); a string of size - 1 bytes or more is
 * cut there and NUL-terminated. Returns the bytes written incl. the NUL.
 */
long bxk_mem_read_str(const struct bpfbox_call *call, enum bxk_mem_space space,
		      char *dst, uint64_t addr, size_t size)
{
	uint64_t local = bxk_mem_local(call, space, addr);
	char page[BXK_PAGE];
	int pid;
	size_t done = 0;

	if (size == 0)
		return 0;
	if (local) {	/* a NUL inside memory the run owns: copy directly */
		size_t max = local < size - 1 ? (size_t)local : size - 1;
		const char *nul = memchr(BXK_PTR(addr), 0, max);

		if (nul) {
			memmove(dst, BXK_PTR(addr), (size_t)(nul - (const char *)BXK_PTR(addr)) + 1);
			return (long)(nul - (const char *)BXK_PTR(addr)) + 1;
		}
	}
	pid = bxk_mem_pid(call, space);
	while (done < size - 1) {
		uint64_t a = addr + done;
		size_t piece = BXK_PAGE - (size_t)(a % BXK_PAGE), got;
		char *nul;

		if (piece > size - 1 - done)
			piece = size - 1 - done;
		if (a < addr)
			return -EFAULT;
		got = bxk_read_some(pid, page, a, piece);
		nul = memchr(page, 0, got);
		if (nul) {
			memcpy(dst + done, page, (size_t)(nul - page) + 1);
			return (long)(done + (size_t)(nul - page)) + 1;
		}
		if (got < piece)
			return -EFAULT;
		memcpy(dst + done, page, got);
		done += got;
	}
	dst[size - 1] = 0;
	return (long)size;
}

/*
 * bxk_probe - bpf_probe_read{,_user,_kernel}{,_str}(dst, size, unsafe_ptr)
 * reading `space`. The plain forms return 0, the _str forms (str) the
 * length incl. the NUL; both return -EFAULT with dst zeroed on a bad read.
 */
static uint64_t bxk_probe(struct bpfbox_call *call, const char *name,
			  enum bxk_mem_space space, bool str, uint64_t r1,
			  uint64_t r2, uint64_t r3)
{
	uint32_t size = (uint32_t)r2;
	long n;

	if (size == 0)
		return 0;
	if (!r1)
		return (uint64_t)(long)-EINVAL;
	if (bxk_arg_mem(call, name, 1, "dst", r1, size, true))
		return (uint64_t)(long)-EFAULT;
	if (str)
		n = bxk_mem_read_str(call, space, BXK_PTR(r1), r3, size);
	else
		n = bxk_mem_read(call, space, BXK_PTR(r1), r3, size);
	if (n < 0)
		memset(BXK_PTR(r1), 0, size);
	return (uint64_t)n;
}

/* bxk_probe_read - long bpf_probe_read(dst, size, ptr): user memory. */
uint64_t bxk_probe_read(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read", BXK_MEM_USER, false, r1, r2, r3);
}

/* bxk_probe_read_user - long bpf_probe_read_user(dst, size, ptr). */
uint64_t bxk_probe_read_user(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read_user", BXK_MEM_USER, false, r1, r2, r3);
}

/* bxk_probe_read_kernel - long bpf_probe_read_kernel(dst, size, ptr). */
uint64_t bxk_probe_read_kernel(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			       uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read_kernel", BXK_MEM_KERNEL, false, r1, r2, r3);
}

/* bxk_probe_read_str - long bpf_probe_read_str(dst, size, ptr): user memory. */
uint64_t bxk_probe_read_str(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
			    uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read_str", BXK_MEM_USER, true, r1, r2, r3);
}

/* bxk_probe_read_user_str - long bpf_probe_read_user_str(dst, size, ptr). */
uint64_t bxk_probe_read_user_str(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				 uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read_user_str", BXK_MEM_USER, true, r1, r2, r3);
}

/* bxk_probe_read_kernel_str - long bpf_probe_read_kernel_str(dst, size, ptr). */
uint64_t bxk_probe_read_kernel_str(struct bpfbox_call *call, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4, uint64_t r5)
{
	(void)r4, (void)r5;
	return bxk_probe(call, "probe_read_kernel_str", BXK_MEM_KERNEL, true, r1, r2, r3);
}
