# fnv1a.s - 32-bit FNV-1a hash of the whole buffer (r1 = data, r2 = length).
# The benchmark passes 1 KiB of bytes 0, 1, 2, ... 255, 0, 1, ...
	r0 = 0x811c9dc5
	r3 = 0
loop:
	if r3 >= r2 goto done
	r4 = r1
	r4 += r3
	r5 = *(u8 *)(r4 + 0)
	w0 ^= w5
	w0 *= 16777619
	r3 += 1
	goto loop
done:
	exit
