"""The mini app images the manifest and the embed point at exist in frontend/public/miniapp/ with the
pixel sizes and format the Farcaster spec asks for (REFERENCE.md, Farcaster mini apps)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from eaili5.auth import manifest as mini
from tests.conftest import make_settings

PUBLIC = Path(__file__).resolve().parents[3] / "frontend" / "public"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RGB, RGBA = 2, 6
# Hosts fetch these on phones; the spec's ceilings are far above this, our budget is not.
MAX_BYTES = 1_000_000


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, body) of a PNG, each checked against its CRC."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def _png_info(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    chunks = _chunks(data)
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    kinds = {kind for kind, _ in chunks}
    return {
        "size": (width, height),
        "depth": depth,
        "color": color,
        "interlace": interlace,
        "transparent": color in (4, RGBA) or b"tRNS" in kinds,
        "bytes": len(data),
    }


def _local(url: str, public_url: str) -> Path:
    assert url.startswith(public_url + "/miniapp/"), url
    return PUBLIC / url.removeprefix(public_url + "/")


EXPECTED = {
    mini.ICON_PATH: (1024, 1024),
    mini.SPLASH_PATH: (200, 200),
    mini.OG_IMAGE_PATH: (1200, 630),
    mini.EMBED_IMAGE_PATH: (1200, 800),
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_image_is_an_opaque_png_of_the_expected_size(path: str) -> None:
    info = _png_info(PUBLIC / path.lstrip("/"))
    assert info["size"] == EXPECTED[path]
    assert info["depth"] == 8 and info["color"] == RGB and info["interlace"] == 0
    assert not info["transparent"]  # the icon must not be transparent; none of them needs to be
    assert isinstance(info["bytes"], int) and info["bytes"] <= MAX_BYTES


def test_sizes_follow_the_spec_ratios() -> None:
    width, height = EXPECTED[mini.EMBED_IMAGE_PATH]
    assert width * 2 == height * 3  # embed image 3:2
    width, height = EXPECTED[mini.OG_IMAGE_PATH]
    assert round(width / height, 2) == 1.9  # og/hero image 1.91:1 (1200×630)
    assert EXPECTED[mini.ICON_PATH] == (1024, 1024) and EXPECTED[mini.SPLASH_PATH] == (200, 200)


def test_every_image_url_served_by_the_manifest_and_embed_is_shipped() -> None:
    public_url = "https://base.example.com"
    settings = make_settings(public_url=public_url)
    app = mini.manifest(settings)["miniapp"]
    action = mini.embed(settings)["button"]["action"]
    urls = {
        app["iconUrl"],
        app["splashImageUrl"],
        app["ogImageUrl"],
        app["heroImageUrl"],
        mini.embed(settings)["imageUrl"],
        action["splashImageUrl"],
    }
    for url in urls:
        local = _local(url, public_url)
        assert local.is_file(), f"{url} is not in frontend/public/miniapp/"
        assert _png_info(local)["size"] == EXPECTED["/" + str(local.relative_to(PUBLIC))]
