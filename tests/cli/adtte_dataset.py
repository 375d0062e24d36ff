"""Writes one ADTTE parameter as the CSV `lutetia analyse` reads: time (AVAL, months), event
(1 - CNSR), arm (the subject's ARMCD from DM) and arm_<ID> (1/0) for each arm given after
the parameter. Usage: adtte_dataset.py ADAM_DIR SDTM_DIR PARAMCD [ARM ...] > out.csv.
Used by tests/cli/export-domains.sh to compare ADTTE's analysis with the store's."""
import csv
import os
import sys

adam, sdtm, param, arms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(os.path.join(sdtm, "dm.csv"), newline="") as f:
    armcd = {r["USUBJID"]: r["ARMCD"] for r in csv.DictReader(f)}
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["time", "event", "arm"] + ["arm_" + a for a in arms])
with open(os.path.join(adam, "adtte.csv"), newline="") as f:
    for r in csv.DictReader(f):
        if r["PARAMCD"] != param:
            continue
        a = armcd[r["USUBJID"]]
        out.writerow([r["AVAL"], 1 - int(r["CNSR"]), a] + [int(a == x) for x in arms])
