#include "figure_export.h"

#include <QBuffer>
#include <QDir>
#include <QImage>
#include <QImageWriter>
#include <QJsonDocument>
#include <QPdfWriter>
#include <QPicture>
#include <QSet>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

#include "exportable_figure.h"
#include "qcp.h"

namespace qkvapp {

namespace {

constexpr double kMmPerInch = 25.4;

void setError(QString* error, const QString& message) {
    if (error) *error = message;
}

// The dpi QCustomPlot's layout measures text at (QFontMetrics of the widget's fonts). Rendering
// on a device of the same logical dpi keeps the measured and the drawn text the same size.
double layoutDpi(const QCustomPlot& plot) {
    const int dpi = plot.logicalDpiY();
    return dpi > 0 ? dpi : 96;
}

QSize logicalSize(const FigureSize& mm, const QCustomPlot& plot) {
    const double dpi = layoutDpi(plot) / std::clamp(mm.textScale, 0.25, 4.0);
    return QSize(std::max(1, int(std::lround(mm.widthMm / kMmPerInch * dpi))),
                 std::max(1, int(std::lround(mm.heightMm / kMmPerInch * dpi))));
}

// Non-cosmetic: QCustomPlot's 0-width (cosmetic) pens would be one device pixel wide, i.e.
// 1/300 inch, in a PNG at 300 dpi or in a PDF. Vectorized: QCPColorMap then clips its image
// itself, as QCustomPlot's own savePdf does.
void setExportModes(QCPPainter& painter, bool vectorized) {
    painter.setMode(QCPPainter::pmNonCosmetic);
    painter.setMode(QCPPainter::pmVectorized, vectorized);
}

QByteArray renderPng(QCustomPlot& plot, const FigureSize& mm, QString* error) {
    const QSize logical = logicalSize(mm, plot);
    const QSize pixels(std::max(1, int(std::lround(mm.widthMm / kMmPerInch * kPngDpi))),
                       std::max(1, int(std::lround(mm.heightMm / kMmPerInch * kPngDpi))));
    // The image keeps the default (screen) dpi while painting: fonts are converted with the
    // device's dpi, and the layout measured them at that dpi. 300 dpi is stamped afterwards.
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);  // toPainter fills the plot's background brush, if any
    {
        QCPPainter painter(&image);
        if (!painter.isActive()) {
            setError(error, "cannot paint a PNG image");
            return {};
        }
        setExportModes(painter, false);
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.scale(double(pixels.width()) / logical.width(),
                      double(pixels.height()) / logical.height());
        plot.toPainter(&painter, logical.width(), logical.height());
    }
    const int dotsPerMeter = int(std::lround(kPngDpi / kMmPerInch * 1000));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image)) {
        setError(error, "cannot encode PNG: " + writer.errorString());
        return {};
    }
    return bytes;
}

QByteArray renderPdf(QCustomPlot& plot, const FigureSize& mm, QString* error) {
    const QSize logical = logicalSize(mm, plot);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setCreator(QStringLiteral("QKV Lab " QKVLAB_VERSION));
        writer.setPageSize(QPageSize(QSizeF(mm.widthMm, mm.heightMm), QPageSize::Millimeter,
                                     QString(), QPageSize::ExactMatch));
        writer.setPageOrientation(QPageLayout::Portrait);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout::Millimeter);
        // Device units at the layout's dpi, not 300: QPainter converts point-sized fonts with
        // the device's dpi, so a 300-dpi writer behind a 300/96 world scale would draw every
        // label 3× larger than the space the layout left for it. Vectors and embedded images
        // do not depend on this number (the PDF stores real coordinates and full images).
        writer.setResolution(int(std::lround(layoutDpi(plot))));
        QCPPainter painter;
        if (!painter.begin(&writer)) {
            setError(error, "cannot start a PDF");
            return {};
        }
        // Without this hint Qt's PDF engine stores images (the colour maps) as lossy JPEG.
        painter.setRenderHint(QPainter::LosslessImageRendering, true);
        setExportModes(painter, true);
        painter.setWindow(QRect(QPoint(0, 0), logical));
        plot.toPainter(&painter, logical.width(), logical.height());
        painter.end();
    }
    return bytes;
}

QByteArray renderSvg(QCustomPlot& plot, const FigureSize& mm, QString* error) {
    const QSize logical = logicalSize(mm, plot);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QSvgGenerator generator;
        generator.setOutputDevice(&buffer);
        // size / resolution gives the width and height attributes in mm; same dpi as the layout
        // so fonts keep their size (see renderPdf).
        // The view box maps the layout's coordinates onto that size (text scaled by textScale).
        generator.setResolution(int(std::lround(layoutDpi(plot))));
        FigureSize unscaled = mm;
        unscaled.textScale = 1.0;
        generator.setSize(logicalSize(unscaled, plot));
        generator.setViewBox(QRect(QPoint(0, 0), logical));
        generator.setDescription(QStringLiteral("QKV Lab " QKVLAB_VERSION));
        QCPPainter painter;
        if (!painter.begin(&generator)) {
            setError(error, "cannot start an SVG");
            return {};
        }
        setExportModes(painter, true);
        plot.toPainter(&painter, logical.width(), logical.height());
        painter.end();
    }
    return bytes;
}

QJsonObject sizeJson(const FigureSize& size) {
    return {{"preset", size.name},
            {"width_mm", size.widthMm},
            {"height_mm", size.heightMm},
            {"text_scale", size.textScale},
            {"png_dpi", kPngDpi}};
}

bool validName(const QString& name) {
    return !name.isEmpty() && !name.contains('/') && !name.contains('\\') &&
           !name.startsWith('.') && name != "manifest";
}

// One figure's files, without the manifest; appends what it wrote to `result`.
bool writeFigureFiles(const qkvviews::ExportableFigure& figure, const QDir& dir,
                      const QList<FigureFormat>& formats, const FigureSize& size,
                      ExportResult& result, ManifestFigure& entry) {
    const QString name = figure.figureName();
    QCustomPlot* plot = figure.figurePlot();
    if (!validName(name)) {
        result.error = QString("invalid figure name '%1'").arg(name);
        return false;
    }
    if (!plot) {
        result.error = QString("figure '%1' has no plot").arg(name);
        return false;
    }
    const FigureSize mm = resolvedFigureSize(size, *plot);
    entry = {name, {}, sizeJson(mm), {}};
    auto write = [&](const QString& suffix, const QByteArray& bytes) {
        const QString file = name + "." + suffix;
        if (!writeFileAtomic(dir.filePath(file), bytes, &result.error)) return false;
        result.files << dir.filePath(file);
        entry.files << file;
        return true;
    };
    for (FigureFormat format : formats) {
        QString error;
        const QByteArray bytes = renderFigure(*plot, format, mm, &error);
        if (bytes.isEmpty()) {
            result.error = QString("%1.%2: %3").arg(name, formatSuffix(format), error);
            return false;
        }
        if (!write(formatSuffix(format), bytes)) return false;
    }
    return write("csv", figure.figureCsv().toUtf8()) &&
           write("json", QJsonDocument(figure.figureJson()).toJson(QJsonDocument::Indented));
}

}  // namespace

QList<FigureSize> figureSizePresets() {
    return {
        {"single-column", 89, 60, 0.75}, {"double-column", 183, 90, 1.0}, {"screen", 0, 0, 1.0}};
}

std::optional<FigureSize> findFigureSize(const QString& name) {
    for (const FigureSize& s : figureSizePresets())
        if (s.name.compare(name, Qt::CaseInsensitive) == 0) return s;
    return std::nullopt;
}

FigureSize resolvedFigureSize(const FigureSize& size, const QCustomPlot& plot) {
    if (size.widthMm > 0 && size.heightMm > 0) return size;
    const double dpi = layoutDpi(plot);
    return {size.name.isEmpty() ? QString("screen") : size.name,
            std::max(1, plot.width()) / dpi * kMmPerInch,
            std::max(1, plot.height()) / dpi * kMmPerInch, size.textScale};
}

QString formatSuffix(FigureFormat format) {
    switch (format) {
        case FigureFormat::Png:
            return "png";
        case FigureFormat::Pdf:
            return "pdf";
        case FigureFormat::Svg:
            return "svg";
    }
    return {};
}

std::optional<QList<FigureFormat>> parseFigureFormats(const QString& list, QString* error) {
    QList<FigureFormat> formats;
    for (const QString& word : list.split(',', Qt::SkipEmptyParts)) {
        const QString w = word.trimmed().toLower();
        std::optional<FigureFormat> f;
        for (FigureFormat candidate : {FigureFormat::Png, FigureFormat::Pdf, FigureFormat::Svg})
            if (w == formatSuffix(candidate)) f = candidate;
        if (!f) {
            setError(
                error,
                QString("unknown figure format '%1' (formats: png, pdf, svg)").arg(word.trimmed()));
            return std::nullopt;
        }
        if (!formats.contains(*f)) formats << *f;
    }
    if (formats.isEmpty()) {
        setError(error, "no figure format given (formats: png, pdf, svg)");
        return std::nullopt;
    }
    return formats;
}

QByteArray renderFigure(QCustomPlot& plot, FigureFormat format, const FigureSize& size,
                        QString* error) {
    const FigureSize mm = resolvedFigureSize(size, plot);
    // QCustomPlot computes ticks before it lays out the axis rects: a first pass at the export
    // size gives tickers that space their labels by length (SpacedLabelTicker) that length.
    {
        QPicture scratch;
        QCPPainter painter(&scratch);
        const QSize logical = logicalSize(mm, plot);
        plot.toPainter(&painter, logical.width(), logical.height());
    }
    QByteArray bytes;
    switch (format) {
        case FigureFormat::Png:
            bytes = renderPng(plot, mm, error);
            break;
        case FigureFormat::Pdf:
            bytes = renderPdf(plot, mm, error);
            break;
        case FigureFormat::Svg:
            bytes = renderSvg(plot, mm, error);
            break;
    }
    // toPainter restores the viewport but leaves axis rects, ticks and margins laid out for the
    // export size until the next replot: hover and clicks would map to the wrong cells.
    plot.replot(QCustomPlot::rpRefreshHint);
    if (bytes.isEmpty() && error && error->isEmpty()) *error = "nothing was rendered";
    return bytes;
}

ExportResult exportFigure(const qkvviews::ExportableFigure& figure, const QString& folder,
                          const QList<FigureFormat>& formats, const FigureSize& size,
                          const Manifest& manifest) {
    return exportAll({&figure}, folder, formats, size, manifest);
}

ExportResult exportAll(const QList<const qkvviews::ExportableFigure*>& figures,
                       const QString& folder, const QList<FigureFormat>& formats,
                       const FigureSize& size, const Manifest& manifest) {
    ExportResult result;
    QSet<QString> names;
    for (const qkvviews::ExportableFigure* f : figures) {
        // Checked before writing anything: a second figure of the same name would silently
        // replace the first one's files.
        if (!f || names.contains(f->figureName())) {
            result.error = f ? QString("two figures are named '%1'").arg(f->figureName())
                             : QString("no figure given");
            return result;
        }
        names.insert(f->figureName());
    }
    const QDir dir(QDir(folder).absolutePath());
    if (!QDir().mkpath(dir.path()) || !QFileInfo(dir.path()).isDir()) {
        result.error = QString("cannot create folder %1").arg(dir.path());
        return result;
    }
    QList<ManifestFigure> entries;
    for (const qkvviews::ExportableFigure* f : figures) {
        ManifestFigure entry;
        if (const QString why = f->nothingToShow(); !why.isEmpty()) {
            entry.name = f->figureName();
            entry.skipped = why;
            entries << entry;
            result.skipped << f->figureName() + ": " + why;
            continue;
        }
        const bool ok = writeFigureFiles(*f, dir, formats, size, result, entry);
        // List what was written even when a later file failed, so the manifest matches the folder.
        if (!entry.files.isEmpty()) entries << entry;
        if (!ok) break;
    }
    QString manifestError;
    if (!entries.isEmpty() && !writeManifest(dir.path(), manifest, entries, &manifestError)) {
        if (result.error.isEmpty()) result.error = manifestError;
        return result;
    }
    if (!entries.isEmpty()) result.files << dir.filePath("manifest.json");
    return result;
}

}  // namespace qkvapp
