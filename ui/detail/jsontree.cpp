#include "jsontree.h"

#include <QHeaderView>
#include <QStandardItemModel>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace framescope::ui {

namespace {

// The keys in the order the peer sent them (ordered_json), and integers exactly as sent (a
// 64-bit id stays whole, not rounded through a double).
using Json = nlohmann::ordered_json;

// Deeper than this is not shown (the tree is built depth first; a peer's "[[[[…" must not run
// the stack out).
constexpr int kMaxDepth = 512;

QString typeName(const Json &value)
{
    switch (value.type()) {
    case Json::value_t::null:
        return JsonTree::tr("null");
    case Json::value_t::boolean:
        return JsonTree::tr("boolean");
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return JsonTree::tr("number");
    case Json::value_t::string:
        return JsonTree::tr("string");
    case Json::value_t::array:
        return JsonTree::tr("array [%1]").arg(value.size());
    case Json::value_t::object:
        return JsonTree::tr("object {%1}").arg(value.size());
    default:
        return {};
    }
}

QString scalarText(const Json &value)
{
    if (value.is_string()) {
        // One line, capped: a tree cell is not the place for a megabyte of text.
        QString text = QString::fromStdString(value.get_ref<const std::string &>()).left(500);
        text.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
        return QLatin1Char('"') + text + QLatin1Char('"');
    }
    return value.is_structured() ? QString() : QString::fromStdString(value.dump());
}

// Adds `value` under `parent` as the row named `key`, depth first, until `budget` runs out.
void add(QStandardItem *parent, const QString &key, const Json &value, int &budget)
{
    auto *keyItem = new QStandardItem(key);
    auto *valueItem = new QStandardItem(scalarText(value));
    auto *typeItem = new QStandardItem(typeName(value));
    parent->appendRow({keyItem, valueItem, typeItem});
    --budget;
    auto more = [&](std::size_t left) {
        parent = keyItem;
        parent->appendRow({new QStandardItem(JsonTree::tr("… %1 more").arg(left)),
                           new QStandardItem, new QStandardItem});
    };
    if (value.is_object()) {
        std::size_t index = 0;
        for (auto it = value.begin(); it != value.end(); ++it, ++index) {
            if (budget <= 0)
                return more(value.size() - index);
            add(keyItem, QString::fromStdString(it.key()), it.value(), budget);
        }
    } else if (value.is_array()) {
        for (std::size_t index = 0; index < value.size(); ++index) {
            if (budget <= 0)
                return more(value.size() - index);
            add(keyItem, QStringLiteral("[%1]").arg(index), value[index], budget);
        }
    }
}

// How deep the brackets go, outside strings (before parsing: a document too deep is not parsed).
int nesting(const QByteArray &text)
{
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            deepest = std::max(deepest, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return deepest;
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
    header()->setStretchLastSection(true);
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
    if (nesting(trimmed) > kMaxDepth)
        return false;
    const Json root = Json::parse(trimmed.cbegin(), trimmed.cend(), nullptr, false);
    if (root.is_discarded())
        return false;
    int budget = kMaxNodes;
    add(m_model->invisibleRootItem(), tr("(root)"), root, budget);
    expandToDepth(1);
    // The key and the value take most of the pane; the type the rest (whole at 1280 pixels).
    const int width = viewport()->width();
    header()->resizeSection(0, std::max(100, width * 3 / 10));
    header()->resizeSection(1, std::max(120, width * 2 / 5));
    return true;
}

} // namespace framescope::ui
