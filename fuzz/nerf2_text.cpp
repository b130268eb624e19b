// The text files of a NeRF2 folder. The first byte picks the parser (0: tx_pos.csv,
// 1: gateway_info.yml, 2: an index file, modulo 3); the rest is the file.
#include "fuzz_common.hpp"
#include "radiofield/data/nerf2.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    radiofield::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    if (size == 0)
        return 0;
    const std::string_view text = fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            fuzz::parse([&] { data::parse_tx_pos_csv(text, "tx_pos.csv"); });
            break;
        case 1:
            fuzz::parse([&] { data::parse_gateway_yaml(text, "gateway_info.yml"); });
            break;
        default:
            fuzz::parse([&] { data::parse_index_file(text, "train_index.txt"); });
            break;
    }
    return 0;
}
