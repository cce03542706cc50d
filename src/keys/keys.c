/*
 * keys — team and device keys, and the envelope checks of merge and import
 * (ruhu/keys.h). All SQL is the store's (store_keys.c); all cryptography
 * libsodium's.
 */
#include "ruhu/keys.h"
#include "ruhu/ident.h"
#include "ruhu/infile.h"
#include "ruhu/merge_target.h"
#include "ruhu/seal.h"
#include "ruhu/store.h"
#include "ruhu/store_keys.h"
#include "ruhu/strbuf.h"

#include <sodium.h>

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#define PASS_MAX 1024
#define SECRET_LEN (crypto_sign_SECRETKEYBYTES + crypto_box_SECRETKEYBYTES)

struct keys_ring {
	struct store *s;
	keys_passphrase_fn pass;
	void *ctx;
	bool unlocked;
	unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
	unsigned char box_sk[crypto_box_SECRETKEYBYTES];
	unsigned char sign_pk[32], box_pk[32];
};

static int sodium_ready(struct error *err)
{
	if (sodium_init() < 0) {
		error_set(err, NULL, "无法初始化 libsodium", "cannot initialise libsodium");
		return -1;
	}
	return 0;
}

struct keys_ring *keys_ring_new(struct store *s, keys_passphrase_fn pass, void *ctx)
{
	struct keys_ring *r = xcalloc(1, sizeof(*r));

	r->s = s;
	r->pass = pass;
	r->ctx = ctx;
	return r;
}

void keys_ring_free(struct keys_ring *r)
{
	if (!r)
		return;
	sodium_memzero(r, sizeof(*r));
	free(r);
}

static void tohex(char *out, const unsigned char *b, size_t n)
{
	sodium_bin2hex(out, n * 2 + 1, b, n);
}

static int fromhex(unsigned char *b, size_t n, const char *hex)
{
	size_t got = 0;

	if (strlen(hex) != n * 2 ||
	    sodium_hex2bin(b, n, hex, n * 2, NULL, &got, NULL) != 0 || got != n)
		return -1;
	return 0;
}

static int db_err(struct store *s, int rc)
{
	(void)s;
	return rc < 0 ? -1 : rc;
}

static void team_fp_hex(const char *sign_hex, const char *box_hex, char fp[65])
{
	unsigned char a[32], b[32];

	if (fromhex(a, 32, sign_hex) < 0 || fromhex(b, 32, box_hex) < 0) {
		*fp = 0;
		return;
	}
	seal_fingerprint(a, b, fp);
}

static int ask(struct keys_ring *r, char *buf, bool confirm, struct error *err)
{
	if (!r->pass) {
		error_set(err, NULL, "需要团队口令", "the team's passphrase is needed");
		return -1;
	}
	return r->pass(r->ctx, buf, PASS_MAX, confirm, err);
}

/* ---- the team's keys ------------------------------------------------------------ */

int keys_init(struct keys_ring *r, bool replace, const char *escrow_file, char fp[65],
	      struct error *err)
{
	struct store_team_keys k, old;
	struct keys_public esc;
	unsigned char secret[SECRET_LEN], sealed[SECRET_LEN + crypto_secretbox_MACBYTES];
	unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char key[crypto_secretbox_KEYBYTES], spk[32], bpk[32];
	char pass[PASS_MAX];
	int rc;

	if (sodium_ready(err) < 0)
		return -1;
	rc = store_keys_team_get(r->s, &old, err);
	if (rc < 0)
		return -1;
	if (rc == 1 && !replace) {
		error_set(err, NULL, "本数据库已有团队密钥（要换新密钥请用 --replace）",
			  "this database has team keys already (--replace makes new ones)");
		return -1;
	}
	if (escrow_file && keys_read_public(escrow_file, &esc, err) < 0)
		return -1;
	if (escrow_file && !esc.has_box) {
		error_set(err, escrow_file, "托管公钥文件没有 box 密钥",
			  "the escrow key file has no box key");
		return -1;
	}
	if (ask(r, pass, true, err) < 0)
		return -1;
	memset(&k, 0, sizeof(k));
	crypto_sign_keypair(spk, secret);
	crypto_box_keypair(bpk, secret + crypto_sign_SECRETKEYBYTES);
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	k.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	k.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (crypto_pwhash(key, sizeof(key), pass, strlen(pass), salt, (unsigned long long)k.opslimit,
			  (size_t)k.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(pass, sizeof(pass));
		sodium_memzero(secret, sizeof(secret));
		error_set(err, NULL, "内存不足，无法派生口令密钥",
			  "out of memory deriving the passphrase key");
		return -1;
	}
	sodium_memzero(pass, sizeof(pass));
	crypto_secretbox_easy(sealed, secret, sizeof(secret), nonce, key);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(secret, sizeof(secret));
	tohex(k.sign_pk, spk, 32);
	tohex(k.box_pk, bpk, 32);
	tohex(k.sealed_sk, sealed, sizeof(sealed));
	tohex(k.salt, salt, sizeof(salt));
	tohex(k.nonce, nonce, sizeof(nonce));
	if (escrow_file)
		tohex(k.escrow_pk, esc.box, 32);
	else if (rc == 1)
		memcpy(k.escrow_pk, old.escrow_pk, sizeof(k.escrow_pk));
	snprintf(k.policy, sizeof(k.policy), "%s", rc == 1 ? old.policy : "first-use");
	if (store_keys_team_put(r->s, &k, err) < 0)
		return -1;
	r->unlocked = false;
	seal_fingerprint(spk, bpk, fp);
	return 0;
}

/* the team's secret keys, asking for the passphrase once */
static int unlock(struct keys_ring *r, struct error *err)
{
	struct store_team_keys k;
	unsigned char secret[SECRET_LEN], sealed[SECRET_LEN + crypto_secretbox_MACBYTES];
	unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
	unsigned char key[crypto_secretbox_KEYBYTES];
	char pass[PASS_MAX];
	int rc;

	if (r->unlocked)
		return 0;
	if (sodium_ready(err) < 0)
		return -1;
	rc = store_keys_team_get(r->s, &k, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		error_set(err, NULL, "本数据库没有团队密钥（ruhu keys init）",
			  "this database has no team keys (ruhu keys init)");
		return -1;
	}
	if (fromhex(sealed, sizeof(sealed), k.sealed_sk) < 0 ||
	    fromhex(salt, sizeof(salt), k.salt) < 0 || fromhex(nonce, sizeof(nonce), k.nonce) < 0 ||
	    fromhex(r->sign_pk, 32, k.sign_pk) < 0 || fromhex(r->box_pk, 32, k.box_pk) < 0) {
		error_set(err, NULL, "团队密钥记录已损坏", "the team key record is damaged");
		return -1;
	}
	if (ask(r, pass, false, err) < 0)
		return -1;
	rc = crypto_pwhash(key, sizeof(key), pass, strlen(pass), salt,
			   (unsigned long long)k.opslimit, (size_t)k.memlimit,
			   crypto_pwhash_ALG_ARGON2ID13);
	sodium_memzero(pass, sizeof(pass));
	if (rc != 0) {
		error_set(err, NULL, "内存不足，无法派生口令密钥",
			  "out of memory deriving the passphrase key");
		return -1;
	}
	rc = crypto_secretbox_open_easy(secret, sealed, sizeof(sealed), nonce, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0) {
		error_set(err, NULL, "口令错误：无法打开团队密钥",
			  "wrong passphrase: the team's keys do not open");
		return -1;
	}
	memcpy(r->sign_sk, secret, sizeof(r->sign_sk));
	memcpy(r->box_sk, secret + crypto_sign_SECRETKEYBYTES, sizeof(r->box_sk));
	sodium_memzero(secret, sizeof(secret));
	r->unlocked = true;
	return 0;
}

/* ---- the device's own key ------------------------------------------------------- */

static int self_key(struct keys_ring *r, bool make, struct store_key_self *k, struct error *err)
{
	unsigned char pk[32], sk[crypto_sign_SECRETKEYBYTES];
	int rc = store_keys_self_get(r->s, k, err);

	if (rc != 0 || !make)
		return db_err(r->s, rc);
	if (sodium_ready(err) < 0)
		return -1;
	crypto_sign_keypair(pk, sk);
	tohex(k->sign_pk, pk, 32);
	tohex(k->sign_sk, sk, sizeof(sk));
	sodium_memzero(sk, sizeof(sk));
	if (store_keys_self_put(r->s, k, err) < 0)
		return -1;
	return 1;
}

int keys_show(struct keys_ring *r, bool make_self, struct keys_info *i, struct error *err)
{
	struct store_team_keys t;
	struct store_key_self k;
	struct store_key_pin p;
	unsigned char pk[32];
	int rc;

	memset(i, 0, sizeof(*i));
	if (sodium_ready(err) < 0)
		return -1;
	rc = store_keys_team_get(r->s, &t, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		i->team = true;
		team_fp_hex(t.sign_pk, t.box_pk, i->team_fp);
		snprintf(i->policy, sizeof(i->policy), "%s", t.policy);
		if (*t.escrow_pk && fromhex(pk, 32, t.escrow_pk) == 0)
			seal_fingerprint(pk, NULL, i->escrow_fp);
	}
	rc = self_key(r, make_self && !i->team, &k, err);
	if (rc < 0)
		return -1;
	if (rc == 1 && fromhex(pk, 32, k.sign_pk) == 0) {
		i->self = true;
		seal_fingerprint(pk, NULL, i->self_fp);
	}
	rc = store_keys_pin_get(r->s, &p, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		i->pinned = true;
		team_fp_hex(p.sign_pk, p.box_pk, i->pin_fp);
		snprintf(i->pin_source, sizeof(i->pin_source), "%s", p.source);
		i->pinned_at = p.pinned;
	}
	return 0;
}

int keys_export_public(struct keys_ring *r, bool team, char **text, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char fp[65];

	*text = NULL;
	if (team) {
		struct store_team_keys t;
		int rc = store_keys_team_get(r->s, &t, err);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			error_set(err, NULL, "本数据库没有团队密钥（ruhu keys init）",
				  "this database has no team keys (ruhu keys init)");
			return -1;
		}
		team_fp_hex(t.sign_pk, t.box_pk, fp);
		strbuf_addf(&sb, "ruhu-public-key,1\nkind,team\nsign,%s\nbox,%s\n", t.sign_pk,
			    t.box_pk);
		if (*t.escrow_pk)
			strbuf_addf(&sb, "escrow,%s\n", t.escrow_pk);
	} else {
		struct store_key_self k;
		unsigned char pk[32];

		if (self_key(r, true, &k, err) < 0)
			return -1;
		if (fromhex(pk, 32, k.sign_pk) < 0) {
			error_set(err, NULL, "设备密钥记录已损坏", "the device key record is damaged");
			return -1;
		}
		seal_fingerprint(pk, NULL, fp);
		strbuf_addf(&sb, "ruhu-public-key,1\nkind,device\ndevice,%s\nsign,%s\n",
			    store_device_id(r->s), k.sign_pk);
	}
	strbuf_addf(&sb, "fingerprint,%s\n", fp);
	*text = strbuf_detach(&sb, NULL);
	return 0;
}

int keys_read_public(const char *path, struct keys_public *pub, struct error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *p, *nl, where[32];
	size_t line = 0;
	bool kind = false, sign = false, fp = false;
	char want_fp[65];
	int ret = -1;

	memset(pub, 0, sizeof(*pub));
	if (sodium_ready(err) < 0)
		return -1;
	if (infile_read_all(path, INFILE_FORM, &sb, err) < 0)
		return -1;
	if (strlen(sb.buf) != sb.len) {
		error_set(err, path, "公钥文件含有 NUL 字节", "the public key file holds a NUL byte");
		goto done;
	}
	for (p = sb.buf; *p; p = nl + 1) {
		char *comma, *v;
		int bad = 0;

		line++;
		snprintf(where, sizeof(where), "%zu", line);
		nl = strchr(p, '\n');
		if (!nl) {
			error_set(err, where, "最后一行没有换行", "the last line has no line end");
			goto fail;
		}
		*nl = 0;
		if (line == 1) {
			if (strcmp(p, "ruhu-public-key,1")) {
				error_set(err, where, "不是 ruhu 公钥文件（应以 ruhu-public-key,1 开头）",
					  "not a ruhu public key file (it starts ruhu-public-key,1)");
				goto fail;
			}
			continue;
		}
		comma = strchr(p, ',');
		if (!comma) {
			error_set(err, where, "行应为 键,值", "a line must be key,value");
			goto fail;
		}
		*comma = 0;
		v = comma + 1;
		if (!strcmp(p, "kind") && !kind) {
			kind = true;
			pub->team = !strcmp(v, "team");
			bad = !pub->team && strcmp(v, "device");
		} else if (!strcmp(p, "device") && !*pub->device) {
			bad = ident_check(v, IDENT_DEVICE, NULL) < 0 ||
			      (size_t)snprintf(pub->device, sizeof(pub->device), "%s", v) >=
				      sizeof(pub->device);
		} else if (!strcmp(p, "sign") && !sign) {
			sign = true;
			bad = fromhex(pub->sign, 32, v) < 0;
		} else if (!strcmp(p, "box") && !pub->has_box) {
			pub->has_box = true;
			bad = fromhex(pub->box, 32, v) < 0;
		} else if (!strcmp(p, "escrow") && !pub->has_escrow) {
			pub->has_escrow = true;
			bad = fromhex(pub->escrow, 32, v) < 0;
		} else if (!strcmp(p, "fingerprint") && !fp) {
			fp = true;
			bad = strlen(v) != 64;
			if (!bad)
				memcpy(want_fp, v, 65);
		} else {
			error_set(err, where, "未知或重复的键 '%s'", "unknown or repeated key '%s'", p);
			goto fail;
		}
		if (bad) {
			error_set(err, where, "键 '%s' 的值无效", "invalid value of key '%s'", p);
			goto fail;
		}
	}
	if (!kind || !sign || !fp || (pub->team && !pub->has_box) ||
	    (!pub->team && !*pub->device)) {
		error_set(err, path, "公钥文件缺少必需的行", "the public key file lacks a required line");
		goto done;
	}
	seal_fingerprint(pub->sign, pub->team ? pub->box : NULL, pub->fp);
	if (strcmp(pub->fp, want_fp)) {
		error_set(err, path, "指纹与密钥不符：文件已损坏或被改动",
			  "the fingerprint does not match the keys: the file is damaged or altered");
		goto done;
	}
	ret = 0;
	goto done;
fail:
	error_prefix(err, path);
done:
	strbuf_release(&sb);
	return ret;
}

static void pin_from(struct store_key_pin *p, const unsigned char *sign, const unsigned char *box,
		     const unsigned char *escrow, const char *source)
{
	memset(p, 0, sizeof(*p));
	tohex(p->sign_pk, sign, 32);
	tohex(p->box_pk, box, 32);
	if (escrow)
		tohex(p->escrow_pk, escrow, 32);
	snprintf(p->source, sizeof(p->source), "%s", source);
}

int keys_trust(struct keys_ring *r, const struct keys_public *pub, const char *source,
	       bool replace, struct error *err)
{
	struct store_key_pin old, p;
	struct store_key_self k;
	char fp[65];
	int rc;

	if (!pub->team) {
		error_set(err, source, "这是设备公钥，不是团队公钥",
			  "this is a device's public key, not a team's");
		return -1;
	}
	rc = store_keys_pin_get(r->s, &old, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		team_fp_hex(old.sign_pk, old.box_pk, fp);
		if (!strcmp(fp, pub->fp))
			return self_key(r, true, &k, err) < 0 ? -1 : 0;
		if (!replace) {
			error_set(err, source,
				  "本设备已信任另一团队密钥 %.20s（换用新密钥请加 --replace）",
				  "this device trusts another team key %.20s already (--replace "
				  "re-pins)",
				  fp);
			return -1;
		}
	}
	if (store_tx_begin(r->s, err) < 0)
		return -1;
	pin_from(&p, pub->sign, pub->box, pub->has_escrow ? pub->escrow : NULL, source);
	if (store_keys_pin_put(r->s, &p, err) < 0 || self_key(r, true, &k, err) < 0 ||
	    store_tx_commit(r->s, err) < 0) {
		store_tx_rollback(r->s, NULL);
		return -1;
	}
	return 0;
}

/* ---- devices --------------------------------------------------------------------- */

static int need_team(struct keys_ring *r, struct store_team_keys *t, struct error *err)
{
	int rc = store_keys_team_get(r->s, t, err);

	if (rc == 0)
		error_set(err, NULL, "本数据库没有团队密钥（ruhu keys init）",
			  "this database has no team keys (ruhu keys init)");
	return rc == 1 ? 0 : -1;
}

int keys_policy(struct keys_ring *r, const char *policy, struct error *err)
{
	struct store_team_keys t;

	if (strcmp(policy, "first-use") && strcmp(policy, "enrolled")) {
		error_set(err, NULL, "策略只能是 first-use 或 enrolled，不是 '%s'",
			  "the policy is first-use or enrolled, not '%s'", policy);
		return -1;
	}
	if (need_team(r, &t, err) < 0)
		return -1;
	snprintf(t.policy, sizeof(t.policy), "%s", policy);
	return store_keys_team_put(r->s, &t, err) < 0 ? -1 : 0;
}

int keys_enrol(struct keys_ring *r, const char *device, const struct keys_public *pub,
	       struct error *err)
{
	struct store_key_device d;
	int rc;

	if (ident_check(device, IDENT_DEVICE, err) < 0)
		return -1;
	rc = store_keys_device_get(r->s, device, &d, err);
	if (rc < 0)
		return -1;
	if (pub) {
		if (pub->team || strcmp(pub->device, device)) {
			error_set(err, NULL, "公钥文件不是设备 '%s' 的",
				  "the public key file is not device '%s''s", device);
			return -1;
		}
		if (rc == 0) {
			memset(&d, 0, sizeof(d));
			snprintf(d.device, sizeof(d.device), "%s", device);
		}
		tohex(d.sign_pk, pub->sign, 32);
	} else if (rc == 0) {
		error_set(err, NULL,
			  "设备 '%s' 还没有发来签名数据包：请用 --key 给出它的公钥文件",
			  "device '%s' has sent no signed bundle yet: give its public key file "
			  "with --key",
			  device);
		return -1;
	}
	snprintf(d.status, sizeof(d.status), "enrolled");
	*d.reason = 0;
	d.changed = (int64_t)time(NULL) * 1000;
	return store_keys_device_put(r->s, &d, err) < 0 ? -1 : 0;
}

int keys_revoke(struct keys_ring *r, const char *device, const char *reason, struct error *err)
{
	struct store_key_device d;
	int rc = store_keys_device_get(r->s, device, &d, err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* a device never seen can be revoked ahead: no key accepted for it */
		memset(&d, 0, sizeof(d));
		snprintf(d.device, sizeof(d.device), "%s", device);
		if (ident_check(device, IDENT_DEVICE, err) < 0)
			return -1;
	}
	snprintf(d.status, sizeof(d.status), "revoked");
	snprintf(d.reason, sizeof(d.reason), "%s", reason ? reason : "");
	d.changed = (int64_t)time(NULL) * 1000;
	return store_keys_device_put(r->s, &d, err) < 0 ? -1 : 0;
}

/* ---- merge and import ------------------------------------------------------------ */

struct open_ctx {
	struct keys_ring *r;
	const char *path;
	bool import;
	struct seal_header h;
	struct keys_verdict *v;
	bool record_device; /* team: upsert key_device */
	struct store_key_device dev;
	bool known;
};

static int refuse(struct error *err, const char *path, const char *zh, const char *en, ...)
	RUHU_PRINTF2(3, 4, 5);
static int refuse(struct error *err, const char *path, const char *zh, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	error_vset(err, path, zh, en, ap);
	va_end(ap);
	return -1;
}

static void ms_date(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d", &tm);
}

/* the device checks of the team: unsigned (h NULL) or signed by h->signer */
static int check_device(struct open_ctx *c, const char *device, struct error *err)
{
	struct store_team_keys t;
	int has_team = store_keys_team_get(c->r->s, &t, err);
	int rc;

	if (has_team < 0)
		return -1;
	rc = store_keys_device_get(c->r->s, device, &c->dev, err);
	if (rc < 0)
		return -1;
	c->known = rc == 1;
	if (c->known && !strcmp(c->dev.status, "revoked")) {
		char day[32];

		ms_date(c->dev.changed, day);
		return refuse(err, c->path, "拒绝：设备 '%s' 已于 %s 被吊销（%s）",
			      "refused: device '%s' was revoked on %s (%s)", device, day,
			      *c->dev.reason ? c->dev.reason : "-");
	}
	if (!c->v->sealed) {
		if (c->known && *c->dev.sign_pk)
			return refuse(err, c->path,
				      "拒绝：数据包没有签名，但设备 '%s' 的数据包都应签名",
				      "refused: the bundle is unsigned, but device '%s' signs its "
				      "bundles",
				      device);
		if (has_team == 1 && !strcmp(t.policy, "enrolled"))
			return refuse(err, c->path,
				      "拒绝：数据包没有签名，本团队只接受已登记设备的签名数据包",
				      "refused: the bundle is unsigned; this team accepts only "
				      "signed bundles of enrolled devices");
		return 0;
	}
	/* signed */
	if (*c->h.team) {
		char fp[65];

		if (has_team != 1)
			return refuse(err, c->path,
				      "拒绝：数据包是发给团队 %.20s 的，本数据库没有团队密钥",
				      "refused: the bundle is for team %.20s; this database has no "
				      "team keys",
				      c->h.team);
		team_fp_hex(t.sign_pk, t.box_pk, fp);
		if (strcmp(fp, c->h.team))
			return refuse(err, c->path,
				      "拒绝：数据包不是发给本团队的（它是给 %.20s 的，本团队是 %.20s）",
				      "refused: not for this team (it is for %.20s, this team is %.20s)",
				      c->h.team, fp);
	} else if (c->h.encrypted) {
		return refuse(err, c->path, "拒绝：数据包不是发给本团队的",
			      "refused: the bundle is not for this team");
	}
	{
		char spk[65];

		tohex(spk, c->h.signer, 32);
		if (c->known && *c->dev.sign_pk && strcmp(spk, c->dev.sign_pk)) {
			char a[65], b[65];
			unsigned char pk[32];

			seal_fingerprint(c->h.signer, NULL, a);
			if (fromhex(pk, 32, c->dev.sign_pk) == 0)
				seal_fingerprint(pk, NULL, b);
			else
				*b = 0;
			return refuse(err, c->path,
				      "拒绝：数据包由密钥 %.20s 签名，但设备 '%s' 登记的密钥是 %.20s "
				      "（重装的设备要重新登记：ruhu keys devices --enrol %s --key 文件）",
				      "refused: signed by key %.20s, but device '%s' is enrolled with "
				      "%.20s (a reinstalled device is enrolled again: ruhu keys "
				      "devices --enrol %s --key FILE)",
				      a, device, b, device);
		}
		if ((!c->known || !strcmp(c->dev.status, "first-use")) && has_team == 1 &&
		    !strcmp(t.policy, "enrolled"))
			return refuse(err, c->path,
				      "拒绝：设备 '%s' 未登记（本团队只接受已登记的设备）",
				      "refused: unknown device '%s' (this team accepts enrolled "
				      "devices only)",
				      device);
		if (!c->known) {
			memset(&c->dev, 0, sizeof(c->dev));
			snprintf(c->dev.device, sizeof(c->dev.device), "%s", device);
			snprintf(c->dev.status, sizeof(c->dev.status), "first-use");
			c->v->enrolled_now = true;
		} else if (!*c->dev.sign_pk) {
			c->v->enrolled_now = true;
		}
		memcpy(c->dev.sign_pk, spk, sizeof(spk));
		c->record_device = true;
	}
	return 0;
}

/* a device's chain of signed bundles: a fork refused (-1), a gap reported in
 * the verdict; 1 when this very bundle was merged before (a replay: nothing
 * to open, the merge says "already merged"), else 0 */
static int check_chain(struct open_ctx *c, struct error *err)
{
	struct store_key_bundle b;
	const char *kind = "device";
	int64_t below;
	int rc;

	rc = store_keys_bundle_get(c->r->s, c->h.device, kind, c->h.sequence, &b, err);
	if (rc < 0)
		return -1;
	if (rc == 1 && strcmp(b.hash, c->h.hash))
		return refuse(err, c->path,
			      "拒绝：分叉——设备 '%s' 的第 %lld 号数据包已以另一个签名头部合并过",
			      "refused: fork — bundle %2$lld of device '%1$s' was merged before "
			      "with another signed header",
			      c->h.device, c->h.sequence);
	if (rc == 1)
		return 1; /* this very bundle again: merged already, nothing to open */
	if (store_keys_bundle_below(c->r->s, c->h.device, kind, c->h.sequence, &below, err) < 0)
		return -1;
	if (below && below == c->h.sequence - 1) {
		if (store_keys_bundle_get(c->r->s, c->h.device, kind, below, &b, err) < 0)
			return -1;
		if (strcmp(b.hash, c->h.prev))
			return refuse(err, c->path,
				      "拒绝：分叉——设备 '%s' 的第 %lld 号数据包没有接在第 %lld 号之后",
				      "refused: fork — bundle %2$lld of device '%1$s' does not "
				      "continue from bundle %3$lld",
				      c->h.device, c->h.sequence, (long long)below);
	} else if (c->h.sequence > 1 && *c->h.prev) {
		c->v->gap_from = below + 1;
		c->v->gap_to = c->h.sequence - 1;
	}
	rc = store_keys_bundle_get(c->r->s, c->h.device, kind, c->h.sequence + 1, &b, err);
	if (rc < 0)
		return -1;
	if (rc == 1 && strcmp(b.prev, c->h.hash))
		return refuse(err, c->path,
			      "拒绝：分叉——设备 '%s' 已合并的第 %lld 号数据包不是接在这个数据包之后",
			      "refused: fork — the merged bundle %2$lld of device '%1$s' does not "
			      "continue from this one",
			      c->h.device, c->h.sequence + 1);
	return 0;
}

/* import: a return bundle for this device */
static int check_return(struct open_ctx *c, struct error *err)
{
	struct store_key_pin p;
	char fp[65];
	int rc = store_keys_pin_get(c->r->s, &p, err);

	if (rc < 0)
		return -1;
	if (!c->v->sealed) {
		if (rc == 1) {
			team_fp_hex(p.sign_pk, p.box_pk, fp);
			return refuse(err, c->path,
				      "拒绝：返回数据包没有签名，但本设备信任团队密钥 %.20s（可能是伪造的）",
				      "refused: the return bundle is unsigned, but this device trusts "
				      "team key %.20s (it may be forged)",
				      fp);
		}
		return 0;
	}
	if (c->h.kind != BUNDLE_RETURN || !c->h.has_team_box)
		return refuse(err, c->path, "拒绝：不是团队签名的返回数据包",
			      "refused: not a return bundle signed by a team");
	if (rc == 1) {
		char spk[65];

		tohex(spk, c->h.signer, 32);
		if (strcmp(spk, p.sign_pk)) {
			team_fp_hex(p.sign_pk, p.box_pk, fp);
			return refuse(err, c->path,
				      "拒绝：返回数据包由另一密钥签名，不是本设备信任的团队密钥 %.20s"
				      "（团队换了密钥时，用 ruhu keys trust --replace 文件）",
				      "refused: the return bundle is signed by another key than the "
				      "team key this device trusts, %.20s (after a team re-keys: ruhu "
				      "keys trust --replace FILE)",
				      fp);
		}
		return 0;
	}
	c->v->pinned_now = true;
	return 0;
}

static int on_manifest(void *ctx, const struct bundle_manifest *m, struct error *err)
{
	struct open_ctx *c = ctx;

	if (!c->v->sealed) {
		snprintf(c->v->device, sizeof(c->v->device), "%s", m->device);
		if (c->import)
			return check_return(c, err);
		return m->kind == BUNDLE_DEVICE ? check_device(c, m->device, err) : 0;
	}
	if (strcmp(m->device, c->h.device) || m->sequence != c->h.sequence ||
	    m->kind != c->h.kind ||
	    strcmp(m->for_device ? m->for_device : "", c->h.for_device))
		return refuse(err, c->path,
			      "拒绝：签名的头部与数据包的清单不符（设备、种类或序号）",
			      "refused: the signed header does not match the bundle's manifest "
			      "(device, kind or sequence)");
	return 0;
}

static int on_record(void *ctx, struct error *err)
{
	struct open_ctx *c = ctx;
	struct store_key_bundle b;
	char spk[65];

	if (!c->v->sealed)
		return 0;
	tohex(spk, c->h.signer, 32);
	if (c->import) {
		struct store_key_pin p;
		struct store_key_self k;

		if (!c->v->pinned_now)
			return 0;
		pin_from(&p, c->h.signer, c->h.team_box, c->h.has_escrow ? c->h.escrow : NULL,
			 c->path);
		if (store_keys_pin_put(c->r->s, &p, err) < 0 || self_key(c->r, true, &k, err) < 0)
			return -1;
		return 0;
	}
	if (c->record_device) {
		if (!c->dev.first_seq || c->h.sequence < c->dev.first_seq) {
			c->dev.first_seq = c->h.sequence;
			snprintf(c->dev.first_created, sizeof(c->dev.first_created), "%s",
				 c->h.created);
		}
		if (c->h.sequence > c->dev.last_seq) {
			c->dev.last_seq = c->h.sequence;
			snprintf(c->dev.last_created, sizeof(c->dev.last_created), "%s",
				 c->h.created);
		}
		if (store_keys_device_put(c->r->s, &c->dev, err) < 0)
			return -1;
	}
	memset(&b, 0, sizeof(b));
	snprintf(b.device, sizeof(b.device), "%s", c->h.device);
	snprintf(b.kind, sizeof(b.kind), "device");
	b.sequence = c->h.sequence;
	memcpy(b.hash, c->h.hash, 65);
	memcpy(b.prev, c->h.prev, 65);
	memcpy(b.signer, spk, 65);
	b.encrypted = c->h.encrypted;
	return store_keys_bundle_add(c->r->s, &b, err) < 0 ? -1 : 0;
}

int keys_merge_bundle(struct keys_ring *r, const char *path, bool import, struct keys_verdict *v,
		      struct merge_stats *st, merge_progress_cb progress, void *pctx,
		      struct error *err)
{
	struct merge_target tg = store_merge_target(r->s);
	struct merge_hook hook;
	struct open_ctx c;
	struct strbuf sb = STRBUF_INIT;
	char *inner = NULL;
	size_t inner_len = 0;
	int ret = -1;

	memset(v, 0, sizeof(*v));
	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	memset(&hook, 0, sizeof(hook));
	c.r = r;
	c.path = path;
	c.import = import;
	c.v = v;
	if (sodium_ready(err) < 0)
		return -1;
	if (keys_describe(path, &c.h, err) < 0)
		return -1;
	if (!c.h.device[0]) {
		/* a plain bundle: checked by its manifest once verified */
		hook.manifest = on_manifest;
		hook.ctx = &c;
		return merge_bundle_hooked(&tg, path, import, &hook, st, progress, pctx, err);
	}
	v->sealed = true;
	v->encrypted = c.h.encrypted;
	v->sequence = c.h.sequence;
	snprintf(v->device, sizeof(v->device), "%s", c.h.device);
	seal_fingerprint(c.h.signer, NULL, v->signer_fp);
	if (import) {
		if (check_return(&c, err) < 0)
			return -1;
	} else {
		if (c.h.kind != BUNDLE_DEVICE)
			return refuse(err, path, "拒绝：这是返回数据包，应在设备上导入（ruhu import）",
				      "refused: this is a return bundle, for ruhu import on its device");
		int rc;

		if (check_device(&c, c.h.device, err) < 0)
			return -1;
		rc = check_chain(&c, err);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return MERGE_ALREADY;
	}
	if (infile_read_all(path, INFILE_BUNDLE, &sb, err) < 0)
		return -1;
	{
		struct seal_header again;

		/* the bytes we open must be those whose header we checked */
		if (seal_parse(path, sb.buf, sb.len, &again, err) < 0)
			goto done;
		if (strcmp(again.hash, c.h.hash)) {
			error_set(err, path, "文件在读取时被改动", "the file changed while it was being read");
			goto done;
		}
	}
	if (c.h.encrypted) {
		if (unlock(r, err) < 0) {
			error_prefix(err, path);
			goto done;
		}
		if (seal_open(path, sb.buf, sb.len, &c.h, r->box_pk, r->box_sk, &inner, &inner_len,
			      err) < 0)
			goto done;
	} else if (seal_open(path, sb.buf, sb.len, &c.h, NULL, NULL, &inner, &inner_len, err) < 0) {
		goto done;
	}
	strbuf_release(&sb);
	hook.data = inner;
	hook.len = inner_len;
	hook.manifest = on_manifest;
	hook.record = on_record;
	hook.ctx = &c;
	ret = merge_bundle_hooked(&tg, path, import, &hook, st, progress, pctx, err);
done:
	strbuf_release(&sb);
	if (inner)
		sodium_memzero(inner, inner_len);
	free(inner);
	return ret;
}

int keys_describe(const char *path, struct seal_header *h, struct error *err)
{
	FILE *fp = NULL;
	unsigned long long size;
	char buf[SEAL_HEADER_MAX + 256];
	size_t n;

	memset(h, 0, sizeof(*h));
	if (infile_open(path, INFILE_BUNDLE, &fp, &size, err) < 0)
		return -1;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (!seal_is_sealed(buf, n))
		return 0;
	if (seal_parse(path, buf, n, h, err) < 0)
		return -1;
	return 1;
}

/* ---- export ----------------------------------------------------------------------- */

int keys_export_seal(void *ctx, const char *in, size_t len, char **out, size_t *out_len,
		     struct error *err)
{
	struct keys_ring *r = ctx;
	struct bundle_manifest *m = NULL;
	struct seal_params p;
	struct store_team_keys t;
	struct store_key_self k;
	struct store_key_pin pin;
	unsigned char spk[32], ssk[crypto_sign_SECRETKEYBYTES], tbox[32], esc[32];
	char prev[65], hash[65], team_fp[65];
	const char *kind, *target;
	int has_team, has_self, has_pin, ret = -1;

	*out = NULL;
	*out_len = 0;
	if (sodium_ready(err) < 0)
		return -1;
	if (bundle_read_buffer("bundle", in, len, NULL, NULL, &m, err) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	kind = m->kind == BUNDLE_RETURN ? "return" : "device";
	target = m->for_device ? m->for_device : "";
	has_team = store_keys_team_get(r->s, &t, err);
	has_self = has_team < 0 ? -1 : store_keys_self_get(r->s, &k, err);
	has_pin = has_self < 0 ? -1 : store_keys_pin_get(r->s, &pin, err);
	if (has_pin < 0)
		goto done;
	if (m->kind == BUNDLE_RETURN) {
		if (has_team != 1) {
			ret = 0; /* a team without keys: plain, as before */
			goto done;
		}
		if (unlock(r, err) < 0)
			goto done;
		p.sign_pk = r->sign_pk;
		p.sign_sk = r->sign_sk;
		p.announce_box = r->box_pk;
		if (*t.escrow_pk && fromhex(esc, 32, t.escrow_pk) == 0)
			p.announce_escrow = esc;
		p.team = "";
	} else {
		if (has_self != 1 && has_pin == 1)
			has_self = self_key(r, true, &k, err);
		if (has_self < 0)
			goto done;
		if (has_self != 1) {
			ret = 0; /* a device that knows no key: plain, as before */
			goto done;
		}
		if (fromhex(spk, 32, k.sign_pk) < 0 || fromhex(ssk, sizeof(ssk), k.sign_sk) < 0) {
			error_set(err, NULL, "设备密钥记录已损坏", "the device key record is damaged");
			goto done;
		}
		p.sign_pk = spk;
		p.sign_sk = ssk;
		p.team = "";
		if (has_pin == 1) {
			team_fp_hex(pin.sign_pk, pin.box_pk, team_fp);
			p.team = team_fp;
			if (fromhex(tbox, 32, pin.box_pk) == 0)
				p.enc_team = tbox;
			if (*pin.escrow_pk && fromhex(esc, 32, pin.escrow_pk) == 0)
				p.enc_escrow = esc;
		}
	}
	if (store_keys_sent_get(r->s, kind, target, prev, err) < 0)
		goto done;
	p.prev = prev;
	if (seal_make(in, len, &p, out, out_len, hash, err) < 0)
		goto done;
	if (store_keys_sent_put(r->s, kind, target, m->sequence, hash, err) < 0) {
		free(*out);
		*out = NULL;
		goto done;
	}
	ret = 0;
done:
	sodium_memzero(ssk, sizeof(ssk));
	bundle_manifest_free(m);
	return ret;
}

int keys_fingerprint_hex(const char *pk_hex, char fp[65])
{
	unsigned char pk[32];

	*fp = 0;
	if (fromhex(pk, 32, pk_hex) < 0)
		return -1;
	seal_fingerprint(pk, NULL, fp);
	return 0;
}
