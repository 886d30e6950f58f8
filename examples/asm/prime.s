# prime.s - r0 = 1 if n is prime, else 0 (LLVM syntax).
# n is the u32 at the start of memory (r1 = pointer, r2 = length),
# or 10007 when no memory is given.
#   bpfbox run prime.s --mem "17 27 00 00"      -> r0 = 0x1
	r3 = 10007
	if r2 < 4 goto start
	r3 = *(u32 *)(r1 + 0)
start:
	r0 = 0
	if r3 < 2 goto done
	r0 = 1
	r2 = 2
loop:
	r4 = r2
	r4 *= r2
	if r4 > r3 goto done
	r5 = r3
	r5 %= r2
	if r5 == 0 goto composite
	r2 += 1
	goto loop
composite:
	r0 = 0
done:
	exit
