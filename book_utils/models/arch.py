"""Architecture tables: VGG and ResNet are both described by rows of pairs.

A row of ``VGG_ARCHS`` is (number of convolutions, channels) per block; a row of
``RESNET_ARCHS`` is (number of residual blocks, channels) per stage. Either may
be given by name or as pairs; one check serves both, so a typo gets the same
clear message everywhere.
"""


def positive_int(value):
    """True for 1, 2, 3, ... (not for True, 2.0 or -1)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def resolve_arch(arch, table, family, pair):
    """``arch`` as a tuple of pairs of positive ints: a name of ``table`` or the pairs.

    ``family`` names the networks in messages (``'VGG'``), ``pair`` what each pair
    holds (``'(num_convs, out_channels)'``).
    """
    if isinstance(arch, str):
        if arch not in table:
            raise ValueError(f'Unknown {family} architecture {arch!r}; known names: '
                             f'{", ".join(table)}, or give {pair} pairs.')
        return table[arch]
    try:
        pairs = tuple(tuple(row) for row in arch)
    except TypeError:
        pairs = None
    if not pairs or not all(len(p) == 2 and positive_int(p[0]) and positive_int(p[1])
                            for p in pairs):
        example = next(iter(table.values()))
        raise ValueError(f'arch must be a non-empty sequence of {pair} pairs of positive ints, '
                         f'e.g. {example}, or one of {", ".join(table)}; got {arch!r}.')
    return pairs
