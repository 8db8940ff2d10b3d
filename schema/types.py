"""GraphQL enums and shared output types."""

from __future__ import annotations

import math

import strawberry

from matching.types import CefrLevel, PayPeriod, ProfileKind, Role, Shift, WorkMode

CefrLevelType = strawberry.enum(CefrLevel, name="CefrLevel")
PayPeriodType = strawberry.enum(PayPeriod, name="PayPeriod")
ProfileKindType = strawberry.enum(ProfileKind, name="ProfileKind")
RoleType = strawberry.enum(Role, name="Role")
ShiftType = strawberry.enum(Shift, name="Shift")
WorkModeType = strawberry.enum(WorkMode, name="WorkMode")


@strawberry.type
class LocalizedString:
    nl: str
    en: str
    localized: str

    @classmethod
    def of(cls, nl: str, en: str, language: str) -> LocalizedString:
        return cls(nl=nl, en=en, localized=en if language == "en" else nl)


@strawberry.type
class Money:
    amount: float  # euros
    period: PayPeriod


@strawberry.type
class PayRangeType:
    min: float
    max: float
    period: PayPeriod


@strawberry.input
class PayRangeInputType:
    min: float
    max: float
    period: PayPeriod


@strawberry.input
class MoneyInput:
    amount: float
    period: PayPeriod


@strawberry.type
class LanguageLevel:
    language: str
    level: CefrLevel


def euros_to_cents(amount: float) -> int:
    """Whole cents; -1 (refused by the domain's validation) when not a finite amount."""
    cents = amount * 100
    if not math.isfinite(cents):  # NaN, infinity, or an amount that overflows in cents
        return -1
    return round(cents)
