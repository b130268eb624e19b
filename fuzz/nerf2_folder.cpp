// A whole NeRF2 folder through import_nerf2: what the files say about each other (rows vs
// spectra, index files vs rows, file names, radiofield.json). The input is sections split
// by NUL bytes, in order: tx_pos.csv, gateway_info.yml, train_index.txt, test_index.txt,
// radiofield.json, the spectrum file names (whitespace-separated; each gets a valid
// 360 x 90 PNG, or the last section's bytes when the name starts with '!'), PNG bytes.
// Sections missing at the end are files the folder lacks.
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "radiofield/data/image.hpp"
#include "radiofield/data/nerf2.hpp"

namespace {

namespace fs = std::filesystem;
using radiofield::fuzz::work_dir;

std::string g_valid_png;

std::vector<std::string_view> sections(std::string_view text) {
    std::vector<std::string_view> out;
    while (true) {
        const auto nul = text.find('\0');
        out.push_back(text.substr(0, nul));
        if (nul == std::string_view::npos)
            return out;
        text.remove_prefix(nul + 1);
    }
}

void write(const fs::path& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    using namespace radiofield;
    fuzz::quiet();
    data::GrayImage img{360, 90, std::vector<std::uint8_t>(360 * 90, 7), 1};
    data::write_gray_png(img, work_dir() / "valid.png");
    std::ifstream in(work_dir() / "valid.png", std::ios::binary);
    g_valid_png.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace radiofield;
    const auto parts = sections(fuzz::as_text(data, size));
    const fs::path dir = work_dir() / "rfid";
    fs::remove_all(dir);
    fs::create_directories(dir / "spectrum");
    const char* names[] = {"tx_pos.csv", "gateway_info.yml", "train_index.txt", "test_index.txt",
                           "radiofield.json"};
    for (std::size_t i = 0; i < 5 && i < parts.size(); ++i)
        write(dir / names[i], parts[i]);
    if (parts.size() > 5) {
        const std::string_view png = parts.size() > 6 ? parts[6] : std::string_view{};
        std::string_view list = parts[5];
        int files = 0;
        while (!list.empty() && files < 8) {
            const auto start = list.find_first_not_of(" \t\r\n");
            if (start == std::string_view::npos)
                break;
            list.remove_prefix(start);
            const auto end = list.find_first_of(" \t\r\n");
            std::string name(list.substr(0, end));
            list.remove_prefix(end == std::string_view::npos ? list.size() : end);
            const bool fuzzed = name.starts_with('!');
            if (fuzzed)
                name.erase(0, 1);
            // Plain names inside spectrum/ only.
            if (name.empty() || name.size() > 40 || name == "." || name == ".." ||
                name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
                continue;
            write(dir / "spectrum" / name, fuzzed ? png : std::string_view(g_valid_png));
            ++files;
        }
    }
    fuzz::parse([&] { data::import_nerf2(dir); });
    return 0;
}
