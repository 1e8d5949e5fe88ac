"""Imported by the fork server renders are forked from: WeasyPrint, pikepdf, the fonts and default styles are
loaded once there, so every render child forked from it starts warm (pdf.preload)."""

from tracker.reports.pdf import preload

preload()
