"""D2L 1.0.3's exercises for sections 7.1-8.6: how many each section has and which have parts.

Counted from D2L's sources (its nested list items are the parts); 70 exercises in all. The
student edition and its tests compare the chapters' exercise cells with this table.
"""

# section -> number of parts of each exercise, in order (0: the exercise has no parts)
PARTS = {
    '7.1': (0, 3, 0, 0, 0, 0),
    '7.2': (3, 4, 0, 0),
    '7.3': (0, 0, 0, 0, 0, 0),
    '7.4': (3, 4, 0, 0, 0, 0, 2),
    '7.5': (0, 0, 3, 0, 0, 0, 0),
    '7.6': (2, 5, 0, 0, 0),
    '8.1': (3, 0, 0, 0, 2, 0, 0, 0),
    '8.2': (3, 0, 0, 0),
    '8.3': (0, 0, 0, 4, 0, 0),
    '8.4': (4, 0, 0, 0, 0),
    '8.5': (0, 2, 0, 0, 0, 0, 5),
    '8.6': (0, 0, 0, 0, 0),
}


def exercise_ids():
    """Every exercise id, '7.1.1' to '8.6.5', in D2L's order."""
    return [f'{section}.{n}' for section, parts in PARTS.items() for n in range(1, len(parts) + 1)]


def nested_parts():
    """{exercise id: [part ids]} for the exercises D2L splits into nested items."""
    return {
        f'{section}.{n}': [f'{section}.{n}.{k}' for k in range(1, count + 1)]
        for section, parts in PARTS.items()
        for n, count in enumerate(parts, 1)
        if count
    }
