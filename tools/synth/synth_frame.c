/*
 * synth_frame — writes a synthetic household frame (tools/synth/synth_frame.h).
 *
 * Counties get between half and one and a half times the mean number of
 * households and villages; villages within a county get between 0.3 and 1.7
 * times the county's mean size, the last taking the remainder so totals are
 * exact. Household types vary by village (a poorer village has more
 * tuopin and jiance households), which is what purposive selection and the
 * phone population need to be exercised.
 */
#include "synth_frame.h"

#include "ruhu/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t sm(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double unif(uint64_t *x)
{
	return (double)(sm(x) >> 11) * (1.0 / 9007199254740992.0);
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",
				       "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗",
				       "谭", "冉", "向", "秦", "彭", "田"};
static const char *const given[] = {"国强", "秀英", "建华", "桂兰", "德明", "玉珍", "成林",
				    "春梅", "正华", "文富", "世明", "金花", "有才", "秀芬",
				    "德军", "永贵", "小平", "淑芳", "光荣", "月娥"};
#define N(a) (sizeof(a) / sizeof(a[0]))

/* splits `total` into n parts of random relative sizes in [lo, hi), each >= 1 */
static void split(uint64_t *g, size_t total, size_t n, double lo, double hi, size_t *part)
{
	double *w = xcalloc(n, sizeof(*w)), sum = 0;
	size_t i, used = 0;

	for (i = 0; i < n; i++)
		sum += w[i] = lo + (hi - lo) * unif(g);
	for (i = 0; i < n; i++) {
		size_t left = total - used - (n - 1 - i); /* keep 1 for each later part */

		part[i] = i + 1 == n ? total - used : (size_t)((double)total * w[i] / sum);
		if (part[i] < 1)
			part[i] = 1;
		if (part[i] > left)
			part[i] = left;
		used += part[i];
	}
	free(w);
}

int synth_frame_write(const struct synth_frame_opts *o, FILE *out, struct error *err)
{
	uint64_t g = o->seed ^ 0x5ca1ab1e5eedull;
	size_t *ch, *cv, c, v, h, vno = 0;

	if (!o->n_counties || o->villages < o->n_counties || o->households < o->villages) {
		error_set(err, NULL, "需要 县数 ≤ 村数 ≤ 户数", "needs counties <= villages <= households");
		return -1;
	}
	ch = xcalloc(o->n_counties, sizeof(*ch));
	cv = xcalloc(o->n_counties, sizeof(*cv));
	split(&g, o->households, o->n_counties, 0.5, 1.5, ch);
	split(&g, o->villages, o->n_counties, 0.8, 1.2, cv);
	fputs("household_key,county,township,village,household_type,head_name,phone,lifted_2020,"
	      "collective_income\n",
	      out);
	for (c = 0; c < o->n_counties; c++) {
		size_t nv = cv[c] > ch[c] ? ch[c] : cv[c], *vh = xcalloc(nv, sizeof(*vh));

		split(&g, ch[c], nv, 0.3, 1.7, vh);
		for (v = 0; v < nv; v++, vno++) {
			double poor = unif(&g); /* how poor the village is, 0..1 */
			double p_t = 0.10 + 0.35 * poor, p_j = 0.01 + 0.06 * poor;
			unsigned lifted = (unsigned)(poor * 80 * unif(&g));
			unsigned income = (unsigned)((1 - poor) * 400000 * unif(&g)) / 100 * 100;

			for (h = 0; h < vh[v]; h++) {
				double u = unif(&g);
				const char *type = u < p_j ? "jiance" : u < p_j + p_t ? "tuopin" : "yiban";

				fprintf(out,
					"H%02zu-%05zu-%04zu,%s,T%02zu-%02zu,V%02zu-%05zu,%s,%s%s,1%02u%08u,"
					"%u,%u\n",
					c + 1, vno + 1, h + 1, o->counties[c], c + 1, v / 8 + 1, c + 1,
					vno + 1, type, surnames[sm(&g) % N(surnames)],
					given[sm(&g) % N(given)], (unsigned)(30 + sm(&g) % 70),
					(unsigned)(sm(&g) % 100000000u), lifted, income);
			}
		}
		free(vh);
	}
	free(ch);
	free(cv);
	if (fflush(out) != 0 || ferror(out)) {
		error_set(err, NULL, "无法写入：%s", "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
}
