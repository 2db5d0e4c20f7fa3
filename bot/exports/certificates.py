"""Certificates (giấy khen) printed on pre-printed blanks (phôi), and the grid page that aligns the printer.

Pure: `certificates_pdf(pages, layout)` → PDF bytes, one page per commended person or unit, each field
written where the layout puts it, in millimetres from the blank's top-left corner; `grid_pdf(layout)` the
same page size with a 10 mm grid (5 mm ticks), numbered, and each field's mark where it would print.
The font is DejaVu Sans (Vietnamese glyphs), found in matplotlib's data, then in the system's folders.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("name", "unit", "title", "school_year", "decision", "place_date")
FONT_NAME = "ThiDuaSans"


@dataclass(frozen=True)
class Spot:
    x: float  # mm from the left edge
    y: float  # mm from the top edge (the baseline)
    size: float = 16  # points
    align: str = "center"  # left | center | right
    bold: bool = False


def _default_fields() -> dict[str, Spot]:
    # an A4 landscape blank: the name large in the middle, the rest under it
    return {
        "name": Spot(148.5, 95, 24, bold=True),
        "unit": Spot(148.5, 108, 16),
        "title": Spot(148.5, 121, 18, bold=True),
        "school_year": Spot(148.5, 133, 14),
        "decision": Spot(60, 178, 11),
        "place_date": Spot(210, 165, 13),
    }


@dataclass(frozen=True)
class Layout:
    width: float = 297.0  # mm
    height: float = 210.0
    fields: dict[str, Spot] = field(default_factory=_default_fields)

    def as_data(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "fields": {k: asdict(v) for k, v in self.fields.items()},
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Layout:
        if not data:
            return cls()
        fields = _default_fields()
        for name, spot in (data.get("fields") or {}).items():
            if name in FIELDS:
                fields[name] = Spot(**{**asdict(fields[name]), **spot})
        return cls(float(data.get("width", 297)), float(data.get("height", 210)), fields)

    def moved(self, name: str, x: float, y: float, size: float | None = None) -> Layout:
        """The layout with `name` at (x, y) mm (and its size in points), checked to be on the page."""
        if name not in FIELDS:
            raise ValueError(name)
        if not (0 <= x <= self.width and 0 <= y <= self.height) or (size is not None and not 4 <= size <= 72):
            raise ValueError(name)
        old = self.fields[name]
        spot = Spot(x, y, size if size is not None else old.size, old.align, old.bold)
        return Layout(self.width, self.height, {**self.fields, name: spot})


def font_path() -> Path:
    """DejaVu Sans: matplotlib ships it; else the system's DejaVu or Noto."""
    spec = importlib.util.find_spec("matplotlib")
    candidates = []
    if spec and spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
        candidates.append(base / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
    candidates += [
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError("no font with Vietnamese glyphs (install matplotlib or fonts-dejavu-core)")


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = font_path()
    bold = regular.with_name(regular.name.replace("Sans.ttf", "Sans-Bold.ttf").replace("Regular", "Bold"))
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_NAME + "-Bold", str(bold if bold.is_file() else regular)))
    return FONT_NAME, FONT_NAME + "-Bold"


def _canvas(layout: Layout, buf: io.BytesIO, title: str):
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(buf, pagesize=(layout.width * mm, layout.height * mm), pageCompression=1)
    c.setTitle(title)
    return c


def _write(c, layout: Layout, spot: Spot, text: str, fonts: tuple[str, str]) -> None:
    from reportlab.lib.units import mm

    c.setFont(fonts[1] if spot.bold else fonts[0], spot.size)
    x, y = spot.x * mm, (layout.height - spot.y) * mm
    draw = {"left": c.drawString, "right": c.drawRightString}.get(spot.align, c.drawCentredString)
    draw(x, y, text)


def certificates_pdf(pages: Iterable[Mapping[str, str]], layout: Layout | None = None) -> bytes:
    """One page per mapping of FIELDS → text (a missing field is left blank)."""
    layout = layout or Layout()
    fonts = _fonts()
    buf = io.BytesIO()
    c = _canvas(layout, buf, "Giấy khen")
    for page in pages:
        for name in FIELDS:
            if page.get(name):
                _write(c, layout, layout.fields[name], str(page[name]), fonts)
        c.showPage()
    c.save()
    return buf.getvalue()


def grid_pdf(layout: Layout | None = None, labels: Mapping[str, str] | None = None) -> bytes:
    """A test page: a 10 mm grid numbered every 10 mm, and each field's label where it prints."""
    from reportlab.lib.units import mm

    layout = layout or Layout()
    fonts = _fonts()
    buf = io.BytesIO()
    c = _canvas(layout, buf, "Lưới căn chỉnh")
    c.setLineWidth(0.2)
    for x in range(0, int(layout.width) + 1, 5):
        c.setStrokeGray(0.4 if x % 10 == 0 else 0.8)
        c.line(x * mm, 0, x * mm, layout.height * mm)
    for y in range(0, int(layout.height) + 1, 5):
        c.setStrokeGray(0.4 if y % 10 == 0 else 0.8)
        c.line(0, (layout.height - y) * mm, layout.width * mm, (layout.height - y) * mm)
    c.setFont(fonts[0], 6)
    for x in range(10, int(layout.width), 10):
        c.drawString(x * mm + 0.5 * mm, (layout.height - 3) * mm, str(x))
    for y in range(10, int(layout.height), 10):
        c.drawString(1 * mm, (layout.height - y) * mm + 0.5 * mm, str(y))
    for name, spot in layout.fields.items():
        c.setStrokeColorRGB(0.8, 0, 0)
        c.circle(spot.x * mm, (layout.height - spot.y) * mm, 1 * mm)
        text = (labels or {}).get(name, name)
        _write(c, layout, spot, f"{text} ({spot.x:g}, {spot.y:g})", fonts)
    c.showPage()
    c.save()
    return buf.getvalue()
