"""Settings over HTTP: every signed-in user reads them; finance managers and admins change them.

Each key's value is checked by the settings catalogue (app/domain/settings_catalogue.py), so the
body schema only says that a value is there; a wrong value is a 422 naming the part that is wrong.
"""
from marshmallow import Schema, fields

from app.roles import SETTINGS_EDITORS
from app.services import settings

from . import bp
from .auth import current_user, requires
from .schemas import StrictSchema, load_json


class SettingIn(StrictSchema):
    value = fields.Raw(required=True, metadata={
        "description": "whole numbers for intervals; money and percentages as strings "
                       '("1234.56", "8"); text; or the object or list the setting describes'})


class SettingOut(Schema):
    key = fields.String()
    value = fields.Raw()
    default = fields.Raw()
    type = fields.String(metadata={"description": "working_days, calendar_days, weeks, months, "
                                                  "seconds, timers, "
                                                  "money, percentage, text, text_list, "
                                                  "letter_header, write_off_levels or "
                                                  "court_fee_tables"})
    description = fields.String()
    source = fields.String(metadata={"description": "where in DOMAIN.md the default comes from"})
    design_assumption = fields.Boolean()
    minimum = fields.Integer(allow_none=True)
    maximum = fields.Integer(allow_none=True)
    is_default = fields.Boolean()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class SettingListOut(Schema):
    items = fields.List(fields.Nested(SettingOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


@bp.get("/settings")
@requires()
def list_settings():
    """Every setting with its value in force, default and description."""
    items = settings.list_settings()
    return {"items": SettingOut(many=True).dump(items), "total": len(items), "page": 1,
            "per_page": len(items)}


@bp.get("/settings/<key>")
@requires()
def get_setting(key):
    """One setting."""
    return SettingOut().dump(settings.describe(key))


@bp.put("/settings/<key>")
@requires(*SETTINGS_EDITORS)
def change_setting(key):
    """Change a setting ({"value": ...}); audited with the old and new value."""
    body = load_json(SettingIn())
    return SettingOut().dump(settings.change(key, body["value"], current_user()))


@bp.delete("/settings/<key>")
@requires(*SETTINGS_EDITORS)
def reset_setting(key):
    """Put a setting back to its default; audited."""
    return SettingOut().dump(settings.reset(key, current_user()))


list_settings.openapi = {"response": SettingListOut}
get_setting.openapi = {"response": SettingOut}
change_setting.openapi = {"body": SettingIn, "response": SettingOut}
reset_setting.openapi = {"response": SettingOut}
