# fib.s - r0 = the n-th Fibonacci number (mnemonic syntax, as in the
# conformance suite). n is the first byte of memory, or 10 without memory.
#   bpfbox run fib.s                 -> r0 = 0x37 (55)
#   bpfbox run fib.s --mem 5a        -> r0 = fib(90) = 0x27f80ddaa1ba7878
mov %r3, 10
jlt %r2, 1, start
ldxb %r3, [%r1]
start:
mov %r0, 0
mov %r4, 1
loop:
jeq %r3, 0, done
mov %r5, %r0
add %r5, %r4
mov %r0, %r4
mov %r4, %r5
sub %r3, 1
ja loop
done:
exit
