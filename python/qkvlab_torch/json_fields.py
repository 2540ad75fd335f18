"""Strict reading of JSON objects, as core/io/json_fields.cpp does it.

Fields keep their defaults when absent; a wrong type or an unknown field is a ConfigError that
names the field, because presets and config.json files are typed by hand and a silently ignored
typo would train the wrong model.
"""

import math

MAX_EXACT_INT = 2 ** 53  # JSON numbers are doubles: integers above this are written as strings


class ConfigError(ValueError):
    """An impossible or malformed configuration (core's ConfigError)."""


class JsonFields:
    """Reads typed fields of one JSON object and remembers which keys were asked for."""

    def __init__(self, obj, where):
        if not isinstance(obj, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        self.obj, self.where, self.known = obj, where, set()

    def fail(self, key, why):
        raise ConfigError(f"{self.where}: field '{key}' {why}")

    def raw(self, key, default=None):
        self.known.add(key)
        return self.obj.get(key, default)

    def has(self, key):
        return key in self.obj

    def integer(self, key, default):
        v = self.raw(key)
        if v is None and key not in self.obj:
            return default
        # bool is an int subclass in Python but not a number in JSON.
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != math.floor(v) \
                or abs(v) > 2147483647:
            self.fail(key, "must be an integer")
        return int(v)

    def seed(self, key, default):
        """A non-negative integer, possibly a decimal string (values above 2^53)."""
        v = self.raw(key)
        if key not in self.obj:
            return default
        if isinstance(v, str):
            if not v.isdigit() or int(v) >= 2 ** 64:
                self.fail(key, "must be a non-negative integer")
            return int(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 \
                or v != math.floor(v) or v > MAX_EXACT_INT:
            self.fail(key, "must be a non-negative integer")
        return int(v)

    def number(self, key, default):
        v = self.raw(key)
        if key not in self.obj:
            return default
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(key, "must be a number")
        return float(v)

    def boolean(self, key, default):
        v = self.raw(key)
        if key not in self.obj:
            return default
        if not isinstance(v, bool):
            self.fail(key, "must be true or false")
        return v

    def string(self, key, default):
        v = self.raw(key)
        if key not in self.obj:
            return default
        if not isinstance(v, str):
            self.fail(key, "must be a string")
        return v

    def object(self, key):
        v = self.raw(key)
        if key not in self.obj:
            return {}
        if not isinstance(v, dict):
            self.fail(key, "must be an object")
        return v

    def reject_unknown(self):
        for key in self.obj:
            if key not in self.known:
                raise ConfigError(f"{self.where}: unknown field '{key}'")


def seed_to_json(v):
    """core's seedToJson: exact integers as numbers, larger ones as decimal strings."""
    return int(v) if v <= MAX_EXACT_INT else str(int(v))


def qt_number(v):
    """A double as Qt writes it: integral values without a fraction (10000, not 10000.0), so
    that the compact model JSON in the weights' metadata reads the same from either side."""
    if isinstance(v, float) and math.isfinite(v) and v == math.floor(v) and abs(v) < 2 ** 53:
        return int(v)
    return v


def number_or_null(v):
    """NaN and infinities are not JSON: core writes them as null."""
    return v if v is not None and math.isfinite(v) else None


def number_or_nan(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else math.nan
