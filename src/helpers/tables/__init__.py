"""Report tables: one formatter for every number a report shows.

Yen, percentages, percentage points, emotion points, intervals, counts and the
missing-value mark look the same in every notebook, because every report
table goes through :func:`format_values` and :func:`format_table` here.

Kinds of values (``kind`` arguments):

========== ===================================== =====================
kind       example                               used for
========== ===================================== =====================
``int``    ``1,234``                             counts
``yen``    ``12,345円`` / ``¥12,345``            money (JPY)
``pct``    ``12.3%``                             shares and rates
``pp``     ``+12.3pt``                           difference of rates
``signed`` ``+2``                                whole points on a scale
``signed1````+1.2``                              points on a scale
``float1`` ``1.2``                               one decimal
``float2`` ``1.23``                              two decimals
``p``      ``0.012`` / ``<0.001``                p-values
``date``   ``2025-01-31``                        dates
``bool``   ``あり`` / ``yes``                    yes/no flags
``text``   as is                                 names, labels
========== ===================================== =====================
"""

from helpers.tables.format import (
    INTERVAL_SEPARATOR,
    KINDS,
    MISSING,
    format_change,
    format_interval,
    format_table,
    format_value,
    format_values,
    p_text,
)

__all__ = [
    "INTERVAL_SEPARATOR",
    "KINDS",
    "MISSING",
    "format_change",
    "format_interval",
    "format_table",
    "format_value",
    "format_values",
    "p_text",
]
