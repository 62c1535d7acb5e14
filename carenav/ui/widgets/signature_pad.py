"""A pad to sign on with a finger, a pen or the mouse, and to show a stored signature.

The strokes stay in memory; ``to_png()`` renders them, trimmed to the ink and scaled
to fit 600 x 200 pixels, black on white, into PNG bytes held in a QBuffer (never a
file: a signature is patient information and lives only in the encrypted vault).
Pen input arrives as tablet events (with pressure); touch arrives as the mouse events
Qt synthesises from unhandled touches. Keyboard users choose another way of agreeing;
the pad still takes focus (with a visible frame) so Delete clears it.
"""

from __future__ import annotations

import json
from itertools import pairwise

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTabletEvent,
)
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

PNG_SIZE = QSize(600, 200)
INK = QColor("#000000")
BASELINE = QColor("#9aa5b1")
HINT = QColor("#52606d")
FRAME = QColor("#b8c2cc")
FOCUS_FRAME = QColor("#1d5fa8")
PEN_WIDTH = 3.0  # on screen, at full pressure 1.0 (mouse and touch)
MARGIN = 14  # around the ink in the PNG

Point = tuple[QPointF, float]  # position on the pad, pen pressure (1.0 for mouse and touch)


class SignaturePad(QWidget):
    """Draw a signature; ``signed`` is emitted when the first stroke ends."""

    signed = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[list[Point]] = []
        self._drawing = False
        self._stored: QImage | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(420, 150)
        self.setAccessibleName("Signature pad")
        self.setAccessibleDescription(
            "Sign with a finger, a pen or the mouse. Delete clears the pad."
        )
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("signatureClear")
        self.clear_button.setAccessibleName("Clear the signature")
        self.clear_button.setToolTip("Clear the signature and sign again")
        self.clear_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.clear_button.clicked.connect(self.clear)
        self.clear_button.setEnabled(False)

    def sizeHint(self) -> QSize:
        return QSize(PNG_SIZE.width(), 190)

    # -- state ---------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when nothing has been drawn (a stored signature shown read-only counts as empty)."""
        return not self._strokes

    def is_read_only(self) -> bool:
        return self._stored is not None

    def clear(self) -> None:
        """Forget the strokes (and any stored signature shown) and accept drawing again."""
        had_ink = bool(self._strokes)
        self._strokes = []
        self._drawing = False
        self._stored = None
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.clear_button.setVisible(True)
        self.clear_button.setEnabled(False)
        self.update()
        if had_ink:
            self.cleared.emit()

    def set_read_only_image(self, png: bytes) -> bool:
        """Show a stored signature (no drawing). False if the bytes are not an image."""
        image = QImage.fromData(png)
        self.clear()
        if image.isNull():
            return False
        self._stored = image
        self.clear_button.setVisible(False)
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.setAccessibleDescription("The stored signature (read-only).")
        self.update()
        return True

    # -- strokes as text (an encrypted draft when the vault locks mid-signature) ---

    def strokes_text(self) -> str:
        """The strokes as compact text ('' when empty), for an encrypted draft."""
        return (
            json.dumps(
                [
                    [[round(p.x(), 1), round(p.y(), 1), round(w, 2)] for p, w in s]
                    for s in self._strokes
                ],
                separators=(",", ":"),
            )
            if self._strokes
            else ""
        )

    def set_strokes_text(self, text: str) -> bool:
        """Put back strokes kept by strokes_text(); False (and an empty pad) if unreadable."""
        self.clear()
        try:
            raw = json.loads(text) if text else []
            strokes = [[(QPointF(float(x), float(y)), float(w)) for x, y, w in s] for s in raw]
        except (ValueError, TypeError):
            return False
        self._strokes = [s for s in strokes if s]
        self.clear_button.setEnabled(bool(self._strokes))
        self.update()
        return bool(self._strokes)

    # -- the picture ---------------------------------------------------------

    def to_png(self) -> bytes:
        """The signature as PNG bytes (600 x 200, black ink on white); b'' when empty."""
        if not self._strokes:
            return b""
        image = QImage(PNG_SIZE, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            ink = self._ink_rect()
            room = QRectF(image.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
            scale = min(room.width() / ink.width(), room.height() / ink.height(), 2.0)
            painter.translate(room.center())
            painter.scale(scale, scale)
            painter.translate(-ink.center())
            self._draw_strokes(painter, width_scale=1.2 / scale)  # the same ink width at any size
        finally:
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes
        buffer.close()
        return bytes(data.data())

    def _ink_rect(self) -> QRectF:
        xs = [p.x() for stroke in self._strokes for p, _ in stroke]
        ys = [p.y() for stroke in self._strokes for p, _ in stroke]
        rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        pad = PEN_WIDTH * 2
        return rect.adjusted(-pad, -pad, pad, pad)

    def _draw_strokes(self, painter: QPainter, width_scale: float = 1.0) -> None:
        pen = QPen(INK)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for stroke in self._strokes:
            if len(stroke) == 1:
                point, pressure = stroke[0]
                pen.setWidthF(_width(pressure) * width_scale)
                painter.setPen(pen)
                painter.drawPoint(point)
                continue
            for (start, _), (end, pressure) in pairwise(stroke):
                pen.setWidthF(_width(pressure) * width_scale)
                painter.setPen(pen)
                painter.drawLine(start, end)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect())
        painter.fillRect(area, QColor("#ffffff"))
        if self._stored is not None:
            self._draw_stored(painter, area)
        else:
            self._draw_guides(painter, area)
            self._draw_strokes(painter)
        focused = self.hasFocus() and self._stored is None
        frame = QPen(FOCUS_FRAME if focused else FRAME, 3 if focused else 1)
        painter.setPen(frame)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = frame.widthF() / 2
        painter.drawRoundedRect(area.adjusted(inset, inset, -inset, -inset), 6, 6)
        painter.end()

    def _draw_guides(self, painter: QPainter, area: QRectF) -> None:
        base_y = area.top() + area.height() * 0.74
        painter.setPen(QPen(BASELINE, 1.5))
        painter.drawLine(QPointF(area.left() + 24, base_y), QPointF(area.right() - 24, base_y))
        font = painter.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.5) * 1.35)
        painter.setFont(font)
        painter.setPen(HINT)
        painter.drawText(QPointF(area.left() + 26, base_y - 10), "×")
        if not self._strokes:
            hint_font = painter.font()
            hint_font.setPointSizeF(hint_font.pointSizeF() * 0.8)
            painter.setFont(hint_font)
            painter.drawText(
                QRectF(area.left(), base_y + 6, area.width(), area.bottom() - base_y - 6),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                "Sign here",
            )

    def _draw_stored(self, painter: QPainter, area: QRectF) -> None:
        assert self._stored is not None
        room = area.adjusted(6, 6, -6, -6)
        size = self._stored.size().toSizeF().scaled(room.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(QPointF(0, 0), size)
        target.moveCenter(room.center())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, self._stored)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        hint = self.clear_button.sizeHint()
        self.clear_button.setGeometry(
            self.width() - hint.width() - 8, 8, hint.width(), hint.height()
        )

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._stored is None:
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- input ---------------------------------------------------------------

    def _begin(self, point: QPointF, pressure: float) -> None:
        if self._stored is not None:
            return
        self._drawing = True
        self._strokes.append([(point, pressure)])
        self.update()

    def _extend(self, point: QPointF, pressure: float) -> None:
        if not self._drawing:
            return
        stroke = self._strokes[-1]
        last = stroke[-1][0]
        if abs(last.x() - point.x()) + abs(last.y() - point.y()) < 0.5:
            return
        stroke.append((point, pressure))
        margin = PEN_WIDTH * 2 + 2
        self.update(
            QRectF(last, point)
            .normalized()
            .adjusted(-margin, -margin, margin, margin)
            .toAlignedRect()
        )

    def _end(self) -> None:
        if not self._drawing:
            return
        self._drawing = False
        self.clear_button.setEnabled(True)
        self.update()
        if len(self._strokes) == 1:
            self.signed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._begin(event.position(), 1.0)
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position(), 1.0)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position(), 1.0)
            self._end()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        """Pen input, with its pressure; accepted so Qt does not also send mouse events."""
        pressure = event.pressure() or 1.0
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._begin(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._extend(event.position(), pressure)
            self._end()
        event.accept()


def _width(pressure: float) -> float:
    """Line width for a pen pressure: thinner when pressed lightly, never hair-thin."""
    return PEN_WIDTH * (0.55 + 0.6 * max(0.0, min(pressure, 1.0)))
