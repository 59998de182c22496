"""Page of the plan report: its blocks (:class:`Block`, :class:`Table`) and their rendering as
Markdown and stand-alone HTML (charts embedded as base64 PNG, headline numbers as JSON), and the
writer of ``report.md`` + ``report_files/`` and ``report.html``.

The content is built in :mod:`siteplan.export.report`; the build-out report
(:mod:`siteplan.export.timeline`) renders its own blocks with the same writer.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from siteplan.export.htmlmap import _SCRIPT_UNSAFE


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    align: str = ""  # one char per column: l or r (default: first l, rest r)


@dataclass
class Block:
    kind: str  # h2 | p | table | img
    text: str = ""
    table: Table | None = None
    name: str = ""
    png: bytes = b""
    extra: dict = field(default_factory=dict)


def _filled(rows: list) -> list:
    """The rows with something in them (a row of empty or '–' cells says nothing)."""
    return [r for r in rows if any(str(c).strip() not in ("", "–", "-") for c in r)]


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_markdown(blocks: list[Block], title: str, files_dir: str = "report_files") -> str:
    lines = [f"# {title}", ""]
    for b in blocks:
        if b.kind == "h2":
            lines += [f"## {b.text}", ""]
        elif b.kind == "p":
            lines += [b.text, ""]
        elif b.kind == "table":
            t = b.table
            al = t.align or ("l" + "r" * (len(t.headers) - 1))
            lines.append("| " + " | ".join(_md_cell(x) or " " for x in t.headers) + " |")
            lines.append("|" + "|".join(":---" if a == "l" else "---:" for a in al) + "|")
            lines += ["| " + " | ".join(_md_cell(x) for x in row) + " |" for row in _filled(t.rows)]
            lines.append("")
        elif b.kind == "img":
            lines += [f"![{b.text}]({files_dir}/{b.name}.png)", ""]
    return "\n".join(lines)


def _inline_md(s: str) -> str:
    """The little Markdown the blocks use (**bold**, *italic*, `code`) as HTML."""
    import re

    s = html.escape(str(s))
    s = re.sub(r"\[([^\]]+)\]\(([^()\s]+)\)", r'<a href="\2">\1</a>', s)
    s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
    s = re.sub(r"\*(.+?)\*", r"<em>\1</em>", s)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", s)


CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
       max-width: 1180px; margin: 24px auto; padding: 0 20px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 30px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 4px 9px; border-bottom: 1px solid #e6e6e6; } th { background: #f5f5f5; text-align: left; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #fafafa; } strong { color: #b2182b; } code { font-size: 12px; color: #555; }
figure { margin: 10px 0 20px; } figure img { max-width: 100%; height: auto; } figcaption { color: #666; font-size: 12px; }
.wide { overflow-x: auto; }
"""


def render_html(blocks: list[Block], title: str, data: dict) -> str:
    out = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{html.escape(title)}</title>",
           f"<style>{CSS}</style>", "</head>\n<body>", f"<h1>{html.escape(title)}</h1>"]
    for b in blocks:
        if b.kind == "h2":
            out.append(f"<h2>{html.escape(b.text)}</h2>")
        elif b.kind == "p":
            out.append(f"<p>{_inline_md(b.text)}</p>")
        elif b.kind == "table":
            t = b.table
            al = t.align or ("l" + "r" * (len(t.headers) - 1))
            tid = f' id="{b.extra["id"]}"' if "id" in b.extra else ""
            rows = ["<tr>" + "".join(f'<th class="{a}">{html.escape(h)}</th>' for h, a in zip(t.headers, al)) + "</tr>"]
            rows += ["<tr>" + "".join(f'<td class="{a}">{_inline_md(c)}</td>' for c, a in zip(r, al)) + "</tr>"
                     for r in _filled(t.rows)]
            out.append(f'<div class="wide"><table{tid}>' + "\n".join(rows) + "</table></div>")
        elif b.kind == "img":
            b64 = base64.b64encode(b.png).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(b.text)}" data-chart="{b.name}" '
                       f'src="data:image/png;base64,{b64}"><figcaption>{html.escape(b.text)}</figcaption></figure>')
    # < > & as \uXXXX (siteplan.export.htmlmap.embed_json): a name like "<!--<script>" must not end
    # or re-parse the element; NaN kept as JSON's NaN token, as before
    payload = json.dumps(data, sort_keys=True, allow_nan=True).translate(_SCRIPT_UNSAFE)
    out.append(f'<script type="application/json" id="report-data">{payload}</script>')
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def write_blocks(blocks: list[Block], out: Path, title: str, data: dict) -> list[Path]:
    """Write ``report.md`` with its charts in ``report_files/`` and ``report.html`` (charts inlined,
    ``data`` as embedded JSON) into ``out``; return the paths."""
    files = out / "report_files"
    files.mkdir(exist_ok=True)
    paths = []
    for b in blocks:
        if b.kind == "img":
            p = files / f"{b.name}.png"
            p.write_bytes(b.png)
            paths.append(p)
    md = out / "report.md"
    md.write_text(render_markdown(blocks, title), encoding="utf-8")
    page = out / "report.html"
    page.write_text(render_html(blocks, title, data), encoding="utf-8")
    return [md, page] + paths
