"""The composition root: the `smarthabit` command and the in-process runner.

The one package allowed to import every front door (api, bot, tasks); the domain (`smarthabit`) imports
none of them, and the front doors never import each other (checked by import-linter in CI).
"""
