#pragma once
// The recently opened run folders, kept in QSettings (most recent first, at most kMax).

#include <QStringList>

namespace qkvapp {

class RecentFolders {
public:
    static constexpr int kMax = 8;
    static QStringList list();
    static void add(const QString& folder);
    static void clear();
};

}  // namespace qkvapp
