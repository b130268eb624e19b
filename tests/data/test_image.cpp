#include <gtest/gtest.h>
#include <stb_image.h>
#include <zlib.h>

#include <fstream>
#include <iterator>

#include "radiofield/core/error.hpp"
#include "radiofield/data/image.hpp"
#include "temp_dir.hpp"

namespace radiofield::data {
namespace {

using test::TempDir;
using Rgb = std::array<std::uint8_t, 3>;

// matplotlib's _viridis_data[0] and [255], _magma_data[0] and [255], times 255, rounded.
constexpr Rgb kViridisFirst{68, 1, 84}, kViridisLast{253, 231, 37};
constexpr Rgb kMagmaFirst{0, 0, 4}, kMagmaLast{252, 253, 191};

struct Png {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;
    Rgb at(int x, int y) const {
        const auto* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
        return {p[0], p[1], p[2]};
    }
};

Png load_png(const std::filesystem::path& path) {
    Png png;
    int channels = 0;
    unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
    if (data == nullptr)
        return png;
    png.rgb.assign(data, data + static_cast<std::size_t>(png.width) * png.height * 3);
    stbi_image_free(data);
    return png;
}

// Values rising along the flat index: minimum at (row 0, col 0), maximum at the last cell.
std::vector<float> ramp(const SpectrumGrid& grid) {
    std::vector<float> v(grid.size());
    for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = 1e-6f * static_cast<float>(k);
    return v;
}

TEST(Image, ColourMapEndsEqualMatplotlibsFirstAndLastColours) {
    EXPECT_EQ(colour_at(ColourMap::Viridis, 0.0), kViridisFirst);
    EXPECT_EQ(colour_at(ColourMap::Viridis, 1.0), kViridisLast);
    EXPECT_EQ(colour_at(ColourMap::Magma, 0.0), kMagmaFirst);
    EXPECT_EQ(colour_at(ColourMap::Magma, 1.0), kMagmaLast);
    EXPECT_EQ(colour_at(ColourMap::Gray, 0.5), (Rgb{128, 128, 128}));
    // Viridis's middle entry 128 = (0.127568, 0.566949, 0.550556): t = 128/255 sits on its anchor.
    EXPECT_EQ(colour_at(ColourMap::Viridis, 128.0 / 255.0), (Rgb{33, 145, 140}));
}

TEST(Image, SpectrumPngMinimumAndMaximumCellsHaveViridisEndColours) {
    TempDir dir;
    const SpectrumGrid grid{90, 360, 1, 1, 1};
    SpectrumImageOptions plain;
    plain.show_axes = plain.show_scale_bar = false;
    spectrum_to_png(ramp(grid), grid, dir / "plain.png", plain);
    const Png png = load_png(dir / "plain.png");
    ASSERT_EQ(png.width, 360 * 3);  // upscaled x3, no margins
    ASSERT_EQ(png.height, 90 * 3);
    EXPECT_EQ(png.at(0, 0), kViridisFirst);
    EXPECT_EQ(png.at(2, 2), kViridisFirst);
    EXPECT_EQ(png.at(png.width - 1, png.height - 1), kViridisLast);
}

TEST(Image, DecoratedPictureHasTitleScaleBarAndTicksAroundTheHeatmap) {
    TempDir dir;
    const SpectrumGrid grid{90, 360, 1, 1, 1};
    SpectrumImageOptions o;
    o.title = "sample 17";
    o.scale = ValueScale::Db;
    spectrum_to_png(ramp(grid), grid, dir / "full.png", o);
    const Png png = load_png(dir / "full.png");
    EXPECT_GT(png.width, 360 * 3 + 60);
    EXPECT_GT(png.height, 90 * 3 + 30);
    // The scale bar's top shows the maximum's colour somewhere right of the heatmap.
    bool found_bar = false;
    for (int x = 360 * 3; x < png.width && !found_bar; ++x) {
        for (int y = 0; y < 40 && !found_bar; ++y)
            found_bar = png.at(x, y) == kViridisLast;
    }
    EXPECT_TRUE(found_bar);
    // Some dark text pixels in the title band.
    int dark = 0;
    for (int x = 0; x < png.width; ++x) {
        for (int y = 0; y < 12; ++y)
            dark += png.at(x, y) == Rgb{0, 0, 0};
    }
    EXPECT_GT(dark, 10);
}

int dark_pixels(const RgbImage& img) {
    int n = 0;
    for (std::size_t k = 0; k < img.rgb.size(); k += 3)
        n += img.rgb[k] == 0;
    return n;
}

// Regression: a too-small stb_easy_font vertex buffer dropped the last glyph's strokes
// ("30" drew as "3C").
TEST(Image, TextOfDenseGlyphsIsDrawnCompletely) {
    auto draw = [](std::string_view text) {
        RgbImage img{200, 40, std::vector<std::uint8_t>(200 * 40 * 3, 255)};
        draw_text(img, 2, 2, text, {0, 0, 0});
        return dark_pixels(img);
    };
    EXPECT_EQ(draw("360"), draw("3") + draw("6") + draw("0"));
    EXPECT_EQ(draw("-90.0 dB"),
              draw("-") + draw("9") + 2 * draw("0") + draw(".") + draw("d") + draw("B"));
}

TEST(Image, SideBySidePlacesPanelsLeftToRightWithLabels) {
    RgbImage a{10, 8, std::vector<std::uint8_t>(10 * 8 * 3, 0)};
    RgbImage b{20, 12, std::vector<std::uint8_t>(20 * 12 * 3, 100)};
    const RgbImage s = side_by_side({a, b}, {"truth", "predicted"});
    EXPECT_EQ(s.width, 10 + 10 + 20 + 10 + 10);
    EXPECT_GT(s.height, 12);
    EXPECT_THROW(side_by_side({a, b}, {"one"}), Error);
}

TEST(Image, GrayPngRoundTripIsExactAndBadFilesAreNamed) {
    TempDir dir;
    GrayImage img{7, 3, {}, 1};
    for (int k = 0; k < 21; ++k)
        img.pixels.push_back(static_cast<std::uint8_t>(k * 12));
    write_gray_png(img, dir / "g.png");
    const GrayImage back = read_gray_png(dir / "g.png");
    EXPECT_EQ(back.width, 7);
    EXPECT_EQ(back.height, 3);
    EXPECT_EQ(back.pixels, img.pixels);
    test::write_file(dir / "bad.png", "definitely not a png");
    try {
        read_gray_png(dir / "bad.png");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.png"), std::string::npos);
    }
}

// PNG damage (issue "nothing lost, nothing silent", item 4): a file is chunks of
// [length][type][data][CRC-32 of type + data]; the image data is one zlib stream in IDAT
// ending with its Adler-32.
std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t be32(const std::string& b, std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at])) << 24) |
           (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
}

std::string chunk(const std::string& type, const std::string& data) {
    std::string out;
    for (const std::uint32_t v : {std::uint32_t(data.size())})
        out += {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    const std::string body = type + data;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    return out + body + std::string{char(crc >> 24), char(crc >> 16), char(crc >> 8), char(crc)};
}

// Offset of the first chunk of `type` (its length field).
std::size_t find_chunk(const std::string& png, const std::string& type) {
    for (std::size_t at = 8; at + 8 <= png.size(); at += 12 + be32(png, at)) {
        if (png.compare(at + 4, 4, type) == 0)
            return at;
    }
    ADD_FAILURE() << "no " << type << " chunk";
    return 0;
}

// A 360 x 90 spectrum PNG as our exporter writes it.
std::string spectrum_png(const TempDir& dir) {
    GrayImage img{360, 90, {}, 1};
    for (int k = 0; k < 360 * 90; ++k)
        img.pixels.push_back(static_cast<std::uint8_t>((k * 7) % 251));
    write_gray_png(img, dir / "good.png");
    return read_bytes(dir / "good.png");
}

std::string read_error(const TempDir& dir, const std::string& bytes) {
    test::write_file(dir / "damaged.png", bytes);
    try {
        read_gray_png(dir / "damaged.png");
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

void expect_damaged(const std::string& msg, const std::string& detail) {
    EXPECT_NE(msg.find("damaged.png' is damaged"), std::string::npos) << msg;
    EXPECT_NE(msg.find(detail), std::string::npos) << msg;
    EXPECT_NE(msg.find("re-export"), std::string::npos) << msg;
}

TEST(Image, PngWithAFlippedImageByteIsRefusedAsDamagedNamingTheFile) {
    TempDir dir;
    std::string png = spectrum_png(dir);
    const std::size_t idat = find_chunk(png, "IDAT");
    png[idat + 8 + be32(png, idat) / 2] ^= 0x10;
    // zlib usually trips over the flipped bit before libpng reaches the chunk's CRC.
    expect_damaged(read_error(dir, png), "IDAT");
    png[idat + 8 + be32(png, idat) / 2] ^= 0x10;  // restored; now the stored CRC is wrong
    png[idat + 8 + be32(png, idat)] ^= 0x01;
    expect_damaged(read_error(dir, png), "IDAT: CRC error");
}

TEST(Image, PngWhoseZlibStreamFailsAdler32IsRefusedEvenWithAValidCrc) {
    TempDir dir;
    const std::string png = spectrum_png(dir);
    const std::size_t idat = find_chunk(png, "IDAT");
    const std::uint32_t len = be32(png, idat);
    std::string data = png.substr(idat + 8, len);
    data[len - 1] ^= 0x01;  // last byte of the Adler-32; the chunk CRC is recomputed
    const std::string bad = png.substr(0, idat) + chunk("IDAT", data) + png.substr(idat + 12 + len);
    expect_damaged(read_error(dir, bad), "check");
}

TEST(Image, PngWithABadCrcInAnAncillaryChunkIsRefused) {
    TempDir dir;
    const std::string png = spectrum_png(dir);
    const std::size_t iend = find_chunk(png, "IEND");
    std::string text = chunk("tEXt", std::string("Comment") + '\0' + "spectrum");
    text[text.size() - 1] ^= 0x01;
    expect_damaged(read_error(dir, png.substr(0, iend) + text + png.substr(iend)), "CRC error");
}

TEST(Image, TruncatedPngOrBytesAfterItsEndAreRefused) {
    TempDir dir;
    const std::string png = spectrum_png(dir);
    expect_damaged(read_error(dir, png.substr(0, png.size() / 2)), "truncated");
    expect_damaged(read_error(dir, png.substr(0, png.size() - 12)), "truncated");  // no IEND
    expect_damaged(read_error(dir, png + "junk"), "4 bytes follow");
    EXPECT_NO_THROW(read_gray_png(dir / "good.png"));
}

}  // namespace
}  // namespace radiofield::data
