"""Plots for the workbook: ``plot_*(result, ax=None, **kwargs) -> Axes``.

Plotting functions take an analysis result and draw on ``ax`` (a new figure
when ``None``) with ``ax.set_*`` only, then return the Axes.  Call
:func:`use_style` once per notebook so Japanese text renders in IPAexGothic.
Nothing here has import-time side effects.
"""

from helpers.plotting.style import FONT_NAME, font_path, use_style

__all__ = ["FONT_NAME", "font_path", "use_style"]
