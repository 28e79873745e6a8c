"""The font embedded in the PDFs.

The Decree names Times New Roman, but Times New Roman is Monotype's and may not be redistributed,
so it cannot come from PyPI nor be embedded here. The PDF uses Noto Serif (SIL Open Font License,
packaged on PyPI as `fontpkg-noto-serif`), which covers every Vietnamese letter and tone mark; the
.docx asks for Times New Roman by name, which every office in Vietnam has.

The package ships variable fonts (axes wght, wdth). fpdf2 embeds static ones, and instancing a
variable font with fontTools takes seconds, so the four static styles are made once, cut to the
Latin and Vietnamese letters and punctuation, and kept in a cache directory
(`VUNGXANH_FONT_CACHE`, by default in the system's temporary directory) that later calls reuse.
At the narrower width 87.5 ("SemiCondensed") Noto Serif sets the national title, the motto and
body text within about 7 % of Times New Roman's widths (measured against Liberation Serif 2, which
has Times' metrics), so the PDF breaks lines much as the .docx does in Word.
"""

from __future__ import annotations

import os
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

FAMILY = "NotoSerif"
WIDTH = 87.5
STYLES = {"": ("upright", 400), "B": ("upright", 700), "I": ("italic", 400), "BI": ("italic", 700)}
# Letters and signs a Vietnamese document uses: Latin, Latin-1, Latin Extended-A and -B (Ơ, Ư),
# combining marks, Latin Extended Additional (ạ…ỹ), general punctuation, ₫ and €, №, −, ≤, ≥.
UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x370),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    0x20AB,
    0x20AC,
    0x2116,
    0x2212,
    0x2264,
    0x2265,
]
RECIPE = "1"  # bump when the cut or the width changes, so old caches are not reused

_lock = threading.Lock()


def font_files() -> dict[str, Path]:
    """Style ("", "B", "I", "BI") → a static TrueType file, made on first use."""
    folder = _cache_dir()
    paths = {style: folder / f"{FAMILY}-{style or 'R'}.ttf" for style in STYLES}
    if all(p.exists() for p in paths.values()):
        return paths
    with _lock:
        folder.mkdir(parents=True, exist_ok=True)
        for style, path in paths.items():
            if not path.exists():
                _make_static(style, path)
    return paths


def _cache_dir() -> Path:
    root = os.environ.get("VUNGXANH_FONT_CACHE") or Path(tempfile.gettempdir()) / "vungxanh-fonts"
    key = f"noto-serif-{version('fontpkg-noto-serif')}-fonttools-{version('fonttools')}-{RECIPE}"
    return Path(root) / key


def _source(kind: str) -> Path:
    import fontpkg_noto_serif

    name = "NotoSerif[wdth,wght].ttf" if kind == "upright" else "NotoSerif-Italic[wdth,wght].ttf"
    return Path(fontpkg_noto_serif.ROOT) / "files" / name


def _make_static(style: str, path: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    kind, weight = STYLES[style]
    font = TTFont(_source(kind))
    # fpdf2 draws precomposed letters without shaping: the layout tables are not used, and
    # dropping them (and the glyphs of other scripts) makes instancing ten times faster.
    for tag in ("GSUB", "GPOS", "GDEF"):
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    instancer.instantiateVariableFont(
        font, {"wght": weight, "wdth": WIDTH}, inplace=True, optimize=False
    )
    handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(handle)
    try:
        font.save(scratch)
        os.replace(scratch, path)  # atomic: another process never reads half a file
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
