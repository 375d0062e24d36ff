"""Reads every NAME.xpt of a folder with pandas (read_sas, SAS transport) and compares it, cell
by cell, with NAME.csv beside it: the same columns, rows and values (numbers to 1e-9 relative).
Prints one line per dataset and exits 1 on any difference. Used by tests/cli/export.sh."""
import glob
import math
import os
import sys

import pandas as pd

bad = 0
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.xpt")))
if not files:
    print("no .xpt files in", sys.argv[1])
    sys.exit(1)
for path in files:
    c = pd.read_csv(path[:-4] + ".csv", dtype=str, keep_default_na=False)
    if len(c) == 0:
        # pandas' reader stops on a dataset without observations: the header alone is checked
        with open(path, "rb") as f:
            head = f.read()
        names = [head[640 + 140 * i + 8:640 + 140 * i + 16].decode().strip() for i in range(len(c.columns))]
        diffs = names != list(c.columns)
        print(os.path.basename(path), 0, "rows", int(diffs), "differences")
        bad += diffs
        continue
    x = pd.read_sas(path, format="xport", encoding="utf-8")
    diffs = 0
    if list(x.columns) != list(c.columns) or len(x) != len(c):
        diffs = 1
    else:
        for col in x.columns:
            for a, b in zip(x[col], c[col]):
                if isinstance(a, float):
                    if math.isnan(a):
                        diffs += b != ""
                    else:
                        diffs += b == "" or abs(a - float(b)) > 1e-9 * max(1.0, abs(a))
                elif (a or "") != b:
                    diffs += 1
    print(os.path.basename(path), len(x), "rows", diffs, "differences")
    bad += diffs
sys.exit(1 if bad else 0)
