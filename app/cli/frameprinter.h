#pragma once

#include <QString>
#include <capture/framerecord.h>
#include <vector>

// One line per frame for people: time since `originNs`, direction, header, and a payload preview.
QString formatFrame(const framescope::capture::FrameRecord &record,
                    const std::vector<std::uint8_t> &payload, std::int64_t originNs);
