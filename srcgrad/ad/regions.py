"""Which values are defined inside a region, at any depth.

A reverse region reads values of the forward region it mirrors; these say
which those are (``srcgrad.ad.saving``) and which values from outside a
region its ops read (``srcgrad.ad.control``).
"""

from __future__ import annotations

from collections.abc import Iterator

from srcgrad.ir import Block, Op, Region, Value, walk


def walk_regions(regions: list[Region]) -> Iterator[Op]:
    """Every op in ``regions``, depth first."""
    for region in regions:
        for block in region.blocks:
            yield from walk(block)


def defined_in(regions: list[Region]) -> set[Value]:
    """Every value defined inside ``regions``: block arguments, op results."""
    found: set[Value] = set()
    for region in regions:
        for block in region.blocks:
            found.update(block.arguments)
    for op in walk_regions(regions):
        found.update(op.results)
        for region in op.regions:
            for block in region.blocks:
                found.update(block.arguments)
    return found


class Within:
    """The values defined inside one region, at any depth.

    Asked of a value, it follows parents up from the value's block until it
    meets the region or the function's top, and remembers the answer for
    each block passed: the values a reverse block reads are asked about,
    not every value of a forward region, so an ``elif`` chain a hundred
    deep is not walked a hundred times.
    """

    def __init__(self, region: Region) -> None:
        self.region = region
        self._blocks: dict[Block, bool] = {}

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Value):
            return False
        owner = value.owner
        block = owner.parent if isinstance(owner, Op) else owner
        return block is not None and self._inside(block)

    def _inside(self, block: Block) -> bool:
        passed: list[Block] = []
        found = False
        current: Block | None = block
        while current is not None:
            known = self._blocks.get(current)
            if known is not None:
                found = known
                break
            passed.append(current)
            region = current.parent
            if region is self.region:
                found = True
                break
            owner = region.parent if region is not None else None
            current = owner.parent if owner is not None else None
        for seen in passed:
            self._blocks[seen] = found
        return found
