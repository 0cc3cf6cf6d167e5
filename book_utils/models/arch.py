"""Architecture tables: VGG and ResNet are both described by rows of pairs.

A row of ``VGG_ARCHS`` is (number of convolutions, channels) per block; a row of
``RESNET_ARCHS`` is (number of residual blocks, channels) per stage. Either may
be given by name or as pairs; one function reads both, with the shared checks
of ``book_utils.checks``, so a typo gets the same clear message everywhere.
"""

from ..checks import check_choice, check_int


def resolve_arch(arch, table, family, fields):
    """``arch`` as a tuple of pairs of positive ints: a name of ``table`` or the pairs.

    ``family`` names the networks in messages (``'VGG'``), ``fields`` what each
    pair holds (``('num_convs', 'out_channels')``).
    """
    if isinstance(arch, str):
        return table[check_choice(arch, 'arch', tuple(table))]
    pair = f'({", ".join(fields)})'
    try:
        rows = [tuple(row) for row in arch]
    except TypeError:
        raise TypeError(
            f'{family} arch must be one of {", ".join(map(repr, table))} or a '
            f'sequence of {pair} pairs, e.g. {next(iter(table.values()))}; '
            f'got {arch!r}.'
        ) from None
    if not rows:
        raise ValueError(f'{family} arch must hold at least one {pair} pair, got {arch!r}.')
    for i, row in enumerate(rows):
        if len(row) != 2:
            raise ValueError(f'arch[{i}] must be a {pair} pair, got {row!r} in arch={arch!r}.')
    return tuple(
        (
            check_int(a, f'arch[{i}][0] ({fields[0]})', low=1),
            check_int(b, f'arch[{i}][1] ({fields[1]})', low=1),
        )
        for i, (a, b) in enumerate(rows)
    )
