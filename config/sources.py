"""The settings of every registered source type, told apart by `type`.

Each source type's settings model lives beside its code (`listener/x/settings.py`, ...) and is
registered through an entry point (`kernel.plugins`); this union is built from what is
registered, so a plugin from another distribution is valid in the settings as soon as it is
installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias, Union

from pydantic import Field

from config.base import _Source
from kernel.plugins import settings_models

if TYPE_CHECKING:
    SourceSettings: TypeAlias = _Source
else:
    SourceSettings = Annotated[
        Union[settings_models("source")],  # noqa: UP007 - built from the registry
        Field(discriminator="type"),
    ]
