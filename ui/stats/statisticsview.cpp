#include "statisticsview.h"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace framescope::ui {

namespace {

QChartView *makeChart(const QString &title, const QList<QLineSeries *> &series, QValueAxis *x,
                      QValueAxis *y)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries *line : series) {
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    chart->legend()->setVisible(series.size() > 1);
    chart->legend()->setAlignment(Qt::AlignRight); // beside the plot: the plot keeps its height
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart);
    view->setAccessibleName(title);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(120, 100);
    return view;
}

} // namespace

StatisticsView::StatisticsView(QWidget *parent)
    : QWidget(parent)
{
    m_counts = new QLabel;
    m_counts->setAccessibleName(tr("Frame counts"));
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setWordWrap(true);
    m_sentRate = new QLineSeries;
    m_sentRate->setName(tr("sent"));
    m_receivedRate = new QLineSeries;
    m_receivedRate->setName(tr("received"));
    m_roundTrips = new QLineSeries;
    m_roundTrips->setName(tr("round trip"));
    m_rateX = new QValueAxis;
    m_rateX->setTitleText(tr("seconds"));
    m_rateX->setLabelFormat(QStringLiteral("%d"));
    m_rateY = new QValueAxis;
    m_rateY->setTitleText(tr("msg/s"));
    m_rateY->setLabelFormat(QStringLiteral("%d"));
    m_rttX = new QValueAxis;
    m_rttX->setTitleText(tr("seconds"));
    m_rttY = new QValueAxis;
    m_rttY->setTitleText(tr("ms"));
    m_rttX->setLabelFormat(QStringLiteral("%g"));
    m_rttY->setLabelFormat(QStringLiteral("%g"));
    for (QLineSeries *series : {m_sentRate, m_receivedRate, m_roundTrips})
        series->setPointsVisible(true); // a single sample shows too

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_counts);
    QChartView *rate
        = makeChart(tr("Message rate"), {m_sentRate, m_receivedRate}, m_rateX, m_rateY);
    m_rateChart = rate->chart();
    // An echo's two lines lie on each other: the sent one wider, drawn first, shows around the
    // received one (the chart's theme gave both their colours when they were added).
    for (const auto &[series, width] : {std::pair{m_sentRate, 5}, std::pair{m_receivedRate, 2}}) {
        QPen pen = series->pen();
        pen.setWidth(width);
        series->setPen(pen);
    }
    layout->addWidget(rate, 1);
    QChartView *roundTrip = makeChart(tr("Ping round trip"), {m_roundTrips}, m_rttX, m_rttY);
    m_roundTripChart = roundTrip->chart();
    layout->addWidget(roundTrip, 1);
    followPalette();
    show(SessionStatistics{});
}

void StatisticsView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        followPalette();
}

// The charts in the window's colours (a chart draws its own, white by default, in a dark
// theme too); the lines keep theirs.
void StatisticsView::followPalette()
{
    const QPalette colours = palette();
    for (QChart *chart : {m_rateChart, m_roundTripChart}) {
        chart->setBackgroundBrush(colours.base());
        chart->setTitleBrush(colours.text());
        chart->legend()->setLabelColor(colours.text().color());
        for (QAbstractAxis *axis : chart->axes()) {
            axis->setLabelsColor(colours.text().color());
            axis->setTitleBrush(colours.text());
            axis->setLinePenColor(colours.mid().color());
            axis->setGridLineColor(colours.mid().color());
        }
    }
}

void StatisticsView::show(const SessionStatistics &statistics)
{
    const QLocale locale;
    // A small table: a row per direction, a column per count.
    auto cell = [&](std::uint64_t value) {
        return QStringLiteral("<td align=\"right\">&nbsp;&nbsp;%1</td>")
            .arg(locale.toString(qulonglong(value)));
    };
    auto row = [&](const QString &name, const SessionStatistics::Direction &d) {
        return QStringLiteral("<tr><td>%1</td>%2%3%4%5</tr>")
            .arg(name, cell(d.frames), cell(d.messages), cell(d.controlFrames),
                 cell(d.payloadBytes));
    };
    m_counts->setText(
        QStringLiteral(
            "<table><tr><th></th><th align=\"right\">&nbsp;&nbsp;%1</th>"
            "<th align=\"right\">&nbsp;&nbsp;%2</th><th align=\"right\">"
            "&nbsp;&nbsp;%3</th><th align=\"right\">&nbsp;&nbsp;%4</th></tr>%5%6</table>")
            .arg(tr("Frames"), tr("Data messages"), tr("Control frames"), tr("Payload bytes"),
                 row(tr("Sent"), statistics.sent()), row(tr("Received"), statistics.received())));
    auto plain = [&](const QString &name, const SessionStatistics::Direction &d) {
        return tr("%1: frames %2, data messages %3, control frames %4, payload bytes %5")
            .arg(name)
            .arg(d.frames)
            .arg(d.messages)
            .arg(d.controlFrames)
            .arg(d.payloadBytes);
    };
    m_plainCounts = plain(tr("Sent"), statistics.sent()) + QLatin1Char('\n')
                    + plain(tr("Received"), statistics.received());

    auto fill = [](QLineSeries *series, const std::vector<std::uint32_t> &bins) {
        QList<QPointF> points;
        points.reserve(qsizetype(bins.size()));
        for (std::size_t second = 0; second < bins.size(); ++second)
            points.append(QPointF(double(second), double(bins[second])));
        series->replace(points);
        return bins.empty() ? 0u : *std::max_element(bins.begin(), bins.end());
    };
    const std::uint32_t peak = std::max(fill(m_sentRate, statistics.sentPerSecond()),
                                        fill(m_receivedRate, statistics.receivedPerSecond()));
    const std::size_t seconds
        = std::max(statistics.sentPerSecond().size(), statistics.receivedPerSecond().size());
    // Whole seconds and whole messages on the axes.
    auto wholeTicks = [](QValueAxis *axis, double top) {
        double step = 1;
        while (top / step > 5)
            step *= top / step > 25 ? 10 : 2;
        axis->setRange(0, std::ceil(top / step) * step);
        axis->setTickType(QValueAxis::TicksDynamic);
        axis->setTickAnchor(0);
        axis->setTickInterval(step);
    };
    wholeTicks(m_rateX, std::max<double>(1, double(seconds) - 1));
    wholeTicks(m_rateY, std::max<double>(1, peak));
    // Counted, not seen from the seconds: a live session's rates are there, at 0, before any.
    const bool noMessages = statistics.sent().messages == 0 && statistics.received().messages == 0;
    m_rateChart->setTitle(noMessages ? tr("Message rate (no messages yet)") : tr("Message rate"));

    QList<QPointF> trips;
    double slowest = 0;
    double last = 1;
    for (const SessionStatistics::RoundTrip &trip : statistics.roundTrips()) {
        trips.append(QPointF(trip.atSeconds, trip.milliseconds));
        slowest = std::max(slowest, trip.milliseconds);
        last = std::max(last, trip.atSeconds);
    }
    m_roundTrips->replace(trips);
    m_roundTripChart->setTitle(trips.isEmpty() ? tr("Ping round trip (no pongs yet)")
                                               : tr("Ping round trip"));
    m_rttX->setRange(0, last);
    m_rttY->setRange(0, std::max(0.1, slowest * 1.2));
    m_rttX->applyNiceNumbers();
    m_rttY->applyNiceNumbers();
}

QString StatisticsView::countsText() const
{
    return m_plainCounts;
}

int StatisticsView::messageRatePoints() const
{
    return int(std::max(m_sentRate->count(), m_receivedRate->count()));
}

int StatisticsView::roundTripPoints() const
{
    return int(m_roundTrips->count());
}

} // namespace framescope::ui
