#pragma once
// Describes an experiment: task and data, the variants to compare, kv heads, positional bias,
// model size and training settings, or a preset. Impossible combinations are explained inline
// and disable Train before it is pressed.

#include <QDialog>

#include "train/experiment.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace qkvapp {

class NewExperimentDialog : public QDialog {
    Q_OBJECT

public:
    explicit NewExperimentDialog(const qkv::Experiment& initial, QWidget* parent = nullptr);
    // exec()'s result when the user chose "Train with PyTorch…" instead of Create.
    static constexpr int kTrainWithPyTorch = 2;

    void setExperiment(const qkv::Experiment& e);
    qkv::Experiment experiment() const;
    // Empty when the settings can be trained; otherwise the reason shown in the dialog.
    QString problem() const;

    // For tests: the widgets a user would touch.
    QComboBox* taskBox() const { return m_task; }
    QLineEdit* dataEdit() const { return m_dataPath; }
    QSpinBox* kvHeadsBox() const { return m_kvHeads; }
    QSpinBox* headsBox() const { return m_heads; }
    QSpinBox* dModelBox() const { return m_dModel; }
    QCheckBox* variantBox(qkv::Variant v) const;
    QComboBox* posBiasBox() const { return m_posBias; }
    QComboBox* familyBox() const { return m_family; }
    QLineEdit* seedsEdit() const { return m_seeds; }
    QPushButton* trainButton() const;
    QPushButton* pyTorchButton() const { return m_pyTorch; }
    QLabel* problemLabel() const { return m_problem; }

private:
    void revalidate();
    void loadPreset(int index);
    void browseData();

    QComboBox* m_preset;
    QLineEdit* m_name;
    QComboBox* m_task;
    QLineEdit* m_dataPath;
    QPushButton* m_browse;
    QList<QCheckBox*> m_variants;
    QSpinBox *m_kvHeads, *m_dModel, *m_layers, *m_heads, *m_seqLen, *m_vocab;
    QSpinBox *m_steps, *m_batch, *m_evalEvery, *m_seed;
    QDoubleSpinBox* m_lr;
    QComboBox* m_posBias;  // none, absolute (published), relative (QKV Lab's)
    QComboBox* m_family;   // the block layout
    QLineEdit* m_seeds;    // several training seeds, "1,2,3"; empty: the one seed above
    // What was loaded (preset or plan): settings the dialog has no field for (the optimizer's
    // betas, decay of every parameter, …) are kept from it.
    qkv::Experiment m_base;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
    QPushButton* m_pyTorch;
};

}  // namespace qkvapp
