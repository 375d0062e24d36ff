"""The baseline figures the DSMB report must show, counted from `lutetia export adam`'s ADSL
(AGE at randomisation, SEX) independently of the report: per arm name (or "all"), the patients
by age group and sex, and the median, minimum and maximum age. Prints one JSON object."""
import csv
import json
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
split = int(sys.argv[2]) if len(sys.argv) > 2 else 65


def figures(rs):
    ages = [int(r["AGE"]) for r in rs if r["AGE"] != ""]
    return {
        "n": len(rs),
        "young": sum(a < split for a in ages),
        "old": sum(a >= split for a in ages),
        "unknown": sum(r["AGE"] == "" for r in rs),
        "female": sum(r["SEX"] == "F" for r in rs),
        "male": sum(r["SEX"] == "M" for r in rs),
        "sex_unknown": sum(r["SEX"] not in ("F", "M") for r in rs),
        "known": len(ages),
        "median": statistics.median(ages) if ages else None,
        "min": min(ages) if ages else None,
        "max": max(ages) if ages else None,
    }


out = {"all": figures(rows)}
for arm in sorted({r["ARM"] for r in rows}):
    out[arm] = figures([r for r in rows if r["ARM"] == arm])
print(json.dumps(out))
