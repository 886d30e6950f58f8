# bubble.s - bubble sort of 48 u64 on the stack, filled in descending
# order (the worst case). r0 = the smallest value after sorting (1) plus
# 1000 * the largest (48), i.e. 48001, if the sort worked.
	r1 = 48
	r2 = r10
	r2 += -384
fill:
	*(u64 *)(r2 + 0) = r1
	r2 += 8
	r1 += -1
	if r1 != 0 goto fill
	r6 = 47
outer:
	r2 = r10
	r2 += -384
	r7 = 0
inner:
	r3 = *(u64 *)(r2 + 0)
	r4 = *(u64 *)(r2 + 8)
	if r3 <= r4 goto noswap
	*(u64 *)(r2 + 0) = r4
	*(u64 *)(r2 + 8) = r3
noswap:
	r2 += 8
	r7 += 1
	if r7 < r6 goto inner
	r6 += -1
	if r6 != 0 goto outer
	r0 = *(u64 *)(r10 - 8)
	r0 *= 1000
	r1 = *(u64 *)(r10 - 384)
	r0 += r1
	exit
