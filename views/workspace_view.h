#pragma once
// The workspace panel: experiments and their runs, each run with its colour, a visibility tick,
// its status and progress (with ETA while training). An experiment's tick shows or hides all its
// runs; Delete or the context menu removes an experiment from the workspace (not from disk).

#include <QTreeWidget>
#include <QVector>

namespace qkvviews {

struct WorkspaceRunItem {
    QString runId;  // stable key (run folder)
    QString label;  // variant name, with its seed among seeds of one variant
    QColor color;
    bool visible = true;
    QString status;  // "training 40% · ETA 12 s", "completed", ...
};

struct WorkspaceExperimentItem {
    QString name;
    QVector<WorkspaceRunItem> runs;
};

class WorkspaceView : public QTreeWidget {
    Q_OBJECT

public:
    explicit WorkspaceView(QWidget* parent = nullptr);

    // Updates in place (selection and expansion survive live updates).
    void setWorkspace(const QVector<WorkspaceExperimentItem>& experiments);
    QString currentRunId() const;
    void selectRun(const QString& runId);

Q_SIGNALS:
    void runVisibilityChanged(const QString& runId, bool visible);
    void currentRunChanged(const QString& runId);
    void removeExperimentRequested(const QString& name);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QTreeWidgetItem* experimentItem(int index, const QString& name);
    bool m_updating = false;
};

}  // namespace qkvviews
