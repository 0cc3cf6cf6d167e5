"""What ``import book_utils as d2l`` offers: every public name, its kind and its signature.

``describe()`` turns the package into plain JSON-able data; ``tests/snapshots/public_api.json``
holds that description as it was before the package was split into subpackages, and
``tests/test_public_api.py`` compares today's package with it. Annotations are left out
(type hints may be added); parameter names, order, kinds and defaults are kept.
Regenerate deliberately, after an intended change of the public API:
``python tests/public_api.py > tests/snapshots/public_api.json``.
"""

import inspect
import json
import types

SNAPSHOT = 'snapshots/public_api.json'


def parameters(obj):
    """[[name, kind, default repr]] of a callable's signature, or None if it has none."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [
        [p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
        for p in sig.parameters.values()
    ]


def own_methods(cls, package):
    """Public methods a book_utils class defines or inherits from another book_utils class."""
    found = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith(package):
            continue
        for name, value in vars(klass).items():
            if not name.startswith('_') and callable(value):
                found[name] = parameters(value)
    return found


def describe(package):
    """{name: {'kind', 'signature', 'methods'}} for every public name of ``package``,
    leaving out the package's own submodules (where a name lives is not part of D2L's API)."""
    prefix = package.__name__
    api = {}
    for name in sorted(n for n in dir(package) if not n.startswith('_')):
        obj = getattr(package, name)
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith(prefix + '.'):
                continue
            api[name] = {'kind': 'module', 'module': obj.__name__}
        elif inspect.isclass(obj):
            entry = {'kind': 'class', 'signature': parameters(obj)}
            if obj.__module__.startswith(prefix):
                entry['methods'] = own_methods(obj, prefix)
            api[name] = entry
        elif callable(obj):
            api[name] = {'kind': 'function', 'signature': parameters(obj)}
        else:
            api[name] = {'kind': 'value', 'type': type(obj).__name__, 'repr': repr(obj)}
    return api


if __name__ == '__main__':
    import book_utils

    api = describe(book_utils)
    lines = [f'{json.dumps(name)}: {json.dumps(api[name], sort_keys=True)}' for name in api]
    print('{\n' + ',\n'.join(lines) + '\n}')  # one name a line: diffs show what changed
