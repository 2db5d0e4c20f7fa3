"""The documents' makers on a large round (issue 21): a quyết định with 500 names in its annex, 500
certificates, one chart; pure functions, no database. Prints one line:
`documents 500 rows: decision T s, certificates T s, chart T s, peak RSS M MB`."""

from __future__ import annotations

import resource
import time

from bot.devtools.document_samples import ROWS, context
from bot.exports.certificates import certificates_pdf
from bot.exports.charts import bar_chart
from bot.exports.word import render_docx

N = 500


def main() -> None:
    rows = [{**ROWS[i % 2], "no": i + 1, "name": f"Nguyễn Văn Thành {i + 1}"} for i in range(N)]
    ctx = {**context("quyet_dinh"), "rows": rows, "count": N}
    t0 = time.perf_counter()
    render_docx("quyet_dinh", ctx)
    t1 = time.perf_counter()
    certificates_pdf({"name": r["name"], "unit": r["unit"], "title": r["title"]} for r in rows)
    t2 = time.perf_counter()
    bar_chart("Đăng ký theo đơn vị", [f"Đơn vị {i}" for i in range(12)], {"Số người": list(range(12))})
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"documents {N} rows: decision {t1 - t0:.2f} s, certificates {t2 - t1:.2f} s, "
          f"chart {t3 - t2:.2f} s, peak RSS {rss:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
