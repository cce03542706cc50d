/*
 * infile — opening outside input files safely (include/ruhu/infile.h).
 *
 * The messages name the kind of input in both languages; the format of each
 * language skips the other's noun with "%.0s" so that both formats take the
 * same arguments (RUHU_PRINTF2).
 *
 * Invariant: no byte of a file is read before fstat() has shown it to be a
 * regular file within its kind's cap (or, for the answers file only, a pipe
 * whose cap is then counted while reading).
 */
#include "ruhu/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	unsigned max;
	const char *zh, *en;         /* the input, for "too large" */
	const char *zh_not, *en_not; /* "is a directory, not ..." */
	int pipes;                   /* FIFOs and character devices allowed */
} kinds[] = {
	[INFILE_FORM] = {INFILE_FORM_MAX, "问卷文件", "form file", "问卷文件", "a form file", 0},
	[INFILE_SAMPLE] = {INFILE_SAMPLE_MAX, "样本文件", "sample file", "样本文件", "a sample file",
			   0},
	[INFILE_ANSWERS] = {INFILE_ANSWERS_MAX, "答案文件", "answers file", "答案文件",
			    "an answers file", 1},
	[INFILE_BUNDLE] = {INFILE_BUNDLE_MAX, "数据包", "bundle", "数据包", "a bundle", 0},
};

unsigned infile_max(enum infile_kind kind)
{
	return kinds[kind].max;
}

int infile_open(const char *path, enum infile_kind kind, FILE **out, unsigned long long *size,
		struct error *err)
{
	struct stat st;
	int fd, flags;

	*out = NULL;
	if (size)
		*size = 0;
	/* a FIFO with no writer would block the open itself; the answers file
	 * may be a pipe on purpose, and then waiting for its writer is right */
	fd = open(path, O_RDONLY | O_CLOEXEC | (kinds[kind].pipes ? 0 : O_NONBLOCK));
	if (fd < 0) {
		error_set(err, path, "无法打开：%s", "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		error_set(err, path, "无法读取：%s", "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		error_set(err, path, "是目录，不是%1$s%2$.0s", "is a directory, not %1$.0s%2$s", kinds[kind].zh_not,
			  kinds[kind].en_not);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) &&
	    !(kinds[kind].pipes && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))) {
		if (S_ISFIFO(st.st_mode))
			error_set(err, path, "是 FIFO（管道），不是普通文件",
				  "is a FIFO (pipe), not a regular file");
		else
			error_set(err, path, "是设备或特殊文件，不是普通文件",
				  "is a device or special file, not a regular file");
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > kinds[kind].max) {
		error_set(err, path, "%1$s%2$.0s太大（%3$llu 字节，最多 %4$llu 字节）",
			  "%1$.0s%2$s too large (%3$llu bytes, at most %4$llu)", kinds[kind].zh, kinds[kind].en,
			  (unsigned long long)st.st_size, (unsigned long long)kinds[kind].max);
		goto fail;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	    !(*out = fdopen(fd, "rb"))) {
		error_set(err, path, "无法打开：%s", "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (size && S_ISREG(st.st_mode))
		*size = (unsigned long long)st.st_size;
	return 0;
fail:
	close(fd);
	return -1;
}

int infile_check_read(const char *path, enum infile_kind kind, unsigned long long n,
		      struct error *err)
{
	if (n <= kinds[kind].max)
		return 0;
	error_set(err, path, "%1$s%2$.0s太大（超过 %3$llu 字节）",
		  "%1$.0s%2$s too large (more than %3$llu bytes)",
		  kinds[kind].zh, kinds[kind].en, (unsigned long long)kinds[kind].max);
	return -1;
}

int infile_read_all(const char *path, enum infile_kind kind, struct strbuf *sb,
		    struct error *err)
{
	unsigned long long size, got = 0;
	char buf[65536];
	FILE *fp;
	size_t n;
	int ret = -1;

	if (infile_open(path, kind, &fp, &size, err) < 0)
		return -1;
	if (size)
		strbuf_grow(sb, (size_t)size);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		got += n;
		if (infile_check_read(path, kind, got, err) < 0)
			goto done;
		strbuf_add(sb, buf, n);
	}
	if (ferror(fp)) {
		error_set(err, path, "读取失败：%s", "cannot read: %s", strerror(errno));
		goto done;
	}
	ret = 0;
done:
	fclose(fp);
	return ret;
}
