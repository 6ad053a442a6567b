#include "extensionheader.h"

#include <cstring>

namespace framescope::protocol {

bool isTokenChar(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F)
        return false;
    return std::strchr("()<>@,;:\\\"/[]?={}", c) == nullptr;
}

bool isToken(std::string_view text)
{
    if (text.empty())
        return false;
    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

namespace {

class Scanner
{
public:
    explicit Scanner(std::string_view text)
        : m_text(text)
    {}

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }
    std::size_t position() const { return m_pos; }
    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
    }
    bool accept(char c)
    {
        if (!atEnd() && peek() == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    std::string_view token()
    {
        const std::size_t start = m_pos;
        while (!atEnd() && isTokenChar(peek()))
            ++m_pos;
        return m_text.substr(start, m_pos - start);
    }
    // After the opening quote. Returns false when the string never ends.
    bool quotedString(std::string &out)
    {
        while (!atEnd()) {
            const char c = m_text[m_pos++];
            if (c == '"')
                return true;
            if (c == '\\') {
                if (atEnd())
                    return false;
                out.push_back(m_text[m_pos++]);
            } else {
                out.push_back(c);
            }
        }
        return false;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

std::string errorAt(const Scanner &scanner, const char *what)
{
    return std::string(what) + " at offset " + std::to_string(scanner.position());
}

} // namespace

ExtensionParseResult parseExtensionHeader(std::string_view value)
{
    ExtensionParseResult result;
    Scanner scanner(value);
    for (;;) {
        scanner.skipSpace();
        // RFC 7230 §7: empty list elements are tolerated.
        if (scanner.accept(','))
            continue;
        if (scanner.atEnd())
            break;
        ExtensionOffer extension;
        extension.name = scanner.token();
        if (extension.name.empty()) {
            result.error = errorAt(scanner, "expected an extension name");
            return result;
        }
        scanner.skipSpace();
        while (scanner.accept(';')) {
            scanner.skipSpace();
            ExtensionParameter parameter;
            parameter.name = scanner.token();
            if (parameter.name.empty()) {
                result.error = errorAt(scanner, "expected a parameter name");
                return result;
            }
            scanner.skipSpace();
            if (scanner.accept('=')) {
                scanner.skipSpace();
                std::string parameterValue;
                if (scanner.accept('"')) {
                    if (!scanner.quotedString(parameterValue)) {
                        result.error = errorAt(scanner, "unterminated quoted string");
                        return result;
                    }
                    if (!isToken(parameterValue)) {
                        result.error = errorAt(scanner, "quoted value is not a token");
                        return result;
                    }
                } else {
                    parameterValue = scanner.token();
                    if (parameterValue.empty()) {
                        result.error = errorAt(scanner, "expected a parameter value");
                        return result;
                    }
                }
                parameter.value = std::move(parameterValue);
                scanner.skipSpace();
            }
            extension.parameters.push_back(std::move(parameter));
        }
        result.extensions.push_back(std::move(extension));
        if (scanner.atEnd())
            break;
        if (!scanner.accept(',')) {
            result.error = errorAt(scanner, "expected ',' or ';'");
            result.extensions.clear();
            return result;
        }
    }
    return result;
}

std::string formatExtensionHeader(const std::vector<ExtensionOffer> &extensions)
{
    std::string out;
    for (const ExtensionOffer &extension : extensions) {
        if (!out.empty())
            out += ", ";
        out += extension.name;
        for (const ExtensionParameter &parameter : extension.parameters) {
            out += "; ";
            out += parameter.name;
            if (parameter.value) {
                out += '=';
                out += *parameter.value;
            }
        }
    }
    return out;
}

} // namespace framescope::protocol
