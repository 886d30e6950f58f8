# sum.s - r0 = the sum of the memory's bytes (LLVM syntax), bounds from r2.
#   bpfbox run sum.s --mem "01 02 03 04"    -> r0 = 0xa
	r0 = 0
	r3 = 0
loop:
	if r3 >= r2 goto done
	r4 = r1
	r4 += r3
	r5 = *(u8 *)(r4 + 0)
	r0 += r5
	r3 += 1
	goto loop
done:
	exit
