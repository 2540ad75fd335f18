// The workspace panel: in-place updates, visibility ticks, selection.
#include <QtTest>

#include "workspace_view.h"

using namespace qkvviews;

namespace {
QVector<WorkspaceExperimentItem> workspace(const QString& status) {
    WorkspaceExperimentItem e;
    e.name = "demo";
    e.runs << WorkspaceRunItem{"/runs/qkv", "QKV", Qt::blue, true, status}
           << WorkspaceRunItem{"/runs/shared-kv", "Q-K=V", Qt::red, false, status};
    return {e};
}
}  // namespace

class TestWorkspaceView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsExperimentsAndRuns();
    void updatesInPlaceKeepingSelection();
    void tickingEmitsVisibility();
    void anExperimentsTickShowsOrHidesAllItsRuns();
    void deleteAsksToRemoveTheExperiment();
};

void TestWorkspaceView::showsExperimentsAndRuns() {
    WorkspaceView view;
    view.setWorkspace(workspace("ready"));
    QCOMPARE(view.topLevelItemCount(), 1);
    QCOMPARE(view.topLevelItem(0)->childCount(), 2);
    QCOMPARE(view.topLevelItem(0)->child(1)->checkState(0), Qt::Unchecked);
    QCOMPARE(view.topLevelItem(0)->child(0)->text(1), QString("ready"));
}

void TestWorkspaceView::updatesInPlaceKeepingSelection() {
    WorkspaceView view;
    view.setWorkspace(workspace("training 10%"));
    QSignalSpy selected(&view, &WorkspaceView::currentRunChanged);
    view.selectRun("/runs/shared-kv");
    QCOMPARE(selected.count(), 1);
    view.setWorkspace(workspace("training 20%"));
    QCOMPARE(view.currentRunId(), QString("/runs/shared-kv"));
    QCOMPARE(view.topLevelItem(0)->child(1)->text(1), QString("training 20%"));
    QCOMPARE(selected.count(), 1);  // a live update is not a user selection
}

void TestWorkspaceView::tickingEmitsVisibility() {
    WorkspaceView view;
    view.setWorkspace(workspace("done"));
    QSignalSpy spy(&view, &WorkspaceView::runVisibilityChanged);
    view.topLevelItem(0)->child(1)->setCheckState(0, Qt::Checked);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QString("/runs/shared-kv"));
    QCOMPARE(spy.at(0).at(1).toBool(), true);
    view.setWorkspace(workspace("done"));  // programmatic updates do not echo back
    QCOMPARE(spy.count(), 1);
}

void TestWorkspaceView::anExperimentsTickShowsOrHidesAllItsRuns() {
    WorkspaceView view;
    view.setWorkspace(workspace("done"));
    QTreeWidgetItem* experiment = view.topLevelItem(0);
    QCOMPARE(experiment->checkState(0), Qt::PartiallyChecked);  // one run shown, one hidden
    QSignalSpy spy(&view, &WorkspaceView::runVisibilityChanged);
    experiment->setCheckState(0, Qt::Unchecked);
    QCOMPARE(experiment->child(0)->checkState(0), Qt::Unchecked);
    QCOMPARE(experiment->child(1)->checkState(0), Qt::Unchecked);
    QVERIFY(spy.count() >= 1);
    for (const auto& call : spy) QCOMPARE(call.at(1).toBool(), false);
    QVERIFY(std::any_of(spy.begin(), spy.end(), [](const QList<QVariant>& c) { return c.at(0) == "/runs/qkv"; }));
    spy.clear();
    experiment->setCheckState(0, Qt::Checked);
    QCOMPARE(spy.count(), 2);
}

void TestWorkspaceView::deleteAsksToRemoveTheExperiment() {
    WorkspaceView view;
    view.setWorkspace(workspace("done"));
    QSignalSpy spy(&view, &WorkspaceView::removeExperimentRequested);
    view.setCurrentItem(view.topLevelItem(0)->child(0));
    QTest::keyClick(&view, Qt::Key_Delete);  // on a run: nothing
    QCOMPARE(spy.count(), 0);
    view.setCurrentItem(view.topLevelItem(0));
    QTest::keyClick(&view, Qt::Key_Delete);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QString("demo"));
}

QTEST_MAIN(TestWorkspaceView)
#include "tst_workspace_view.moc"
