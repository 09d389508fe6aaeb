"""Commands for bulk jobs: batch create/update/replace/delete, attachments, export and sync."""
