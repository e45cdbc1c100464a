"""Export and import: the whole account as JSON or CSV, our own JSON back in, and Loop Habit Tracker."""

from __future__ import annotations

from aiohttp import web

from api.routing import RouteTable
from api.schemas import ExportQuery, ImportSummaryOut
from api.typedefs import SETTINGS
from api.uploads import read_body, read_upload
from smarthabit.clock import local_today
from smarthabit.export import export_csv_zip, export_document, export_json
from smarthabit.imports import ImportSummary, apply_import
from smarthabit.imports.loop import parse_loop_zip
from smarthabit.imports.ours import parse_export
from smarthabit.models import User

routes = RouteTable("import and export")
TOO_LARGE = {400: "Malformed multipart body", 413: "The file is larger than IMPORT_MAX_BYTES (default 10 MiB)"}


def _summary(summary: ImportSummary) -> ImportSummaryOut:
    return ImportSummaryOut(habits_created=summary.habits_created, habits_matched=summary.habits_matched,
                            checkins_created=summary.checkins_created, pauses_created=summary.pauses_created,
                            renamed=summary.renamed)


@routes.get("/export", media_type="application/json, application/zip")
async def export(user: User, query: ExportQuery) -> web.Response:
    """Download all your data: `format=json` (versioned, what `POST /import` reads) or `format=csv`
    (a zip of CSV files: profile, habits, check-ins, pauses, reminders)."""
    document = await export_document(user)
    if query.format == "csv":
        body, kind, name = export_csv_zip(document), "application/zip", "smarthabit-export.zip"
    else:
        body, kind, name = export_json(document), "application/json", "smarthabit-export.json"
    return web.Response(body=body, content_type=kind,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


EXPORT_BODY = {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "required": ["format", "version", "habits"],
               "properties": {"format": {"const": "smarthabit-export"}, "version": {"const": 1},
                              "habits": {"type": "array", "items": {"type": "object"}}}},
    "example": {"format": "smarthabit-export", "version": 1, "habits": [
        {"id": 1, "name": "Walk", "kind": "yes_no", "schedule": {"kind": "daily"}, "start_day": "2026-01-05",
         "reminder_times": ["07:30"], "checkins": [{"day": "2026-01-05", "value": None, "note": "park"}],
         "pauses": []}]}}}}
LOOP_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
               "properties": {"file": {"type": "string", "format": "binary",
                                       "description": "Loop's `Loop Habits CSV <date>.zip`"}}}}}}


@routes.post("/import", errors={**TOO_LARGE, 422: "Not a SmartHabit export of a known version"}, upload=EXPORT_BODY)
async def import_export(request: web.Request, user: User) -> ImportSummaryOut:
    """Restore a JSON export (`GET /export?format=json`) into this account, all or nothing.

    Importing the same document again adds only what is missing: nothing is duplicated. Habits whose
    names clash with yours are renamed (`Run` becomes `Run (2)`). Your preferences are not changed."""
    raw = await read_body(request, request.app[SETTINGS].import_max_bytes)
    return _summary(await apply_import(user, parse_export(raw)))


@routes.post("/import/loop", errors={**TOO_LARGE, 422: "Not a readable Loop Habit Tracker export"}, upload=LOOP_BODY)
async def import_loop(request: web.Request, user: User) -> ImportSummaryOut:
    """Import the zip of Loop Habit Tracker's "Export as CSV" (multipart field `file`), all or nothing.

    Yes/no and measurable habits with their frequency, check-ins with notes, and skipped days (as
    pauses). Importing the same zip again duplicates nothing. Refused with nothing written: a corrupt
    zip, one without Habits.csv or with unknown columns, a zip bomb (over 50 MiB inflated or a
    compression ratio over 100), or a file over IMPORT_MAX_BYTES."""
    data = await read_upload(request, request.app[SETTINGS].import_max_bytes)
    return _summary(await apply_import(user, parse_loop_zip(data, local_today(user.timezone))))
