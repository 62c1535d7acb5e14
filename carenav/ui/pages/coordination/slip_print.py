"""Printing the referral slip: the PDF made in memory is drawn page by page onto a
printer (QtPdf renders each page; nothing is written to disk but the print job)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

PRINT_DPI = 200  # sharp large print; a page renders in a fraction of a second


def slip_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("Referral slip")  # the print queue shows it: never a name
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    return printer


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Draw every page of the PDF ``data`` onto ``printer``; the pages printed (0: failed)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
            return 0
        printer.setFullPage(True)  # the PDF has its own margins
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        printed = 0
        try:
            paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
            dpi = min(printer.resolution(), PRINT_DPI)
            for index in range(document.pageCount()):
                if printed and not printer.newPage():
                    break
                points = document.pagePointSize(index)
                size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
                sheet = QImage(size, QImage.Format.Format_RGB32)
                sheet.fill(Qt.GlobalColor.white)  # QtPdf leaves the page transparent
                page_painter = QPainter(sheet)
                page_painter.drawImage(0, 0, document.render(index, size))
                page_painter.end()
                scale = min(paper.width() / points.width(), paper.height() / points.height())
                width, height = points.width() * scale, points.height() * scale
                target = QRectF(
                    paper.x() + (paper.width() - width) / 2,
                    paper.y() + (paper.height() - height) / 2,
                    width,
                    height,
                )
                painter.drawImage(target, sheet)
                printed += 1
        finally:
            painter.end()
        return printed
    finally:
        document.close()
        buffer.close()
        buffer.setData(QByteArray())
