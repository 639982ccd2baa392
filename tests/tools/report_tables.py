#!/usr/bin/python3
"""The tables (pilotctl report, GET /v1/campaigns/{c}/reports/{name}) read back independently.

Usage: /usr/bin/python3 tests/tools/report_tables.py SOURCE_DIR BIN_DIR

Starts the development sample (scripts/start.sh, as ./run does) and, for every report, for an
auditor, a province and the public, in XLSX (read with Debian's python3-openpyxl) and CSV (Python's
csv), in Chinese and English:
- every cell equals what the JSON API answers the same reader at the same checkpoint (the rows are
  rebuilt here from /v1/units, /v1/campaigns/{c} and /v1/campaigns/{c}/quotas, not from the server's
  row code), and nothing the reader may not see appears;
- the stamped checkpoint is the one the ledger key signed, of the size the API answers;
- a seq of a row proves its entry (pilotctl proof, then verify-bundle), and the entry names the unit;
- the XLSX is a real spreadsheet: typed cells, a frozen heading row, column widths, dates as dates.
Then a province's filled-in tables (a CSV of review requests, an XLSX of recommendations, written
here by csv and openpyxl) go through pilotctl import-table: the bad rows are reported by line with
the rule they break and nothing is written; the good rows become unsigned events that the ledger
accepts once the province's departments have signed them.
"""
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import openpyxl  # noqa: E402  (python3-openpyxl)
import pilot_verify as pv  # noqa: E402
from sample_server import SampleServer  # noqa: E402

CAMPAIGN = "sample-2026"
CATEGORIES = ["enterprise", "park", "street", "base"]
ZH = {"enterprise": "企业", "park": "园区", "street": "街道（乡镇）", "base": "基地", "product": "产品企业",
      "platform": "平台运营企业", "institution": "机构运营企业", "service": "服务企业", "application": "申报推荐",
      "review": "复核推荐", "title": "授予称号", "review_passed": "复核通过", "submitted": "已申报",
      "recommended": "已推荐", "published": "公示中", "rejected": "未通过", "granted": "已授予",
      "listed": "待申请复核", "requested": "已申请复核", "passed": "复核通过", "not_requested": "未申请复核", "active": "有效",
      "revoked": "已撤销", "eligible": "符合", "ineligible": "不符合", "review_failed": "复核未通过",
      "review_not_requested": "未申请复核", "assessment_failed": "评估未通过", "objection_upheld": "异议成立",
      "other": "其他", "failed": "复核未通过", "score_below_line": "评审得分未达线", "spot_check_failed": "抽查未通过",
      "not_eligible": "不符合申报条件", "withdrawn": "主动撤回", "province": "省、自治区、直辖市", "planned_city_or_xpcc": "计划单列市、新疆生产建设兵团",
      "soe_group": "中央企业", "total": "合计"}
HEADINGS = {
    "review-list": [("no", "序号"), ("batch", "原批次")],
    "summary": [("no", "序号"), ("kind", "推荐类型"), ("batch", "原批次")],
    "publicity": [("no", "序号"), ("kind", "类型")],
    "granted": [("no", "序号"), ("kind", "类型")],
    "revoked": [("no", "序号")],
    "quotas": [("no", "序号"), ("authority", "推荐单位"), ("kind", "推荐单位类型"), ("category", "申报类别"),
               ("base", "复核基数"), ("limit", "名额"), ("extra", "追加名额"), ("used", "已推荐")],
}
UNIT = [("name", "单位名称"), ("credit_code", "统一社会信用代码"), ("category", "申报类别"), ("subtype", "企业类型"),
        ("region", "所在地区"), ("authority", "推荐单位")]
AFTER = {
    "review-list": [("title_status", "称号状态"), ("revocation_reason", "撤销原因"), ("review_state", "复核状态"),
                    ("failure_reason", "复核未通过原因")],
    "summary": [("eligibility", "是否符合申报条件"), ("failed_criteria", "未满足的条件"), ("status", "状态"), ("reason", "原因"),
                ("note", "说明")],
    "publicity": [("objection_deadline", "公示截止时间")],
    "granted": [("title_status", "称号状态"), ("revocation_reason", "撤销原因")],
    "revoked": [("batch", "原批次"), ("reason", "撤销原因"), ("note", "说明")],
    "quotas": [],
}
DATE_COLUMNS = {"objection_deadline"}
failures = []
checked = [0]


def check(cond, what):
    checked[0] += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def headings(name, lang):
    cols = HEADINGS[name] + ([] if name == "quotas" else UNIT) + AFTER[name]
    return [en if lang == "en" else zh for en, zh in cols] + ["seqs" if lang == "en" else "依据条目（seq）"]


def rank(u):
    return (u["authority"], CATEGORIES.index(u["category"]), u["id"])


def unit_cells(u):
    return [u["name"], u["id"], u["category"], u.get("subtype"), u["region"], u["authority"]]


def expected_rows(name, units, campaign, quotas, reader, scope=None):
    """The rows (cells in the API's codes, then the seqs) from the API's own answers."""
    batches = campaign["rules"].get("review", {}).get("batches", [])
    c = campaign["campaign"]
    rows = []

    def full(u):  # the API's reading rule: ministries and auditors, and a unit's own authority
        return reader["privileged"] or (reader["authority"] and reader["authority"] == u["authority"])

    for u in sorted(units, key=rank):
        apps, revs, titles = u["applications"], u["reviews"], u["titles"]
        if name == "review-list":
            if u["id"] not in scope["listed"]:
                continue
            batch = next((b for b in batches if b in titles), None)
            t = titles.get(batch)
            seqs = [scope["listed"][u["id"]]] + ([t["granted_seq"]] if t else []) + ([t["revoked_seq"]] if t and "revoked_seq" in t else [])
            state = ("not_requested" if scope["closed"] else "listed") if full(u) else None
            failure = None  # review.failed is not public; title.revoked is
            if c in revs:
                r = revs[c]
                state = r["state"]
                seqs += [r[k] for k in ("requested_seq", "recommended_seq", "published_seq", "passed_seq") if k in r]
                if r.get("refusal"):
                    failure = r["refusal"]["reason"]
                    seqs.append(r["refusal"]["seq"])
            revoked = bool(t) and not t["active"]
            rows.append(([batch] + unit_cells(u) + ["active" if t and t["active"] else "revoked", t["reason"] if revoked else None, state,
                                                    failure], seqs))
        elif name == "summary":
            a, r = apps.get(c), revs.get(c)
            if a and "recommended_seq" in a:
                e = u["eligibility"][c]
                failed = "; ".join("%s: %s" % (f["id"], f["message"]) for f in e["failed"]) or None
                seqs = [a["submitted_seq"], a["recommended_seq"], e["rules_seq"]] + ([a["granted_seq"]] if "granted_seq" in a else [])
                why = a["refusal"] or {}  # application.rejected
                seqs += [why["seq"]] if why else []
                rows.append((["application", None] + unit_cells(u) + ["eligible" if e["eligible"] else "ineligible", failed, a["state"],
                                                                      why.get("reason"), why.get("note")], seqs))
            if r and "recommended_seq" in r:
                batch = next((b for b in batches if b in titles), None)
                e = r["eligibility"]
                failed = "; ".join("%s: %s" % (f["id"], f["message"]) for f in e["failed"]) or None
                t = titles.get(batch, {})
                seqs = [r["requested_seq"], r["recommended_seq"], e["rules_seq"]] + ([t["granted_seq"]] if t else []) + \
                       ([t["revoked_seq"]] if "revoked_seq" in t else []) + ([r["passed_seq"]] if "passed_seq" in r else [])
                # review.failed with its reason; with neither a pass nor a failure, a revoked title with the revocation's.
                revoked = "passed_seq" not in r and not r["refusal"] and t and not t["active"]
                why = r["refusal"] or ({"reason": t["reason"], "note": t.get("note")} if revoked else {})
                seqs += [r["refusal"]["seq"]] if r["refusal"] else []
                rows.append((["review", batch] + unit_cells(u) + ["eligible" if e["eligible"] else "ineligible", failed,
                                                                  "revoked" if revoked else r["state"], why.get("reason"), why.get("note")], seqs))
        elif name == "publicity":
            a, r = apps.get(c), revs.get(c)
            t = a if a and "published_seq" in a else r if r and "published_seq" in r else None
            if t is not None:
                rows.append((["application" if t is a else "review"] + unit_cells(u) + [t.get("objection_deadline")], [t["published_seq"]]))
        elif name == "granted":
            if c in titles:
                t = titles[c]
                rows.append((["title"] + unit_cells(u) + ["active" if t["active"] else "revoked", None if t["active"] else t["reason"]],
                             [t["granted_seq"]] + ([t["revoked_seq"]] if "revoked_seq" in t else [])))
            r = revs.get(c)
            if r and "passed_seq" in r:
                batch = next((b for b in batches if b in titles), None)
                t = titles.get(batch, {"active": True})
                rows.append((["review_passed"] + unit_cells(u) + ["active" if t["active"] else "revoked", None if t["active"] else t["reason"]],
                             [r["passed_seq"]] + ([t["revoked_seq"]] if "revoked_seq" in t else [])))
        elif name == "revoked":
            for b, t in sorted(titles.items()):
                if t.get("revoked_in") == c:
                    rows.append((unit_cells(u) + [b, t["reason"], t.get("note")], [t["granted_seq"], t["revoked_seq"]]))
    if name == "quotas":
        for a in quotas["authorities"]:
            exc = lambda cat: [e["seq"] for e in a["exceptions"] if e["category"] == cat]  # noqa: E731
            for cat in sorted(a["places"]):
                p = a["places"][cat]
                rows.append(([a["authority"], a["kind"], cat, None, p["limit"], p["extra"], p["used"]], exc(cat)))
            if "review" in a:
                rv = a["review"]
                rows.append(([a["authority"], a["kind"], "review", rv["base"], rv["cap"], rv["extra"], rv["recommended"]], exc("review")))
    return [([i + 1] + cells, sorted(set(seqs))) for i, (cells, seqs) in enumerate(rows)]


def localise(name, cells, lang):
    if lang == "en":
        return cells
    keys = [k for k, _ in HEADINGS[name] + ([] if name == "quotas" else UNIT) + AFTER[name]]
    labelled = {"kind", "category", "subtype", "title_status", "review_state", "eligibility", "status", "reason", "revocation_reason",
                "failure_reason"}
    return [ZH.get(v, v) if k in labelled and isinstance(v, str) else v for k, v in zip(keys, cells)]


def run(bin_dir, *args, ok=True):
    p = subprocess.run([os.path.join(bin_dir, "pilotctl")] + list(args), capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise RuntimeError("pilotctl %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def read_csv(path):
    raw = open(path, "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf"), path + ": starts with a UTF-8 byte-order mark")
    text = raw[3:].decode("utf-8")
    lines = text.split("\r\n")
    stamp = {}
    while lines and lines[0].startswith("# "):
        k, v = lines.pop(0)[2:].split(": ", 1)
        stamp[k] = v
    records = list(csv.reader(io.StringIO("\r\n".join(lines), newline="")))
    records = [r for r in records if r]
    stamp["checkpoint_note"] = pv.b64decode(stamp["checkpoint_note"]).decode("utf-8")
    return stamp, records[0], [r for r in records[1:]]


def read_xlsx(path):
    wb = openpyxl.load_workbook(path)
    meta, ws = wb.worksheets[0], wb.worksheets[1]
    stamp = {row[0].value: row[1].value for row in meta.iter_rows()}
    check(ws.freeze_panes == "A2", path + ": the heading row is frozen (%s)" % ws.freeze_panes)
    check(ws.column_dimensions["B"].width and ws.column_dimensions["B"].width > 8, path + ": column widths are set")
    check(all(c.font.b for c in ws[1]), path + ": the heading row is bold")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    check(wb.properties.title == stamp["title"], path + ": the document title is the report's")
    check(str(stamp["checkpoint_size"]) in (wb.properties.description or ""), path + ": the document comments name the checkpoint")
    return stamp, rows[0], rows[1:]


def as_csv(v):
    return "" if v is None else str(v)


def as_xlsx(v, key):
    if key in DATE_COLUMNS and v is not None:
        t = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
        return t
    return v


def compare(name, fmt, lang, stamp, heads, rows, expected, size, ledger_key, who):
    what = "%s %s %s as %s" % (name, fmt, lang, who)
    note = pv.open_note(stamp["checkpoint_note"], [ledger_key])
    origin, cp_size, root = pv.parse_checkpoint(note.text)
    check(cp_size == size, what + ": the stamped checkpoint is of the size the API answers (%d, %d)" % (cp_size, size))
    check(str(stamp["checkpoint_size"]) == str(cp_size) and stamp["checkpoint_origin"] == origin and
          stamp["checkpoint_root"] == pv.b64encode(root), what + ": origin, size and root are the signed note's")
    check(stamp["report"] == name and stamp["campaign"] == CAMPAIGN and stamp["lang"] == lang, what + ": names the report")
    check(list(heads) == headings(name, lang), what + ": headings %s" % heads)
    check(int(stamp["rows"]) == len(expected) == len(rows), what + ": %d rows, expected %d" % (len(rows), len(expected)))
    keys = [k for k, _ in HEADINGS[name] + ([] if name == "quotas" else UNIT) + AFTER[name]]
    for got, (cells, seqs) in zip(rows, expected):
        cells = localise(name, cells, lang)
        seq_text = " ".join(map(str, seqs))
        if fmt == "csv":
            want = [as_csv(v) for v in cells] + [seq_text]
        else:
            want = [as_xlsx(v, k) for v, k in zip(cells, keys)] + [seq_text or None]
            for v, k in zip(got, keys):
                if v is not None and k not in DATE_COLUMNS:
                    check(isinstance(v, int) == (k in ("no", "base", "limit", "extra", "used")), what + ": cell type of %s %r" % (k, v))
                if v is not None and k in DATE_COLUMNS:
                    check(isinstance(v, datetime.datetime), what + ": %s is a date (%r)" % (k, v))
        same = len(got) == len(want) and all(
            abs((g - w).total_seconds()) < 0.001 if isinstance(g, datetime.datetime) and isinstance(w, datetime.datetime) else g == w
            for g, w in zip(got, want))
        check(same, what + ": row %s\n  got  %s\n  want %s" % (cells[0], got, want))


def summary_outcomes(client, expected):
    """The summary's status and reason columns say what GET /v1/campaigns/{c}/outcomes says."""
    outcomes = client.get_json("/v1/campaigns/%s/outcomes" % CAMPAIGN)["units"]
    kinds = {"selection": "application", "review": "review"}
    by_row = {(cells[1], cells[4]): cells for cells, _ in expected}
    negative = [o for o in outcomes if o["outcome"] and o["outcome"]["state"] in ("rejected", "failed", "revoked")]
    check(sum(o["outcome"]["state"] == "rejected" for o in negative) >= 2 and any(o["outcome"]["state"] == "failed" for o in negative),
          "the sample rejects applications and fails reviews: %s" % negative)
    for o in outcomes:
        cells = by_row.get((kinds[o["track"]], o["unit_id"]))
        check(cells is not None, "the summary has %s's %s row" % (o["unit_id"], o["track"]))
        if cells is None:
            continue
        state, reason = (o["outcome"] or {}).get("state"), (o["outcome"] or {}).get("reason")
        if state in ("rejected", "failed"):
            check(cells[11:14] == [state, reason, o["outcome"].get("note")], "%s: status %s, reason %s: %s" % (o["unit_id"], state, reason, cells))
        elif state == "revoked":
            check(cells[11] == "revoked" and cells[12] is not None, "%s: status revoked with its reason: %s" % (o["unit_id"], cells))
        else:
            check(cells[12:14] == [None, None], "%s: no reason without a negative outcome: %s" % (o["unit_id"], cells))
    check(len(outcomes) == len(expected), "one summary row per recommended unit and track (%d, %d)" % (len(outcomes), len(expected)))


def credit_code(prefix17):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    s = sum(alphabet.index(ch) * w for ch, w in zip(prefix17, weights))
    return prefix17 + alphabet[(31 - s % 31) % 31]


def all_units(client):
    units, cursor = [], ""
    while True:
        page = client.get_json("/v1/units?limit=1000" + ("&cursor=" + cursor if cursor else ""))
        units += page["units"]
        if page["next_cursor"] is None:
            return units, page["as_of"]
        cursor = page["next_cursor"]


def import_errors(stderr, path):
    """{line: (rule, message)} of `FILE:LINE: rule: message` lines."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith(path + ":"):
            _, n, rule, msg = line.split(":", 3)
            out[int(n)] = (rule.strip(), msg.strip())
    return out


def main(source_dir, bin_dir):
    with SampleServer(source_dir, bin_dir) as sample:
        keys = os.path.join(sample.data, "dev-keys")
        ledger_key = sample.ledger_key()
        work = tempfile.mkdtemp(prefix="pilot-reports-")
        units_by_reader = {}
        # The review list (review.scope entries are public; the view with the requests is not).
        view = pv.Client(sample.url, pv.load_private_key(os.path.join(keys, "auditor.pem")), "auditor").get_json(
            "/v1/campaigns/%s/review-scope" % CAMPAIGN)
        scope = {"closed": view["deadline_passed"],
                 "listed": {i["unit_id"]: i["listed_seq"] for a in view["authorities"] for i in a["listed"]}}
        check(len(scope["listed"]) > 0, "the sample lists units for review")
        readers = [("auditor", {"privileged": True, "authority": ""}),
                   ("p110000-miit", {"privileged": False, "authority": "110000"}),
                   ("public", {"privileged": False, "authority": ""})]
        for actor, reader in readers:
            key = None if actor == "public" else pv.load_private_key(os.path.join(keys, actor + ".pem"))
            client = pv.Client(sample.url, key, actor if key else None)
            units, as_of = all_units(client)
            campaign = client.get_json("/v1/campaigns/" + CAMPAIGN)
            quotas = client.get_json("/v1/campaigns/%s/quotas" % CAMPAIGN) if key else None
            units_by_reader[actor] = units
            auth = [] if actor == "public" else ["--as", os.path.join(keys, actor + ".pem")]
            for name in HEADINGS:
                if name == "quotas" and not key:
                    p = run(bin_dir, "--server", sample.url, "report", name, "--campaign", CAMPAIGN, "--out", os.path.join(work, "q.csv"), ok=False)
                    check(p.returncode == 1 and "unauthenticated" in p.stderr, "quotas are refused to the public: " + p.stderr)
                    continue
                expected = expected_rows(name, units, campaign, quotas, reader, scope)
                for fmt, lang in (("xlsx", "zh"), ("csv", "zh"), ("csv", "en"), ("xlsx", "en")):
                    path = os.path.join(work, "%s-%s-%s-%s.%s" % (name, actor, lang, fmt, fmt))
                    run(bin_dir, "--server", sample.url, *auth, "report", name, "--campaign", CAMPAIGN, "--lang", lang, "--out", path)
                    stamp, heads, rows = read_xlsx(path) if fmt == "xlsx" else read_csv(path)
                    compare(name, fmt, lang, stamp, heads, rows, expected, as_of, ledger_key, actor)
                print("%s as %s: %d rows" % (name, actor, len(expected)))
                if name == "summary" and actor == "public":
                    check(expected == [], "the public sees no recommendation (they are not public entries)")
                if name == "summary" and actor == "auditor":
                    summary_outcomes(client, expected)
                if name == "summary" and actor == "p110000-miit":
                    check(expected and all(cells[8] == "110000" for cells, _ in expected), "a province sees only its own recommendations")
            # One authority's table: the same rows, renumbered.
            if actor == "auditor":
                path = os.path.join(work, "summary-110000.csv")
                run(bin_dir, "--server", sample.url, *auth, "report", "summary", "--campaign", CAMPAIGN, "--authority", "110000", "--out", path)
                _, _, rows = read_csv(path)
                mine = [r for r in expected_rows("summary", units, campaign, quotas, reader) if r[0][8] == "110000"]
                check([r[1:] for r in rows] == [[as_csv(v) for v in localise("summary", c, "zh")[1:]] + [" ".join(map(str, s))] for c, s in mine],
                      "--authority keeps that authority's rows")
        check(any(u["id"] for u in units_by_reader["public"]) and len(units_by_reader["public"]) < len(units_by_reader["auditor"]),
              "the public sees fewer units than the auditor")

        # A seq of a row proves its entry.
        revoked = expected_rows("revoked", units_by_reader["public"], pv.Client(sample.url).get_json("/v1/campaigns/" + CAMPAIGN), None,
                                {"privileged": False, "authority": ""})
        check(len(revoked) > 0, "the sample revokes titles (%d)" % len(revoked))
        cells, seqs = revoked[0]
        bundle = os.path.join(work, "proof.json")
        run(bin_dir, "--server", sample.url, "proof", str(seqs[-1]), "--out", bundle)
        p = run(bin_dir, "verify-bundle", bundle, "--ledger-key", ledger_key)
        entry = json.load(open(bundle))["entry"]
        check(entry["seq"] == seqs[-1] and entry["event"]["type"] == "title.revoked" and entry["event"]["body"]["unit_id"] == cells[2],
              "the revoked row's seq is its title.revoked entry: " + p.stdout)

        import_round_trip(sample, bin_dir, keys, work)
        if os.environ.get("PILOT_KEEP_REPORTS"):
            print("the files are in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("report tables: %d checks of every cell, checkpoint, proof and import passed" % checked[0])
    return 0


def write_file(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def cited_by(client, path):
    """The entries GET /v1/documents/{sha256} names for this file: {seq: type}."""
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return {c["seq"]: c["type"] for c in client.get_json("/v1/documents/" + digest)["citations"]}


def import_round_trip(sample, bin_dir, keys, work):
    server = ["--server", sample.url]
    auditor = pv.Client(sample.url, pv.load_private_key(os.path.join(keys, "auditor.pem")), "auditor")
    units, _ = all_units(auditor)
    rules = auditor.get_json("/v1/campaigns/" + CAMPAIGN)["rules"]
    # Review requests: the authority with the most listed units (review.scope) that never requested one.
    view = auditor.get_json("/v1/campaigns/%s/review-scope" % CAMPAIGN)
    listed = {i["unit_id"] for a in view["authorities"] for i in a["listed"]}
    pending = {}
    for u in units:
        if u["id"] in listed and CAMPAIGN not in u["reviews"] and any(
                b in u["titles"] and u["titles"][b]["active"] for b in ("2017", "2018", "2019")):
            pending.setdefault(u["authority"], []).append(u)
    authority = max((a for a in pending if not a.startswith("soe:")), key=lambda a: len(pending[a]))
    todo = pending[authority][:2]
    check(len(todo) == 2, "two listed units of %s have not requested their review" % authority)
    requested = next(u for u in units if u["authority"] == authority and CAMPAIGN in u["reviews"])
    as_prov = ["--as", os.path.join(keys, "p%s-miit.pem" % authority)]
    table = os.path.join(work, "review-requests.csv")
    bad_code = todo[0]["id"][:17] + ("0" if todo[0]["id"][17] != "0" else "1")
    # The documents a review request must carry: the rule file's (复核申请表) and the authority's own
    # (review.requirements), one column 文件：NAME each, the cell a file beside the table.
    own = next(a for a in view["authorities"] if a["authority"] == authority)["requirements"]
    names = rules["documents"]["review.requested"] + (own["required_documents"] if own else [])
    check(names[0] == "复核申请表", "the 2023 rules require the review form: %s" % names)
    for u in todo + [requested]:
        for i, n in enumerate(names):
            write_file(os.path.join(work, "%s-%d.txt" % (u["id"], i)), "%s %s（示例）\n" % (n, u["id"]))
    # One column per figure; each row fills those of its unit's category.
    form = ["revenue", "investment", "it_investment", "field_enterprises", "典型应用场景"]
    figure = {"enterprise": "revenue", "street": "investment", "base": "it_investment", "park": "field_enterprises"}

    def form_cells(u, value=12000000, docs=None):
        files = ["%s-%d.txt" % (u["id"], i) for i in range(len(names))] if docs is None else docs
        return [value if figure[u["category"]] == f else "" for f in form[:-1]] + ["family_health、medical_elderly_integration"] + files

    heading = ["序号", "单位名称", "统一社会信用代码"] + form + ["文件：" + n for n in names]
    with open(table, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heading)
        w.writerow([1, todo[0]["name"], todo[0]["id"]] + form_cells(todo[0]))              # line 2: good
        w.writerow([2, requested["name"], requested["id"]] + form_cells(requested))        # line 3: already requested
        w.writerow([3, todo[1]["name"], todo[1]["id"]] + form_cells(todo[1]))              # line 4: good
        w.writerow([4, "错误代码", bad_code] + form_cells(todo[0]))                         # line 5: wrong check character
        w.writerow([5, todo[0]["name"], todo[0]["id"]] + form_cells(todo[0]))              # line 6: repeats line 2
        w.writerow([6, todo[1]["name"], todo[1]["id"]] + form_cells(todo[1], "很多"))       # line 7: not a number
        # line 8: no review form (the documents are judged before the rest, so not "repeats line 4")
        w.writerow([7, todo[1]["name"], todo[1]["id"]] + form_cells(todo[1], docs=[""] + form_cells(todo[1])[len(form):][1:]))
        w.writerow([8, todo[1]["name"], todo[1]["id"]] + form_cells(todo[1], docs=["无此文件.pdf"] * len(names)))  # line 9: no such file
    out = os.path.join(work, "review-events")
    p = run(bin_dir, *server, *as_prov, "import-table", table, "--type", "review-request", "--campaign", CAMPAIGN, "--out", out, ok=False)
    errors = import_errors(p.stderr, table)
    check(p.returncode == 1 and sorted(errors) == [3, 5, 6, 7, 8, 9], "bad review-request rows by line: %s" % p.stderr)
    check(errors.get(7, ("",))[0] == "field metrics." + figure[todo[1]["category"]], "a figure that is not a number: %s" % errors)
    check(errors.get(3, ("",))[0] == "invalid_transition" and errors.get(6, ("",))[0] == "invalid_transition" and
          errors.get(5, ("",))[0] == "field unit_id", "the rules they break: %s" % errors)
    check(errors.get(8, ("", ""))[0] == "field documents" and "复核申请表" in errors.get(8, ("", ""))[1],
          "a row without its review form: %s" % (errors.get(8),))
    check(errors.get(9, ("", ""))[0] == "field documents.复核申请表" and "无此文件.pdf" in errors.get(9, ("", ""))[1],
          "a row naming a file that is not there: %s" % (errors.get(9),))
    check(not os.path.exists(out), "nothing is written while a row is bad")
    with open(table, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(heading)
        for i, u in enumerate(todo):
            w.writerow([i + 1, u["name"], u["id"]] + form_cells(u))
    run(bin_dir, *server, *as_prov, "import-table", table, "--type", "review-request", "--campaign", CAMPAIGN, "--out", out)
    files = sorted(os.listdir(out))
    check(len(files) == 2, "one event per row: %s" % files)
    for name in files:
        path = os.path.join(out, name)
        check(json.load(open(path))["sigs"] == [], name + " is unsigned")
        run(bin_dir, "sign", path, "--key", os.path.join(keys, "p%s-miit.pem" % authority))
        run(bin_dir, *server, "append", path)
    for u in todo:
        view = auditor.get_json("/v1/units/" + u["id"])
        r = view["reviews"].get(CAMPAIGN, {})
        check(r.get("state") == "requested" and r.get("metrics") == {figure[u["category"]]: 12000000} and
              r.get("scenarios") == ["family_health", "medical_elderly_integration"], u["id"] + " requested its review with its form: %s" % r)
        for i in range(len(names)):
            cites = cited_by(auditor, os.path.join(work, "%s-%d.txt" % (u["id"], i)))
            check(list(cites.values()) == ["review.requested"] and r.get("requested_seq") in cites,
                  "%s's %s is cited by its review request: %s" % (u["id"], names[i], cites))

    # Recommendations (XLSX): new eligible streets of a province with an ineligible submission,
    # filed first by its MIIT department; the checks (材料审核, 现场调研) and the opinion (推荐意见) per
    # row, the summary table (汇总表) the table itself (--document).
    ineligible = next(u for u in units if u["status"] == "submitted" and not u["authority"].startswith("soe:"))
    prov = ineligible["authority"]
    depts = [os.path.join(keys, "p%s-%s.pem" % (prov, d)) for d in ("miit", "civil", "health")]
    new = []
    for i in range(4):
        code = credit_code("11%s%09d" % (ineligible["region"], 770000001 + i))
        unit = {"id": code, "name": "示例街道%d" % i, "category": "street", "region": ineligible["region"], "authority": prov}
        body = {"campaign": CAMPAIGN, "unit": unit,
                "metrics": {"investment": 20000000, "it_investment": 3000000, "product_kinds": 6, "service_kinds": 6,
                            "people_served": 20000, "online_offline": True, "contractor_evaluation": True},
                "scenarios": ["family_health", "community_day_care", "home_visit_services", "medical_elderly_integration"]}
        material = write_file(os.path.join(work, "material-%s.txt" % code), "申报材料 %s（示例）\n" % code)
        run(bin_dir, *server, "event", "submission.filed", "--body", json.dumps(body, ensure_ascii=False), "--document", "申报材料=" + material,
            "--key", depts[0])
        write_file(os.path.join(work, "opinion-%s.txt" % code), "推荐意见 %s（示例）\n" % code)
        new.append(unit)
    recommended = next(u for u in units if u["authority"] == prov and u["applications"].get(CAMPAIGN, {}).get("recommended_seq"))
    day = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).date()  # not after the ledger's day (UTC+8)
    xlsx = os.path.join(work, "recommendations.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws.append(["序号", "推荐类型", "单位名称", "统一社会信用代码", "申报类别", "材料审核日期", "材料审核说明", "现场调研日期", "现场调研说明",
               "文件：推荐意见"])

    def rec_row(n, u, site=None, opinion=None):
        # 材料审核日期 a date cell (a serial number in the file), 现场调研日期 text as people type it.
        return [n, "申报推荐", u["name"], u["id"], "街道（乡镇）" if u.get("category", "street") == "street" else "企业", day, "逐一审查申报材料",
                day.strftime("%Y/%m/%d") if site is None else site, "现场调研", "opinion-%s.txt" % u["id"] if opinion is None else opinion]

    ws.append(rec_row(1, new[0]))                                                    # row 2: good
    ws.append(rec_row(2, recommended, opinion="opinion-%s.txt" % new[0]["id"]))     # row 3: already recommended
    ws.append(rec_row(3, {"name": "无此单位", "id": credit_code("91110000999999999"), "category": "enterprise"},
                      opinion="opinion-%s.txt" % new[0]["id"]))                      # row 4: unknown unit
    ws.append(rec_row(4, new[1]))                                                    # row 5: good
    ws.append(rec_row(5, ineligible, opinion="opinion-%s.txt" % new[0]["id"]))      # row 6: not eligible
    ws.append(rec_row(6, new[2], site="明天"))                                        # row 7: not a date
    row = rec_row(7, new[2])
    row[7] = row[8] = None
    ws.append(row)                                                                    # row 8: no site visit
    ws.append(rec_row(8, new[3], opinion=""))                                        # row 9: no opinion
    wb.save(xlsx)
    out = os.path.join(work, "recommendation-events")
    as_miit = ["--as", depts[0]]
    table_doc = ["--document", "汇总表=" + xlsx]
    p = run(bin_dir, *server, *as_miit, "import-table", xlsx, "--type", "recommendation", "--campaign", CAMPAIGN, "--out", out, *table_doc, ok=False)
    errors = import_errors(p.stderr, xlsx)
    print("import-table on the recommendations reported:\n" + p.stderr, end="")
    want = {3: "invalid_transition", 4: "unknown_unit", 6: "not_eligible", 7: "field checks.site_visit.date", 8: "field checks",
            9: "field documents"}
    check(p.returncode == 1 and {k: v[0] for k, v in errors.items()} == want, "bad recommendation rows by line: %s" % p.stderr)
    lines = [int(x.split(":")[1]) for x in p.stderr.splitlines() if x.startswith(xlsx + ":")]
    check(lines == sorted(lines), "the bad rows are reported in line order: %s" % lines)
    check("site_visit" in errors.get(8, ("", ""))[1] and "推荐意见" in errors.get(9, ("", ""))[1],
          "the check and the document missing are named: %s" % errors)
    for row in sorted(want, reverse=True):
        ws.delete_rows(row)
    wb.save(xlsx)
    run(bin_dir, *server, *as_miit, "import-table", xlsx, "--type", "recommendation", "--campaign", CAMPAIGN, "--out", out, *table_doc)
    files = sorted(os.listdir(out))
    check(len(files) == 2, "one recommendation per row: %s" % files)
    for name in files:
        path = os.path.join(out, name)
        p = run(bin_dir, *server, "append", path, ok=False)
        check(p.returncode != 0, "an unsigned recommendation is not appended: " + p.stderr)
        for k in depts:
            run(bin_dir, "sign", path, "--key", k)
        run(bin_dir, *server, "append", path)
    summary_cites = cited_by(auditor, xlsx)
    for u in new[:2]:
        view = auditor.get_json("/v1/units/" + u["id"])
        a = view["applications"][CAMPAIGN]
        check(a["state"] == "recommended", u["id"] + " is recommended")
        check(a["checks"] == [{"method": "material_review", "date": day.isoformat(), "note": "逐一审查申报材料"},
                              {"method": "site_visit", "date": day.isoformat(), "note": "现场调研"}], u["id"] + "'s checks: %s" % a["checks"])
        check(cited_by(auditor, os.path.join(work, "opinion-%s.txt" % u["id"])) == {a["recommended_seq"]: "recommendation.issued"} and
              summary_cites.get(a["recommended_seq"]) == "recommendation.issued", u["id"] + "'s opinion and the summary table are cited")
    check(len(summary_cites) == 2, "the summary table is cited by the two recommendations: %s" % summary_cites)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
