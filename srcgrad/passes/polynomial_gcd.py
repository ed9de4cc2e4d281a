"""The greatest common divisor of polynomials with integer coefficients.

Two ways, the first quick, the second sure:

- the heuristic gcd (Liao and Fateman, 1995; SymPy's ``heugcd``): put an
  integer for each variable in turn, take the gcd of the integers, read
  the polynomial back from the integer's digits in that base, and keep it
  if it divides both; a few tries with larger integers, else
- the primitive remainder sequence, one variable at a time (Knuth, TAOCP
  vol. 2, 4.6.1), whose coefficients grow fast on large inputs but which
  always answers.

A polynomial here is a map from monomials to ``int`` coefficients, none
zero, its monomials all of one length (the number of variables).
"""

from __future__ import annotations

import math

Terms = dict[tuple[int, ...], int]

#: Tries of the heuristic gcd, each at a larger integer, before the sure way.
_TRIES = 6


def cofactors(f: Terms, g: Terms) -> tuple[Terms, Terms, Terms]:
    """``(h, f / h, g / h)`` for a greatest common divisor ``h`` of ``f``
    and ``g`` (both nonzero); ``h``'s sign is either."""
    if len(f) == 1 or len(g) == 1:
        h = _gcd_with_term(f, g)
    else:
        found = _heuristic(f, g)
        if found is not None:
            return found
        h = _remainder_sequence_gcd(f, g)
    f_over, g_over = divide_exactly(f, h), divide_exactly(g, h)
    assert f_over is not None and g_over is not None
    return h, f_over, g_over


def _gcd_with_term(f: Terms, g: Terms) -> Terms:
    """The gcd where one is a single term: the gcd of every coefficient
    times the gcd of every monomial."""
    monomials = [*f, *g]
    common = tuple(map(min, zip(*monomials, strict=True)))
    return {common: math.gcd(*f.values(), *g.values())}


def _heuristic(f: Terms, g: Terms) -> tuple[Terms, Terms, Terms] | None:
    """The heuristic gcd and cofactors, or None where it found none."""
    content = math.gcd(_content(f), _content(g))
    f, g = _over(f, content), _over(g, content)
    f_norm, g_norm = max(map(abs, f.values())), max(map(abs, g.values()))
    bound = 2 * min(f_norm, g_norm) + 29
    point = max(
        min(bound, 99 * math.isqrt(bound)),
        2 * min(f_norm // abs(f[max(f)]), g_norm // abs(g[max(g)])) + 4,
    )
    for _ in range(_TRIES):
        found = _try_at(f, g, point)
        if found is not None:
            h, f_over, g_over = found
            return {m: c * content for m, c in h.items()}, f_over, g_over
        point = 73794 * point * math.isqrt(math.isqrt(point)) // 27011
    return None


def _try_at(f: Terms, g: Terms, point: int) -> tuple[Terms, Terms, Terms] | None:
    """The gcd read back from the images of ``f`` and ``g`` with their first
    variable at ``point``, if it (or a cofactor read back) divides both."""
    f_image, g_image = _evaluate_first(f, point), _evaluate_first(g, point)
    if not f_image or not g_image:
        return None
    images: tuple[Terms, Terms, Terms] | None
    if len(next(iter(f))) == 1:
        f_value, g_value = f_image[()], g_image[()]
        common = math.gcd(f_value, g_value)
        images = ({(): common}, {(): f_value // common}, {(): g_value // common})
    else:
        images = cofactors_or_none(f_image, g_image)
        if images is None:
            return None
    h_image, f_over_image, g_over_image = images
    h = _primitive(_interpolate(h_image, point))
    f_over, g_over = divide_exactly(f, h), divide_exactly(g, h)
    if f_over is not None and g_over is not None:
        return h, f_over, g_over
    f_over = _interpolate(f_over_image, point)
    h_found = divide_exactly(f, f_over)
    if h_found is not None and (g_over := divide_exactly(g, h_found)) is not None:
        return h_found, f_over, g_over
    g_over = _interpolate(g_over_image, point)
    h_found = divide_exactly(g, g_over)
    if h_found is not None and (f_over := divide_exactly(f, h_found)) is not None:
        return h_found, f_over, g_over
    return None


def cofactors_or_none(f: Terms, g: Terms) -> tuple[Terms, Terms, Terms] | None:
    """The heuristic gcd's answer for images in fewer variables (no sure
    way there: the caller tries a larger integer instead)."""
    if len(f) == 1 or len(g) == 1:
        h = _gcd_with_term(f, g)
        f_over, g_over = divide_exactly(f, h), divide_exactly(g, h)
        assert f_over is not None and g_over is not None
        return h, f_over, g_over
    return _heuristic(f, g)


def _evaluate_first(f: Terms, point: int) -> Terms:
    """``f`` with its first variable at ``point``: one variable fewer."""
    image: Terms = {}
    for monomial, coefficient in f.items():
        rest = monomial[1:]
        image[rest] = image.get(rest, 0) + coefficient * point ** monomial[0]
    return {m: c for m, c in image.items() if c}


def _interpolate(image: Terms, point: int) -> Terms:
    """The polynomial whose value at ``point`` (its first variable) is
    ``image``, its coefficients the digits of ``image``'s in base ``point``
    from ``-point/2`` to ``point/2``; its leading coefficient positive."""
    found: Terms = {}
    power = 0
    while image:
        digits = {}
        for monomial, coefficient in image.items():
            digit = coefficient % point
            if digit > point // 2:
                digit -= point
            if digit:
                digits[monomial] = digit
                found[(power,) + monomial] = digit
        image = {
            m: (c - digits.get(m, 0)) // point
            for m, c in image.items()
            if c != digits.get(m, 0)
        }
        power += 1
    if found and found[max(found)] < 0:
        return {m: -c for m, c in found.items()}
    return found


def _content(f: Terms) -> int:
    return math.gcd(*f.values())


def _over(f: Terms, divisor: int) -> Terms:
    return f if divisor == 1 else {m: c // divisor for m, c in f.items()}


def _primitive(f: Terms) -> Terms:
    return _over(f, _content(f)) if f else f


def divide_exactly(f: Terms, divisor: Terms) -> Terms | None:
    """``f / divisor`` if it is a polynomial with integer coefficients,
    else None."""
    lead = max(divisor)
    lead_coefficient = divisor[lead]
    left = dict(f)
    quotient: Terms = {}
    while left:
        largest = max(left)
        factor = tuple(i - j for i, j in zip(largest, lead, strict=True))
        coefficient, remainder = divmod(left[largest], lead_coefficient)
        if remainder or min(factor) < 0:
            return None
        quotient[factor] = coefficient
        for monomial, each in divisor.items():
            shifted = tuple(i + j for i, j in zip(monomial, factor, strict=True))
            total = left.get(shifted, 0) - coefficient * each
            if total:
                left[shifted] = total
            else:
                del left[shifted]
    return quotient


def _remainder_sequence_gcd(f: Terms, g: Terms) -> Terms:
    """A gcd by primitive remainder sequences in each variable in turn."""
    if len(f) == 1 or len(g) == 1:
        return _gcd_with_term(f, g)
    size = len(next(iter(f)))
    index = next(i for i in range(size) if any(m[i] for m in f) or any(m[i] for m in g))
    f_content, g_content = _content_in(f, index), _content_in(g, index)
    common = _remainder_sequence_gcd(f_content, g_content)
    a, b = _exactly(f, f_content), _exactly(g, g_content)
    if _degree(a, index) < _degree(b, index):
        a, b = b, a
    while b and _degree(b, index) > 0:
        a, b = b, _primitive_in(_pseudo_remainder(a, b, index), index)
    primitive = a if not b else {(0,) * size: 1}
    return _product(common, primitive)


def _degree(f: Terms, index: int) -> int:
    return max(m[index] for m in f)


def _content_in(f: Terms, index: int) -> Terms:
    """The gcd of ``f``'s coefficients as a polynomial in variable ``index``."""
    grouped: dict[int, Terms] = {}
    for monomial, coefficient in f.items():
        rest = _without(monomial, index)
        grouped.setdefault(monomial[index], {})[rest] = coefficient
    parts = list(grouped.values())
    content = parts[0]
    for part in parts[1:]:
        content = _remainder_sequence_gcd(content, part)
    return content


def _without(monomial: tuple[int, ...], index: int) -> tuple[int, ...]:
    """``monomial`` without the variable ``index``."""
    return monomial[:index] + (0,) + monomial[index + 1 :]


def _primitive_in(f: Terms, index: int) -> Terms:
    return _exactly(f, _content_in(f, index)) if f else f


def _exactly(f: Terms, divisor: Terms) -> Terms:
    quotient = divide_exactly(f, divisor)
    assert quotient is not None, "a content divides"
    return quotient


def _pseudo_remainder(a: Terms, b: Terms, index: int) -> Terms:
    """``c * a - q * b`` of lower degree than ``b`` in variable ``index``,
    ``c`` a power of ``b``'s leading coefficient in it."""
    degree = _degree(b, index)
    leading = {m: c for m, c in b.items() if m[index] == degree}
    leading = {_without(m, index): c for m, c in leading.items()}
    while a and _degree(a, index) >= degree:
        power = _degree(a, index)
        ahead = {
            m[:index] + (m[index] - degree,) + m[index + 1 :]: c
            for m, c in a.items()
            if m[index] == power
        }
        a = _difference(_product(leading, a), _product(ahead, b))
    return a


def _product(f: Terms, g: Terms) -> Terms:
    total: Terms = {}
    for left, a in f.items():
        for right, b in g.items():
            monomial = tuple(i + j for i, j in zip(left, right, strict=True))
            total[monomial] = total.get(monomial, 0) + a * b
    return {m: c for m, c in total.items() if c}


def _difference(f: Terms, g: Terms) -> Terms:
    total = dict(f)
    for monomial, coefficient in g.items():
        total[monomial] = total.get(monomial, 0) - coefficient
    return {m: c for m, c in total.items() if c}
