"""The array primitives, gathered: shapes, broadcasting, reordering,
reshaping and joining arrays, reductions and statistics, running sums,
selections, products, indexing, indices (``np.argmax``), creation.

Options such as ``axis`` and ``keepdims`` are attributes of an op, written
out in the code, never operands: the shape of every value follows from
them when the gradient is built. An elementwise op's adjoint is summed
back to each operand's own shape by the reverse sweep
(``RuleEmitter.unbroadcast``), not by a rule.
"""

from __future__ import annotations

from srcgrad.primitives.broadcasting import BROADCASTING
from srcgrad.primitives.contractions import CONTRACTIONS
from srcgrad.primitives.creation import CREATION
from srcgrad.primitives.einsum import EINSUM
from srcgrad.primitives.indexing import INDEXING
from srcgrad.primitives.indices import INDICES
from srcgrad.primitives.item_writes import ITEM_WRITES
from srcgrad.primitives.joining import JOINING
from srcgrad.primitives.linalg import LINALG
from srcgrad.primitives.numpy_linalg import NUMPY_LINALG
from srcgrad.primitives.reductions import REDUCTIONS
from srcgrad.primitives.reordering import REORDERING
from srcgrad.primitives.reshaping import RESHAPING
from srcgrad.primitives.scans import SCANS
from srcgrad.primitives.selection import SELECTION
from srcgrad.primitives.shapes import SHAPES
from srcgrad.primitives.statistics import STATISTICS

ARRAYS = (
    *SHAPES,
    *BROADCASTING,
    *REORDERING,
    *RESHAPING,
    *JOINING,
    *REDUCTIONS,
    *STATISTICS,
    *SCANS,
    *SELECTION,
    *LINALG,
    EINSUM,
    *CONTRACTIONS,
    *NUMPY_LINALG,
    *INDEXING,
    *INDICES,
    *ITEM_WRITES,
    *CREATION,
)
