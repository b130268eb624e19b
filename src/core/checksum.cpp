#include "radiofield/core/checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include "radiofield/core/error.hpp"

namespace radiofield {
namespace {

class Sha256 {
public:
    Sha256() : m_ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
        if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1)
            fail("SHA-256: OpenSSL could not start a digest");
    }
    void update(const void* data, std::size_t size) {
        if (size > 0 && EVP_DigestUpdate(m_ctx.get(), data, size) != 1)
            fail("SHA-256: OpenSSL could not digest the data");
    }
    std::string hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(m_ctx.get(), md.data(), &n) != 1)
            fail("SHA-256: OpenSSL could not finish the digest");
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < n; ++i) {
            out += kHex[md[i] >> 4];
            out += kHex[md[i] & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_ctx;
};

}  // namespace

std::string sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail("cannot read '{}' to check its SHA-256", path.string());
    Sha256 h;
    std::array<char, 1 << 16> buf{};
    while (in) {
        in.read(buf.data(), buf.size());
        h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad())
        fail("reading '{}' failed while checking its SHA-256", path.string());
    return h.hex();
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hex();
}

}  // namespace radiofield
