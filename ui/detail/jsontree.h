#pragma once

#include <QTreeView>

class QStandardItemModel;

namespace framescope::ui {

// A text frame's payload as a JSON tree (key, value, type), when it parses as JSON. Large
// documents are shown in part: at most kMaxNodes nodes (the rest summed up as "… N more"), and
// payloads over kMaxBytes are not parsed at all, so that selecting a frame stays quick.
class JsonTree : public QTreeView
{
    Q_OBJECT

public:
    static constexpr int kMaxNodes = 5000;
    static constexpr qsizetype kMaxBytes = qsizetype{4} << 20;

    explicit JsonTree(QWidget *parent = nullptr);

    // Shows `payload` as a tree; false (and empty) when it is not a JSON object or array, or is
    // too large.
    bool showPayload(const QByteArray &payload);
    QStandardItemModel *tree() const { return m_model; }

private:
    QStandardItemModel *m_model = nullptr;
};

} // namespace framescope::ui
