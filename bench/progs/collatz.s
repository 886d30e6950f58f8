# collatz.s - the total number of Collatz steps of every n in 1..3000.
	r0 = 0
	r1 = 1
next:
	r2 = r1
step:
	if r2 == 1 goto done_n
	r0 += 1
	r3 = r2
	r3 &= 1
	if r3 == 0 goto even
	r4 = r2
	r2 <<= 1
	r2 += r4
	r2 += 1
	goto step
even:
	r2 >>= 1
	goto step
done_n:
	r1 += 1
	if r1 <= 3000 goto next
	exit
