#!/usr/bin/env bash
# tests/test_install.sh - `make install DESTDIR=<scratch> PREFIX=/usr`, then,
# against the installed tree only: the embedding examples
# (examples/embed/load_run.c, the README's library example, and embed.c)
# built with `pkg-config --cflags --libs libbpfbox` (PKG_CONFIG_SYSROOT_DIR
# and PKG_CONFIG_LIBDIR into the scratch tree) and run, linked shared and
# static; the shared library's SONAME (readelf -d) and exports (nm -D:
# bpfbox_* only); the static library's global symbols (bpfbox_* or an
# internal bx*_ prefix); the man page has a section per command of the
# README; the bash completion offers the commands of `bpfbox help`;
# `make uninstall` removes every file. Run from the repo root.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bpfbox
D=$T/stage
U=$D/usr
# check NAME GOT WANT: exact ('~RE': regex)
check() {
	local ok=0
	if [[ $3 == '~'* ]]; then [[ $2 =~ ${3:1} ]] && ok=1; else [[ $2 == "$3" ]] && ok=1; fi
	if (( ok )); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got [$2] want [$3]"; fi
}
# the sanitizer build's library needs the sanitizer runtime in what links it
san=()
[[ ${SAN:-0} == 1 ]] && san=(-fsanitize=address,undefined)

# ---- make install --------------------------------------------------------------------------
(cd "$ROOT" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s install DESTDIR="$D" PREFIX=/usr \
	SAN="${SAN:-0}" DEPS=0) >install.log 2>&1
check install-rc $? 0
[[ -s install.log ]] && head -n 5 install.log | sed 's/^/    /'
for f in bin/bpfbox include/bpfbox/bpfbox.h include/bpfbox/object.h include/bpfbox/map.h \
	lib/libbpfbox.a lib/libbpfbox.so.0.1.0 lib/pkgconfig/libbpfbox.pc share/man/man1/bpfbox.1 \
	share/bash-completion/completions/bpfbox; do
	t "installed-$f" 0 '' '' -- test -s "$U/$f"
done
check headers "$(cd "$ROOT/include/bpfbox" && ls *.h | tr '\n' ' ')" "$(cd "$U/include/bpfbox" && ls *.h | tr '\n' ' ')"
check so-links "$(readlink "$U/lib/libbpfbox.so.0") $(readlink "$U/lib/libbpfbox.so")" "libbpfbox.so.0.1.0 libbpfbox.so.0"

# ---- the libraries' symbols ----------------------------------------------------------------
check soname "$(readelf -d "$U/lib/libbpfbox.so.0.1.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" libbpfbox.so.0
# every defined dynamic symbol but the version node (type A) is bpfbox_*
exports=$(nm -D --defined-only "$U/lib/libbpfbox.so.0.1.0" | awk '$2 != "A" {print $3}')
check exports-some "$(grep -c '^bpfbox_' <<<"$exports")" '~^[1-9][0-9]+$'
check exports-only-bpfbox "$(grep -v '^bpfbox_' <<<"$exports" | tr '\n' ' ')" ''
# (ASan's build adds an __odr_asan. twin of each global: it names the same symbol)
check static-prefixes "$(nm -g --defined-only "$U/lib/libbpfbox.a" | awk 'NF == 3 {print $3}' |
	sed 's/^__odr_asan\.//' | grep -Ev '^(bpfbox_|bx[a-z]?_)' | tr '\n' ' ')" ''

# ---- pkg-config ----------------------------------------------------------------------------
export PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$U/lib/pkgconfig PKG_CONFIG_PATH=
flags=$(pkg-config --cflags --libs libbpfbox | sed "s/ *$//")
check pc-flags "$flags" "-I$U/include -L$U/lib -lbpfbox"
check pc-version "bpfbox $(pkg-config --modversion libbpfbox)" "$("$BPFBOX" --version)"

# ---- the embedding examples, built against the installed tree -------------------------------
# load_run: oracle = the kernel (tests/test_pkt_kernel.c: xdp_drop_tcp drops
# IPv4 TCP); the packet leaves unchanged (54 bytes); one run counts one drop.
want_lr='retval = 1 (XDP_DROP), 54 bytes out, stats[drop] = 1'
# embed: hand-computed, sum of i * buf[i-1] for buf = 1..5 is 55 = 0x37
want_em='r0 = 0x37 (sum of i * buf[i-1] for i = 1..5: 55)'
# shellcheck disable=SC2086
cc "${san[@]}" -o load_run "$ROOT/examples/embed/load_run.c" $flags 2>cc.err
check build-load_run-shared $? 0; head -n 5 cc.err
# shellcheck disable=SC2086
cc "${san[@]}" -o embed "$ROOT/examples/embed/embed.c" $flags 2>cc.err
check build-embed-shared $? 0; head -n 5 cc.err
check uses-installed-so "$(LD_LIBRARY_PATH=$U/lib ldd ./load_run | awk '/libbpfbox/ {print $1, $3}')" \
	"libbpfbox.so.0 $U/lib/libbpfbox.so.0"
t run-load_run-shared 0 "$want_lr" '' -- env LD_LIBRARY_PATH="$U/lib" ./load_run "$BUILD/examples/xdp_drop_tcp.o"
t run-embed-shared 0 "$want_em" '' -- env LD_LIBRARY_PATH="$U/lib" ./embed
# static: the archive, with the private libraries pkg-config --static names
# shellcheck disable=SC2046
cc "${san[@]}" -o load_run_static "$ROOT/examples/embed/load_run.c" $(pkg-config --cflags libbpfbox) \
	"$U/lib/libbpfbox.a" $(pkg-config --static --libs-only-l libbpfbox | sed 's/-lbpfbox//') 2>cc.err
check build-load_run-static $? 0; head -n 5 cc.err
check static-no-so "$(ldd ./load_run_static | grep -c libbpfbox)" 0
t run-load_run-static 0 "$want_lr" '' -- ./load_run_static "$BUILD/examples/xdp_drop_tcp.o"

# ---- the installed CLI, man page and completion ---------------------------------------------
t cli-version 0 "$("$BPFBOX" --version)" '' -- "$U/bin/bpfbox" --version
# the CLI links libc alone (libpcap and capstone are opened when needed)
check cli-libs "$(ldd "$U/bin/bpfbox" | awk '{print $1}' | grep -Ev '^(linux-vdso|/lib64/ld-linux|libc\.so|lib(a|ub)san|libm\.so|libgcc_s|libstdc\+\+|libpthread)' | tr '\n' ' ')" ''
# every command of the README's command-line block has a section in the man page
cmds=$(awk '/^## The command line/ {s = 1} s && /^```$/ {n++; if (n == 2) exit; next} s && n == 1' "$ROOT/README.md" |
	awk '$1 == "bpfbox" {print ($2 == "prog" ? $2 " " $3 : $2)}' | sed 's/ jited|xlated/ dump/' | sort -u)
check readme-commands "$(wc -l <<<"$cmds")" '~^1[0-9]$'
while read -r c; do
	[[ $c == prog\ dump* ]] && c='prog dump'
	t "man-section-$c" 0 '*' '' -- grep -q "^\\.SS \"bpfbox $c" "$U/share/man/man1/bpfbox.1"
done <<<"$cmds"
help_cmds=$("$BPFBOX" help | awk '/^Commands:/ {s = 1; next} s && /^  [a-z]/ {print $1}' | sort | tr '\n' ' ')
comp=$(bash -c '. "$1"; COMP_WORDS=(bpfbox ""); COMP_CWORD=1; _bpfbox; printf "%s\n" "${COMPREPLY[@]}"' _ \
	"$U/share/bash-completion/completions/bpfbox" | grep -v '^-' | grep -vx help | sort | tr '\n' ' ')
check completion-commands "$comp" "$help_cmds"
comp=$(bash -c '. "$1"; COMP_WORDS=(bpfbox run --e); COMP_CWORD=2; _bpfbox; printf "%s\n" "${COMPREPLY[@]}"' _ \
	"$U/share/bash-completion/completions/bpfbox" | tr '\n' ' ')
check completion-options "$comp" "--engine "

# ---- make uninstall ------------------------------------------------------------------------
(cd "$ROOT" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s uninstall DESTDIR="$D" PREFIX=/usr \
	SAN="${SAN:-0}" DEPS=0) >uninstall.log 2>&1
check uninstall-rc $? 0
check uninstall-empty "$(find "$D" -type f -o -type l | tr '\n' ' ')" ''
summary
