"""Computed narrative in a notebook, in the report's language."""

from __future__ import annotations

from collections.abc import Callable

from helpers.labels import check_lang


def narrator(lang: str) -> Callable[[str, str], None]:
    """A ``say(ja, en)`` function that shows the text of ``lang`` as Markdown.

    Notebooks write each computed sentence in both languages; the report's
    ``lang`` parameter picks one.

    Parameters
    ----------
    lang : {"ja", "en"}
        Language of the report.

    Returns
    -------
    callable
        ``say(ja, en)`` displays ``ja`` or ``en`` as a Markdown output.

    Examples
    --------
    >>> say = narrator("en")
    >>> say("NPSは-12です。", "NPS is -12.")  # doctest: +SKIP
    """
    from IPython.display import Markdown, display

    english = check_lang(lang) == "en"

    def say(ja: str, en: str) -> None:
        display(Markdown(en if english else ja))

    return say
