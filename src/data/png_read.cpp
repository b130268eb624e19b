// Reading 8-bit grayscale PNGs with libpng, strictly: a CRC error in any chunk (critical or
// ancillary), a zlib stream that fails its Adler-32 check or does not inflate, data after the
// image, or a truncated file is an Error naming the file. (stb_image checks neither CRC nor
// Adler-32, so a damaged spectrum would import with wrong pixels.)
//
// libpng reports errors by longjmp. The two functions that call it (read_header,
// read_pixels) hold no C++ object with a destructor, so the jump skips no cleanup; the
// message travels in PngReader and becomes an Error once back in ordinary C++ code.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"

namespace radiofield::data {
namespace fs = std::filesystem;
namespace {

// Larger pictures are refused before their pixels are allocated (NeRF2's are 360 x 90).
constexpr png_uint_32 kMaxSide = 16384;
constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 26;

struct PngReader {
    std::span<const std::uint8_t> bytes;
    std::size_t offset = 0;
    char message[256] = {};  // libpng's error message (no std::string across longjmp)
    png_structp png = nullptr;
    png_infop info = nullptr;
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, colour_type = 0, channels = 0;

    ~PngReader() { png_destroy_read_struct(&png, &info, nullptr); }
};

PngReader* state_of(png_structp png) {
    return static_cast<PngReader*>(png_get_error_ptr(png));
}

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
    PngReader* r = state_of(png);
    std::strncpy(r->message, message != nullptr ? message : "unknown libpng error",
                 sizeof(r->message) - 1);
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // benign errors are made errors below

void read_bytes(png_structp png, png_bytep out, png_size_t size) {
    auto* r = static_cast<PngReader*>(png_get_io_ptr(png));
    if (size > r->bytes.size() - r->offset)
        png_error(png, "the file ends early (truncated)");
    std::memcpy(out, r->bytes.data() + r->offset, size);
    r->offset += size;
}

// Signature, header, and the transforms to 8-bit gray; false on a libpng error.
bool read_header(PngReader& r) {
    if (setjmp(png_jmpbuf(r.png)))
        return false;
    // Strict: CRC errors stop the read in every chunk, and so do "benign" errors (among
    // them a failed Adler-32 or extra data at the end of the image's zlib stream).
    png_set_crc_action(r.png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_set_benign_errors(r.png, 0);
    png_set_user_limits(r.png, kMaxSide, kMaxSide);
    png_set_read_fn(r.png, &r, read_bytes);
    png_read_info(r.png, r.info);
    png_get_IHDR(r.png, r.info, &r.width, &r.height, &r.bit_depth, &r.colour_type, nullptr, nullptr,
                 nullptr);
    r.channels = png_get_channels(r.png, r.info);
    if (r.bit_depth == 16)
        return true;  // refused by the caller with its own message
    if (r.colour_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(r.png);
        r.channels = 3;
    }
    if (r.colour_type == PNG_COLOR_TYPE_GRAY && r.bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(r.png);
    png_set_strip_alpha(r.png);
    if ((r.colour_type & PNG_COLOR_MASK_COLOR) != 0)
        png_set_rgb_to_gray_fixed(r.png, 1, -1, -1);  // ITU-R BT.709 weights, no warning
    png_set_interlace_handling(r.png);
    png_read_update_info(r.png, r.info);
    return true;
}

// The pixels, then every chunk after them (their CRCs and the end of the zlib stream).
bool read_pixels(PngReader& r, png_bytep* rows) {
    if (setjmp(png_jmpbuf(r.png)))
        return false;
    png_read_image(r.png, rows);
    png_read_end(r.png, nullptr);
    return true;
}

}  // namespace

GrayImage decode_gray_png(std::span<const std::uint8_t> bytes, std::string_view where) {
    if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) {
        fail("'{}' is not a PNG (no PNG signature); re-export it as an 8-bit grayscale PNG", where);
    }
    PngReader r;
    r.bytes = bytes;
    r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, on_error, on_warning);
    if (r.png != nullptr)
        r.info = png_create_info_struct(r.png);
    if (r.png == nullptr || r.info == nullptr)
        fail("cannot read '{}': out of memory starting libpng", where);
    const auto damaged = [&] {
        fail("'{}' is damaged: {}; re-export or re-download it", where, r.message);
    };
    if (!read_header(r))
        damaged();
    if (r.bit_depth == 16) {
        fail(
            "'{}' is a 16-bit PNG; NeRF2 spectra are 8-bit grayscale (value = byte / 255): "
            "convert it",
            where);
    }
    if (static_cast<std::uint64_t>(r.width) * r.height > kMaxPixels) {
        fail(
            "'{}' is {} x {} pixels, more than radiofield reads ({} Mpixel); NeRF2 spectra "
            "are 360 x 90",
            where, r.width, r.height, kMaxPixels >> 20);
    }
    if (png_get_rowbytes(r.png, r.info) != r.width) {
        fail(
            "'{}': libpng gave {} bytes per row for {} gray pixels (unsupported PNG layout); "
            "re-export it as an 8-bit grayscale PNG",
            where, png_get_rowbytes(r.png, r.info), r.width);
    }
    GrayImage img;
    img.width = static_cast<int>(r.width);
    img.height = static_cast<int>(r.height);
    img.source_channels = r.channels;
    img.pixels.resize(static_cast<std::size_t>(r.width) * r.height);
    std::vector<png_bytep> rows(r.height);
    for (png_uint_32 y = 0; y < r.height; ++y)
        rows[y] = img.pixels.data() + static_cast<std::size_t>(y) * r.width;
    if (!read_pixels(r, rows.data()))
        damaged();
    if (r.offset != bytes.size()) {
        fail("'{}' is damaged: {} bytes follow the PNG's end chunk; re-export or re-download it",
             where, bytes.size() - r.offset);
    }
    return img;
}

GrayImage read_gray_png(const fs::path& path) {
    if (!fs::is_regular_file(path))
        fail("image '{}' does not exist", path.string());
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail())
        fail("cannot read '{}' (check its permissions)", path.string());
    return decode_gray_png(bytes, path.string());
}

}  // namespace radiofield::data
