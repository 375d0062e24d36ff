"""Checks what every exported history must satisfy, whatever the seed drew: the rules the
ADaM and EX derivations decide (baseline, worst grade, change, treatment-emergence, censoring,
the oral drug's periods). Usage: export_properties.py SDTM_DIR ADAM_DIR; prints one line per
broken rule (and a count) and exits 1 on any. Used by tests/cli/export-domains.sh on the
demonstration trials, each a seeded random trial of many patients."""
import csv
import os
import sys
from collections import defaultdict

sdtm, adam = sys.argv[1], sys.argv[2]
bad = []


def rows(d, name):
    with open(os.path.join(d, name + ".csv"), newline="") as f:
        return list(csv.DictReader(f))


def num(x):
    return float(x) if x != "" else None


adsl = {r["USUBJID"]: r for r in rows(adam, "adsl")}

# ADLB: per subject and test, at most one baseline, on or before the first exposure (or the
# randomisation), and the latest such result; BASE and BTOXGR its value and grade on every row;
# CHG = AVAL - BASE after it; ANL01FL on one post-baseline row holding the worst grade
by = defaultdict(list)
for r in rows(adam, "adlb"):
    by[(r["USUBJID"], r["PARAMCD"])].append(r)
for (u, p), rs in by.items():
    ref = num(adsl[u]["TRTSDT"]) or num(adsl[u]["RANDDT"])
    before = [r for r in rs if num(r["ADT"]) <= ref]
    base = [r for r in rs if r["ABLFL"] == "Y"]
    if len(base) != (1 if before else 0):
        bad.append(f"ADLB {u} {p}: {len(base)} baselines, {len(before)} results before {ref}")
        continue
    if base and num(base[0]["ADT"]) != max(num(r["ADT"]) for r in before):
        bad.append(f"ADLB {u} {p}: the baseline is not the latest result before the reference")
    for r in rs:
        if base and (r["BASE"] != base[0]["AVAL"] or r["BTOXGR"] != base[0]["ATOXGR"]):
            bad.append(f"ADLB {u} {p} {r['ADT']}: BASE/BTOXGR not the baseline's")
        after = base and num(r["ADT"]) > num(base[0]["ADT"])
        if after and abs(num(r["CHG"]) - (num(r["AVAL"]) - num(r["BASE"]))) > 1e-9:
            bad.append(f"ADLB {u} {p} {r['ADT']}: CHG {r['CHG']} != AVAL - BASE")
        if not after and r["CHG"] != "":
            bad.append(f"ADLB {u} {p} {r['ADT']}: CHG on a row not after the baseline")
    post = [r for r in rs if num(r["ADT"]) > ref and r["ATOXGRN"] != ""]
    flagged = [r for r in rs if r["ANL01FL"] == "Y"]
    if len(flagged) != (1 if post else 0):
        bad.append(f"ADLB {u} {p}: {len(flagged)} ANL01FL rows, {len(post)} graded after the reference")
    elif post and num(flagged[0]["ATOXGRN"]) != max(num(r["ATOXGRN"]) for r in post):
        bad.append(f"ADLB {u} {p}: ANL01FL not on the worst grade")

# ADAE: treatment-emergent exactly when the event started on or after the first exposure
for r in rows(adam, "adae"):
    first, start = num(r["TRTSDT"]), num(r["ASTDT"])
    want = "Y" if first is not None and start is not None and start >= first else ""
    if r["TRTEMFL"] != want:
        bad.append(f"ADAE {r['USUBJID']} {r['AESEQ']}: TRTEMFL '{r['TRTEMFL']}', expected '{want}'")

# ADTTE: AVAL the months from STARTDT to ADT; an event has no censoring date description, a
# censored row has one; one row per subject and parameter
seen = set()
for r in rows(adam, "adtte"):
    k = (r["USUBJID"], r["PARAMCD"])
    if k in seen:
        bad.append(f"ADTTE {k}: two rows")
    seen.add(k)
    if abs(num(r["AVAL"]) - (num(r["ADT"]) - num(r["STARTDT"])) / 30.4375) > 1e-9:
        bad.append(f"ADTTE {k}: AVAL {r['AVAL']} is not ADT - STARTDT in months")
    if (r["CNSR"] == "0") == (r["CNSDTDSC"] != "") or r["EVNTDESC"] == "":
        bad.append(f"ADTTE {k}: CNSR {r['CNSR']} with CNSDTDSC '{r['CNSDTDSC']}'")

# EX: a period ends on or after its start; a subject's oral drug periods do not overlap
periods = defaultdict(list)
for r in rows(sdtm, "ex"):
    if r["EXENDTC"] and r["EXENDTC"][:10] < r["EXSTDTC"][:10]:
        bad.append(f"EX {r['USUBJID']} {r['EXSEQ']}: ends before it starts")
    if r["EXROUTE"] == "ORAL":
        periods[r["USUBJID"]].append((r["EXSTDTC"], r["EXENDTC"] or "9999"))
for u, ps in periods.items():
    ps.sort()
    for a, b in zip(ps, ps[1:]):
        if b[0] <= a[1]:
            bad.append(f"EX {u}: oral periods {a} and {b} overlap")

for b in bad[:20]:
    print(b)
print(len(bad), "broken")
sys.exit(1 if bad else 0)
