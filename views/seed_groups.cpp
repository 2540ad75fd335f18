#include "seed_groups.h"

#include <QStringList>

#include <cmath>
#include <vector>

namespace qkvviews {

QVector<SeedGroup> seedGroups(const AnalysisSet& set) {
    QVector<SeedGroup> groups;
    for (int v = 0; v < set.variants.size(); ++v) {
        const VariantAnalysis& va = set.variants[v];
        auto it = va.group.isEmpty()
                      ? groups.end()
                      : std::find_if(groups.begin(), groups.end(),
                                     [&](const SeedGroup& g) { return g.name == va.group; });
        if (it != groups.end()) {
            it->variants << v;
            continue;
        }
        groups.push_back({va.group.isEmpty() ? va.label : va.group, va.color, {v}});
    }
    return groups;
}

bool hasSeeds(const QVector<SeedGroup>& groups) {
    return std::any_of(groups.begin(), groups.end(),
                       [](const SeedGroup& g) { return g.variants.size() > 1; });
}

QString SeedValues::valuesText() const {
    QStringList parts;
    for (double v : values) parts << (std::isfinite(v) ? QString::number(v, 'g', 9) : QString());
    return parts.join("; ");
}

SeedValues seedValues(const AnalysisSet& set, const SeedGroup& group,
                      const std::function<double(const VariantAnalysis&)>& value) {
    SeedValues out;
    for (int v : group.variants) out.values << value(set.variants[v]);
    out.summary = qkv::summarizeSeeds(std::vector<double>(out.values.begin(), out.values.end()));
    return out;
}

QString seedGroupLabel(const SeedGroup& group, const qkv::SeedSummary& summary) {
    return group.variants.size() > 1 ? QString("%1 (n %2)").arg(group.name).arg(summary.n)
                                     : group.name;
}

}  // namespace qkvviews
