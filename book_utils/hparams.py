"""``HyperParameters`` and ``add_to_class``: the two small tricks D2L's classes are built on."""

import inspect


def add_to_class(Class):
    """Register the decorated function as a method of ``Class``.

    Lets a text define a class in pieces, one method per code cell.
    """

    def wrapper(obj):
        setattr(Class, obj.__name__, obj)

    return wrapper


class HyperParameters:
    """A base class whose ``save_hyperparameters`` turns constructor arguments into attributes."""

    def save_hyperparameters(self, ignore=None):
        """Save the caller's arguments (all but ``self``, ``ignore`` and ``_private``) as attributes.

        ``ignore`` defaults to None, not ``[]``: a list default is one object shared by every call.
        """
        ignore = () if ignore is None else ignore
        frame = inspect.currentframe().f_back
        _, _, _, local_vars = inspect.getargvalues(frame)
        self.hparams = {
            k: v
            for k, v in local_vars.items()
            if k not in set(list(ignore) + ['self']) and not k.startswith('_')
        }
        for k, v in self.hparams.items():
            setattr(self, k, v)
