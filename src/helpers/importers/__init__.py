"""Shop-system exports into the data contract (``kando import``).

EC-CUBE 4, Shopify and 楽天 RMS have presets (mapping files in
``presets/``); any other shop system gets a mapping through
:func:`suggest_mapping`, edited once.  See :func:`run_import`.
"""

from helpers.importers.detect import exports_in_folder, recognise
from helpers.importers.mapping import PRESETS, Mapping, MappingError, load_mapping, load_preset
from helpers.importers.pipeline import OUTPUT_FILES, ImportResult, run_import
from helpers.importers.problems import ImportProblems
from helpers.importers.raw import list_exports, sniff
from helpers.importers.suggest import suggest_mapping

__all__ = [
    "OUTPUT_FILES",
    "PRESETS",
    "ImportProblems",
    "ImportResult",
    "Mapping",
    "MappingError",
    "exports_in_folder",
    "list_exports",
    "load_mapping",
    "load_preset",
    "recognise",
    "run_import",
    "sniff",
    "suggest_mapping",
]
