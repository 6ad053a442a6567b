#pragma once

#include <QString>

namespace framescope::scripting {

// The JavaScript side of the script API: a function taking (host, global) that defines
// connect(), test(), the assertions and the helpers on `global`.
QString scriptPrelude();

} // namespace framescope::scripting
