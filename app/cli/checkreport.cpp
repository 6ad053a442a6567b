#include "checkreport.h"

#include <QSaveFile>
#include <cstdio>

namespace framescope::cli {

void printCheck(const QString &name, bool passed, const QString &message)
{
    if (passed)
        std::printf("PASS  %s\n", qPrintable(name));
    else
        std::printf("FAIL  %s: %s\n", qPrintable(name), qPrintable(message));
    std::fflush(stdout);
}

void printSummary(const scripting::ScriptResult &result, const QString &unfinished)
{
    int failed = 0;
    for (const scripting::TestResult &test : result.tests)
        failed += test.passed ? 0 : 1;
    const bool completed = result.ending == scripting::ScriptResult::Ending::Completed;
    if (!completed)
        std::printf("ERROR %s\n", qPrintable(result.error));
    std::printf("%lld passed, %d failed%s (%.2f s)\n",
                static_cast<long long>(result.tests.size() - failed), failed,
                completed || unfinished.isEmpty() ? ""
                                                  : qPrintable(QStringLiteral(", ") + unfinished),
                result.seconds);
    std::fflush(stdout);
}

bool writeOutput(const QString &path, const QByteArray &bytes)
{
    if (path == QLatin1String("-")) {
        std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);
        return std::fflush(stdout) == 0;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) < 0 || !file.commit()) {
        std::fprintf(stderr, "framescope-cli: cannot write %s: %s\n", qPrintable(path),
                     qPrintable(file.errorString()));
        return false;
    }
    return true;
}

} // namespace framescope::cli
