"""Colour contrast, as WCAG 2 defines it: the accent colour carries white header text."""

from __future__ import annotations

WHITE = "#ffffff"
# WCAG 2 level AA for normal text: the table headers and badges are small bold text.
MINIMUM_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour written #rrggbb."""
    channels = [int(colour.lstrip("#")[index:index + 2], 16) / 255 for index in (0, 2, 4)]
    red, green, blue = (value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
                        for value in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def accent_warning(accent: str | None) -> str | None:
    """A warning when white text on the accent colour is hard to read, else None."""
    if not accent:
        return None
    ratio = contrast_ratio(accent, WHITE)
    if ratio >= MINIMUM_CONTRAST:
        return None
    return (f"document.accent_color {accent}: white header text on it has a contrast of "
            f"{ratio:.1f}:1, under the {MINIMUM_CONTRAST}:1 that WCAG asks for; choose a darker colour")
