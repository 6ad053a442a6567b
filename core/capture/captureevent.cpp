#include "captureevent.h"

#include <array>

namespace framescope::capture {

namespace {

constexpr std::array<std::string_view, kEventKindCount> kEventKindNames = {
    "handshake-request",
    "handshake-response",
    "handshake-refused",
    "redirect",
    "close-sent",
    "close-received",
    "ended",
    "error",
    "reconnect",
    "diagnosis",
    "dropped",
};

constexpr std::array<std::string_view, kEndReasonCount> kEndReasonNames = {
    "",      "close-frame",    "tcp-fin", "reset",       "timeout",
    "tls",   "protocol-error", "local",   "lookup",      "connect",
    "proxy", "handshake",      "refused", "local-abort", "limit",
};

template<typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<std::string_view, N> &names, std::string_view name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == name)
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

} // namespace

std::string_view eventKindName(EventKind kind)
{
    return kEventKindNames.at(static_cast<std::size_t>(kind));
}

std::optional<EventKind> eventKindFromName(std::string_view name)
{
    return fromName<EventKind>(kEventKindNames, name);
}

std::string_view endReasonName(EndReason reason)
{
    return kEndReasonNames.at(static_cast<std::size_t>(reason));
}

std::optional<EndReason> endReasonFromName(std::string_view name)
{
    if (name.empty())
        return std::nullopt;
    return fromName<EndReason>(kEndReasonNames, name);
}

} // namespace framescope::capture
