"""Colour emoji for the chart pictures.

matplotlib draws glyphs from outlines only, so an emoji would come out in one colour (Symbola's).
Noto Color Emoji is a bitmap font (CBDT, one strike of 109 px); Pillow draws it in colour with
`embedded_color=True` at that size and shapes ZWJ sequences, flags and skin tones through Raqm.
A text is cut into runs of plain text and emoji clusters; each cluster becomes a small RGBA image,
scaled once to the size it is shown at and cached, which the charts place between the text runs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

_STRIKE = 109  # the only size a CBDT emoji font draws at
_ZWJ, _VS16, _KEYCAP = "\u200d", "\ufe0f", "\u20e3"


def _is_pictograph(ch: str) -> bool:
    """Characters drawn as a colour picture: the emoji blocks and the older symbol blocks emoji use."""
    code = ord(ch)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF
            or 0x2300 <= code <= 0x23FF or code in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030))


def _joins(ch: str) -> bool:
    """Characters that belong to the cluster before them: joiner, variation selector, keycap, skin
    tones (U+1F3FB..F) and tag characters (subdivision flags)."""
    code = ord(ch)
    return ch in (_ZWJ, _VS16, _KEYCAP) or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def runs(text: str) -> list[tuple[str, bool]]:
    """`text` as (run, is_emoji) pieces in order; regional-indicator pairs (flags) and ZWJ sequences
    are one emoji cluster each."""
    pieces: list[tuple[str, bool]] = []
    index = 0
    while index < len(text):
        ch = text[index]
        if not _is_pictograph(ch):
            end = index + 1
            while end < len(text) and not _is_pictograph(text[end]):
                end += 1
            pieces.append((text[index:end], False))
            index = end
            continue
        end = index + 1
        if 0x1F1E6 <= ord(ch) <= 0x1F1FF and end < len(text) and 0x1F1E6 <= ord(text[end]) <= 0x1F1FF:
            end += 1  # a flag: two regional indicators
        while end < len(text) and (_joins(text[end]) or (text[end - 1] == _ZWJ and _is_pictograph(text[end]))):
            end += 1
        pieces.append((text[index:end], True))
        index = end
    return pieces


def has_emoji(text: str) -> bool:
    return font_path() is not None and any(is_emoji for _, is_emoji in runs(text))


@lru_cache(maxsize=1)
def font_path() -> str | None:
    """The colour emoji font installed on this machine (Debian's fonts-noto-color-emoji), if any."""
    for path in font_manager.findSystemFonts():
        if Path(path).name.lower() == "notocoloremoji.ttf":
            return path
    return None


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    path = font_path()
    assert path is not None
    return ImageFont.truetype(path, _STRIKE)


@lru_cache(maxsize=512)
def image(cluster: str, pixels: int) -> np.ndarray:
    """One emoji cluster in colour as an RGBA array `pixels` high (width as the picture needs)."""
    font = _font()
    left, top, right, bottom = font.getbbox(cluster)
    canvas = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((-left, -top), cluster, font=font, embedded_color=True)
    width = max(1, round(canvas.width * pixels / canvas.height))
    return np.asarray(canvas.resize((width, pixels), Image.Resampling.LANCZOS))
