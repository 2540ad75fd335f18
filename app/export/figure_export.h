#pragma once
// Publication export of the views: PNG at 300 dpi, PDF and SVG with vector axes and text (colour
// maps embedded losslessly at full resolution), the numbers drawn as CSV and JSON, and a manifest.
// The window's "Export" and `qkvlab figures` both call exportFigure/exportAll, so the same code
// draws both.
//
// Sizes: a figure is laid out at the logical size that its physical size has at the screen's
// logical dpi (≈ 96), i.e. exactly as the widget would look that big on screen, then rendered
// at 300 dpi (PNG) or as vectors (PDF, SVG). So a 9 pt font is 9 pt on paper (× the size's
// textScale: 0.75 in a single column), and a small figure is not a shrunken screenshot.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

#include "figure_manifest.h"

class QCustomPlot;

namespace qkvviews {
class ExportableFigure;
}

namespace qkvapp {

constexpr double kPngDpi = 300;

struct FigureSize {
    QString name;
    double widthMm = 0, heightMm = 0;  // 0 × 0: the widget's current size (the "screen" preset)
    // Text and lines at this share of their on-screen size: a grid of panels laid out with
    // 9 pt labels in 89 mm has no room left for the panels.
    double textScale = 1.0;
};

// single-column (89 × 60 mm, text at 0.75: 9 pt → 6.75 pt), double-column (183 × 90 mm), screen.
QList<FigureSize> figureSizePresets();
std::optional<FigureSize> findFigureSize(const QString& name);
// The size in millimetres a preset has for this plot ("screen": its size at its logical dpi).
FigureSize resolvedFigureSize(const FigureSize& size, const QCustomPlot& plot);

enum class FigureFormat { Png, Pdf, Svg };

QString formatSuffix(FigureFormat format);  // "png", "pdf", "svg"
// "png,pdf,svg" (any order, case-insensitive, duplicates dropped) → formats; nullopt and `error`
// naming the bad entry otherwise. An empty list is an error.
std::optional<QList<FigureFormat>> parseFigureFormats(const QString& list,
                                                      QString* error = nullptr);

struct ExportResult {
    QStringList files;  // absolute paths written, manifest.json last
    QStringList skipped;  // "<figure>: why", figures with nothing to show (none of their files)
    QString error;      // empty on success
    bool ok() const { return error.isEmpty(); }
};

// GUI thread only (QCustomPlot is a widget; colour maps paint through QPixmap).
// Renders the plot in one format at one size into memory. The plot is laid out again for its
// widget afterwards. Empty array (and `error`) on failure.
QByteArray renderFigure(QCustomPlot& plot, FigureFormat format, const FigureSize& size,
                        QString* error = nullptr);

// Writes <folder>/<figureName>.<format> for each format, <figureName>.csv and .json, and
// manifest.json (merged with the one there). Creates the folder. Every file is written
// atomically, so a failure leaves complete files (old or new), never a truncated one.
ExportResult exportFigure(const qkvviews::ExportableFigure& figure, const QString& folder,
                          const QList<FigureFormat>& formats, const FigureSize& size,
                          const Manifest& manifest);

// Every figure into one folder with one manifest; figure names must be distinct.
ExportResult exportAll(const QList<const qkvviews::ExportableFigure*>& figures,
                       const QString& folder, const QList<FigureFormat>& formats,
                       const FigureSize& size, const Manifest& manifest);

}  // namespace qkvapp
