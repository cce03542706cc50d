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
	 "改名后才记录导出。",
	 "ruhu export --db DB --out DIR [--all | --again SEQ]\n"
	 "ruhu export --db TEAM.db --for DEVICE --out DIR\n\n"
	 "Writes one bundle ruhu-DEVICE-SEQ.bundle.gz of every interview changed since the last "
	 "export (--all: everything; --again SEQ: a bundle the team refused is exported again, "
	 "everything it held in its current version and all changed since, as a bundle with a new "
	 "number); --for writes a return bundle for a device (its assignments "
	 "and the interviews sent back to it). The file is written under a temporary name, synced "
	 "and renamed before the export is recorded."},
	{"merge", cmd_merge, "合并数据包到团队库", "merge bundles into a team database",
	 "ruhu merge --db 团队库 数据包...\n\n逐个完整校验后在一个事务中合并；重复合并不改变任何内容；"
	 "同一版本内容不同记为冲突，同一户两个访谈记为重复。有数据包被拒绝时退出码为 1，其余照常合并。"
	 "团队库也可以在 PostgreSQL 服务器上：--db postgresql://主机/库名 或 \"host=… dbname=…\"（见 ruhu help db）。",
	 "ruhu merge --db TEAM.db BUNDLE...\n\nVerifies each bundle completely, then merges it in "
	 "one transaction; merging a bundle again changes nothing; an equal revision with "
	 "different content is kept as a conflict, one household under two interviews is flagged "
	 "as a duplicate. Exits 1 if any bundle was refused; the others still merge. The team "
	 "database may be on a PostgreSQL server: --db postgresql://HOST/DBNAME or "
	 "\"host=... dbname=...\" (see ruhu help db)."},
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
	 "ruhu status --db 数据库\n\n按县、村、调查员列出样本户数、已开始、已完成、已通过、已退回、重复，"
	 "以及每台设备最近合并的数据包。",
	 "ruhu status --db DB\n\nAssigned, started, completed, approved, rejected and duplicate "
	 "households by county, village and enumerator, and the latest bundle merged per device."},
	{"conflicts", cmd_conflicts, "查看和解决冲突与重复", "list and resolve conflicts and duplicates",
	 "ruhu conflicts --db 团队库 [--resolve UUID 哈希前缀 [--author 姓名]]\n\n列出合并保留的冲突"
	 "（同一版本的不同内容，* 为当前版本）和重复；--resolve 选用一个版本（记为事件，可再次选择以撤销）。",
	 "ruhu conflicts --db TEAM.db [--resolve UUID HASH-PREFIX [--author NAME]]\n\nLists the "
	 "conflicts merges kept (versions of one revision, * = current) and duplicates; --resolve "
	 "chooses one version (recorded as an event; choose again to reverse)."},
	{"review", cmd_review, "审核访谈（通过或退回）", "approve or reject an interview",
	 "ruhu review --db 数据库 UUID --approve | --reject 批注 [--author 姓名]\n\n"
	 "团队长审核一个已完成的访谈：--approve 通过，--reject 退回并写明原因（不能为空）。"
	 "退回的访谈及批注随下一个返回数据包（ruhu export --for 设备）回到调查员的设备。",
	 "ruhu review --db DB UUID --approve | --reject COMMENT [--author NAME]\n\n"
	 "The team leader's verdict on one completed interview: --approve, or --reject with the "
	 "reason (not empty). A rejected interview and its comment go back to the enumerator's "
	 "device in the next return bundle (ruhu export --for DEVICE)."},
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
	 "ruhu synth 问卷 --households 户数 [--devices 设备数] [--counties 县数] [--seed 种子] --out 目录\n\n"
	 "用访谈引擎生成符合问卷逻辑的模拟访谈（随机有效答案、家庭成员、过程数据），"
	 "分到各设备的数据包中，并写出 sample.csv 供 ruhu assign 使用。同一种子结果完全相同。"
	 "--counties 把各户轮流分到 C001…CN 个县（样本中的县），并给样本加上 county_class（三类）和 "
	 "prefecture（每十县一个）两列，供评分配置分组。",
	 "ruhu synth FORM --households N [--devices K] [--counties N] [--seed S] --out DIR\n\n"
	 "Generates synthetic interviews that satisfy the form's logic (random valid answers, "
	 "rosters, paradata) through the interview engine, as K device bundles, plus sample.csv "
	 "for ruhu assign. The same seed gives identical files. --counties spreads the households "
	 "over counties C001..CN in the sample and adds the columns county_class (three classes) "
	 "and prefecture (one per ten counties) that scoring profiles group by."},
	{"data", cmd_data, "导出分析数据（CSV、Excel、Stata、SPSS）",
	 "write analysis files (CSV, Excel, Stata, SPSS)",
	 "ruhu data --db 团队库 --out 目录 [--format csv|xlsx|dta|sav]... [--form 问卷ID]\n"
	 "          [--status 状态]... [--lang zh|en] [--mask] [--long] [--paradata]\n"
	 "          [--excel-bom] [--dk-code 数] [--refused-code 数] [--force]\n\n"
	 "把团队库中的访谈写成分析用的表：每份问卷一张主表（每个访谈一行）、每个重复组一张表"
	 "（每个成员一行），以访谈 UUID、样本户编号、序号和上级键相连；多选题另拆成 0/1 列；"
	 "附调查员、设备、县乡村、起止时间、用时、状态、修订号。标签用 --lang 的语言。"
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
	 "start, end, duration, status and revision. Labels in the --lang language. "
	 "--format may repeat (default csv): csv also writes labels.do and labels.R; xlsx one "
	 "workbook; dta (Stata 14+); sav (SPSS). Every format comes with codebook.csv (the "
	 "full labels). Don't know/refused are --dk-code/--refused-code in CSV (default "
	 "-8/-9), .a/.b in Stata, user-missing in SPSS. --status exports that status only "
	 "(may repeat), --form one form, --mask replaces personal fields by stable "
	 "pseudonyms, --long adds a table of one row per answer, --paradata the event log. "
	 "The output folder must be empty (or absent) unless --force; files are written under "
	 "temporary names and renamed when all are complete. See docs/data.md."},
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
