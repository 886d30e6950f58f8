#!/usr/bin/env bash
# tests/test_layout.sh - the include matrix between the folders of src/.
#
# Reads every `#include "DIR/..."` line of src/*/*.[ch] (DIR a folder of
# src/), prints the matrix (row includes column: the number of include
# lines) and fails on any two-way pair (A includes B and B includes A) and
# on any longer cycle between folders, so that dependencies point one way
# (docs/ARCHITECTURE.md, "Rooms"). Before judging src/ it checks itself on
# a made-up tree with a cycle, which it must reject.
#
#   bash tests/test_layout.sh [SRC_DIR]     (default: src)
set -u

pass=0 fail=0

# matrix SRC - print "A B N" for each folder A whose files include folder B's
# headers N times (A != B).
matrix() {
	local src=$1 f dir inc
	for f in "$src"/*/*.[ch]; do
		[[ -e $f ]] || continue
		dir=${f#"$src"/}; dir=${dir%%/*}
		grep -hoE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[^"/]+/' "$f" |
			sed -E 's/.*"([^"/]+)\/$/\1/' | while read -r inc; do
			[[ $inc != "$dir" && -d $src/$inc ]] && echo "$dir $inc"
		done
	done | sort | uniq -c | awk '{print $2, $3, $1}'
}

# judge SRC QUIET - print the matrix (unless QUIET) and every two-way pair and
# cycle; returns 1 if there is one.
judge() {
	local src=$1 quiet=$2 edges dirs bad=0
	edges=$(matrix "$src")
	dirs=$(for d in "$src"/*/; do basename "$d"; done)
	if [[ $quiet == 0 ]]; then
		echo "include matrix of $src/ (row includes column; number of #include lines):"
		awk -v dirs="$dirs" 'BEGIN { n = split(dirs, d, "\n") }
			{ m[$1 " " $2] = $3 }
			END {
				printf "%-10s", ""
				for (j = 1; j <= n; j++) printf " %5.5s", d[j]
				printf "\n"
				for (i = 1; i <= n; i++) {
					printf "%-10s", d[i]
					for (j = 1; j <= n; j++) {
						k = d[i] " " d[j]
						printf " %5s", (i == j) ? "\\" : ((k in m) ? m[k] : ".")
					}
					printf "\n"
				}
			}' <<<"$edges"
	fi
	# two-way pairs
	while read -r a b _; do
		[[ -z $a ]] && continue
		if grep -q "^$b $a " <<<"$edges" && [[ $a < $b ]]; then
			echo "two-way pair: $a <-> $b"
			grep -H -E "#[[:space:]]*include[[:space:]]+\"$b/" "$src/$a"/*.[ch] | sed 's/^/    /'
			grep -H -E "#[[:space:]]*include[[:space:]]+\"$a/" "$src/$b"/*.[ch] | sed 's/^/    /'
			bad=1
		fi
	done <<<"$edges"
	# longer cycles: a topological order must exist (tsort reports loops)
	if ! awk '{print $1, $2}' <<<"$edges" | tsort >/dev/null 2>"$tmpd/tsort.err"; then
		echo "cycle between folders:"
		sed 's/^/    /' "$tmpd/tsort.err"
		bad=1
	fi
	return $bad
}

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# 1. the check itself: a tree with a two-way pair and one with a 3-cycle
mkdir -p "$tmpd/t1/a" "$tmpd/t1/b" "$tmpd/t2/a" "$tmpd/t2/b" "$tmpd/t2/c"
printf '#include "b/b.h"\n' >"$tmpd/t1/a/a.c"
printf '#include <stdio.h>\n  #include "a/a.h"\n' >"$tmpd/t1/b/b.h"
printf '#include "b/b.h"\n' >"$tmpd/t2/a/a.c"
printf '#include "c/c.h"\n' >"$tmpd/t2/b/b.c"
printf '#include "a/a.h"\n#include "c/own.h"\n' >"$tmpd/t2/c/c.c"
for t in t1 t2; do
	if judge "$tmpd/$t" 1 >"$tmpd/out" 2>&1; then
		echo "FAIL: the check accepts a made-up tree with a cycle ($t)"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
rm -rf "$tmpd/t3"; mkdir -p "$tmpd/t3/a" "$tmpd/t3/b"
printf '#include "b/b.h"\n' >"$tmpd/t3/a/a.c"
printf '#include "util/x.h"\n' >"$tmpd/t3/b/b.c"
if judge "$tmpd/t3" 1 >"$tmpd/out" 2>&1; then
	pass=$((pass + 1))
else
	echo "FAIL: the check rejects a made-up tree without a cycle"; cat "$tmpd/out"
	fail=$((fail + 1))
fi

# 2. src/
SRC=${1:-src}
if judge "$SRC" 0; then
	echo "ok: no two folders of $SRC/ include each other, no cycle"
	pass=$((pass + 1))
else
	echo "FAIL: the folders of $SRC/ include each other (see above)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
(( fail == 0 ))
