"""Email for the embedded mode: one file per notice under var/mail/.

Each file is named by the notice it carries, so delivering the same notice again (a
worker killed after writing, then retried) rewrites one file rather than adding a
second email. SMTP in production has no such guarantee in that narrow window: see
docs/notifications.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

NOTICE_HEADER = "X-Front-Door-Notice"


class NoticeFileBackend(FileBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            notice = message.extra_headers.get(NOTICE_HEADER)
            if notice is None:
                sent += super().send_messages([message])
                continue
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", notice)
            path = Path(self.file_path) / f"{name}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(message.message().as_bytes(linesep="\n"))
            temporary.replace(path)  # atomic: a reader never sees half a message
            sent += 1
        return sent
