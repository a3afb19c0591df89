"""Writes stock files as other tools do, for `npm run test:readers` to read with ours:
openpyxl's workbook (stock-openpyxl.xlsx) and Python's csv module in GB18030, the encoding
Excel saves CSV in on a Chinese Windows (stock-gbk.csv). Rows come as JSON in argv[2]."""
import csv
import json
import sys

import openpyxl

out, rows = sys.argv[1], json.loads(sys.argv[2])
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "库存"
for r in rows:
    ws.append(r)
wb.save(f"{out}/stock-openpyxl.xlsx")
with open(f"{out}/stock-gbk.csv", "w", encoding="gb18030", newline="") as f:
    csv.writer(f).writerows(rows)
with open(f"{out}/stock-utf8.csv", "w", encoding="utf-8", newline="") as f:
    csv.writer(f).writerows(rows)
