"""Build every edition: the offline edition (a zip), the PDF, then the online site that
links both. `make offline` runs it; so does the Pages workflow.

    python scripts/build_editions.py [--site site] [--offline site-offline] [--dist dist]

1. The offline edition (mkdocs.offline.yml) into site-offline/, zipped into
   dist/handbook-offline.zip under one folder, with fixed timestamps: the same pages
   give the same zip.
2. The PDF: the offline edition's print page, printed by the headless Chromium the tests
   use: A4, page numbers, a bookmark outline from the headings (topic, question), every
   answer open (the print page shows them so). Chinese is set in the system's CJK font,
   subset first to the characters the page uses: Noto Sans CJK draws 一 and the Kangxi
   radical ⼀ with one glyph, and Chromium then writes the radical into the PDF's text
   layer, so copying or searching the PDF for "一" would fail (3% of the characters).
3. The online site into site/; overrides/hooks/downloads.py copies both files from dist/
   into site/downloads/ and the home page links them with their sizes.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

FOLDER = "dl-interview-handbook"  # what unzipping creates
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FOOTER = ('<div style="width:100%;font-size:8px;text-align:center;color:#555">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def mkdocs_build(config: str, site_dir: Path, dist: Path) -> None:
    # HANDBOOK_DIST: where overrides/hooks/downloads.py finds the zip and the PDF
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_DIST": str(dist.resolve())}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                    "--config-file", str(ROOT / config), "--site-dir", str(site_dir)],
                   cwd=ROOT, env=env, check=True)


def write_zip(folder: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(folder).as_posix()}", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    partial.replace(target)


def cjk_font_css(html: str) -> str:
    """@font-face rules for the system's Chinese font (fontconfig), subset to the Han
    characters and CJK punctuation of `html`, with no Kangxi radical in its cmap."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    used = sorted({ord(c) for c in html if re.match(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", c)})
    rules = []
    for weight, pattern in ((400, "sans-serif:lang=zh-cn"), (700, "sans-serif:lang=zh-cn:weight=bold")):
        found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", pattern],
                               capture_output=True, text=True, check=True).stdout
        file, _, index = found.rpartition(":")
        font = TTFont(file, fontNumber=int(index or 0))
        if 0x4E00 not in font.getBestCmap():
            raise SystemExit(f"{file}: fontconfig's Chinese font has no 一 (install fonts-noto-cjk)")
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=used)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.save(buffer)
        data = base64.b64encode(buffer.getvalue()).decode()
        rules.append(f'@font-face{{font-family:"Print CJK";font-weight:{weight};'
                     f'src:url(data:font/otf;base64,{data});unicode-range:U+3000-303F,U+4E00-9FFF,U+FF00-FFEF}}')
    # Code and formulas too: Chinese in a comment or in \text{} falls back to the system font
    return "".join(rules) + (':root{--md-text-font:"Print CJK"}'
                             'code,pre,kbd{font-family:"Print CJK",var(--md-code-font-family)}'
                             '.md-typeset math{font-family:"Print CJK","Handbook Math",math}')


def tidy_outline(pdf: bytes) -> bytes:
    """The PDF with each bookmark title said once: Chromium writes a few of them twice
    ("注意力与 Transformer注意力与 Transformer")."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(pdf))

    def items(node):
        child = node.get_object().get("/First")
        while child is not None:
            item = child.get_object()
            yield item
            yield from items(item)
            child = item.get("/Next")

    for item in items(writer._root_object["/Outlines"]):
        title = str(item["/Title"])
        half = len(title) // 2
        if len(title) % 2 == 0 and title[:half] == title[half:]:
            item[NameObject("/Title")] = TextStringObject(title[:half])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_pdf(folder: Path, target: Path) -> None:
    from chromium import served_page

    with served_page(folder) as (page, url):
        page.goto(url + "print.html", wait_until="load")
        page.add_style_tag(content=cjk_font_css((folder / "print.html").read_text(encoding="utf-8")))
        page.evaluate("document.fonts.ready")
        # Figures load lazily, and printing does not wait for the ones off screen
        broken = page.evaluate("""() => Promise.all([...document.images].map(img => {
            img.loading = "eager";
            return img.decode().then(() => null, () => img.getAttribute("src"));
        })).then(srcs => srcs.filter(Boolean))""")
        if broken:
            raise SystemExit(f"{folder / 'print.html'}: figures that do not load: {broken}")
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=False, display_header_footer=True,
                       header_template="<span></span>", footer_template=FOOTER,
                       margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                       outline=True, tagged=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(tidy_outline(pdf))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--offline", type=Path, default=ROOT / "site-offline")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)

    mkdocs_build("mkdocs.offline.yml", args.offline, args.dist)
    write_zip(args.offline, args.dist / "handbook-offline.zip")
    write_pdf(args.offline, args.dist / "handbook.pdf")
    mkdocs_build("mkdocs.yml", args.site, args.dist)
    for name in ("handbook-offline.zip", "handbook.pdf"):
        size = (args.site / "downloads" / name).stat().st_size
        print(f"{args.site / 'downloads' / name}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
