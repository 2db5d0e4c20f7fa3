"""Charts for /stats (issue 21): matplotlib without a display, PNG bytes, labels in Vietnamese.

Pure: `bar_chart(title, labels, series)`: grouped bars, one group per label, readable on a phone
(large type, labels wrapped, the values written on the bars). An empty chart says so on the picture.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence


def bar_chart(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[float]], empty: str = "—"
) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure  # a Figure without pyplot: no global state, safe in threads

    fig = Figure(figsize=(8, 6), dpi=120)
    ax = fig.subplots()
    ax.set_title(title, fontsize=15, fontweight="bold")
    if not labels or not series:
        ax.axis("off")
        ax.text(0.5, 0.5, empty, ha="center", va="center", fontsize=16, transform=ax.transAxes)
    else:
        n = len(series)
        width = 0.8 / n
        xs = range(len(labels))
        for i, (name, values) in enumerate(series.items()):
            bars = ax.bar([x + (i - (n - 1) / 2) * width for x in xs], values, width, label=name)
            ax.bar_label(bars, fmt="%g", fontsize=10)
        ax.set_xticks(list(xs), ["\n".join(textwrap.wrap(str(label), 14)) or "—" for label in labels])
        ax.tick_params(labelsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        if n > 1:
            ax.legend(fontsize=11)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
