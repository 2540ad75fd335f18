#pragma once
// Strict reading of JSON objects: fields keep their defaults when absent, a wrong type or an
// unknown field is an error that names the field (presets are typed by hand).

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>

namespace qkv {

class JsonFields {
public:
    // `where` prefixes messages, e.g. "preset demo.json: model".
    JsonFields(const QJsonObject& object, std::string where);

    void read(const char* key, int& value);
    void read(const char* key, uint64_t& value);
    void read(const char* key, double& value);
    void read(const char* key, bool& value);
    void read(const char* key, std::string& value);
    QJsonObject object(const char* key);  // an absent key gives an empty object
    QJsonValue raw(const char* key);      // marks the key as known
    // Throws ConfigError naming the first field that no read() asked for.
    void rejectUnknown() const;

    [[noreturn]] void fail(const char* key, const std::string& why) const;

private:
    QJsonValue take(const char* key);
    QJsonObject m_object;
    std::string m_where;
    QSet<QString> m_known;
};

// JSON numbers are exact to 2^53; larger integers (seeds) are written as decimal strings.
QJsonValue seedToJson(uint64_t v);
// The inverse: a non-negative integer number up to 2^53 or a decimal string; none otherwise.
std::optional<uint64_t> seedFromJson(const QJsonValue& v);

// A JSON number that is an integer within [lo, hi]; none for anything else (a fraction, a value
// out of range, another type). Checked before any conversion: a double beyond the range of the
// integer type has no defined conversion.
std::optional<int64_t> exactInteger(const QJsonValue& v, int64_t lo, int64_t hi);

// NaN is not JSON: it is written as null and read back as NaN.
QJsonValue numberOrNull(double v);
double numberOrNaN(const QJsonValue& v);

}  // namespace qkv
