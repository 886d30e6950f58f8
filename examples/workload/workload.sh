#!/bin/sh
# examples/workload/workload.sh - a small deterministic workload for the
# tracing examples: forks, execs and file I/O, always the same syscalls.
#
#   sh examples/workload/workload.sh [DIR]      (DIR: where to work, default .)
#
# Prints the same 7 lines every time and exits with status 0. Deterministic
# on purpose (tests compare syscall counts between runs, e.g. bpfbox trace
# against strace -f -c): no timing, no pipelines (children run one at a
# time), no randomness. Run it with a fixed environment
# (env -i PATH=/usr/bin:/bin LC_ALL=C sh workload.sh DIR) for identical
# counts across runs.
set -e
dir=${1:-.}/workload.d
mkdir -p "$dir"
cd "$dir"

# file I/O from the shell itself (open, write, close; no fork)
: >lines.txt
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	echo "line $i: Hello from the kernel" >>lines.txt
done

# fork + exec
cat lines.txt >copy.txt
n=$(wc -l <copy.txt)
echo "lines: $n"

# children one after the other, through files (a pipeline's children
# could exit together and their SIGCHLDs merge: not deterministic)
sort -r lines.txt >sorted.txt
tail -n 2 sorted.txt

# block I/O with dd: 4 blocks of 64 bytes
dd if=copy.txt of=blocks.bin bs=64 count=4 2>/dev/null
echo "blocks: $(wc -c <blocks.bin) bytes"

# a subshell (fork without exec) and an exec that replaces a shell
(cat lines.txt >sub.txt; echo "subshell: $(wc -c <sub.txt) bytes")
sh -c 'exec cat copy.txt' >exec.txt
echo "exec'd cat: $(wc -l <exec.txt) lines"

# read back through the shell (read builtin, one byte at a time in dash)
read -r first <lines.txt
echo "first: $first"

cd ..
rm -r workload.d
exit 0
