"""Words for the expert pool shared by the expert's workspace and the administrator's: statuses, relation
kinds, specialty categories (translated at call time, so a language switch renames them)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def status_text(status: str) -> str:
    return {"admitted": QCoreApplication.translate("Experts", "Admitted (入库)"),
            "suspended": QCoreApplication.translate("Experts", "Suspended (暂停)"),
            "renewed": QCoreApplication.translate("Experts", "Renewed (续聘)"),
            "dismissed": QCoreApplication.translate("Experts", "Dismissed (解聘)")}.get(status, status)


def relation_text(kind: str) -> str:
    return {"relative": QCoreApplication.translate("Experts", "Close relative (近亲属)"),
            "economic_interest": QCoreApplication.translate("Experts", "Economic interest (经济利益)"),
            "supervising_authority": QCoreApplication.translate("Experts", "Supervising authority (行政监督)"),
            "punished": QCoreApplication.translate("Experts", "Administrative or criminal penalty (受过处罚)"),
            }.get(kind, kind)


def category_text(category: str) -> str:
    return {"technical": QCoreApplication.translate("Experts", "Technical (技术)"),
            "economic": QCoreApplication.translate("Experts", "Economic (经济)"),
            "legal": QCoreApplication.translate("Experts", "Legal (法律)"),
            "other": QCoreApplication.translate("Experts", "Other (其他)")}.get(category, category)
