"""Developer routine: render a framework's report to PDF, then to PNG pages and contact sheets to look at.

    .venv/bin/python tests/tools/report_pages.py developing-together [--as-of 2020-05-31] [--out /tmp/report-pages]

Uses the configured database (TRACKER_DATABASE_URL or the instance folder), Debian's pdftoppm, and Pillow when
installed for contact sheets (eight pages to a sheet). Prints the render time and the files written.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework")
    parser.add_argument("--as-of", default=None)
    parser.add_argument("--out", default="/tmp/report-pages", type=Path)
    parser.add_argument("--dpi", default=60, type=int)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    pdf = args.out / f"{args.framework}.pdf"
    command = [sys.executable, "-c", "from tracker.cli import main; main()", "report", "--framework", args.framework,
               "--format", "pdf", "-o", str(pdf)]  # fmt: skip
    if args.as_of:
        command += ["--as-of", args.as_of]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"rendered in {time.perf_counter() - started:.1f} s (including start-up)")
    for old in args.out.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), str(pdf), str(args.out / "page")], check=True)
    pages = sorted(args.out.glob("page-*.png"))
    print(f"{len(pages)} pages in {args.out}")
    try:
        from PIL import Image
    except ImportError:
        return 0
    for start in range(0, len(pages), 8):
        images = [Image.open(p) for p in pages[start : start + 8]]
        width, height = images[0].size
        sheet = Image.new("RGB", (width * 4, height * ((len(images) + 3) // 4)), "white")
        for index, image in enumerate(images):
            sheet.paste(image, ((index % 4) * width, (index // 4) * height))
        target = args.out / f"sheet-{start // 8 + 1}.png"
        sheet.save(target)
        print(f"contact sheet {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
