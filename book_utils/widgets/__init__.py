"""Interactive widgets for the chapters: core ipywidgets (7.7 and 8.x) and inline matplotlib.

One widget a module, its pure maths in a module below ``base`` (they import no widget):

=========================  ===================  ===========================
widget                     module               maths
=========================  ===================  ===========================
``kernel_designer``        ``kernel_designer``  ``image_kernels``
``conv_shape_explorer``    ``conv_shapes``      ``conv_geometry``
``pooling_explorer``       ``pooling``          ``pooling_maths``
``training_dashboard``     ``dashboard``        ``runs``
=========================  ===================  ===========================

``base`` holds what every widget shares (``BookWidget``, the one ``hold`` that batches
redraws, controls that refuse rather than clamp); ``html_parts`` the pieces of the
kernel-free views (a leaf). Each function returns the widget; put the call last in a
notebook cell. Its output also carries a kernel-free view (each widget's ``static_html``,
run by ``static/book_widgets.js``, built from ``widgets_js/src``): in the rendered book the
kernel designer and the two explorers work in the browser, and the training dashboard
shows its saved runs and how to train on Colab.
"""

from .conv_shapes import conv_shape_explorer
from .dashboard import training_dashboard
from .kernel_designer import kernel_designer
from .pooling import pooling_explorer

__all__ = ['kernel_designer', 'conv_shape_explorer', 'pooling_explorer', 'training_dashboard']
