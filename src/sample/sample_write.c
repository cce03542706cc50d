/*
 * sample_write — writes the outputs of `ruhu sample` into a folder, readable
 * by the user only: the sample is secret until the team has left (the
 * seeds insist). Each file is written under a temporary name created 0600
 * with O_EXCL (never through a link someone left there), synced, then
 * renamed over its final name, so a reader never sees half a file.
 */
#include "sample_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_file(const char *dir, const char *name, const struct strbuf *sb,
		      struct error *err)
{
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t off = 0;
	int fd, ret = -1;

	strbuf_addf(&path, "%s/%s", dir, name);
	strbuf_addf(&tmp, "%s/.%s.tmp", dir, name);
	unlink(tmp.buf);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		error_set(err, tmp.buf, "无法创建：%s", "cannot create: %s", strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0600) < 0) {
		error_set(err, tmp.buf, "无法设置权限：%s", "cannot set its mode: %s",
			  strerror(errno));
		goto fail;
	}
	while (off < sb->len) {
		ssize_t w = write(fd, sb->buf + off, sb->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			error_set(err, tmp.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		error_set(err, tmp.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		error_set(err, tmp.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path.buf) < 0) {
		error_set(err, path.buf, "无法写入：%s", "cannot write: %s", strerror(errno));
		goto fail;
	}
	ret = 0;
	goto done;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
done:
	strbuf_release(&path);
	strbuf_release(&tmp);
	return ret;
}

int sample_draw_write(const struct sample_draw *d, const char *dir, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret = -1;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		error_set(err, dir, "无法创建目录：%s", "cannot create the folder: %s",
			  strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error_set(err, dir, "不是目录", "not a folder");
		return -1;
	}
	sample_draw_list(d, SAMPLE_FIELD, &sb);
	if (write_file(dir, "field.csv", &sb, err) < 0)
		goto done;
	strbuf_reset(&sb);
	sample_draw_list(d, SAMPLE_PHONE, &sb);
	if (write_file(dir, "phone.csv", &sb, err) < 0)
		goto done;
	strbuf_reset(&sb);
	sample_draw_workload(d, &sb);
	if (write_file(dir, "workload.csv", &sb, err) < 0)
		goto done;
	strbuf_reset(&sb);
	sample_draw_summary(d, &sb);
	if (write_file(dir, "summary.csv", &sb, err) < 0)
		goto done;
	ret = 0;
done:
	strbuf_release(&sb);
	return ret;
}
