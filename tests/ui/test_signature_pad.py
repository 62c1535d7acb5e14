"""The signature pad: drawing with the mouse, the PNG it makes, clearing, a stored image."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from carenav.ui.widgets.signature_pad import PNG_SIZE, SignaturePad


def _pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 190)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def _draw(qtbot: QtBot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    first, *rest = (QPoint(x, y) for x, y in points)
    none = Qt.KeyboardModifier.NoModifier
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, none, first)
    for point in rest:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, none, rest[-1] if rest else first)


def _dark_pixels(image: QImage) -> int:
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if QColor(image.pixel(x, y)).lightness() < 100
    )


def test_a_new_pad_is_empty_and_makes_no_picture(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    assert pad.is_empty()
    assert pad.to_png() == b""
    assert not pad.clear_button.isEnabled()
    assert pad.accessibleName() == "Signature pad"
    assert pad.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_drawing_signs_the_pad_and_makes_a_png_with_ink(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    with qtbot.waitSignal(pad.signed, timeout=1000):
        _draw(qtbot, pad, [(60, 120), (120, 70), (180, 130), (260, 60), (340, 125)])
    assert not pad.is_empty()
    assert pad.clear_button.isEnabled()
    png = pad.to_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(png)
    assert not image.isNull()
    assert (image.width(), image.height()) == (PNG_SIZE.width(), PNG_SIZE.height())
    assert QColor(image.pixel(0, 0)).lightness() > 250  # white paper
    assert _dark_pixels(image) > 200  # black ink, scaled up to fill the picture


def test_only_the_first_stroke_signals(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    seen: list[bool] = []
    pad.signed.connect(lambda: seen.append(True))
    _draw(qtbot, pad, [(50, 100), (150, 110)])
    _draw(qtbot, pad, [(200, 100), (300, 90)])
    assert seen == [True]


def test_clear_empties_the_pad_and_signs_again(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    _draw(qtbot, pad, [(50, 100), (150, 110), (250, 80)])
    with qtbot.waitSignal(pad.cleared, timeout=1000):
        QTest.mouseClick(pad.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty() and pad.to_png() == b""
    with qtbot.waitSignal(pad.signed, timeout=1000):
        _draw(qtbot, pad, [(50, 100), (150, 110)])
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty()


def test_a_stored_signature_is_shown_read_only(qtbot: QtBot) -> None:
    source = _pad(qtbot)
    _draw(qtbot, source, [(50, 100), (150, 60), (250, 120), (350, 70)])
    png = source.to_png()
    viewer = _pad(qtbot)
    assert viewer.set_read_only_image(png)
    assert viewer.is_read_only() and viewer.is_empty()
    assert viewer.clear_button.isHidden()
    _draw(qtbot, viewer, [(50, 100), (150, 110)])  # drawing is ignored
    assert viewer.is_empty()
    shown = viewer.grab().toImage()
    assert _dark_pixels(shown) > 50
    assert not viewer.set_read_only_image(b"not an image")
    assert not viewer.is_read_only()
