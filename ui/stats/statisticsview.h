#pragma once

#include "sessionstatistics.h"

#include <QWidget>

class QChart;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace framescope::ui {

// The Statistics tab: frames, messages and bytes per direction, and two charts over the
// session's time: messages per second (sent and received) and ping round trips.
class StatisticsView : public QWidget
{
    Q_OBJECT

public:
    explicit StatisticsView(QWidget *parent = nullptr);

    // Shows `statistics` (the counts, and the charts' points).
    void show(const SessionStatistics &statistics);
    // The counts as plain text, a line per direction.
    QString countsText() const;
    int messageRatePoints() const;
    int roundTripPoints() const;
    QChart *messageRateChart() const { return m_rateChart; }
    QChart *roundTripChart() const { return m_roundTripChart; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void followPalette();

    QLabel *m_counts = nullptr;
    QString m_plainCounts;
    QChart *m_rateChart = nullptr;
    QChart *m_roundTripChart = nullptr;
    QLineSeries *m_sentRate = nullptr;
    QLineSeries *m_receivedRate = nullptr;
    QLineSeries *m_roundTrips = nullptr;
    QValueAxis *m_rateX = nullptr;
    QValueAxis *m_rateY = nullptr;
    QValueAxis *m_rttX = nullptr;
    QValueAxis *m_rttY = nullptr;
};

} // namespace framescope::ui
