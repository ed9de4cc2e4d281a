"""``np.einsum``: sums of products over axes named by letters.

An einsum is linear in each operand, and its adjoint for one operand is
another einsum: for ``out = np.einsum("ij,jk->ik", a, b)``,
``a_bar = np.einsum("ik,jk->ij", g, b)``: the cotangent takes the
operand's place, with the output's letters, and the operand's letters
become the output. Two cases need more:

* a letter of the operand that neither the output nor another operand has
  (``"ij->i"``: ``j`` is summed in that operand alone). Each item along it
  got the same cotangent, so the adjoint leaves the letter out and has a
  size-1 axis there (``np.expand_dims``), which broadcasts;
* a letter repeated in the operand (a diagonal, ``"ii->"``). Only the items
  on the diagonal count: the adjoint is written with a fresh letter ``j``
  for the repeat and an identity matrix ``np.eye(n)`` with letters ``ij``,
  which is 1 exactly where the two agree.

The subscripts are an attribute of the op, a literal: they fix every shape.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Array,
    Dim,
    Kind,
    Scalar,
    Type,
    TypeRuleError,
    broadcast_dims,
    dims_of,
    wider,
)
from srcgrad.primitives.creation import EYE
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.reordering import TRANSPOSE
from srcgrad.primitives.shapes import DIM, EXPAND_DIMS, one_axis_or_tuple


@dataclass(frozen=True)
class Subscripts:
    """``"ij,jk->ik"`` read: the letters of each operand's axes, and of the
    output's."""

    inputs: tuple[str, ...]
    output: str

    def __str__(self) -> str:
        return ",".join(self.inputs) + "->" + self.output


def parse_subscripts(text: object) -> Subscripts:
    """The subscripts of an einsum, as NumPy reads them.

    Without ``->`` (NumPy's implicit mode) the output has the letters that
    appear once, in alphabetical order. ``...`` is refused.

    Raises:
        TypeRuleError: for text that is not einsum subscripts.
    """
    if not isinstance(text, str):
        raise TypeRuleError("np.einsum takes its subscripts first, as a string")
    compact = text.replace(" ", "")
    if "..." in compact:
        raise TypeRuleError(
            "np.einsum with `...` is not supported: name every axis with a letter"
        )
    left, arrow, output = compact.partition("->")
    inputs = tuple(left.split(","))
    letters = "".join(inputs)
    for letter in letters + output:
        if letter not in string.ascii_letters:
            raise TypeRuleError(
                f"np.einsum subscripts {text!r} have {letter!r}; each axis is a letter"
            )
    if not arrow:
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(set(output)) != len(output):
        raise TypeRuleError(f"np.einsum subscripts {text!r} repeat an output letter")
    if set(output) - set(letters):
        raise TypeRuleError(
            f"np.einsum subscripts {text!r} have an output letter no operand has"
        )
    return Subscripts(inputs, output)


def _einsum_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    subscripts = parse_subscripts(attributes.get("subscripts"))
    if len(types) != len(subscripts.inputs):
        raise TypeRuleError(
            f"np.einsum subscripts {str(subscripts)!r} name "
            f"{len(subscripts.inputs)} operand(s), and it is given {len(types)}"
        )
    sizes: dict[str, Dim] = {}
    kind: Kind = "bool"
    operands = zip(types, subscripts.inputs, strict=True)
    for position, (type_, letters) in enumerate(operands):
        if type_ is None:
            return None
        if not isinstance(type_, (Scalar, Array)):
            raise TypeRuleError("np.einsum of something that is not a number")
        if len(dims_of(type_)) != len(letters):
            raise TypeRuleError(
                f"operand {position + 1} of np.einsum has {len(dims_of(type_))} "
                f"axes, and its subscripts {letters!r} name {len(letters)}"
            )
        kind = wider(kind, type_.kind)
        for letter, dim in zip(letters, dims_of(type_), strict=True):
            sizes[letter] = _joined(sizes.get(letter, 1), dim, letter)
    dims = tuple(sizes[letter] for letter in subscripts.output)
    return Array(kind, dims) if dims else Scalar(kind)


def _joined(known: Dim, dim: Dim, letter: str) -> Dim:
    """The size of the axes named ``letter``: a size 1 broadcasts, as in
    NumPy's einsum; two other known sizes must agree."""
    both = isinstance(known, int) and isinstance(dim, int)
    if both and 1 not in (known, dim) and known != dim:
        raise TypeRuleError(
            f"np.einsum: the axes named {letter!r} differ in size ({known} and {dim})"
        )
    return broadcast_dims((known,), (dim,))[0]


def einsum(
    e: RuleBuilder, inputs: Sequence[str], output: str, operands: Sequence[Value]
) -> Value:
    """``np.einsum`` of ``operands``, written as a person would where that is
    simpler: a product where each operand has the output's letters or none
    (a number), ``x.T`` where one matrix is transposed."""
    pairs = list(zip(inputs, operands, strict=True))
    arrays = [(letters, x) for letters, x in pairs if letters]
    numbers = [x for letters, x in pairs if not letters]
    if all(letters == output for letters, _ in arrays):
        factors = [x for _, x in arrays] + numbers
    elif len(arrays) == 1 and len(output) == 2 and arrays[0][0] == output[::-1]:
        factors = [e.call(TRANSPOSE, arrays[0][1]), *numbers]
    else:
        subscripts = str(Subscripts(tuple(inputs), output))
        return e.call(EINSUM, *operands, subscripts=subscripts)
    product = factors[0]
    for factor in factors[1:]:
        product = e.mul(product, factor)
    return product


def _fresh_letters(subscripts: Subscripts) -> Iterator[str]:
    """Letters the subscripts do not use, for the repeats of a diagonal."""
    used = set("".join(subscripts.inputs))
    return (letter for letter in string.ascii_letters if letter not in used)


def einsum_cotangent(
    e: RuleBuilder,
    subscripts: Subscripts,
    position: int,
    g: Value,
    args: tuple[Value, ...],
) -> Value:
    """The adjoint of operand ``position`` of an einsum whose cotangent is
    ``g``: the einsum of ``g`` and the other operands into the operand's
    letters (see the module's docstring for the two special cases)."""
    operand = args[position]
    inputs = [subscripts.output]
    operands = [g]
    for other, letters in enumerate(subscripts.inputs):
        if other != position:
            inputs.append(letters)
            operands.append(args[other])
    written = _tie_repeats(e, subscripts, position, operand, inputs, operands)
    known = set("".join(inputs))
    kept = "".join(letter for letter in written if letter in known)
    cotangent = _missing_as_size_1(e, einsum(e, inputs, kept, operands), written, known)
    return e.unbroadcast(cotangent, operand)


def _tie_repeats(
    e: RuleBuilder,
    subscripts: Subscripts,
    position: int,
    operand: Value,
    inputs: list[str],
    operands: list[Value],
) -> str:
    """The operand's letters with each repeat (a diagonal) renamed to a fresh
    letter, and an identity matrix that ties it to the first added to
    ``inputs`` and ``operands``: ``"ii"`` becomes ``"ia"``, with ``np.eye(n)``
    as ``"ia"``."""
    fresh = _fresh_letters(subscripts)
    letters = subscripts.inputs[position]
    dims = dims_of(operand.type) or (None,) * len(letters)
    written = ""
    for axis, letter in enumerate(letters):
        if letter not in written:
            written += letter
            continue
        twin = next(fresh)
        inputs.append(letter + twin)
        size = e.call(DIM, operand, axis=axis)
        operands.append(e.call(EYE, size, dims=(dims[axis], dims[axis])))
        written += twin
    return written


def _missing_as_size_1(
    e: RuleBuilder, cotangent: Value, written: str, known: set[str]
) -> Value:
    """The adjoint, whose letters are those of ``written`` in ``known``,
    made to broadcast to ``written``'s axes. Along a letter summed in this
    operand alone it is the same everywhere: leading such axes broadcast as
    they are (NumPy aligns from the right); others become size-1 axes."""
    leading = 0
    while leading < len(written) and written[leading] not in known:
        leading += 1
    missing = tuple(
        axis - leading
        for axis, letter in enumerate(written)
        if letter not in known and axis >= leading
    )
    if not missing:
        return cotangent
    return e.call(EXPAND_DIMS, cotangent, axis=one_axis_or_tuple(missing))


def _einsum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    subscripts = parse_subscripts(e.attributes["subscripts"])
    return tuple(
        einsum_cotangent(e, subscripts, position, g, args)
        for position in range(len(args))
    )


def _einsum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    # Linear in each operand: the sum of the einsums with one tangent each.
    total = None
    for position, tangent in enumerate(t):
        if tangent is not None:
            operands = [*args[:position], tangent, *args[position + 1 :]]
            term = e.call(EINSUM, *operands, subscripts=e.attributes["subscripts"])
            total = e.add_tangents(total, term)
    return total


def _write_einsum(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``np.einsum("ij,jk->ik", a, b)``: the subscripts come first."""
    function = ast.Attribute(context.module("numpy"), "einsum", ast.Load())
    subscripts = ast.Constant(str(attributes["subscripts"]))
    return ast.Call(function, [subscripts, *args], [])


#: ``np.einsum(subscripts, *operands)``; attribute ``subscripts``, as written.
EINSUM = Primitive(
    "einsum",
    None,
    {"numpy": "einsum"},
    _einsum_vjp,
    _einsum_jvp,
    (),
    result_type=_einsum_type,
    options=("subscripts",),
    writer=_write_einsum,
)
