"""Small pieces every plot module shares: the axes to draw on, ja/en texts, number ticks."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from helpers.labels import check_lang


def new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or the Axes of a new figure of ``figsize`` when it is ``None``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Axes the caller was given.
    figsize : tuple of float, optional
        Size of the new figure in inches (the style's default when ``None``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def text_lookup(texts: Mapping[str, tuple[str, str]]) -> Callable[..., str]:
    """A ``text(key, lang, **values)`` function over a module's ``{key: (ja, en)}`` texts.

    The returned function checks ``lang``, picks the Japanese or English
    template and fills it with ``str.format(**values)``.

    Parameters
    ----------
    texts : mapping
        ``{key: (ja template, en template)}``.

    Returns
    -------
    callable
        ``text(key, lang, **values) -> str``.
    """

    def text(key: str, lang: str, **values) -> str:
        ja, en = texts[key]
        return (ja if check_lang(lang) == "ja" else en).format(**values)

    return text


def thousands_formatter() -> FuncFormatter:
    """Tick labels as whole numbers with thousands separators (``12,345``)."""
    return FuncFormatter(lambda value, _: f"{value:,.0f}")


def set_title(ax: Axes, title: str | None, default: str, **kwargs) -> None:
    """Title the chart: the caller's ``title`` when given (``""`` for none), else the chart's own."""
    ax.set_title(default if title is None else title, **kwargs)
