"""Problems as a person reads them: grouped by rule and column, a few lines each.

A file with one systematic mistake has it on thousands of rows; one group per
(file, column, rule) with its count, the first lines and "and N more" keeps
that to a screenful.  ``show_all`` lists every problem.
"""

from __future__ import annotations

from collections import defaultdict

from helpers import labels
from helpers.io import Problem

#: Problems shown per group unless every one is asked for.
SHOWN_PER_GROUP = 5


def format_problems(problems: list[Problem], lang: str = labels.DEFAULT_LANG, show_all: bool = False) -> str:
    """Problems grouped by file, column and rule.

    Parameters
    ----------
    problems : list of helpers.io.Problem
    lang : {"ja", "en"}
    show_all : bool
        List every problem instead of the first :data:`SHOWN_PER_GROUP` of each group.

    Returns
    -------
    str
        One heading per group (``file 列 'col': rule — N 件``), then its problems indented.
    """
    ja = labels.check_lang(lang) == "ja"
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        groups[(problem.file, problem.column, problem.rule_ja, problem.rule_en)].append(problem)
    out = []
    for (file, column, rule_ja, rule_en), members in groups.items():
        where = file + ("" if column is None else (f" 列 '{column}'" if ja else f" column '{column}'"))
        rule = f"{rule_ja} ({rule_en})" if ja else f"{rule_en} ({rule_ja})"
        count = f"{len(members):,} 件" if ja else f"{len(members):,} {'problem' if len(members) == 1 else 'problems'}"
        out.append(f"  {where}: {rule} — {count}")
        shown = members if show_all else members[:SHOWN_PER_GROUP]
        out.extend("    " + p.format(lang) for p in shown)
        rest = len(members) - len(shown)
        if rest:
            out.append(
                f"    … ほか {rest:,} 件（--all ですべて表示）"
                if ja
                else f"    … and {rest:,} more (--all lists every one)"
            )
    return "\n".join(out)
