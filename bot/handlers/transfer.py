"""Export and import in the chat: /export sends the data file; a Loop Habit Tracker zip imports it."""

from __future__ import annotations

import io

from telegram import Update

from bot import texts
from bot.handlers.common import Context, chat_user, send
from smarthabit.clock import local_today
from smarthabit.errors import ValidationFailed
from smarthabit.export import export_document, export_json
from smarthabit.imports import DEFAULT_IMPORT_MAX_BYTES, apply_import
from smarthabit.imports.loop import parse_loop_zip

ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


async def export_command(update: Update, context: Context) -> None:
    """/export: the account's data as our versioned JSON document (what `POST /import` reads)."""
    user = await chat_user(update)
    data = export_json(await export_document(user))
    assert update.effective_chat is not None
    await update.effective_chat.send_document(io.BytesIO(data), filename="smarthabit-export.json",
                                              caption=texts.EXPORT_CAPTION)


async def document_received(update: Update, context: Context) -> None:
    """A file: a Loop export zip is imported (all or nothing); anything else gets a hint."""
    message = update.effective_message
    document = message.document if message is not None else None
    if document is None:
        return
    name = (document.file_name or "").lower()
    if not name.endswith(".zip") and document.mime_type not in ZIP_TYPES:
        await send(update, texts.IMPORT_NOT_ZIP)
        return
    if document.file_size is not None and document.file_size > DEFAULT_IMPORT_MAX_BYTES:
        await send(update, texts.import_too_large(DEFAULT_IMPORT_MAX_BYTES))
        return
    user = await chat_user(update)
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        summary = await apply_import(user, parse_loop_zip(data, local_today(user.timezone)))
    except ValidationFailed as exc:
        await send(update, texts.import_failed(exc.localized()))
        return
    await send(update, texts.loop_imported(summary.habits_created, summary.habits_matched, summary.checkins_created,
                                           summary.pauses_created, summary.renamed))
