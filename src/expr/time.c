/*
 * time — dates and times for expressions, as ODK's evaluators treat them.
 *
 * A date value is a number of days since 1970-01-01T00:00Z as an instant
 * (milliseconds / 86400000), so a date-only string means local midnight:
 * under UTC-7, "1970-01-01" is 0.29167. Local time is the process time zone
 * (TZ); strings with an explicit offset ("Z", "+08:00") are exact instants.
 */
#include "expr_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MS_PER_DAY 86400000.0

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (shifting the
 * year to start in March makes the leap day the last day of the year). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* reads 1..max digits; returns how many were read */
static int digits(const char **p, const char *end, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (*p < end && n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * The UTC offset (seconds east) of the process time zone at instant t.
 * glibc's localtime_r() re-parses the zone's POSIX rule with sscanf for every
 * instant after the zone file's last transition (all of today's dates in
 * Asia/Shanghai), about 1 us a call; offsets change only at transitions, so
 * they are cached per 15-minute slot, per thread, keyed by the TZ variable
 * (callers run tzset() after changing TZ, as ruhu/expr.h says).
 */
#define SLOT 900
#define NCACHE 256

static _Thread_local struct {
	char tz[128];
	bool tz_set;
	int64_t slot[NCACHE];
	long off[NCACHE];
	bool valid[NCACHE];
} cache;

static int gmtoff_at(int64_t t, long *off)
{
	const char *tz = getenv("TZ");
	bool set = tz != NULL;
	int64_t slot = (t >= 0 ? t : t - (SLOT - 1)) / SLOT;
	unsigned k = (unsigned)(((uint64_t)slot * 0x9e3779b97f4a7c15ull) >> 56) % NCACHE;
	time_t tt = (time_t)t;
	struct tm tm;

	if (!tz)
		tz = "";
	if (set != cache.tz_set || strncmp(cache.tz, tz, sizeof(cache.tz))) {
		memset(cache.valid, 0, sizeof(cache.valid));
		snprintf(cache.tz, sizeof(cache.tz), "%s", tz);
		cache.tz_set = set;
	}
	if (cache.valid[k] && cache.slot[k] == slot) {
		*off = cache.off[k];
		return 0;
	}
	if (!localtime_r(&tt, &tm))
		return -1;
	/* a transition inside the slot: do not cache that slot */
	{
		time_t a = (time_t)(slot * SLOT), b = (time_t)(slot * SLOT + SLOT - 1);
		struct tm ta, tb;

		if (localtime_r(&a, &ta) && localtime_r(&b, &tb) && ta.tm_gmtoff == tb.tm_gmtoff) {
			cache.slot[k] = slot;
			cache.off[k] = tm.tm_gmtoff;
			cache.valid[k] = true;
		}
	}
	*off = tm.tm_gmtoff;
	return 0;
}

/* milliseconds of local wall time y-m-d h:mi:s.ms in the process time zone.
 * Not mktime(): glibc's mktime re-runs tzset() on every call (and re-reads
 * /etc/localtime when TZ is unset). In a DST gap or overlap the offset found
 * after two refinements is used. */
static int local_ms(int y, int m, int d, int h, int mi, int sec, double ms, double *out)
{
	int64_t wall = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + sec;
	int64_t t = wall;
	long off;
	int k;

	if (wall < -(int64_t)1e13 || wall > (int64_t)1e13)
		return -1;
	for (k = 0; k < 2; k++) {
		if (gmtoff_at(t, &off) < 0)
			return -1;
		t = wall - off;
	}
	*out = (double)t * 1000.0 + ms;
	return 0;
}

/* local broken-down time of instant t (seconds): fields, weekday, offset */
static int local_tm(int64_t t, struct tm *tm)
{
	long off;
	int64_t days, secs, y;
	int m, d;

	if (gmtoff_at(t, &off) < 0)
		return -1;
	secs = t + off;
	days = (secs >= 0 ? secs : secs - 86399) / 86400;
	secs -= days * 86400;
	civil_from_days(days, &y, &m, &d);
	memset(tm, 0, sizeof(*tm));
	if (y < -100000 || y > 100000)
		return -1;
	tm->tm_year = (int)(y - 1900);
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)(((days + 4) % 7 + 7) % 7);
	tm->tm_gmtoff = off;
	return 0;
}

/* [T|space]HH:MM[:SS[.fff]] then [Z|+HH[:MM]|+HHMM]; returns 0 and the parts */
static int parse_clock(const char **pp, const char *end, int *h, int *mi, int *sec, double *ms)
{
	const char *p = *pp;
	int v;

	if (digits(&p, end, 2, h) != 2 || p >= end || *p != ':')
		return -1;
	p++;
	if (digits(&p, end, 2, mi) != 2)
		return -1;
	*sec = 0;
	*ms = 0;
	if (p < end && *p == ':') {
		p++;
		if (digits(&p, end, 2, sec) != 2)
			return -1;
		if (p < end && *p == '.') {
			double scale = 100;

			p++;
			if (p >= end || *p < '0' || *p > '9')
				return -1;
			while (p < end && *p >= '0' && *p <= '9') {
				*ms += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if (*h > 23 || *mi > 59 || *sec > 59)
		return -1;
	(void)v;
	*pp = p;
	return 0;
}

/* zone: returns 1 and the offset in minutes, 0 when absent, -1 invalid */
static int parse_zone(const char **pp, const char *end, int *off)
{
	const char *p = *pp;
	int sign, hh, mm = 0;

	if (p >= end)
		return 0;
	if (*p == 'Z') {
		*off = 0;
		*pp = p + 1;
		return 1;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p == '-' ? -1 : 1;
	p++;
	if (digits(&p, end, 2, &hh) != 2)
		return -1;
	if (p < end && *p == ':')
		p++;
	if (p < end && digits(&p, end, 2, &mm) != 2)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 60 + mm);
	*pp = p;
	return 1;
}

int expr_time_parse(const char *s, size_t len, double *days, bool *date_only)
{
	const char *p = s, *end = s + len;
	int y, m, d, h = 0, mi = 0, sec = 0, off = 0, zone = 0;
	double ms = 0, total;

	if (digits(&p, end, 4, &y) != 4 || p >= end || *p != '-')
		return -1;
	p++;
	if (!digits(&p, end, 2, &m) || p >= end || *p != '-')
		return -1;
	p++;
	if (!digits(&p, end, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*date_only = p == end;
	if (p < end) {
		if (*p != 'T' && *p != ' ')
			return -1;
		p++;
		if (parse_clock(&p, end, &h, &mi, &sec, &ms) < 0)
			return -1;
		zone = parse_zone(&p, end, &off);
		if (zone < 0 || p != end)
			return -1;
	}
	if (zone) {
		total = ((double)days_from_civil(y, m, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec -
			 off * 60.0) * 1000.0 + ms;
	} else if (local_ms(y, m, d, h, mi, sec, ms, &total) < 0) {
		return -1;
	}
	*days = total / MS_PER_DAY;
	return 0;
}

double expr_time_decimal_time(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int h, mi, sec, off = 0, zone;
	double ms, total;
	time_t t;
	struct tm tm;

	if (parse_clock(&p, end, &h, &mi, &sec, &ms) < 0)
		return NAN;
	zone = parse_zone(&p, end, &off);
	if (zone < 0 || p != end)
		return NAN;
	if (!zone)
		return (h * 3600.0 + mi * 60.0 + sec + ms / 1000.0) / 86400.0;
	/* an instant on 1970-01-01 (as JavaRosa anchors times), seen locally */
	total = (h * 3600.0 + mi * 60.0 + sec - off * 60.0) * 1000.0 + ms;
	t = (time_t)floor(total / 1000.0);
	if (local_tm((int64_t)t, &tm) < 0)
		return NAN;
	return (tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec +
		(total - (double)t * 1000.0) / 1000.0) / 86400.0;
}

/* local broken-down time of `days` and its milliseconds; -1 if out of range */
static int breakdown(double days, struct tm *tm, int *msec)
{
	double total = floor(days * MS_PER_DAY + 0.5);
	double secs = floor(total / 1000.0);
	time_t t;

	if (!(fabs(secs) < 1e14))
		return -1;
	t = (time_t)secs;
	*msec = (int)(total - secs * 1000.0);
	return local_tm((int64_t)t, tm);
}

size_t expr_time_format_iso(double days, char *buf, size_t size)
{
	struct tm tm;
	int msec, n;
	long off;

	if (isnan(days) || breakdown(days, &tm, &msec) < 0) {
		n = snprintf(buf, size, "Invalid Date");
		return (size_t)n;
	}
	if (!tm.tm_hour && !tm.tm_min && !tm.tm_sec && !msec) {
		n = snprintf(buf, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return (size_t)n;
	}
	off = tm.tm_gmtoff / 60;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec,
		     off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	return n < 0 ? 0 : (size_t)n;
}

static const char *const wdays[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t expr_time_format(double days, const char *fmt, size_t fmtlen, char *buf, size_t size)
{
	struct tm tm;
	int msec;
	size_t i, o = 0;
	char tmp[32];

	if (breakdown(days, &tm, &msec) < 0) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	for (i = 0; i < fmtlen; i++) {
		const char *add = tmp;
		size_t n;

		if (fmt[i] != '%' || i + 1 >= fmtlen) {
			tmp[0] = fmt[i];
			tmp[1] = '\0';
		} else {
			switch (fmt[++i]) {
			case 'Y': snprintf(tmp, sizeof(tmp), "%04d", tm.tm_year + 1900); break;
			case 'y': snprintf(tmp, sizeof(tmp), "%02d", (tm.tm_year + 1900) % 100); break;
			case 'm': snprintf(tmp, sizeof(tmp), "%02d", tm.tm_mon + 1); break;
			case 'n': snprintf(tmp, sizeof(tmp), "%d", tm.tm_mon + 1); break;
			case 'b': add = months[tm.tm_mon]; break;
			case 'd': snprintf(tmp, sizeof(tmp), "%02d", tm.tm_mday); break;
			case 'e': snprintf(tmp, sizeof(tmp), "%d", tm.tm_mday); break;
			case 'H': snprintf(tmp, sizeof(tmp), "%02d", tm.tm_hour); break;
			case 'h': snprintf(tmp, sizeof(tmp), "%d", tm.tm_hour); break;
			case 'M': snprintf(tmp, sizeof(tmp), "%02d", tm.tm_min); break;
			case 'S': snprintf(tmp, sizeof(tmp), "%02d", tm.tm_sec); break;
			case '3': snprintf(tmp, sizeof(tmp), "%03d", msec); break;
			case 'a': add = wdays[tm.tm_wday]; break;
			case '%': add = "%"; break;
			default:
				tmp[0] = '%';
				tmp[1] = fmt[i];
				tmp[2] = '\0';
				break;
			}
		}
		n = strlen(add);
		if (o + n < size)
			memcpy(buf + o, add, n);
		o += n;
	}
	if (size)
		buf[o < size ? o : size - 1] = '\0';
	return o;
}

double expr_time_today(int64_t now_ms)
{
	int64_t t = now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000;
	struct tm tm;
	double ms;

	if (local_tm(t, &tm) < 0)
		return NAN;
	if (local_ms(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0, 0, 0, 0, &ms) < 0)
		return NAN;
	return ms / MS_PER_DAY;
}
