#include "junitreport.h"

#include <QDateTime>
#include <QXmlStreamWriter>

namespace framescope::scripting {

QByteArray junitReport(const QString &suiteName, const ScriptResult &result,
                       const QString &errorCase)
{
    const bool incomplete = result.ending != ScriptResult::Ending::Completed;
    int failures = 0;
    for (const TestResult &test : result.tests)
        failures += test.passed ? 0 : 1;
    const QString seconds = QString::number(result.seconds, 'f', 3);

    QByteArray xml;
    QXmlStreamWriter writer(&xml); // UTF-8, and says so
    writer.setAutoFormatting(true);
    writer.writeStartDocument();
    writer.writeStartElement(QStringLiteral("testsuites"));
    writer.writeAttribute(QStringLiteral("tests"),
                          QString::number(result.tests.size() + (incomplete ? 1 : 0)));
    writer.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    writer.writeAttribute(QStringLiteral("errors"), QString::number(incomplete ? 1 : 0));
    writer.writeAttribute(QStringLiteral("time"), seconds);
    writer.writeStartElement(QStringLiteral("testsuite"));
    writer.writeAttribute(QStringLiteral("name"), suiteName);
    writer.writeAttribute(QStringLiteral("tests"),
                          QString::number(result.tests.size() + (incomplete ? 1 : 0)));
    writer.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    writer.writeAttribute(QStringLiteral("errors"), QString::number(incomplete ? 1 : 0));
    writer.writeAttribute(QStringLiteral("skipped"), QStringLiteral("0"));
    writer.writeAttribute(QStringLiteral("time"), seconds);
    writer.writeAttribute(QStringLiteral("timestamp"),
                          QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    for (const TestResult &test : result.tests) {
        writer.writeStartElement(QStringLiteral("testcase"));
        writer.writeAttribute(QStringLiteral("name"), test.name);
        writer.writeAttribute(QStringLiteral("classname"), suiteName);
        writer.writeAttribute(QStringLiteral("time"), QString::number(test.seconds, 'f', 3));
        if (!test.passed) {
            writer.writeStartElement(QStringLiteral("failure"));
            writer.writeAttribute(QStringLiteral("message"), test.message);
            writer.writeAttribute(QStringLiteral("type"), QStringLiteral("check"));
            writer.writeCharacters(test.message);
            writer.writeEndElement();
        }
        writer.writeEndElement();
    }
    if (incomplete) {
        writer.writeStartElement(QStringLiteral("testcase"));
        writer.writeAttribute(QStringLiteral("name"), errorCase);
        writer.writeAttribute(QStringLiteral("classname"), suiteName);
        writer.writeAttribute(QStringLiteral("time"), seconds);
        writer.writeStartElement(QStringLiteral("error"));
        writer.writeAttribute(QStringLiteral("message"), result.error);
        writer.writeAttribute(
            QStringLiteral("type"),
            result.ending == ScriptResult::Ending::TimedOut  ? QStringLiteral("timeout")
            : result.ending == ScriptResult::Ending::Stopped ? QStringLiteral("stopped")
                                                             : QStringLiteral("error"));
        writer.writeCharacters(result.error);
        writer.writeEndElement();
        writer.writeEndElement();
    }
    writer.writeEndElement();
    writer.writeEndElement();
    writer.writeEndDocument();
    return xml;
}

} // namespace framescope::scripting
