#!/usr/bin/python3
"""Reads export files with readers independent of the writers and compares every cell with the
expected values the database gave (a JSON file written by run.ts).

usage: check.py openpyxl EXPECTED.json FILE.xlsx
       check.py csv      EXPECTED.json FILE.csv        (Python's csv module, UTF-8 with BOM)
       check.py lo-xlsx  EXPECTED.json CONVERTED.csv   (LibreOffice's CSV of the xlsx, cells as shown)
       check.py lo-csv   EXPECTED.json CONVERTED.csv   (LibreOffice's CSV of our CSV read as UTF-8 text)
Exit 0 when every cell matches; 1 with the first mismatches listed."""
import csv
import datetime
import json
import sys

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_text(col, v):
    if v is None:
        return ""
    s = v if isinstance(v, str) else str(v)
    if col["type"] in ("text", "id") and s.startswith(FORMULA):
        return "'" + s
    return s


def as_shown(col, v):
    """What LibreOffice shows for a cell of our xlsx: money #,##0.00, dates yyyy-mm-dd hh:mm:ss."""
    if v is None or v == "":
        return ""
    if col["type"] == "money":
        return "{:,.2f}".format(float(v))
    if col["type"] == "int":
        return str(v)
    if col["type"] in ("text", "id"):
        return v.replace("\r\n", "\n").replace("\r", "\n")
    return v


def main():
    mode, expected_path, path = sys.argv[1:4]
    with open(expected_path, encoding="utf-8") as f:
        exp = json.load(f)
    cols, rows, headers = exp["columns"], exp["rows"], exp["headers"]
    bad = []

    def check(where, got, want):
        if got != want:
            bad.append("%s: got %r, want %r" % (where, got, want))

    if mode == "openpyxl":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=False)
        ws = wb.worksheets[0]
        check("sheet title", ws.title, exp["sheet"])
        check("frozen pane", ws.freeze_panes, "A2")
        check("autofilter", bool(ws.auto_filter.ref), True)
        got_rows = list(ws.iter_rows(values_only=False))
        check("header", [c.value for c in got_rows[0]], headers)
        check("row count", len(got_rows) - 1, len(rows))
        for i, want_row in enumerate(rows):
            cells = got_rows[i + 1] if i + 1 < len(got_rows) else []
            for j, col in enumerate(cols):
                where = "row %d %s" % (i + 1, col["key"])
                cell = cells[j] if j < len(cells) else None
                v = cell.value if cell is not None else None
                want = want_row[j]
                if want is None or want == "":
                    check(where, v in (None, ""), True)
                elif col["type"] == "money":
                    check(where + " type", type(v).__name__ in ("int", "float"), True)
                    check(where, float(v), float(want))
                    check(where + " format", cell.number_format, "#,##0.00")
                elif col["type"] == "int":
                    check(where + " type", isinstance(v, int), True)
                    check(where, v, want)
                elif col["type"] == "datetime":
                    check(where + " type", isinstance(v, datetime.datetime), True)
                    if isinstance(v, datetime.datetime):
                        check(where, v.strftime("%Y-%m-%d %H:%M:%S"), want)
                else:
                    check(where + " type", isinstance(v, str), True)
                    check(where, v, want.replace("\r\n", "\n").replace("\r", "\n"))
    elif mode in ("csv", "lo-xlsx", "lo-csv"):
        with open(path, "rb") as f:
            raw = f.read()
        if mode == "csv":
            check("BOM", raw[:3], b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        got_rows = list(csv.reader(text.splitlines(keepends=True)))
        check("header", got_rows[0] if got_rows else None, headers)
        check("row count", len(got_rows) - 1, len(rows))
        for i, want_row in enumerate(rows):
            cells = got_rows[i + 1] if i + 1 < len(got_rows) else []
            for j, col in enumerate(cols):
                where = "row %d %s" % (i + 1, col["key"])
                got = cells[j] if j < len(cells) else None
                want = as_shown(col, want_row[j]) if mode == "lo-xlsx" else csv_text(col, want_row[j])
                if mode == "lo-csv":
                    # LibreOffice writes its own line ends inside quoted cells
                    got = got.replace("\r\n", "\n") if got is not None else None
                    want = want.replace("\r\n", "\n")
                check(where, got, want)
                if mode == "csv" and got and got.startswith(FORMULA):
                    bad.append("%s: starts a formula: %r" % (where, got))
    else:
        print("unknown mode " + mode)
        return 2

    if bad:
        print("MISMATCH in %s (%s): %d problem(s)" % (path, mode, len(bad)))
        for b in bad[:20]:
            print("  " + b)
        return 1
    print("ok  %s: %s, %d rows x %d columns" % (mode, path.split("/")[-1], len(rows), len(cols)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
