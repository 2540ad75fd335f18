#include "recent_folders.h"

#include <QDir>
#include <QSettings>

namespace qkvapp {

namespace {
const char* const kKey = "recentFolders";
}

QStringList RecentFolders::list() {
    QStringList out;
    for (const QString& f : QSettings().value(kKey).toStringList())
        if (QDir(f).exists()) out << f;  // folders deleted since are not offered
    return out;
}

void RecentFolders::add(const QString& folder) {
    QStringList l = QSettings().value(kKey).toStringList();
    l.removeAll(folder);
    l.prepend(folder);
    while (l.size() > kMax) l.removeLast();
    QSettings().setValue(kKey, l);
}

void RecentFolders::clear() { QSettings().remove(kKey); }

}  // namespace qkvapp
