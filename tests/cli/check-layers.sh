#!/bin/sh
# The core library holds the core only, and every symbol it exports says
# which module it comes from. Reads libruhu.a's ($1) symbol table with nm:
# - no tool (synth_* lives in libruhu_synth.a, tools/synth);
# - no terminal library (no undefined curses symbol);
# - each object's external symbols carry its folder's prefixes (below), so
#   a reader can tell where a function lives from its name and no two
#   modules can collide on a short name like `stmt` or `iv_`.
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
# Module prefixes by object folder. src/util's allocation helpers
# (xmalloc, xstrdup, ...) keep git's well-known x- names on purpose.
bad=$(printf '%s\n' "$syms" | awk '
	$2 ~ /^[TDBR]$/ {
		n = split($1, a, ":"); o = a[n - 1]; sub(/^.*\//, "", o)
		s = $3; ok = 1
		# -fsanitize=address adds an ODR indicator per global: judge the global
		sub(/^__odr_asan\./, "", s)
		if (o ~ /^src_util_/)
			ok = s ~ /^(strbuf|error|diag|i18n|digest|utf8|csvread|csvbuf|termsafe|ident|infile)_/ ||
			     s ~ /^x(malloc|calloc|realloc|strdup|strndup|grow)$/
		else if (o ~ /^src_form_/) ok = s ~ /^(form|workbook|xlsform)_/
		else if (o ~ /^src_expr_/) ok = s ~ /^expr_/
		else if (o ~ /^src_interview_/) ok = s ~ /^(interview|answers)_/
		else if (o ~ /^src_sample_/) ok = s ~ /^sample_/
		else if (o ~ /^src_store_/) ok = s ~ /^store_/
		else if (o ~ /^src_score_/) ok = s ~ /^(score|profile)_/
		else if (o ~ /^src_audit_/) ok = s ~ /^audit_/
		else if (o ~ /^src_data_/) ok = s ~ /^data_/
		else if (o ~ /^src_pg_/) ok = s ~ /^pg_/
		else if (o ~ /^sync_/) ok = s ~ /^(bundle|merge|export|conflicts?|seal)_/
		else if (o ~ /^src_keys_/) ok = s ~ /^keys_/
		else ok = 0
		if (!ok) print "  " o ": " s
	}')
if [ -n "$bad" ]; then
	echo "FAIL: libruhu.a exports symbols without their module prefix (see docs/architecture.md):"
	printf '%s\n' "$bad"
	fails=1
fi
[ $fails -eq 0 ] && echo "ok: libruhu.a holds no tool and no terminal code; every symbol carries its module prefix"
exit $fails
