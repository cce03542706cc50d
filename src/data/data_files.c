/*
 * data_files — the files of one export: written under temporary names in
 * the output folder, renamed together at the end, removed on failure, so a
 * final name never holds a half-written file.
 */
#include "data_impl.h"

#include "ruhu/store.h"
#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *data_files_add(struct data_files *fs, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->names = xrealloc(fs->names, fs->cap * sizeof(*fs->names));
		fs->tmp = xrealloc(fs->tmp, fs->cap * sizeof(*fs->tmp));
	}
	strbuf_addf(&sb, "%s/%s", fs->dir, name);
	fs->names[fs->n] = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/.%s.part", fs->dir, name);
	fs->tmp[fs->n] = strbuf_detach(&sb, NULL);
	return fs->tmp[fs->n++];
}

const char *data_files_final(const struct data_files *fs)
{
	return fs->n ? fs->names[fs->n - 1] : fs->dir;
}

int data_io_fail(struct error *err, const char *name, const char *what_zh, const char *what_en)
{
	int e = errno;
	bool full = e == ENOSPC || e == EDQUOT;

	/* each language prints its own words: %.0s swallows the other's */
	if (full)
		error_set(err, name, "%1$s失败：磁盘已满%2$.0s", "%1$.0s%2$s failed: disk full",
			  what_zh, what_en);
	else
		error_set(err, name, "%1$s：%3$s%2$.0s", "%1$.0s%2$s: %3$s", what_zh, what_en,
			  strerror(e));
	if (err)
		err->code = full ? STORE_E_FULL : STORE_E_IO;
	return full ? -STORE_E_FULL : -STORE_E_IO;
}

FILE *data_fopen(const char *tmp, const char *name, struct error *err)
{
	FILE *fp = fopen(tmp, "wb");

	if (!fp)
		data_io_fail(err, name, "无法创建文件", "cannot create the file");
	return fp;
}

int data_fclose(FILE *fp, const char *name, struct error *err)
{
	int bad = ferror(fp);

	if (fflush(fp) != 0 || bad || fsync(fileno(fp)) != 0) {
		int e = errno;

		fclose(fp);
		errno = bad && !e ? EIO : e;
		return data_io_fail(err, name, "写入失败", "cannot write");
	}
	if (fclose(fp) != 0)
		return data_io_fail(err, name, "写入失败", "cannot write");
	return 0;
}

int data_files_commit(struct data_files *fs, struct error *err)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		if (rename(fs->tmp[i], fs->names[i]) != 0)
			return data_io_fail(err, fs->names[i], "无法改名", "cannot rename");
		free(fs->tmp[i]);
		fs->tmp[i] = NULL;
	}
	return 0;
}

void data_files_abort(struct data_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->tmp[i])
			unlink(fs->tmp[i]);
}

void data_files_free(struct data_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->names[i]);
		free(fs->tmp[i]);
	}
	free(fs->names);
	free(fs->tmp);
	free(fs->dir);
	memset(fs, 0, sizeof(*fs));
}
