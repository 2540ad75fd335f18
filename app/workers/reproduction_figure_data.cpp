#include "reproduction_figure_data.h"

#include "color_maps.h"

namespace qkvapp {

qkvviews::ReproductionFigureData reproductionFigureData(const qkv::Reproduction& r) {
    qkvviews::ReproductionFigureData d;
    d.table = QString::fromStdString(r.table.id);
    QStringList seeds;
    for (uint64_t s : r.seeds) seeds << QString::number(s);
    d.title = QString("%1 · %2 scale · seed%3 %4")
                  .arg(QString::fromStdString(r.table.title), QString::fromStdString(r.scale),
                       r.seeds.size() == 1 ? "" : "s", seeds.join(", "));
    d.metric = QString::fromStdString(r.table.metric);
    for (const std::string& t : r.table.tasks) d.tasks << QString::fromStdString(t);
    for (size_t c = 0; c < r.table.configs.size(); ++c)
        d.configs.push_back({QString::fromStdString(r.table.configs[c].id),
                             QString::fromStdString(r.table.configs[c].label), qkvviews::seriesColor(int(c))});
    d.cells.resize(d.tasks.size());
    for (auto& row : d.cells) row.resize(d.configs.size());
    for (const qkv::CellResult& cell : r.cells) {
        const int t = int(d.tasks.indexOf(QString::fromStdString(cell.task)));
        int c = -1;
        for (int i = 0; i < d.configs.size(); ++i)
            if (d.configs[i].id == QString::fromStdString(cell.config)) c = i;
        if (t < 0 || c < 0) continue;
        qkvviews::ReproductionFigureData::Cell& out = d.cells[t][c];
        out.published = cell.published;
        out.mean = cell.measured.mean;
        out.std = cell.measured.std;
        out.n = cell.measured.n;
        out.values = QVector<double>(cell.values.begin(), cell.values.end());
    }
    return d;
}

}  // namespace qkvapp
