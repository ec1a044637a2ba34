"""Reading published announcements of inspection targets (巡视/巡察对象公布)."""

from inspections.announcement.parser import (
    KINDS,
    AnnouncedInspection,
    Announcement,
    AnnouncementError,
    chinese_number,
    normalise_brackets,
    parse_announcement,
)

__all__ = [
    "KINDS",
    "AnnouncedInspection",
    "Announcement",
    "AnnouncementError",
    "chinese_number",
    "normalise_brackets",
    "parse_announcement",
]
