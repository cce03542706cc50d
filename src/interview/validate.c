/*
 * validate — the syntax of answer values, type by type, as ODK stores them:
 * integers (32-bit, optional sign), decimals (plain decimal notation with an
 * optional exponent), dates YYYY-MM-DD (real calendar dates), times
 * HH:MM[:SS[.fff]][Z|+HH:MM], dateTimes DATE'T'TIME, geopoints
 * "lat lon [alt [accuracy]]". Each returns 0 when the text is valid, -1 not.
 */
#include "iv_impl.h"

#include "ruhu/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int interview_check_integer(const char *s)
{
	const char *p = s;
	long long v = 0;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
		if (v > (long long)INT_MAX + 1)
			return -1;
	}
	if (v > INT_MAX && s[0] != '-')
		return -1;
	return 0;
}

int interview_check_decimal(const char *s, double *out)
{
	const char *p = s;
	char *end;
	bool digits = false;
	double d;

	if (*p == '-' || *p == '+')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (*end || !isfinite(d))
		return -1;
	if (out)
		*out = d;
	return 0;
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static int date_part(const char **p)
{
	int y, m, d;

	if (digits(p, 4, &y) < 0 || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &m) < 0 || **p != '-')
		return -1;
	(*p)++;
	if (digits(p, 2, &d) < 0)
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	return 0;
}

static int time_part(const char **p)
{
	int h, m, s, tzh, tzm;

	if (digits(p, 2, &h) < 0 || **p != ':')
		return -1;
	(*p)++;
	if (digits(p, 2, &m) < 0)
		return -1;
	if (h > 23 || m > 59)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (digits(p, 2, &s) < 0 || s > 59)
			return -1;
		if (**p == '.') {
			(*p)++;
			if (!isdigit((unsigned char)**p))
				return -1;
			while (isdigit((unsigned char)**p))
				(*p)++;
		}
	}
	if (**p == 'Z') {
		(*p)++;
	} else if (**p == '+' || **p == '-') {
		(*p)++;
		if (digits(p, 2, &tzh) < 0 || tzh > 14)
			return -1;
		if (**p == ':')
			(*p)++;
		if (digits(p, 2, &tzm) < 0 || tzm > 59)
			return -1;
	}
	return 0;
}

int interview_check_date(const char *s)
{
	return date_part(&s) < 0 || *s ? -1 : 0;
}

int interview_check_time(const char *s)
{
	return time_part(&s) < 0 || *s ? -1 : 0;
}

int interview_check_datetime(const char *s)
{
	if (date_part(&s) < 0 || *s != 'T')
		return -1;
	s++;
	return time_part(&s) < 0 || *s ? -1 : 0;
}

int interview_check_geopoint(const char *s)
{
	char *copy = xstrdup(s), *tok, *save = NULL;
	double v[4];
	int n = 0, ret = -1;

	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == 4 || interview_check_decimal(tok, &v[n]) < 0)
			goto done;
		n++;
	}
	if (n < 2 || v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180)
		goto done;
	if (n == 4 && v[3] < 0)
		goto done;
	ret = 0;
done:
	free(copy);
	return ret;
}

