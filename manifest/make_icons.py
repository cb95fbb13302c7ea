"""Draw the Teams app icons: ``color.png`` (192x192) and ``outline.png`` (32x32).

The glyph is three joined circles: three people of a cluster held together.
``color.png`` is a rounded square in the app's accent colour with the glyph in white;
``outline.png`` is the glyph alone in white on a fully transparent background, which is
what Teams asks of an outline icon. Every pixel of the outline is either fully transparent
or opaque white: it is drawn large with one alpha threshold, then reduced without smoothing.

Run from anywhere with Pillow installed: ``python manifest/make_icons.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
WHITE = (255, 255, 255, 255)


def accent_colour() -> tuple[int, int, int, int]:
    """Read the accent colour from manifest.json, so icon and manifest agree."""
    hex_colour = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))["accentColor"]
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return red, green, blue, 255


def draw_glyph(draw: ImageDraw.ImageDraw, size: int, centre_y_shift: float = 0.0) -> None:
    """Draw three circles on a triangle, joined by thick lines, in white.

    ``size`` is the side of the square the glyph is centred in; the glyph uses about 70 % of it.
    """
    centre_x, centre_y = size / 2, size / 2 + centre_y_shift * size
    ring = size * 0.25  # distance from the centre to each circle's centre
    radius = size * 0.11
    line = max(1, round(size * 0.06))
    points = [
        (centre_x + ring * math.cos(math.radians(angle)), centre_y + ring * math.sin(math.radians(angle)))
        for angle in (-90, 30, 150)
    ]
    for i, start in enumerate(points):
        end = points[(i + 1) % len(points)]
        draw.line([start, end], fill=WHITE, width=line)
    for x, y in points:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=WHITE)


def make_color(size: int = 192, supersample: int = 4) -> Image.Image:
    """Return the full-colour icon: accent rounded square with the white glyph."""
    big = size * supersample
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=round(big * 0.2), fill=accent_colour())
    draw_glyph(draw, big, centre_y_shift=0.06)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def make_outline(size: int = 32, supersample: int = 8) -> Image.Image:
    """Return the outline icon: white glyph, every other pixel fully transparent."""
    big = size * supersample
    glyph = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw_glyph(ImageDraw.Draw(glyph), big, centre_y_shift=0.06)
    mask = glyph.getchannel("A").resize((size, size), Image.Resampling.BOX)
    mask = mask.point(lambda value: 255 if value >= 110 else 0)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (size, size), WHITE), (0, 0), mask)
    return image


def main() -> None:
    """Write color.png and outline.png next to this script."""
    make_color().save(HERE / "color.png", optimize=True)
    make_outline().save(HERE / "outline.png", optimize=True)
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
