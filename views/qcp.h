#pragma once
// QCustomPlot 2.1's header uses Qt's keyword macros (signals, slots, foreach); the project builds
// with QT_NO_KEYWORDS because LibTorch also uses those names. Map them for this one include only.

#include <QObject>

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
