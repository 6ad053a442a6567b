#include "fuzz_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return fuzzdecoder::run(framescope::protocol::Role::Server, data, size);
}
