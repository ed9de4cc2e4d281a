"""SymPy's partials of each elementwise primitive, recorded as the
builder calls that write them (``rule_tapes.py``). Written by
``python -m srcgrad.primitives.record_rules``; do not edit.
"""

from __future__ import annotations

from srcgrad.primitives.rule_tapes import Tape

TAPES: dict[tuple[str, int], Tape] = {
    ("add", 2): ((("const", 1), ("const", 1)), (3, 4)),
    ("sub", 2): ((("const", 1), ("const", -1)), (3, 4)),
    ("mul", 2): ((), (1, 0)),
    ("div", 2): ((("const", 1), ("div", 3, 1), ("div", 2, 1), ("neg", 5)), (4, 6)),
    ("neg", 1): ((("const", -1),), (2,)),
    ("sin", 1): ((("call", "cos", 0),), (2,)),
    ("cos", 1): ((("call", "sin", 0), ("neg", 2)), (3,)),
    ("tan", 1): ((("const", 1), ("mul", 1, 1), ("add", 2, 3)), (4,)),
    ("atan", 1): (
        (("const", 1), ("const", 1), ("mul", 0, 0), ("add", 3, 4), ("div", 2, 5)),
        (6,),
    ),
    ("sinh", 1): ((("call", "cosh", 0),), (2,)),
    ("cosh", 1): ((("call", "sinh", 0),), (2,)),
    ("acosh", 1): (
        (
            ("const", 1),
            ("const", 1),
            ("add", 3, 0),
            ("call", "sqrt", 4),
            ("const", 1),
            ("sub", 0, 6),
            ("call", "sqrt", 7),
            ("mul", 5, 8),
            ("div", 2, 9),
        ),
        (10,),
    ),
    ("exp", 1): ((), (1,)),
    ("expm1", 1): ((("call", "exp", 0),), (2,)),
    ("exp2", 1): (
        (("symbolic_constant", "log(2)", 0.6931471805599453), ("mul", 2, 1)),
        (3,),
    ),
    ("log", 1): ((("const", 1), ("div", 2, 0)), (3,)),
    ("log1p", 1): ((("const", 1), ("const", 1), ("add", 3, 0), ("div", 2, 4)), (5,)),
    ("log2", 1): (
        (
            ("const", 1),
            ("symbolic_constant", "log(2)", 0.6931471805599453),
            ("mul", 0, 3),
            ("div", 2, 4),
        ),
        (5,),
    ),
    ("log10", 1): (
        (
            ("const", 1),
            ("symbolic_constant", "log(10)", 2.302585092994046),
            ("mul", 0, 3),
            ("div", 2, 4),
        ),
        (5,),
    ),
    ("sqrt", 1): ((("const", 1), ("const", 2), ("mul", 3, 1), ("div", 2, 4)), (5,)),
    ("cbrt", 1): (
        (("const", 1), ("const", 3), ("mul", 1, 1), ("mul", 3, 4), ("div", 2, 5)),
        (6,),
    ),
    ("hypot", 1): ((("call", "sign", 0),), (2,)),
    ("hypot", 2): ((("div", 0, 2), ("div", 1, 2)), (3, 4)),
    ("hypot", 3): ((("div", 0, 3), ("div", 1, 3), ("div", 2, 3)), (4, 5, 6)),
    ("hypot", 4): (
        (("div", 0, 4), ("div", 1, 4), ("div", 2, 4), ("div", 3, 4)),
        (5, 6, 7, 8),
    ),
    ("hypot", 5): (
        (("div", 0, 5), ("div", 1, 5), ("div", 2, 5), ("div", 3, 5), ("div", 4, 5)),
        (6, 7, 8, 9, 10),
    ),
    ("hypot", 6): (
        (
            ("div", 0, 6),
            ("div", 1, 6),
            ("div", 2, 6),
            ("div", 3, 6),
            ("div", 4, 6),
            ("div", 5, 6),
        ),
        (7, 8, 9, 10, 11, 12),
    ),
    ("hypot", 7): (
        (
            ("div", 0, 7),
            ("div", 1, 7),
            ("div", 2, 7),
            ("div", 3, 7),
            ("div", 4, 7),
            ("div", 5, 7),
            ("div", 6, 7),
        ),
        (8, 9, 10, 11, 12, 13, 14),
    ),
    ("hypot", 8): (
        (
            ("div", 0, 8),
            ("div", 1, 8),
            ("div", 2, 8),
            ("div", 3, 8),
            ("div", 4, 8),
            ("div", 5, 8),
            ("div", 6, 8),
            ("div", 7, 8),
        ),
        (9, 10, 11, 12, 13, 14, 15, 16),
    ),
    ("erf", 1): (
        (
            ("symbolic_constant", "2/sqrt(pi)", 1.1283791670955126),
            ("mul", 0, 0),
            ("neg", 3),
            ("call", "exp", 4),
            ("mul", 2, 5),
        ),
        (6,),
    ),
    ("erfc", 1): (
        (
            ("symbolic_constant", "2/sqrt(pi)", 1.1283791670955126),
            ("mul", 0, 0),
            ("neg", 3),
            ("call", "exp", 4),
            ("mul", 2, 5),
            ("neg", 6),
        ),
        (7,),
    ),
    ("abs", 1): ((("call", "sign", 0),), (2,)),
    ("reciprocal", 1): ((("mul", 1, 1), ("neg", 2)), (3,)),
    ("float", 1): ((("const", 1),), (2,)),
}
