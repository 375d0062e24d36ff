#!/usr/bin/python3
"""define.xml against the datasets beside it (tests/cli/export-domains.sh runs it on each
demonstration trial's SDTM and ADaM folders).

Reads every XPT's own member and namestr headers (SAS transport version 5: 140 bytes per
variable: type, length, number, name, label) and checks that define.xml has exactly those
datasets (ItemGroupDef, def:leaf naming the file) and, in each, exactly those variables in that
order (ItemRef OrderNumber) with the same name, label, type (text for character, integer or
float for numeric) and length; that every key variable is one of the dataset's; that every
CodeListRef resolves and every value a coded column holds (from the CSV) is one of its
CodeList's terms, each NCI code C and digits. Prints the differences; exits 1 on any."""
import csv
import glob
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.0",
      "xlink": "http://www.w3.org/1999/xlink"}
DEF = "{%s}" % NS["def"]
XLINK = "{%s}" % NS["xlink"]


def xpt_vars(path):
    """(dataset name, label, [(name, label, numeric, length)]) from the file's headers."""
    data = open(path, "rb").read()
    member = data.index(b"HEADER RECORD*******MEMBER  HEADER RECORD")
    dscrptr = member + 80 + 80  # MEMBER, DSCRPTR header records
    name = data[dscrptr + 8:dscrptr + 16].decode().strip()
    label = data[dscrptr + 80 + 32:dscrptr + 80 + 72].decode().strip()
    nhead = data.index(b"HEADER RECORD*******NAMESTR HEADER RECORD")
    nvars = int(data[nhead + 54:nhead + 58])
    out = []
    for i in range(nvars):
        rec = data[nhead + 80 + 140 * i:nhead + 80 + 140 * (i + 1)]
        ntype, _, nlng, _ = struct.unpack(">hhhh", rec[:8])
        out.append((rec[8:16].decode().strip(), rec[16:56].decode().strip(), ntype == 1, nlng))
    return name, label, out


def text(el):
    t = el.find("odm:Description/odm:TranslatedText", NS)
    return t.text if t is not None else None


def main(folder):
    bad = []
    root = ET.parse(os.path.join(folder, "define.xml")).getroot()
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    groups = {g.get("Name"): g for g in mdv.findall("odm:ItemGroupDef", NS)}
    items = {i.get("OID"): i for i in mdv.findall("odm:ItemDef", NS)}
    lists = {c.get("OID"): c for c in mdv.findall("odm:CodeList", NS)}
    files = sorted(glob.glob(os.path.join(folder, "*.xpt")))
    written = {}
    for f in files:
        name, label, variables = xpt_vars(f)
        written[name] = (os.path.basename(f), label, variables)
    if set(groups) != set(written):
        bad.append("datasets: define.xml %s, files %s" % (sorted(groups), sorted(written)))
    used = set()
    for name, (file, label, variables) in written.items():
        g = groups.get(name)
        if g is None:
            continue
        if text(g) != label:
            bad.append("%s: label %r in define.xml, %r in the XPT" % (name, text(g), label))
        leaf = g.find("def:leaf", NS)
        if leaf is None or leaf.get(XLINK + "href") != file or \
                g.get(DEF + "ArchiveLocationID") != leaf.get("ID"):
            bad.append("%s: def:leaf does not name %s" % (name, file))
        refs = sorted(g.findall("odm:ItemRef", NS), key=lambda r: int(r.get("OrderNumber")))
        if [int(r.get("OrderNumber")) for r in refs] != list(range(1, len(refs) + 1)):
            bad.append("%s: OrderNumber not 1..n" % name)
        if len(refs) != len(variables):
            bad.append("%s: %d ItemRefs, %d variables" % (name, len(refs), len(variables)))
        keys = [r for r in refs if r.get("KeySequence")]
        if not keys or sorted(int(r.get("KeySequence")) for r in keys) != list(range(1, len(keys) + 1)):
            bad.append("%s: KeySequence not 1..k" % name)
        rows = list(csv.DictReader(open(os.path.join(folder, file[:-4] + ".csv"), newline="")))
        for ref, (vname, vlabel, numeric, length) in zip(refs, variables):
            oid = ref.get("ItemOID")
            used.add(oid)
            it = items.get(oid)
            if it is None:
                bad.append("%s.%s: no ItemDef %s" % (name, vname, oid))
                continue
            want_type = ("integer", "float") if numeric else ("text",)
            got = (it.get("Name"), text(it), it.get("DataType"), int(it.get("Length")))
            if got[0] != vname or got[1] != vlabel or got[2] not in want_type or got[3] != length:
                bad.append("%s.%s: define.xml %r, XPT %r" % (name, vname, got, (vname, vlabel, want_type, length)))
            if it.find("def:Origin", NS) is None:
                bad.append("%s.%s: no def:Origin" % (name, vname))
            mandatory = ref.get("Mandatory") == "Yes"
            if mandatory and any(r[vname] == "" for r in rows):
                bad.append("%s.%s: Mandatory, yet empty on a row" % (name, vname))
            clref = it.find("odm:CodeListRef", NS)
            if clref is not None:
                cl = lists.get(clref.get("CodeListOID"))
                if cl is None:
                    bad.append("%s.%s: CodeList %s missing" % (name, vname, clref.get("CodeListOID")))
                    continue
                terms = {e.get("CodedValue") for e in cl.findall("odm:EnumeratedItem", NS)}
                for r in rows:
                    if r[vname] and r[vname] not in terms:
                        bad.append("%s.%s: %r not in %s" % (name, vname, r[vname], cl.get("OID")))
                        break
    if set(items) != used:
        bad.append("ItemDefs no dataset has: %s" % sorted(set(items) - used))
    for cl in lists.values():
        for a in cl.iter("{%s}Alias" % NS["odm"]):
            if a.get("Context") != "nci:ExtCodeID" or not re.fullmatch(r"C[0-9]+", a.get("Name")):
                bad.append("%s: alias %r" % (cl.get("OID"), a.attrib))
    for b in bad:
        print(b)
    print("%s: %d datasets, %d variables, %d code lists, %d differences"
          % (folder, len(written), len(used), len(lists), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
