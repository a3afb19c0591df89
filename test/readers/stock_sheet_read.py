"""Reads a stock sheet the assistant wrote and prints its cells as JSON, for `npm run test:readers`:
xlsx with openpyxl (typed cells: numbers as numbers, empty as null), CSV with Python's csv module
(utf-8-sig: the BOM is dropped; every cell as text, as written)."""
import csv
import json
import sys

mode, path = sys.argv[1], sys.argv[2]
if mode == "xlsx":
    import openpyxl

    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
else:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
print(json.dumps(rows, ensure_ascii=False))
