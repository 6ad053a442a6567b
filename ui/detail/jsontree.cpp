#include "jsontree.h"

#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStandardItemModel>

namespace framescope::ui {

namespace {

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return JsonTree::tr("null");
    case QJsonValue::Bool:
        return JsonTree::tr("boolean");
    case QJsonValue::Double:
        return JsonTree::tr("number");
    case QJsonValue::String:
        return JsonTree::tr("string");
    case QJsonValue::Array:
        return JsonTree::tr("array [%1]").arg(value.toArray().size());
    case QJsonValue::Object:
        return JsonTree::tr("object {%1}").arg(value.toObject().size());
    default:
        return {};
    }
}

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: {
        // One line, capped: a tree cell is not the place for a megabyte of text.
        QString text = value.toString().left(500);
        text.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
        return QLatin1Char('"') + text + QLatin1Char('"');
    }
    default:
        return {};
    }
}

// Adds `value` under `parent` as the row named `key`, depth first, until `budget` runs out.
void add(QStandardItem *parent, const QString &key, const QJsonValue &value, int &budget)
{
    auto *keyItem = new QStandardItem(key);
    auto *valueItem
        = new QStandardItem(value.isObject() || value.isArray() ? QString() : scalarText(value));
    auto *typeItem = new QStandardItem(typeName(value));
    parent->appendRow({keyItem, valueItem, typeItem});
    --budget;
    auto more = [&](qsizetype left) {
        parent = keyItem;
        parent->appendRow({new QStandardItem(JsonTree::tr("… %1 more").arg(left)),
                           new QStandardItem, new QStandardItem});
    };
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        qsizetype index = 0;
        for (auto it = object.begin(); it != object.end(); ++it, ++index) {
            if (budget <= 0)
                return more(object.size() - index);
            add(keyItem, it.key(), it.value(), budget);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype index = 0; index < array.size(); ++index) {
            if (budget <= 0)
                return more(array.size() - index);
            add(keyItem, QStringLiteral("[%1]").arg(index), array.at(index), budget);
        }
    }
}

} // namespace

JsonTree::JsonTree(QWidget *parent)
    : QTreeView(parent)
    , m_model(new QStandardItemModel(this))
{
    setModel(m_model);
    setAccessibleName(tr("Payload as JSON"));
    setEditTriggers(NoEditTriggers);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(QHeaderView::Interactive);
}

bool JsonTree::showPayload(const QByteArray &payload)
{
    m_model->clear();
    m_model->setHorizontalHeaderLabels({tr("Key"), tr("Value"), tr("Type")});
    const QByteArray trimmed = payload.trimmed();
    if (trimmed.size() > kMaxBytes || trimmed.isEmpty()
        || (trimmed.front() != '{' && trimmed.front() != '['))
        return false;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError)
        return false;
    int budget = kMaxNodes;
    const QJsonValue root
        = document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    add(m_model->invisibleRootItem(), tr("(root)"), root, budget);
    expandToDepth(1);
    header()->resizeSection(0, 160);
    header()->resizeSection(1, 220);
    return true;
}

} // namespace framescope::ui
