#include "io/json_fields.h"

#include <QStringList>

#include <cmath>
#include <limits>

#include "common/errors.h"

namespace qkv {

JsonFields::JsonFields(const QJsonObject& object, std::string where)
    : m_object(object), m_where(std::move(where)) {}

void JsonFields::fail(const char* key, const std::string& why) const {
    throw ConfigError(m_where + ": field '" + key + "' " + why);
}

QJsonValue JsonFields::take(const char* key) {
    m_known.insert(QString::fromLatin1(key));
    return m_object.value(QString::fromLatin1(key));
}

QJsonValue JsonFields::raw(const char* key) { return take(key); }

void JsonFields::read(const char* key, int& value) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || d != std::floor(d) || std::abs(d) > 2147483647.0)
        fail(key, "must be an integer");
    value = int(d);
}

void JsonFields::read(const char* key, uint64_t& value) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return;
    const std::optional<uint64_t> seed = seedFromJson(v);
    if (!seed) fail(key, "must be a non-negative integer");
    value = *seed;
}

std::optional<uint64_t> seedFromJson(const QJsonValue& v) {
    if (v.isString()) {  // values above 2^53 are stored as decimal strings (see seedToJson)
        bool ok = false;
        const qulonglong parsed = v.toString().toULongLong(&ok, 10);
        return ok ? std::optional<uint64_t>(parsed) : std::nullopt;
    }
    const std::optional<int64_t> n = exactInteger(v, 0, int64_t(1) << 53);
    return n ? std::optional<uint64_t>(uint64_t(*n)) : std::nullopt;
}

std::optional<int64_t> exactInteger(const QJsonValue& v, int64_t lo, int64_t hi) {
    if (!v.isDouble()) return std::nullopt;
    const double d = v.toDouble();
    // 2^63 itself is a double that no int64_t holds (INT64_MAX rounds up to it).
    if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d) ||
        d >= 9223372036854775808.0)
        return std::nullopt;
    const int64_t n = int64_t(d);
    if (n < lo || n > hi) return std::nullopt;
    return n;
}

void JsonFields::read(const char* key, double& value) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return;
    if (!v.isDouble()) fail(key, "must be a number");
    value = v.toDouble();
}

void JsonFields::read(const char* key, bool& value) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return;
    if (!v.isBool()) fail(key, "must be true or false");
    value = v.toBool();
}

void JsonFields::read(const char* key, std::string& value) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return;
    if (!v.isString()) fail(key, "must be a string");
    value = v.toString().toStdString();
}

QJsonObject JsonFields::object(const char* key) {
    const QJsonValue v = take(key);
    if (v.isUndefined()) return {};
    if (!v.isObject()) fail(key, "must be an object");
    return v.toObject();
}

void JsonFields::rejectUnknown() const {
    for (auto it = m_object.begin(); it != m_object.end(); ++it)
        if (!m_known.contains(it.key()))
            throw ConfigError(m_where + ": unknown field '" + it.key().toStdString() + "'");
}

QJsonValue seedToJson(uint64_t v) {
    if (v <= (uint64_t(1) << 53)) return QJsonValue(double(v));
    return QJsonValue(QString::number(qulonglong(v)));
}

QJsonValue numberOrNull(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

double numberOrNaN(const QJsonValue& v) {
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace qkv
