"""The import pipeline shared by every sheet: normalisers, the registry of sheet kinds, reading, writing.

Apps register their sheet kinds in their own `sheets.py`; see core.importing.sheets.
"""
