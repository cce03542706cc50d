#!/bin/sh
# The core library holds the core only: libruhu.a ($1) defines no tool
# (synth_* lives in libruhu_synth.a, tools/synth) and needs no terminal
# library (no undefined curses symbol). Reads the archive's symbol table
# with nm.
set -u
lib=${1:?usage: check-layers.sh libruhu.a}
command -v nm >/dev/null 2>&1 || { echo "nm is missing: skipped"; exit 77; }
syms=$(nm -A "$lib" 2>/dev/null) || { echo "FAIL: nm cannot read $lib"; exit 1; }
fails=0
bad=$(printf '%s\n' "$syms" | grep -E ' [TDBR] synth_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: libruhu.a defines synth symbols:"
	printf '%s\n' "$bad"
	fails=1
fi
bad=$(printf '%s\n' "$syms" | grep -E ' U (initscr|newwin|wrefresh|wgetch|endwin|stdscr|getch|mvwaddstr|wmove)$' || true)
if [ -n "$bad" ]; then
	echo "FAIL: libruhu.a needs curses:"
	printf '%s\n' "$bad"
	fails=1
fi
[ $fails -eq 0 ] && echo "ok: libruhu.a holds no tool and no terminal code"
exit $fails
