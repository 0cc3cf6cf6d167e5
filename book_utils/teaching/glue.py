"""``glue``: hand a number from a run to the book's prose, also where MyST-NB is absent.

The book pastes run-derived numbers into its text with MyST-NB's ``{glue:text}`` role,
which reads what ``myst_nb.glue`` displayed in the cell. On Colab (and in a plain
Jupyter) MyST-NB is not installed, so ``from myst_nb import glue`` would stop the
notebook; this writes the same output (a display bundle under MyST-NB's
``application/papermill.record/`` prefix) with IPython alone, so a notebook executed
anywhere still builds.
"""

import IPython
from IPython.display import display as _display

__all__ = ['glue']

GLUE_PREFIX = 'application/papermill.record/'  # MyST-NB's, see myst_nb.ext.glue


def glue(name, variable, display=True):
    """Record ``variable``'s displayed form under ``name`` (``myst_nb.glue``'s signature);
    with ``display=False`` nothing is shown in the notebook."""
    if not isinstance(name, str) or not name:
        raise TypeError(f'name must be a non-empty string such as "val_acc", got {name!r}.')
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        myst_glue = None
    if myst_glue is not None:
        return myst_glue(name, variable, display=display)
    bundle, metadata = IPython.core.formatters.format_display_data(variable)
    prefix = '' if display else GLUE_PREFIX
    metadata['scrapbook'] = dict(name=name, mime_prefix=prefix)
    _display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
