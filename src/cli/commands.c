/*
 * commands — the table of ruhu's subcommands. Add a command by writing
 * cmd_NAME.c, declaring it in commands.h and adding one row here.
 */
#include "cli.h"
#include "commands.h"

#include <string.h>

const struct cmd_entry cmd_table[] = {
	{"help", cmd_help, "显示帮助", "show help", "ruhu help [命令]", "ruhu help [COMMAND]"},
	{"version", cmd_version, "显示版本", "show the version", "ruhu version", "ruhu version"},
	{"check", cmd_check, "检查问卷（XLSForm）", "check XLSForms",
	 "ruhu check 问卷.csv|问卷.md...\n\n"
	 "读取并检查每份问卷。有效的问卷打印一行摘要（标题、id、版本、问题、\n"
	 "分组、重复组、选项列表、语言数）；否则列出所有错误，格式为\n"
	 "文件:表:行: 错误: 信息。全部有效时退出码为 0，有错误时为 1。",
	 "ruhu check FORM.csv|FORM.md...\n\n"
	 "Loads and validates each form. A valid form gets a one-line summary\n"
	 "(title, id, version, questions, groups, repeats, choice lists, languages);\n"
	 "otherwise every error is listed as FILE:SHEET:ROW: error: message.\n"
	 "Exits 0 when every form is valid, 1 otherwise."},
	{"eval", cmd_eval, "计算一个表达式", "evaluate an expression",
	 "ruhu eval [--tz 时区] [--type number|string|boolean] [--var 名称=值]... 表达式\n\n"
	 "按 ODK 规则计算一个 XLSForm 表达式并打印结果；${名称} 取 --var 给出的值，"
	 "--var .=值 设置当前字段的值（“.”）。"
	 "--type 打印 number()/boolean() 的结果（NaN、Infinity、true、false），--tz 设置时区"
	 "（如 Asia/Shanghai）。\n表达式有错时退出码为 1（eval:1:列: 信息），用法错误为 2。",
	 "ruhu eval [--tz ZONE] [--type number|string|boolean] [--var NAME=VALUE]... EXPR\n\n"
	 "Evaluates one XLSForm expression with ODK's rules and prints the result; ${NAME} has "
	 "the value given by --var, and --var .=VALUE sets the current field's value (\".\"). --type prints number() or boolean() of the result (NaN, "
	 "Infinity, true, false); --tz sets the time zone (e.g. Asia/Shanghai).\n"
	 "Exits 1 when the expression has an error (eval:1:COLUMN: message), 2 on usage errors."},
	{"fill", cmd_fill, "用答案文件填写问卷", "fill a form from an answers file",
	 "ruhu fill 问卷.csv --answers 答案.csv [--db 数据库]\n\n按问卷顺序应用答案文件（field,value；重复组写作 "
	 "members[2]/m_age；多选用空格分隔；.d 不知道，.r 拒绝回答），打印全部结果值（含计算）为 "
	 "field,value CSV。任何问题都以 文件:行: 字段: 信息 报告并退出 1，不写入任何内容；"
	 "有 --db 时把有效的访谈存为已完成。",
	 "ruhu fill FORM.csv --answers ANSWERS.csv [--db DB]\n\nApplies the answers file "
	 "(field,value; repeats as members[2]/m_age; select_multiple space-separated; .d don't "
	 "know, .r refused) in form order and prints every resulting value, calculations "
	 "included, as field,value CSV. Every problem is reported as FILE:ROW: field: message "
	 "with exit 1 and nothing stored; with --db a valid interview is stored as completed."},
	{"collect", cmd_collect, "入户调查界面（调查员用）", "the enumerator's interview screens",
	 "ruhu collect [--db 数据库] [--form 问卷.csv]... [--sample 样本.csv] [--trace-timing 文件]\n\n"
	 "打开调查员的终端界面：选择样本户，逐题访问，每个确认的答案立即保存。默认数据库是"
	 " ~/.local/share/ruhu/device.db。--form 先把问卷存入数据库，--sample 载入样本户"
	 "（列：household_key,county,township,village,household_type,head_name,enumerator,device，"
	 "其他列为预填字段）。--trace-timing 记录每次按键到屏幕更新的时间（微秒）。\n"
	 "按键见 F1 帮助和 docs/ui.md。",
	 "ruhu collect [--db DB] [--form FORM.csv]... [--sample SAMPLE.csv] [--trace-timing FILE]\n\n"
	 "Opens the enumerator's terminal UI: choose a household of the sample, interview it "
	 "question by question; every confirmed answer is saved at once. The default database is "
	 "~/.local/share/ruhu/device.db. --form stores forms in the database first, --sample loads "
	 "a household sample (columns household_key,county,township,village,household_type,"
	 "head_name,enumerator,device; other columns are preload fields). --trace-timing writes "
	 "the time from each key to the screen update (microseconds).\n"
	 "Keys: F1 in the UI and docs/ui.md."},
	{"demo", cmd_demo, "用示例数据试用调查界面", "try the interview screens on demo data",
	 "ruhu demo [--trace-timing 文件]\n\n在个人数据目录（~/.local/share/ruhu/demo.db）创建或沿用"
	 "示例数据库，载入自带问卷和约 20 户示例样本，然后打开调查界面。",
	 "ruhu demo [--trace-timing FILE]\n\nCreates (or reuses) a demo database in the per-user "
	 "data folder (~/.local/share/ruhu/demo.db) with the bundled forms and a demo sample of "
	 "about 20 households, then opens the interview screens."},
	{"assign", cmd_assign, "载入样本户（分配）", "load the household sample (assignments)",
	 "ruhu assign --db 数据库 样本.csv\n\n样本.csv 的表头须含 household_key, county, township, village, "
	 "household_type, head_name, enumerator, device；其余列为预填字段（问卷中可用）。"
	 "每个有问题的行报告为 样本.csv:行: 信息；只要有一行有错，就不载入任何一行。",
	 "ruhu assign --db DB SAMPLE.csv\n\nSAMPLE.csv has a header with household_key, county, "
	 "township, village, household_type, head_name, enumerator, device; any other column is a "
	 "preload field usable in forms. Every bad row is reported as SAMPLE.csv:ROW: message; if "
	 "any row is bad, nothing is loaded."},
	{"export", cmd_export, "导出数据包", "write a bundle",
	 "ruhu export --db 数据库 --out 目录 [--all | --again 序号]\n"
	 "ruhu export --db 团队库 --for 设备 --out 目录\n\n"
	 "把上次导出后有变化的访谈（--all：全部）写成一个数据包 ruhu-设备-序号.bundle.gz；"
	 "--again 序号：团队拒收了该序号的数据包时，重新导出它所含的访谈（当前版本）及之后的变化，"
	 "作为一个新序号的数据包；"
	 "--for 为某台设备写返回数据包（其样本分配和被退回的访谈）。先写临时文件并同步到磁盘，"
	 "改名后才记录导出。有密钥时（ruhu keys），设备数据包由设备签名并加密给它信任的团队，返回数据包由团队签名（需要口令）。",
	 "ruhu export --db DB --out DIR [--all | --again SEQ]\n"
	 "ruhu export --db TEAM.db --for DEVICE --out DIR\n\n"
	 "Writes one bundle ruhu-DEVICE-SEQ.bundle.gz of every interview changed since the last "
	 "export (--all: everything; --again SEQ: a bundle the team refused is exported again, "
	 "everything it held in its current version and all changed since, as a bundle with a new "
	 "number); --for writes a return bundle for a device (its assignments "
	 "and the interviews sent back to it). The file is written under a temporary name, synced "
	 "and renamed before the export is recorded. With keys (ruhu keys) a device's bundle is "
	 "signed by the device and encrypted to the team it trusts, and a return bundle is signed "
	 "by the team (the passphrase is asked)."},
	{"merge", cmd_merge, "合并数据包到团队库", "merge bundles into a team database",
	 "ruhu merge --db 团队库 数据包...\n\n逐个完整校验后在一个事务中合并；重复合并不改变任何内容；"
	 "同一版本内容不同记为冲突，同一户两个访谈记为重复。签名的数据包（团队密钥，见 docs/bundle.md）先核对签名、"
	 "设备登记或吊销、团队、在设备序列中的位置（分叉拒绝，缺号警告），再用团队密钥解密（口令取自 "
	 "RUHU_PASSPHRASE 或终端）。有数据包被拒绝时退出码为 1，其余照常合并。"
	 "团队库也可以在 PostgreSQL 服务器上：--db postgresql://主机/库名 或 \"host=… dbname=…\"（见 ruhu help db）。",
	 "ruhu merge --db TEAM.db BUNDLE...\n\nVerifies each bundle completely, then merges it in "
	 "one transaction; merging a bundle again changes nothing; an equal revision with "
	 "different content is kept as a conflict, one household under two interviews is flagged "
	 "as a duplicate. A sealed bundle (team keys, docs/bundle.md) is checked first: signature, "
	 "device enrolment or revocation, team, its place in the device's chain (a fork is refused, "
	 "a gap reported), then decrypted with the team's key (passphrase from RUHU_PASSPHRASE or "
	 "the terminal). Exits 1 if any bundle was refused; the others still merge. The team "
	 "database may be on a PostgreSQL server: --db postgresql://HOST/DBNAME or "
	 "\"host=... dbname=...\" (see ruhu help db)."},
	{"keys", cmd_keys, "团队密钥与设备密钥", "team and device keys",
	 "ruhu keys init --db 团队库 [--escrow 公钥文件] [--replace]\n"
	 "ruhu keys show --db 数据库\n"
	 "ruhu keys export-public --db 数据库 [--device] [--out 文件]\n"
	 "ruhu keys trust --db 设备库 公钥文件 [--yes] [--replace]\n"
	 "ruhu keys devices --db 团队库 [--enrol 设备 [--key 公钥文件]] [--revoke 设备 [--reason 原因]]\n"
	 "                  [--policy first-use|enrolled]\n\n"
	 "init 生成团队的收件（X25519）与签名（Ed25519）密钥，私钥用口令（Argon2id）封存在团队库中，"
	 "并显示用来电话核对的指纹；口令从终端读取，脚本可用环境变量 RUHU_PASSPHRASE。--escrow "
	 "加一个省级托管公钥，设备的数据包同时加密给它。设备第一次信任团队密钥时生成自己的签名密钥，"
	 "此后每个数据包都签名并加密给团队。trust 在设备上固定团队公钥（也可由第一个签名的返回数据包固定）；"
	 "换了团队密钥后用 --replace 重新固定。devices 列出各设备的指纹和首末数据包；--enrol 登记，"
	 "--revoke 吊销（此后其数据包被拒绝并说明原因），--policy enrolled 只接受已登记设备"
	 "（默认 first-use：未知设备的第一个签名数据包登记其密钥并警告）。",
	 "ruhu keys init --db TEAM.db [--escrow KEYFILE] [--replace]\n"
	 "ruhu keys show --db DB\n"
	 "ruhu keys export-public --db DB [--device] [--out FILE]\n"
	 "ruhu keys trust --db DEVICE.db KEYFILE [--yes] [--replace]\n"
	 "ruhu keys devices --db TEAM.db [--enrol DEVICE [--key KEYFILE]] [--revoke DEVICE "
	 "[--reason TEXT]]\n"
	 "                  [--policy first-use|enrolled]\n\n"
	 "init makes the team's receiving (X25519) and signing (Ed25519) key pairs, the secret "
	 "halves sealed in the team database under a passphrase (Argon2id), and prints the "
	 "fingerprint to compare by phone; the passphrase is read from the terminal, or "
	 "RUHU_PASSPHRASE for scripts. --escrow adds a provincial escrow public key that devices "
	 "also encrypt to. A device makes its own signing key when it first trusts a team key and "
	 "from then on signs every bundle and encrypts it to the team. trust pins the team's "
	 "public key on a device (the first signed return bundle pins it too); --replace re-pins "
	 "after the team re-keys. devices lists each device's fingerprint and first and last "
	 "bundle; --enrol enrols, --revoke revokes (its later bundles are refused with the "
	 "reason), --policy enrolled accepts enrolled devices only (default first-use: an unknown "
	 "device's first signed bundle enrols its key, with a warning)."},
	{"db", cmd_db, "团队库在 PostgreSQL 上：建库、复制", "team databases on PostgreSQL: set up, copy",
	 "ruhu db init --db postgresql://主机/库名\nruhu db copy --from 甲 --to 乙\n\n在一个空的 PostgreSQL 数据库里建立 ruhu 的表"
	 "（已有旧版本的表则升级）；之后 merge --db 同一个连接串即合并到该服务器。连接串也可写成 "
	 "\"host=… dbname=…\"；密码不要写在命令行上，用 PGPASSFILE（~/.pgpass）或服务文件；"
	 "TLS 用 libpq 的 sslmode。copy 把整个团队库在 SQLite 文件和 PostgreSQL 之间复制（两个方向都可），"
	 "目标须是新的或空的，在一个事务中写入，设备编号随之复制（副本是同一个库）；审计结果不复制。",
	 "ruhu db init --db postgresql://HOST/DBNAME\nruhu db copy --from A --to B\n\nCreates ruhu's tables in an empty PostgreSQL "
	 "database (or upgrades older ones); then merge --db with the same connection string "
	 "merges into that server. The connection string may also be \"host=... dbname=...\"; "
	 "keep passwords off the command line: PGPASSFILE (~/.pgpass) or a service file; TLS is "
	 "libpq's sslmode. copy moves a whole team database between a SQLite file and PostgreSQL "
	 "(either way) into a new or empty target, in one transaction, device id included (the "
	 "copy is the same database); audit results are not copied."},
	{"import", cmd_import, "在设备上导入返回数据包", "apply a return bundle on a device",
	 "ruhu import --db 数据库 数据包...\n\n导入团队长给本设备的样本分配和退回的访谈，保证与 merge 相同，"
	 "然后列出退回待修改的访谈及团队长的批注。",
	 "ruhu import --db DB BUNDLE...\n\nApplies the team leader's assignments and sent-back "
	 "interviews for this device, with the same guarantees as merge, then lists the interviews "
	 "sent back to redo with the team leader's comment."},
	{"status", cmd_status, "按样本查看进度", "progress against the sample",
	 "ruhu status --db 数据库\nruhu status --bundle 数据包\n\n按县、村、调查员列出样本户数、已开始、已完成、已通过、已退回、重复，"
	 "以及每台设备最近合并的数据包。--bundle 不用密钥说明一个数据包文件：设备、序号、时间、数量、"
	 "是否签名（并核对签名）和加密。",
	 "ruhu status --db DB\nruhu status --bundle FILE\n\nAssigned, started, completed, approved, rejected and duplicate "
	 "households by county, village and enumerator, and the latest bundle merged per device. "
	 "--bundle tells what a bundle file is without any key: device, sequence, time, counts, "
	 "whether it is signed (the signature checked) and encrypted."},
	{"conflicts", cmd_conflicts, "查看和解决冲突与重复", "list and resolve conflicts and duplicates",
	 "ruhu conflicts --db 团队库 [--resolve UUID 哈希前缀 [--author 姓名]]\n\n列出合并保留的冲突"
	 "（同一版本的不同内容，* 为当前版本）和重复；--resolve 选用一个版本（记为事件，可再次选择以撤销）。",
	 "ruhu conflicts --db TEAM.db [--resolve UUID HASH-PREFIX [--author NAME]]\n\nLists the "
	 "conflicts merges kept (versions of one revision, * = current) and duplicates; --resolve "
	 "chooses one version (recorded as an event; choose again to reverse)."},
	{"review", cmd_review, "审核访谈（列表、通过、退回）", "review interviews: list, approve, reject",
	 "ruhu review --db 团队库 [--status 状态] [--enumerator 调查员] [--village 村] [--author 姓名]\n"
	 "ruhu review --db 团队库 --list [--status 状态] [--enumerator 调查员] [--village 村]\n"
	 "           [--finding 规则|any]\n"
	 "ruhu review --db 团队库 --approve UUID... [--author 姓名]\n"
	 "ruhu review --db 团队库 --reject UUID --reason 原因 [--question 题目路径 --comment 批注]...\n"
	 "           [--author 姓名]\n\n"
	 "--list 列出访谈及最近一次 ruhu audit 的问题数；--approve 一次通过多个（全部或都不）；"
	 "--reject 退回并写明原因，可对具体题目写批注。每个操作都记为事件（审核人、时间），"
	 "随访谈同步。退回的访谈及批注随下一个返回数据包（ruhu export --for 设备）回到调查员的设备。"
	 "不带操作时打开审核界面（列表、访谈、批注、通过、退回）。旧写法 `UUID --approve`、`UUID --reject 原因` 仍可用。审核人默认为登录名。",
	 "ruhu review --db TEAM.db [--status S] [--enumerator E] [--village V] [--author NAME]\n"
	 "ruhu review --db TEAM.db --list [--status S] [--enumerator E] [--village V]\n"
	 "           [--finding RULE|any]\n"
	 "ruhu review --db TEAM.db --approve UUID... [--author NAME]\n"
	 "ruhu review --db TEAM.db --reject UUID --reason TEXT [--question PATH --comment TEXT]...\n"
	 "           [--author NAME]\n\n"
	 "--list shows the interviews with the findings of the latest `ruhu audit` run; "
	 "--approve approves several at once (all or none); --reject sends one back with a reason "
	 "and comments on its questions. Every action is an event with the reviewer and the time "
	 "and travels with the interview. With no action: the review screens (list, one interview, "
	 "comment, approve, reject). A rejected interview and its comments go back to the "
	 "enumerator's device in the next return bundle (ruhu export --for DEVICE). The old form "
	 "`UUID --approve` / `UUID --reject REASON` still works. The reviewer defaults to the login "
	 "name."},
	{"score", cmd_score, "按省份规则计算实地评估得分和等次", "field-assessment scores and grades",
	 "ruhu score --db 团队库 --profile 配置.csv [--inputs 外部得分.csv]\n"
	 "           [--status approved|completed] [--format table|csv|html] [--out 文件]\n"
	 "           [--explain 单位 [指标]]\n\n"
	 "按配置文件（forms/profiles/，格式见 docs/profiles.md）把团队库里的入户访谈算成"
	 "每个单位（县、区……）的样本量、各指标的分子、分母、比率及其 95% 置信区间（Wilson）、"
	 "得分、实地评估总分、等次（含否决条件）和组内名次；--inputs 给出调查以外的得分（列 unit,component,score）时，"
	 "按配置文件的 composite 表计算综合得分（及上级单位的综合得分）并按它评定等次。--status approved 只计已通过审核的"
	 "访谈，默认计已完成和已通过的。--format csv 输出的列是约定（见 docs/profiles.md）；"
	 "--format html 写一个可离线打开、可用 A4 打印的报告（内嵌 SVG 图）。"
	 "--explain 单位 说明各指标得分和等次的由来，--explain 单位 指标 列出该指标背后的每一户"
	 "及使其计入的答案。配置或数据有错时在输出任何内容前报告并退出 1。",
	 "ruhu score --db TEAM.db --profile PROFILE.csv [--inputs SCORES.csv]\n"
	 "           [--status approved|completed] [--format table|csv|html] [--out FILE]\n"
	 "           [--explain UNIT [INDICATOR]]\n\n"
	 "Scores the household interviews of a team database under a profile (forms/profiles/, "
	 "format in docs/profiles.md): per unit (county, district...) the sample size, each "
	 "indicator's numerator, denominator, rate with its 95% (Wilson) interval and points, the "
	 "field score, the grade after vetoes and the rank within the group; with --inputs (scores "
	 "from outside the survey: columns unit,component,score) the composite of the profile's "
	 "composite sheet, for units and their parents, which the grade then uses. --status approved "
	 "counts only approved interviews; the default counts completed and approved ones. "
	 "--format csv writes the columns docs/profiles.md names (a contract); --format html one "
	 "self-contained report (inline SVG) that opens offline and prints on A4. --explain UNIT "
	 "shows how each indicator's points and the grade came about; --explain UNIT INDICATOR "
	 "lists the households behind the number with the answers that made each count. Errors "
	 "in the profile or the data are reported before any output, with exit 1."},
	{"audit", cmd_audit, "质量控制检查（规则、过程数据、批量检查）",
	 "quality-control checks (rules, paradata, batch checks)",
	 "ruhu audit --db 团队库 [--rules 规则.csv] [--format table|csv|html] [--out 文件] [--since 运行号] "
	 "[--no-save]\n\n"
	 "按规则文件（默认 forms/checks.csv）检查团队库中已完成、已通过和已退回的访谈：规则表的表达式"
	 "（按访谈或按花名册成员）、过程数据（时长、每题秒数、修改次数、时段、时间重叠、设备时钟倒退）和"
	 "批量检查（重复户编码或证件号、组内离群值、调查员看板）。每项发现一行（访谈、户、县/村、调查员、"
	 "检查、严重程度、相关值），再按检查、调查员和县汇总。本次运行及其发现存入团队库（--no-save 不存），"
	 "--since 运行号 只显示该次运行以来的新发现。--format html 写出一个可离线打开、可打印的报表（内嵌图表）。规则文件有错时报告为 规则.csv:表:行: 信息，"
	 "不输出也不写入任何内容，退出码 1。",
	 "ruhu audit --db TEAM.db [--rules RULES.csv] [--format table|csv|html] [--out FILE] [--since RUN] "
	 "[--no-save]\n\n"
	 "Checks the completed, approved and rejected interviews of the team database with the "
	 "rules file (default forms/checks.csv): expressions of the rules sheet (per interview or "
	 "per roster member), paradata (duration, seconds per answer, changed answers, hours, "
	 "overlapping interviews, a device clock going backwards) and batch checks (duplicate "
	 "household keys or IDs, outliers within a group, the enumerator dashboard). One row per "
	 "finding (interview, household, county/village, enumerator, check, severity, values "
	 "involved), then summaries by check, enumerator and county. The run and its findings are "
	 "recorded in the team database (not with --no-save); --since RUN shows only findings new "
	 "since that run; --format html writes one self-contained offline report with inline charts to print. A bad rules file is reported as RULES.csv:SHEET:ROW: message with "
	 "nothing printed or written, and exit 1."},
	{"backcheck", cmd_backcheck, "回访：抽样与比对", "back-checks: draw and compare",
	 "ruhu backcheck draw --db 团队库 --rate 比例 [--min-per-enumerator N] [--seed 种子] --out 文件.csv\n"
	 "ruhu backcheck compare --db 团队库 [--rules 规则.csv] [--format table|csv]\n\n"
	 "按调查员分层、以种子可重复地从已完成和已通过的访谈中抽取回访户（每名调查员抽 比例×访谈数，向上取整，"
	 "至少 N 户或其全部），写成 ruhu assign 可读的样本文件（原访谈和原调查员作为预填列）。"
	 "请把它载入回访组的设备数据库，而不是团队库（assign 会替换同户的样本行）。比例写作 10% 或 0.1。"
	 "compare 把每份已合并的回访（forms/backcheck.csv）与同户原访谈逐字段比对（字段、类型和容差见规则文件的 "
	 "backcheck 表），报告按类型、调查员和字段的不一致率，并标出超过 backcheck_max_rate 的调查员。",
	 "ruhu backcheck draw --db TEAM.db --rate RATE [--min-per-enumerator N] [--seed S] --out FILE.csv\n"
	 "ruhu backcheck compare --db TEAM.db [--rules RULES.csv] [--format table|csv]\n\n"
	 "Draws households for back-checks from the completed and approved interviews, stratified "
	 "by enumerator and reproducible for a seed (per enumerator RATE times its interviews, "
	 "rounded up, at least N or all it has), written as a sample file ruhu assign reads (the "
	 "original interview and enumerator as preload columns). Load it into the back-check team's "
	 "device databases, not the team database (assign replaces a household's sample row). RATE "
	 "is 10% or 0.1. compare checks every merged back-check (forms/backcheck.csv) against its "
	 "household's original, field by field (fields, types and tolerances in the rules file's "
	 "backcheck sheet), and reports discrepancy rates by type, enumerator and field, flagging "
	 "enumerators above backcheck_max_rate."},
	{"synth", cmd_synth, "生成模拟数据包", "generate synthetic bundles",
	 "ruhu synth 问卷 --households 户数 [--devices 设备数] [--counties 县数] [--seed 种子] --out 目录\n"
	 "ruhu synth --frame --plan 方案.csv --households 户数 [--villages 村数] [--counties 县数] [--seed 种子] --out 抽样框.csv\n\n"
	 "用访谈引擎生成符合问卷逻辑的模拟访谈（随机有效答案、家庭成员、过程数据），"
	 "分到各设备的数据包中，并写出 sample.csv 供 ruhu assign 使用。同一种子结果完全相同。"
	 "--counties 把各户轮流分到 C001…CN 个县（样本中的县），并给样本加上 county_class（三类）和 "
	 "prefecture（每十县一个）两列，供评分配置分组。问卷旁有方案 synth/问卷文件名（如 "
	 "forms/synth/household.csv）时，按方案生成合理的住户：成员年龄与出生日期、关系一致，"
	 "收入在监测线上下，多数户没有问题，少数户有，问题比例因县而异。"
	 "--frame 写出 ruhu sample 用的模拟农户名册（抽样框），"
	 "县名取自方案（方案写 * 时补足 县01… 至 --counties 个），默认每村约 300 户。",
	 "ruhu synth FORM --households N [--devices K] [--counties N] [--seed S] --out DIR\n"
	 "ruhu synth --frame --plan PLAN.csv --households N [--villages N] [--counties N] [--seed S] --out FRAME.csv\n\n"
	 "Generates synthetic interviews that satisfy the form's logic (random valid answers, "
	 "rosters, paradata) through the interview engine, as K device bundles, plus sample.csv "
	 "for ruhu assign. The same seed gives identical files. --counties spreads the households "
	 "over counties C001..CN in the sample and adds the columns county_class (three classes) "
	 "and prefecture (one per ten counties) that scoring profiles group by. With a plan next "
	 "to the form (synth/FORMFILE, e.g. forms/synth/household.csv), households are plausible: "
	 "ages that agree with birth dates and relations, incomes around the monitoring line, most "
	 "households without problems and a few with, at rates that vary by county. --frame writes a "
	 "synthetic household register (a frame) for ruhu sample instead: the counties are the "
	 "plan's (a plan with * gets 县01.. up to --counties), about 300 households a village by "
	 "default."},
	{"data", cmd_data, "导出分析数据（CSV、Excel、Stata、SPSS）",
	 "write analysis files (CSV, Excel, Stata, SPSS)",
	 "ruhu data --db 团队库 --out 目录 [--format csv|xlsx|dta|sav]... [--form 问卷ID]\n"
	 "          [--status 状态]... [--lang zh|en] [--mask] [--long] [--paradata]\n"
	 "          [--excel-bom] [--dk-code 数] [--refused-code 数] [--force]\n\n"
	 "把团队库中的访谈写成分析用的表：每份问卷一张主表（每个访谈一行）、每个重复组一张表"
	 "（每个成员一行），以访谈 UUID、样本户编号、序号和上级键相连；多选题另拆成 0/1 列；"
	 "附调查员、设备、县乡村、起止时间、用时、状态、修订号，运行过 ruhu audit 后另有"
	 "最近一次质控的发现数。标签用 --lang 的语言。"
	 "--format 可重复（默认 csv）：csv 另写 labels.do 和 labels.R；xlsx 一个工作簿；"
	 "dta（Stata 14+）；sav（SPSS）。每种格式都附 codebook.csv（完整标签）。"
	 "不知道/拒绝回答在 CSV 中为 --dk-code/--refused-code（默认 -8/-9），Stata 中为 .a/.b，"
	 "SPSS 中为用户缺失值。--status 只导出该状态（可重复），--form 只导出一份问卷，"
	 "--mask 把个人信息字段换成稳定的假名，--long 另写每个答案一行的长表，"
	 "--paradata 另写事件日志。输出目录须为空（或不存在），否则加 --force；"
	 "文件先写成临时文件，全部写完才改名。详见 docs/data.md。",
	 "ruhu data --db TEAM.db --out DIR [--format csv|xlsx|dta|sav]... [--form ID]\n"
	 "          [--status S]... [--lang zh|en] [--mask] [--long] [--paradata]\n"
	 "          [--excel-bom] [--dk-code N] [--refused-code N] [--force]\n\n"
	 "Writes the interviews of the team database as analysis tables: per form a main "
	 "table (one row per interview) and a table per repeat (one row per member), joined "
	 "by interview UUID, household key, instance index and parent key; select_multiple "
	 "also split into 0/1 columns; with enumerator, device, county/township/village, "
	 "start, end, duration, status and revision, and once ruhu audit has run the "
	 "number of findings of its latest run. Labels in the --lang language. "
	 "--format may repeat (default csv): csv also writes labels.do and labels.R; xlsx one "
	 "workbook; dta (Stata 14+); sav (SPSS). Every format comes with codebook.csv (the "
	 "full labels). Don't know/refused are --dk-code/--refused-code in CSV (default "
	 "-8/-9), .a/.b in Stata, user-missing in SPSS. --status exports that status only "
	 "(may repeat), --form one form, --mask replaces personal fields by stable "
	 "pseudonyms, --long adds a table of one row per answer, --paradata the event log. "
	 "The output folder must be empty (or absent) unless --force; files are written under "
	 "temporary names and renamed when all are complete. See docs/data.md."},
	{"sample", cmd_sample, "按抽样方案抽取样本户", "draw the sample of a sampling plan",
	 "ruhu sample --frame 抽样框.csv --plan 方案.csv [--seed 种子] --out 目录 [--summary]\n\n"
	 "按抽样方案（forms/plans/*.csv，见 docs/sampling.md）从全省农户名册（抽样框：household_key, "
	 "county, township, village, household_type, head_name, phone 及方案排序用的村属性列）中抽取"
	 "实地样本和电话样本：分层（区县组）、每县最低户数、重点村（按方案的排序列）与随机村"
	 "（简单随机或按户数 PPS）、每村按户类型抽户（可全部监测户）、电话调查按比例并有下限和上限且"
	 "不与实地样本重复。写出 field.csv 和 phone.csv（ruhu assign 可读，另有分层、入样原因、"
	 "入样概率和设计权重 design_weight 列）、workload.csv（调查员工作量，村不拆分）和 summary.csv"
	 "（每县村数、各类户数、电话样本、误差范围）。同一抽样框、方案和种子，结果逐字节相同。"
	 "文件只有本人可读（0600）；除非加 --summary，不向标准输出写任何样本内容。"
	 "抽样框或方案有错时按 文件:行 报告，不写出任何文件。",
	 "ruhu sample --frame FRAME.csv --plan PLAN.csv [--seed S] --out DIR [--summary]\n\n"
	 "Draws the field and phone samples of a sampling plan (forms/plans/*.csv, see "
	 "docs/sampling.md) from the province's household register (the frame: household_key, "
	 "county, township, village, household_type, head_name, phone and the village columns the "
	 "plan ranks by): strata (groups of counties), a minimum per county, purposive villages "
	 "(ranked by the plan's columns) and random ones (SRS or PPS on household counts), "
	 "households per village by type (all monitored households if the plan says so), and a "
	 "phone sample (a share with a floor and a ceiling, disjoint from the field sample). "
	 "Writes field.csv and phone.csv (the format ruhu assign reads, plus stratum, selection "
	 "reason, inclusion probability and design_weight), workload.csv (enumerators' loads, "
	 "villages kept whole) and summary.csv (per county villages, households by type, phone "
	 "sample, margins of error). The same frame, plan and seed give byte-identical files. "
	 "Files are readable by the user only (0600); nothing of the sample goes to stdout "
	 "unless --summary. A bad frame or plan is reported as FILE:ROW and nothing is written."},
	{"calls", cmd_calls, "电话调查：记录拨打结果、应答率报告", "phone survey: call attempts and response rates",
	 "ruhu calls log --db 数据库 户编号 结果 [--callback-at 时间]\n"
	 "ruhu calls report --db 团队库\n\n"
	 "log 记录一次拨打（结果：answered 接通, no_answer 无人接听, busy 占线, refused 拒访, "
	 "wrong_number 错号, dead_number 空号, callback 约定回拨（--callback-at 为 Unix 时间）, "
	 "language 语言障碍），作为事件随数据包传给组长，合并时保留。report 按县列出最终结果"
	 "（AAPOR 标准定义：I 完成, P 部分, R 拒访, NC 未接触, O 其他, UH 未知, NE 不合格）和 RR1、"
	 "RR3（e 由数据估计）、COOP1、REF1、CON1，供组长判断各县电话样本是否完成。详见 docs/sampling.md。",
	 "ruhu calls log --db DB HOUSEHOLD OUTCOME [--callback-at UNIX-TIME]\n"
	 "ruhu calls report --db TEAM.db\n\n"
	 "log records one call attempt (outcomes: answered, no_answer, busy, refused, "
	 "wrong_number, dead_number, callback with --callback-at, language) as an event that "
	 "travels in bundles and that merge keeps. report lists each county's final dispositions "
	 "(AAPOR Standard Definitions: I complete, P partial, R refusal, NC non-contact, O other, "
	 "UH unknown, NE not eligible) and RR1, RR3 (e estimated from the data), COOP1, REF1 and "
	 "CON1, so a team leader sees whether a county reached its phone quota. See "
	 "docs/sampling.md."},
};

const size_t cmd_count = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_entry *cmd_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}
