"""Programs that write arrays (or append to lists) in loops and branches
that may leave early, for ``test_array_write_paths``: each table is one
family, named by what it shows; the refused ones differ from an accepted
one by another name for the array.
"""

#: A loop that writes, in one branch of an if: after the if, the variable
#: is the loop's array on one path and the untouched one on the other.
LOOPS_IN_BRANCHES = {
    "a return in the loop": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            return np.sum(y) + x[1]
        """,
    "no return": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
            return np.sum(y * x) + x[1]
        """,
    "a break": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        break
            return np.sum(y * x)
        """,
    "in the else branch, with a return": """
        def f(x):
            y = np.ones(3)
            if x[0] < 0:
                s = x[1]
            else:
                for i in range(3):
                    y[i] = y[i] * x[i]
                    if x[i] > 0.4:
                        return np.sum(y ** 2)
                s = x[2]
            return np.sum(y * x) * s
        """,
    "a write after the if": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4:
                        return np.sum(y)
            y[0] = x[2] * x[1]
            return np.sum(y * x)
        """,
    "a while loop with a return": """
        def f(x):
            y = np.zeros(3)
            i = 0
            if x[0] > 0:
                while i < 3:
                    y[i] = x[i] * x[0]
                    if y[i] > 0.1:
                        return np.sum(y) + x[1]
                    i += 1
            return np.sum(y * x)
        """,
    "appends, and a return": """
        def f(x):
            out = []
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                    if x[i] > 0.4:
                        return sum(out) * x[0]
            return sum(out) + x[1]
        """,
    "+=, and a return": """
        def f(x):
            y = x * 1.0
            if x[0] > 0:
                for i in range(2):
                    y += x * x[i]
                    if x[i] > 0.4:
                        return np.sum(y * y)
            return np.sum(y)
        """,
    "two ifs, a loop in each": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i]
            if x[1] > 0.3:
                for i in range(3):
                    y[i] = y[i] * x[i]
                    if x[i] < 0:
                        return np.sum(y)
            return np.sum(y * y)
        """,
    "in an outer loop": """
        def f(x):
            y = np.zeros(3)
            s = 0.0
            for t in range(2):
                if x[t] > 0:
                    for i in range(3):
                        y[i] = y[i] + x[i] * x[t]
                        if y[i] > 0.6:
                            return s + np.sum(y)
                s = s + np.sum(y * x)
            return s
        """,
    "an elif chain, loops in two branches": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0.5:
                for i in range(3):
                    y[i] = x[i]
            elif x[0] > 0:
                for i in range(3):
                    y[i] = x[i] ** 2
                    if x[i] > 0.4:
                        break
            return np.sum(y * x)
        """,
    "a return in an inner else": """
        def f(x):
            y = np.ones(3)
            if x[1] > 0:
                i = 0
                while i < 3:
                    if x[i] > -0.1:
                        y[i] = x[i] * y[i - 1]
                    else:
                        return np.sum(y) * x[i]
                    i += 1
            return np.sum(y * x)
        """,
    "appends in a while loop, and a return": """
        def f(x):
            out = []
            if x[0] > 0:
                i = 0
                while i < 3:
                    out.append(x[i] ** 2)
                    if sum(out) > 0.3:
                        return sum(out) * x[1]
                    i += 1
            out.append(x[2])
            return sum(out)
        """,
    "rows of a matrix, a break, a write after": """
        def f(x):
            A = np.zeros((2, 3))
            for r in range(2):
                if x[r] > 0:
                    for c in range(3):
                        A[r, c] = x[c] * x[r]
                        if A[r, c] > 0.12:
                            break
                A[r, 0] = A[r, 0] + x[2]
            return np.sum(A * A)
        """,
}


#: Another name for the array the loop starts from, read after the loop.
HELD_BEFORE_THE_LOOP = {
    "another name bound before the if": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            return np.sum(z) + x[1]
        """,
    "another name bound in the branch": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                z = y
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            else:
                z = np.ones(3)
            return np.sum(z * x)
        """,
    "a view taken before, chosen after": """
        def f(x):
            y = np.zeros(3)
            z = y[0:2]
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
            a = y[0:2] if x[1] > 0.3 else z
            return np.sum(a)
        """,
    "another name for the list": """
        def f(x):
            out = []
            keep = out
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                    if x[i] > 0.4:
                        return sum(out) * x[0]
            return sum(keep) + x[1]
        """,
}


#: Another name for the array on a path the write is not on: the other
#: branch of the if, or of a second if on one condition (the frontend
#: writes what follows an if whose branch always leaves that way).
ON_OTHER_PATHS = {
    "the old array named in the other branch": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                a = x * 2.0
            else:
                a = y
            return np.sum(a * x) + np.sum(y)
        """,
    "a write in one branch, the old array named in the other": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                y[0] = x[1] * x[2]
                a = x * 2.0
            else:
                a = y
            return np.sum(a * x) + np.sum(y * x)
        """,
    "appends in one branch, the old list named in the other": """
        def f(x):
            out = [x[2]]
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                keep = [x[1]]
            else:
                keep = out
            return sum(keep) * x[0] + sum(out)
        """,
    "a while True that returns, the old array read after": """
        def f(x):
            y = np.zeros(3)
            if x[2] < 0.5:
                i = 0
                while True:
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4 or i == 2:
                        return np.sum(y * x)
                    i += 1
            return np.sum(y)
        """,
    "two ifs on a condition fixed before the loop": """
        def f(x):
            y = np.zeros(3)
            z = y
            c = x[0] > 0
            s = 0.0
            for t in range(3):
                if c:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                if not c:
                    s = s + np.sum(z * x)
            return s + np.sum(y * x)
        """,
}


#: Where a later step, or the code after the if, may read it after the write.
ON_PATHS_AFTER = {
    "the other branch, in a later step": """
        def f(x):
            y = np.zeros(3)
            z = y
            s = 0.0
            for t in range(3):
                if x[t] > 0:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                else:
                    s = s + np.sum(z * x)
            return s + np.sum(y)
        """,
    "an if on the same condition, tested anew each step": """
        def f(x):
            y = np.zeros(3)
            z = y
            s = 0.0
            for t in range(3):
                c = x[t] > 0
                if c:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                if not c:
                    s = s + np.sum(z * x)
            return s + np.sum(y)
        """,
    "a name bound in the other branch, written in a later step": """
        def f(x):
            y = np.zeros(3)
            a = np.ones(3)
            s = 0.0
            for t in range(3):
                if x[t] > 0:
                    y[0] = x[t]
                else:
                    a = y
                s = s + np.sum(a * x)
            return s
        """,
    "a write after the if": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                y[0] = x[1] * x[2]
                a = x * 2.0
            else:
                a = y
            y[1] = x[0]
            return np.sum(a * x) + np.sum(y * x)
        """,
    "a write after the if with the loop": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                a = x * 2.0
            else:
                a = y
            y[1] = x[0]
            return np.sum(a * x) + np.sum(y * x)
        """,
}


#: The variable written is read nowhere after the if, only another name for
#: its array: the if has no value, but its writes are still seen (these gave
#: a gradient of zeros, the frontend having dropped the if).
ONLY_ANOTHER_NAME_READ_AFTER = {
    "a loop in a branch": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 2.0
            return np.sum(z * x)
        """,
    "a while True in a branch": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[2] < 0.5:
                i = 0
                while True:
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4 or i == 2:
                        break
                    i += 1
            return np.sum(z * x)
        """,
}


#: An array written in a loop and put in a list: once per array made.
PUT_IN_A_LIST_ONCE = {
    "a fresh row filled by an inner loop": """
        def f(x):
            rows = []
            for t in range(2):
                y = np.zeros(3)
                for i in range(3):
                    y[i] = x[i] * x[t]
                rows.append(y)
            return np.sum(np.stack(rows) * x)
        """,
    "a fresh row filled in a branch, with a break": """
        def f(x):
            rows = []
            for t in range(2):
                y = np.zeros(3)
                if x[t] > 0:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                        if x[i] > 0.4:
                            break
                rows.append(y)
            return np.sum(np.stack(rows) * x)
        """,
    "an array appended once after the loop": """
        def f(x):
            y = np.zeros(3)
            out = [x * 2.0]
            for i in range(3):
                y[i] = x[i] ** 2
                if y[i] > 0.2:
                    break
            out.append(y)
            return np.sum(np.stack(out) * x)
        """,
}


#: One array put in a list in each step of a loop that writes it.
PUT_IN_A_LIST_EACH_STEP = {
    "one row refilled each step": """
        def f(x):
            rows = []
            y = np.zeros(3)
            for t in range(2):
                for i in range(3):
                    y[i] = x[i] * x[t]
                rows.append(y)
            return np.sum(np.stack(rows) * x)
        """,
    "one row refilled in some steps": """
        def f(x):
            rows = []
            y = np.zeros(3)
            for t in range(3):
                if x[t] > 0:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                rows.append(y)
            return np.sum(np.stack(rows) * x)
        """,
}


#: Loops and branches that write, with early exits, that srcgrad took before.
SIBLINGS = {
    "an if in the loop, with a return": """
        def f(x):
            y = np.zeros(3)
            for i in range(3):
                if x[i] > 0:
                    y[i] = x[i] ** 2
                    if x[i] > 0.4:
                        return np.sum(y) * x[0]
                else:
                    y[i] = -x[i]
            return np.sum(y * x)
        """,
    "nested loops, a return in the inner one": """
        def f(x):
            A = np.zeros((2, 3))
            for r in range(2):
                for c in range(3):
                    A[r, c] = x[c] * (r + 1)
                    if x[c] * (r + 1) > 0.9:
                        return np.sum(A * A)
            return np.sum(A)
        """,
    "nested loops in a branch": """
        def f(x):
            A = np.zeros((2, 3))
            if x[1] > 0:
                for r in range(2):
                    for c in range(3):
                        A[r, c] = x[c] * (r + 1)
                        if x[c] * (r + 1) > 0.9:
                            return np.sum(A * A)
            return np.sum(A * x) + x[0]
        """,
    "a return in the else branch": """
        def f(x):
            y = np.zeros(3)
            for i in range(3):
                if x[i] > 0:
                    y[i] = x[i] * 2.0
                else:
                    return np.sum(y * x)
            return np.sum(y ** 2)
        """,
    "a swap in a branch": """
        def f(x):
            a = x * 1.0
            b = np.zeros(3)
            for t in range(3):
                b[t] = a[t] * x[t]
                if x[t] > 0:
                    a, b = b, a
            return np.sum(a * x) + np.sum(b)
        """,
    "a swap in a branch, and a return": """
        def f(x):
            a = x * 1.0
            b = np.zeros(3)
            for t in range(3):
                b[t] = a[t] * x[t]
                if x[t] > 0:
                    a, b = b, a
                    if x[t] > 0.4:
                        return np.sum(a)
            return np.sum(a * x) + np.sum(b)
        """,
    "prev = cur, and a return": """
        def f(x):
            prev = x * 1.0
            s = 0.0
            for t in range(3):
                cur = np.zeros(3)
                for i in range(3):
                    cur[i] = prev[i] * x[t]
                if x[t] > 0.4:
                    return s + np.sum(cur)
                prev = cur
                s = s + np.sum(prev)
            return s
        """,
    "appends, and a break": """
        def f(x):
            out = [x[0]]
            for i in range(3):
                if x[i] < 0:
                    break
                out.append(x[i] ** 2)
            return sum(out)
        """,
    "a write in the other branch": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            else:
                y[1] = x[1] * x[2]
            return np.sum(y) + x[1]
        """,
    "a return in the else branch, a write after": """
        def f(x):
            y = np.zeros(3)
            if x[0] < 0:
                return x[1] * 2.0
            else:
                for i in range(3):
                    y[i] = x[i] * x[0]
                    if y[i] > 0.1:
                        break
            y[2] = x[2]
            return np.sum(y * x)
        """,
    "prev = cur for lists, and a break": """
        def f(x):
            prev = [x[0]]
            s = 0.0
            for t in range(3):
                cur = []
                for v in prev:
                    cur.append(v * x[t])
                cur.append(x[t])
                if x[t] < 0:
                    break
                prev = cur
                s = s + sum(prev)
            return s + sum(prev)
        """,
    "a swap in a branch, and a break": """
        def f(x):
            a = x * 2.0
            b = np.zeros(3)
            for t in range(3):
                for i in range(3):
                    b[i] = a[i] * x[t]
                if x[t] > 0:
                    a, b = b, a
                else:
                    break
            return np.sum(a * x) + np.sum(b)
        """,
    "a copy in the branch, and a return": """
        def f(x):
            y = x * 2.0
            z = y
            if x[0] > 0:
                y = y.copy()
                for i in range(3):
                    y[i] = y[i] * x[i]
                    if x[i] > 0.4:
                        return np.sum(y) + np.sum(z)
            return np.sum(y * z)
        """,
}


#: Writes with early exits that another name would see.
SIBLINGS_REFUSED = {
    "best = cur, cur written after": """
        def f(x):
            best = np.zeros(3)
            for t in range(3):
                cur = x * x[t]
                if np.sum(cur) > np.sum(best):
                    best = cur
                    if x[t] > 0.4:
                        break
                cur[0] = x[t]
            return np.sum(best * x)
        """,
    "appended, then written again": """
        def f(x):
            y = np.zeros(3)
            out = []
            for i in range(3):
                y[i] = x[i] ** 2
            out.append(y)
            for i in range(3):
                y[i] = x[i] * 3.0
            return np.sum(np.stack(out) * x)
        """,
}
