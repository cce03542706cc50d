/*
 * ident — the one identifier rule (ruhu/ident.h). One pass over the bytes:
 * UTF-8 is decoded with the one codec (ruhu/utf8.h), so "valid" means the
 * same here as everywhere else; the faults are checked in a fixed order
 * (length, encoding, control, separator, "..") so a value always gets the
 * same message.
 */
#include "ruhu/ident.h"

#include "ruhu/strbuf.h"
#include "ruhu/utf8.h"

#include <string.h>

enum ident_fault ident_fault(const char *s)
{
	const char *p, *end;
	size_t len;

	if (!s || !*s)
		return IDENT_EMPTY;
	len = strlen(s);
	if (len > IDENT_MAX)
		return IDENT_TOO_LONG;
	if (!utf8_valid(s, len))
		return IDENT_BAD_UTF8;
	end = s + len;
	for (p = s; p < end;) {
		uint32_t c = utf8_decode(&p, end);

		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			return IDENT_CONTROL;
	}
	if (strchr(s, '/') || strchr(s, '\\'))
		return IDENT_SEPARATOR;
	if (strstr(s, ".."))
		return IDENT_DOTDOT;
	return IDENT_OK;
}

/* Sets err to the two messages built by the caller ("%.0s" consumes the
 * other language's argument, so both formats take the same arguments). */
static void set2(struct error *err, const struct strbuf *zh, const struct strbuf *en)
{
	error_set(err, NULL, "%1$s%2$.0s", "%1$.0s%2$s", zh->buf, en->buf);
}

int ident_check(const char *s, enum ident_kind kind, struct error *err)
{
	static const char *const zh_kind[] = {"设备编号", "表单编号", "户编号", "调查员编号"};
	static const char *const en_kind[] = {"device id", "form id", "household key",
					      "enumerator id"};
	struct strbuf zh = STRBUF_INIT, en = STRBUF_INIT;
	enum ident_fault f = ident_fault(s);
	unsigned k = (unsigned)kind < sizeof(en_kind) / sizeof(en_kind[0]) ? (unsigned)kind : 0;

	if (f == IDENT_OK)
		return 0;
	if (f == IDENT_EMPTY) {
		strbuf_addf(&zh, "%s为空", zh_kind[k]);
		strbuf_addf(&en, "empty %s", en_kind[k]);
	} else if (f == IDENT_TOO_LONG) {
		strbuf_addf(&zh, "%s过长：%zu 字节（上限 %d 字节）", zh_kind[k], strlen(s), IDENT_MAX);
		strbuf_addf(&en, "%s too long: %zu bytes (limit %d bytes)", en_kind[k], strlen(s),
			    IDENT_MAX);
	} else {
		const char *zr = "", *er = "";
		char sep[2] = {strchr(s, '/') ? '/' : '\\', 0};

		switch (f) {
		case IDENT_BAD_UTF8:
			zr = "不是有效的 UTF-8 文本";
			er = "not valid UTF-8 text";
			break;
		case IDENT_CONTROL:
			zr = "含有控制字符";
			er = "holds a control character";
			break;
		case IDENT_SEPARATOR:
			zr = "含有路径分隔符";
			er = "holds a path separator";
			break;
		default:
			zr = "含有 '..'";
			er = "holds '..'";
			break;
		}
		strbuf_addf(&zh, "%s '%s' 无效：%s", zh_kind[k], s, zr);
		strbuf_addf(&en, "invalid %s '%s': %s", en_kind[k], s, er);
		if (f == IDENT_SEPARATOR) {
			strbuf_addf(&zh, " '%s'", sep);
			strbuf_addf(&en, " '%s'", sep);
		}
	}
	set2(err, &zh, &en);
	strbuf_release(&zh);
	strbuf_release(&en);
	return -1;
}
