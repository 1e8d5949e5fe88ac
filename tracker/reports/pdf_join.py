"""One tagged PDF from the parts rendered in parallel (issue 23), with pikepdf: pages in order, one structure
tree, one table of link destinations, one outline, and page numbers drawn over the pages as artifacts."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation

from tracker.reports.pdf_parts import JOIN_LINK, RenderedPart

_PX_TO_PT = 0.75
# Catalog entries of the first part the joined document keeps (its language, tagging, title display, XMP).
_CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")


def join_parts(parts: Sequence[RenderedPart], numbers: Sequence[Path], out_path: Path) -> int:
    """Write the joined PDF to `out_path`; the `numbers` sheets, in order, have a page of page numbers for
    each page. Returns the pages."""
    out = pikepdf.new()
    sources = [pikepdf.open(part.path) for part in parts]
    try:
        tree_root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = out.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, P=tree_root, K=Array())
        )
        nums = Array()
        next_key = 0
        destinations: dict[str, pikepdf.Object] = {}
        for part, source in zip(parts, sources, strict=True):
            next_key = _add_part(out, source, document, nums, next_key)
            destinations.update(_owned_destinations(out, source, part.ids))
        tree_root.K = Array([document])
        tree_root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
        tree_root.ParentTreeNextKey = next_key
        out.Root.StructTreeRoot = tree_root
        first = sources[0]
        for key in _CATALOG_KEYS:
            if key in first.Root:
                out.Root[key] = _copy(out, first, first.Root[key])
        out.docinfo = out.copy_foreign(first.docinfo)  # type: ignore[assignment]
        _add_destinations(out, destinations)
        _add_outline(out, parts)
        sheets = [pikepdf.open(sheet) for sheet in numbers]
        try:
            _draw_page_numbers(out, [page for sheet in sheets for page in sheet.pages])
        finally:
            for sheet in sheets:
                sheet.close()
        out.save(
            out_path,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            linearize=False,
        )
        return len(out.pages)
    finally:
        for source in sources:
            source.close()


def _add_part(
    out: pikepdf.Pdf, source: pikepdf.Pdf, document: pikepdf.Dictionary, nums: pikepdf.Array, offset: int
) -> int:
    """Append the part's pages and its structure (its root element becomes a Part of the one Document); its
    marked-content keys move up by `offset`. Returns the next free key."""
    first_page = len(out.pages)
    with warnings.catch_warnings():  # the named destinations it would lose are joined by _add_destinations
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        out.pages.extend(source.pages)
    for index in range(len(source.pages)):
        page = out.pages[first_page + index].obj
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + offset
        for annotation in page.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
            _link_to_destination(annotation)
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return offset
    kids = tree.K if isinstance(tree.K, Array) else Array([tree.K])
    for kid in kids:
        element = out.copy_foreign(kid)
        if element.get("/S") == Name.Document:
            element.S = Name.Part
        element.P = document
        document.K.append(element)
    largest = offset - 1
    entries = tree.ParentTree.Nums
    for i in range(0, len(entries), 2):
        key, value = int(entries[i]), entries[i + 1]
        copied = _copy(out, source, value)
        nums.append(key + offset)
        nums.append(copied)
        largest = max(largest, key + offset)
    return largest + 1


def _link_to_destination(annotation: pikepdf.Object) -> None:
    """A link a part made to another part's id (pdf_parts.JOIN_LINK) becomes a link to its named destination,
    as WeasyPrint writes a link within one document."""
    action = annotation.get("/A")
    uri = str(action.get("/URI", "")) if isinstance(action, pikepdf.Dictionary) else ""
    if uri.startswith(JOIN_LINK + "#"):
        name = unquote(uri.removeprefix(JOIN_LINK + "#"))
        del annotation.A
        annotation.Dest = pikepdf.String(name)
        annotation.Contents = pikepdf.String(name)


def _owned_destinations(
    out: pikepdf.Pdf, source: pikepdf.Pdf, ids: frozenset[str]
) -> dict[str, pikepdf.Object]:
    """The part's named destinations for the ids it holds."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    found: dict[str, pikepdf.Object] = {}
    for name, destination in pikepdf.NameTree(names.Dests).items():
        if name in ids:
            found[name] = _copy(out, source, destination)
    return found


def _copy(out: pikepdf.Pdf, source: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """`value` of `source` in `out` (what it refers to copied once: pages already copied are reused)."""
    return out.copy_foreign(value if value.is_indirect else source.make_indirect(value))


def _add_destinations(out: pikepdf.Pdf, destinations: dict[str, pikepdf.Object]) -> None:
    tree = pikepdf.NameTree.new(out)
    for name in sorted(destinations):
        tree[name] = destinations[name]
    out.Root.Names = Dictionary(Dests=tree.obj)


def _add_outline(out: pikepdf.Pdf, parts: Sequence[RenderedPart]) -> None:
    """The bookmarks of every part in one tree by their levels, as WeasyPrint nests them in one document."""
    stack: list[tuple[int, OutlineItem]] = []
    roots: list[OutlineItem] = []
    page_number = 0
    for part in parts:
        for height, marks in zip(part.heights, part.bookmarks, strict=True):
            for level, label, x, y, state in marks:
                item = OutlineItem(
                    label,
                    page_number,
                    PageLocation.XYZ,
                    left=x * _PX_TO_PT,
                    top=(height - y) * _PX_TO_PT,
                    zoom=0,
                )
                item.is_closed = state == "closed"
                while stack and stack[-1][0] >= level:
                    stack.pop()
                (stack[-1][1].children if stack else roots).append(item)
                stack.append((level, item))
            page_number += 1
    if roots:
        with out.open_outline() as outline:
            outline.root.extend(roots)


def _draw_page_numbers(out: pikepdf.Pdf, numbers: list[pikepdf.Page]) -> None:
    """Each page gets its "Page N of M" from the numbers sheet as a pagination artifact (not read as content);
    the page's own drawing is wrapped in q/Q first, as its transformation is left in force at its end."""
    if len(numbers) != len(out.pages):
        raise ValueError(f"{len(numbers)} pages of numbers for {len(out.pages)} pages")
    for page, sheet in zip(out.pages, numbers, strict=True):
        form = out.copy_foreign(sheet.as_form_xobject())
        name = page.add_resource(form, Name.XObject, prefix="Pn")
        page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        drawing = (
            b"\nQ\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC "
            + bytes(name.unparse())
            + b" Do EMC Q\n"
        )
        page.contents_add(pikepdf.Stream(out, drawing), prepend=False)
