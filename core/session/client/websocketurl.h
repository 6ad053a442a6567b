#pragma once

#include <QString>
#include <QUrl>

namespace framescope::session {

struct ParsedUrl
{
    QUrl url;      // valid when error is empty
    QString note;  // something to tell the user about how it was read
    QString error; // why it is not a WebSocket URL, naming the text
};

// What a user typed or pasted, as a WebSocket URL: ws:// and wss:// as they are; http:// and
// https:// (the page's address, as users often paste from IIS) as ws:// and wss://, with a note;
// anything else an error that names the text and what is wrong with it.
ParsedUrl parseWebSocketUrl(const QString &text);

} // namespace framescope::session
