"""QR codes for print (flyers) and for phones (check-in slips)."""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _build(data: str, *, box_size: int) -> qrcode.QRCode:
    # Error correction M survives a crease or a smudge on a printed flyer; the quiet zone
    # (border) of 4 modules is what the QR specification requires for reliable scanning.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> bytes:
    """A scalable SVG (paths, no raster) for printing at any size."""
    image = _build(data, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_png(data: str, *, box_size: int = 10) -> bytes:
    image = _build(data, box_size=box_size).make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
