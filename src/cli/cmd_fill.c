/*
 * cmd_fill — `ruhu fill FORM --answers FILE.csv [--db DB]`: runs a form
 * headless from a `field,value` answers file (paper-form entry, and the form
 * author's test tool). See docs/interview.md for the answers file format.
 *
 * Rows are applied in form order (document order of their paths), whatever
 * their order in the file. A row refused because of relevance or a
 * constraint is tried once more after all the others (its condition may
 * depend on a later answer); only a refusal that stands is reported. Then the
 * completion blockers (required, constraints, filters, roster counts) are
 * reported. Any problem: every message on stderr as `FILE:ROW: field:
 * message` (or `FILE: field: message` when no row gave the field), nothing on
 * stdout, nothing stored, exit 1. Otherwise the record is printed as
 * `field,value` CSV and, with --db, stored as one completed interview in one
 * transaction.
 */
#include "cli.h"
#include "commands.h"

#include "ruhu/form.h"
#include "ruhu/i18n.h"
#include "ruhu/interview.h"
#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct row {
	int line;
	char *field;
	char *value;
	int *key;      /* document-order key (pairs), see row_key */
	size_t nkey;
	bool failed;   /* refused for good */
	bool retry;
};

struct problem {
	int line;      /* 0: no row */
	size_t seq;
	char *msg;
};

struct reader {
	struct row *rows;
	size_t n, cap;
	char *cells[3];
	size_t ncells;
	int line;       /* line being parsed */
	int rec_line;   /* line the current record started on */
	const char *file;
	struct strbuf bad;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct reader *r = ud;

	if (r->ncells == 0)
		r->rec_line = r->line;
	if (r->ncells < 3)
		r->cells[r->ncells] = xstrndup(s ? s : "", s ? len : 0);
	r->ncells++;
}

static void on_record(int c, void *ud)
{
	struct reader *r = ud;
	size_t i;

	if (r->ncells == 1 && !*r->cells[0]) {
		/* blank line */
	} else if (r->ncells != 2) {
		if (!r->bad.len)
			strbuf_addf(&r->bad, "%s:%d: %s", r->file, r->rec_line,
				    T_("应为两列：field,value", "expected two columns: field,value"));
	} else if (!(r->n == 0 && !strcmp(r->cells[0], "field") && !strcmp(r->cells[1], "value"))) {
		XGROW(r->rows, r->cap, r->n + 1);
		memset(&r->rows[r->n], 0, sizeof(r->rows[r->n]));
		r->rows[r->n].line = r->rec_line;
		r->rows[r->n].field = r->cells[0];
		r->rows[r->n].value = r->cells[1];
		r->cells[0] = r->cells[1] = NULL;
		r->n++;
	}
	for (i = 0; i < 3 && i < r->ncells; i++) {
		free(r->cells[i]);
		r->cells[i] = NULL;
	}
	r->ncells = 0;
}

/* Reads the answers file line by line (so that rows know their line). */
static int read_answers(const char *file, struct reader *r)
{
	struct csv_parser p;
	struct strbuf all = STRBUF_INIT;
	FILE *fp;
	char buf[65536];
	size_t got, pos, start;
	int ret = -1;

	fp = fopen(file, "rb");
	if (!fp) {
		cli_errorf("无法打开答案文件 '%s'：%s", "cannot open answers file '%s': %s", file,
			   strerror(errno));
		return -1;
	}
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&all, buf, got);
	if (ferror(fp)) {
		cli_errorf("无法读取答案文件 '%s'：%s", "cannot read answers file '%s': %s", file,
			   strerror(errno));
		fclose(fp);
		goto done;
	}
	fclose(fp);
	if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0)
		goto done;
	r->file = file;
	start = all.len >= 3 && !memcmp(all.buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	r->line = 1;
	for (pos = start; pos < all.len;) {
		const char *nl = memchr(all.buf + pos, '\n', all.len - pos);
		size_t len = nl ? (size_t)(nl - (all.buf + pos)) + 1 : all.len - pos;
		if (csv_parse(&p, all.buf + pos, len, on_field, on_record, r) != len) {
			fprintf(stderr, "%s:%d: %s\n", cli_safe(file), r->line,
				T_("CSV 引号格式错误", "malformed quotes in CSV"));
			csv_free(&p);
			goto done;
		}
		pos += len;
		r->line++;
	}
	if (csv_fini(&p, on_field, on_record, r) != 0) {
		fprintf(stderr, "%s:%d: %s\n", cli_safe(file), r->line - 1,
			T_("引号未闭合", "unterminated quoted value"));
		csv_free(&p);
		goto done;
	}
	csv_free(&p);
	if (r->bad.len) {
		fprintf(stderr, "%s\n", cli_safe(r->bad.buf));
		goto done;
	}
	ret = 0;
done:
	strbuf_release(&all);
	return ret;
}

/* Document-order key of a path: (node, instance) per segment, (node, sub)
 * for the field. Unknown names sort last. */
static void row_key(const struct form *f, struct row *rw)
{
	const char *p = rw->field;
	size_t cap = 0;

	for (;;) {
		const char *e = strchr(p, '/'), *br;
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *name;
		int k, idx = 0, sub = 0;
		br = memchr(p, '[', len);
		name = xstrndup(p, br ? (size_t)(br - p) : len);
		if (br)
			idx = atoi(br + 1);
		k = form_find(f, name);
		if (k < 0 && !e && strlen(name) > 6 && !strcmp(name + strlen(name) - 6, "_other")) {
			name[strlen(name) - 6] = '\0';
			k = form_find(f, name);
			sub = 1;
		}
		free(name);
		XGROW(rw->key, cap, rw->nkey + 2);
		rw->key[rw->nkey++] = k < 0 ? 1 << 30 : k;
		rw->key[rw->nkey++] = br ? idx : sub;
		if (!e)
			break;
		p = e + 1;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	size_t i;

	for (i = 0; i < x->nkey && i < y->nkey; i++)
		if (x->key[i] != y->key[i])
			return x->key[i] < y->key[i] ? -1 : 1;
	if (x->nkey != y->nkey)
		return x->nkey < y->nkey ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if ((x->line == 0) != (y->line == 0))
		return x->line == 0 ? 1 : -1; /* rowless problems last */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct problems {
	struct problem *v;
	size_t n, cap;
};

static void add_problem(struct problems *ps, const char *file, int line, const char *field,
			const struct error *err)
{
	struct strbuf sb = STRBUF_INIT;

	if (line)
		strbuf_addf(&sb, "%s:%d: %s: %s", file, line, field, error_msg(err, i18n_lang()));
	else
		strbuf_addf(&sb, "%s: %s: %s", file, field, error_msg(err, i18n_lang()));
	XGROW(ps->v, ps->cap, ps->n + 1);
	ps->v[ps->n].line = line;
	ps->v[ps->n].seq = ps->n;
	ps->v[ps->n].msg = strbuf_detach(&sb, NULL);
	ps->n++;
}

static int apply_row(struct interview *iv, struct row *rw, struct error *err)
{
	if (!strcmp(rw->value, ".d"))
		return interview_set_special(iv, rw->field, IV_DONT_KNOW, err);
	if (!strcmp(rw->value, ".r"))
		return interview_set_special(iv, rw->field, IV_REFUSED, err);
	return interview_set(iv, rw->field, rw->value, err);
}

/* Values are data: exact bytes when redirected, control characters escaped
 * (newline and tab kept) on a terminal (cli_safe_data). */
static void csv_cell(FILE *out, const char *s)
{
	s = cli_safe_data(s, out);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int print_value(void *ud, const char *path, const char *value)
{
	FILE *out = ud;

	csv_cell(out, path);
	fputc(',', out);
	csv_cell(out, value);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

struct put_ctx {
	struct store *s;
	const char *uuid;
	struct error *err;
};

static int put_answer(void *ud, const char *path, const char *value, enum interview_special sp)
{
	struct put_ctx *c = ud;

	/* value NULL and no special value: a repeat instance marker */
	return store_answer_put(c->s, c->uuid, path, sp ? NULL : value,
				sp == IV_DONT_KNOW ? STORE_SPECIAL_DONT_KNOW
				: sp == IV_REFUSED ? STORE_SPECIAL_REFUSED
						   : STORE_SPECIAL_NONE,
				NULL, c->err) < 0
		       ? -1
		       : 0;
}

/* Stores the completed interview: all or nothing. */
/* *sp: the database when it existed, else opened (created) here; the caller
 * closes it. */
static int store_interview(const char *db, struct store **sp, const struct form *f,
			   struct interview *iv)
{
	struct error err = ERROR_INIT;
	struct store *s = NULL;
	char uuid[STORE_ID_LEN + 1];
	const char *key = NULL;
	struct put_ctx pc;
	int ret = -1;
	bool tx = false;

	if (!*sp && store_open(db, STORE_OPEN_CREATE, sp, &err) < 0)
		goto done;
	s = *sp;
	if (store_tx_begin(s, &err) < 0)
		goto done;
	tx = true;
	if (form_find(f, "household_key") >= 0 &&
	    (interview_get(iv, "household_key", &key, NULL) < 0 || (key && !*key)))
		key = NULL;
	if (store_form_put(s, f, &err) < 0 ||
	    store_interview_new(s, form_hash(f), key, uuid, &err) < 0)
		goto done;
	pc.s = s;
	pc.uuid = uuid;
	pc.err = &err;
	if (interview_answers(iv, put_answer, &pc) != 0)
		goto done;
	if (store_interview_complete(s, uuid, &err) < 0)
		goto done;
	if (store_tx_commit(s, &err) < 0)
		goto done;
	tx = false;
	ret = 0;
done:
	if (ret < 0) {
		struct error e2 = ERROR_INIT;
		if (tx)
			store_tx_rollback(s, &e2);
		error_clear(&e2);
		cli_error(&err);
	}
	error_clear(&err);
	return ret;
}

int cmd_fill(int argc, char **argv)
{
	const char *form_path = NULL, *answers = NULL, *db = NULL;
	struct diag_list dl = DIAG_LIST_INIT, blockers = DIAG_LIST_INIT;
	struct reader rd = {0};
	struct problems ps = {0};
	struct interview_opts opts = {0};
	struct interview *iv = NULL;
	struct form *f = NULL;
	struct store *st = NULL;
	struct error err = ERROR_INIT;
	int ret = EXIT_FAIL, i;
	size_t r, b;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--answers") && i + 1 < argc)
			answers = argv[++i];
		else if (!strncmp(argv[i], "--answers=", 10))
			answers = argv[i] + 10;
		else if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strncmp(argv[i], "--db=", 5))
			db = argv[i] + 5;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("fill");
		else if (!form_path)
			form_path = argv[i];
		else
			return cli_usage("fill");
	}
	if (!form_path || !answers)
		return cli_usage("fill");

	if (form_load(form_path, &f, &dl) < 0) {
		cli_diags(&dl);
		goto done;
	}
	if (read_answers(answers, &rd) < 0)
		goto done;

	/* an existing database gives the device id and enumerator; a new one is
	 * only created once the interview is valid */
	opts.deviceid = "ruhu-fill";
	if (db && access(db, F_OK) == 0) {
		if (store_open(db, 0, &st, &err) < 0) {
			cli_error(&err);
			goto done;
		}
		opts.deviceid = store_device_id(st);
		opts.username = store_enumerator_get(st);
	}
	if (interview_new(f, &opts, &iv, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	for (r = 0; r < rd.n; r++)
		row_key(f, &rd.rows[r]);
	qsort(rd.rows, rd.n, sizeof(*rd.rows), row_cmp);
	/* the same field twice */
	for (r = 0; r < rd.n; r++) {
		size_t j;
		for (j = 0; j < r; j++) {
			if (!strcmp(rd.rows[j].field, rd.rows[r].field)) {
				error_set(&err, NULL, "字段重复（第 %d 行已给出）",
					  "field given twice (also on row %d)", rd.rows[j].line);
				add_problem(&ps, answers, rd.rows[r].line, rd.rows[r].field, &err);
				rd.rows[r].failed = true;
				break;
			}
		}
	}
	for (r = 0; r < rd.n; r++) {
		struct row *rw = &rd.rows[r];
		if (rw->failed)
			continue;
		if (apply_row(iv, rw, &err) < 0) {
			if (err.code == IV_E_CONSTRAINT || err.code == IV_E_NOT_RELEVANT ||
			    err.code == IV_E_FILTER)
				rw->retry = true;
			else
				add_problem(&ps, answers, rw->line, rw->field, &err);
			rw->failed = true;
		}
		error_clear(&err);
	}
	for (r = 0; r < rd.n; r++) {
		struct row *rw = &rd.rows[r];
		if (!rw->retry)
			continue;
		if (apply_row(iv, rw, &err) < 0)
			add_problem(&ps, answers, rw->line, rw->field, &err);
		else
			rw->failed = false;
		error_clear(&err);
	}
	interview_blockers(iv, &blockers);
	for (b = 0; b < blockers.n; b++) {
		const struct error *e = &blockers.items[b].e;
		int line = 0;
		bool reported = false;
		for (r = 0; r < rd.n; r++) {
			if (e->where && !strcmp(rd.rows[r].field, e->where)) {
				line = rd.rows[r].line;
				reported = rd.rows[r].failed;
			}
		}
		if (!reported)
			add_problem(&ps, answers, line, e->where ? e->where : "", e);
	}
	if (ps.n) {
		qsort(ps.v, ps.n, sizeof(*ps.v), problem_cmp);
		for (r = 0; r < ps.n; r++)
			fprintf(stderr, "%s\n", cli_safe(ps.v[r].msg));
		goto done;
	}
	if (interview_complete(iv, &err) < 0) {
		cli_error(&err);
		goto done;
	}
	if (db && store_interview(db, &st, f, iv) < 0)
		goto done;
	fputs("field,value\n", stdout);
	if (interview_record(iv, print_value, stdout) != 0 || fflush(stdout) != 0) {
		cli_errorf("无法写出结果：%s", "cannot write the result: %s", strerror(errno));
		goto done;
	}
	ret = EXIT_OK;
done:
	for (r = 0; r < rd.n; r++) {
		free(rd.rows[r].field);
		free(rd.rows[r].value);
		free(rd.rows[r].key);
	}
	free(rd.rows);
	for (r = 0; r < 3; r++)
		free(rd.cells[r]);
	strbuf_release(&rd.bad);
	for (r = 0; r < ps.n; r++)
		free(ps.v[r].msg);
	free(ps.v);
	error_clear(&err);
	diag_list_free(&dl);
	diag_list_free(&blockers);
	interview_free(iv);
	store_close(st);
	form_free(f);
	return ret;
}
