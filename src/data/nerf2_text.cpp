// The small text files of NeRF2 folders: tx_pos.csv, gateway_info.yml, *_index.txt.
// No YAML library is among our dependencies, so gateway_info.yml gets a reader for
// exactly its structure (nested keys, flow or block lists of numbers).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include "radiofield/core/error.hpp"
#include "radiofield/core/log.hpp"
#include "radiofield/data/nerf2.hpp"

namespace radiofield::data {
namespace {

struct Line {
    int number;  // 1-based
    std::string_view text;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Lines without their "\n" / "\r\n"; a UTF-8 byte-order mark is dropped.
std::vector<Line> split_lines(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<Line> lines;
    int number = 1;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        lines.push_back({number++, line});
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        s = s.substr(1, s.size() - 2);
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    if (s.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

double number_or_fail(std::string_view s, std::string_view where, int line) {
    double v = 0;
    if (!parse_double(s, v))
        fail("{} line {}: '{}' is not a number", where, line, trim(s));
    return v;
}

std::vector<std::string_view> split_commas(std::string_view s) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = s.find(',');
        out.push_back(trim(s.substr(0, comma)));
        if (comma == std::string_view::npos)
            break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

std::vector<Vec3> parse_tx_pos_csv(std::string_view text, std::string_view where) {
    std::vector<Vec3> positions;
    bool first = true;
    for (const auto& line : split_lines(text)) {
        const auto s = trim(line.text);
        if (s.empty())
            continue;
        const auto fields = split_commas(s);
        if (fields.size() != 3) {
            fail("{} line {}: {} columns, expected 3 (x,y,z): '{}'", where, line.number,
                 fields.size(), s);
        }
        double v[3];
        const bool numeric = parse_double(fields[0], v[0]) && parse_double(fields[1], v[1]) &&
                             parse_double(fields[2], v[2]);
        if (first && !numeric) {  // the header line ("x,y,z")
            first = false;
            continue;
        }
        if (first) {
            log::warn(
                "{} has no header line; NeRF2's loader (pandas.read_csv) would take its first row "
                "as the header, so this folder may not load in NeRF2 itself",
                where);
        }
        first = false;
        for (int k = 0; k < 3; ++k)
            v[k] = number_or_fail(fields[static_cast<std::size_t>(k)], where, line.number);
        positions.push_back({v[0], v[1], v[2]});
    }
    if (positions.empty())
        fail("{} holds no positions; expected a header \"x,y,z\" and one row per spectrum", where);
    return positions;
}

GatewayInfo parse_gateway_yaml(std::string_view text, std::string_view where) {
    std::vector<std::pair<int, std::string>> stack;  // (indent, key) of the open mappings
    std::map<std::string, std::vector<double>> lists;
    auto path_of = [&stack] {
        std::string p;
        for (const auto& [indent, key] : stack)
            p += (p.empty() ? "" : ".") + key;
        return p;
    };
    for (const auto& line : split_lines(text)) {
        std::string_view s = line.text;
        if (const auto hash = s.find('#');
            hash != std::string_view::npos &&
            (hash == 0 || s[hash - 1] == ' ' || s[hash - 1] == '\t')) {
            s = s.substr(0, hash);
        }
        if (trim(s).empty() || trim(s) == "---")
            continue;
        const auto indent = static_cast<int>(s.find_first_not_of(' '));
        if (s[static_cast<std::size_t>(indent)] == '\t')
            fail("{} line {}: tabs are not allowed for YAML indentation; use spaces", where,
                 line.number);
        s = trim(s);
        if (s == "-" ||
            s.starts_with("- ")) {  // block list item of the innermost key at or above this indent
            while (!stack.empty() && stack.back().first > indent)
                stack.pop_back();
            if (stack.empty())
                fail("{} line {}: list item '{}' belongs to no key", where, line.number, s);
            lists[path_of()].push_back(number_or_fail(s.substr(1), where, line.number));
            continue;
        }
        const auto colon = s.find(':');
        if (colon == std::string_view::npos)
            fail("{} line {}: expected 'key: value', got '{}'", where, line.number, s);
        while (!stack.empty() && stack.back().first >= indent)
            stack.pop_back();
        stack.emplace_back(indent, std::string(trim(s.substr(0, colon))));
        const auto value = trim(s.substr(colon + 1));
        if (value.empty())
            continue;  // a mapping or a block list follows
        if (value.front() == '[') {
            if (value.back() != ']')
                fail("{} line {}: flow list '{}' must close with ']' on the same line", where,
                     line.number, value);
            auto& list = lists[path_of()];
            const auto inner = trim(value.substr(1, value.size() - 2));
            if (!inner.empty()) {
                for (const auto item : split_commas(inner))
                    list.push_back(number_or_fail(item, where, line.number));
            }
        }
    }
    auto get = [&](const std::string& key, std::size_t n) {
        const auto it = lists.find(key);
        if (it == lists.end()) {
            std::string found;
            for (const auto& [k, v] : lists)
                found += (found.empty() ? "" : ", ") + k;
            fail(
                "{}: '{}' is missing (found: {}); NeRF2 expects gateway1: position: [x, y, z] and "
                "orientation: [x, y, z, w]",
                where, key, found.empty() ? "no lists" : found);
        }
        if (it->second.size() != n)
            fail("{}: '{}' has {} numbers, expected {}", where, key, it->second.size(), n);
        return it->second;
    };
    const auto p = get("gateway1.position", 3);
    const auto q = get("gateway1.orientation", 4);
    const double norm = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(norm > 1e-6) || !std::isfinite(norm)) {
        fail(
            "{}: gateway1.orientation [{}, {}, {}, {}] is a quaternion of length {}, not a "
            "rotation; give the gateway's rotation as a unit quaternion [x, y, z, w], e.g. "
            "[0, 0, 0, 1] for none",
            where, q[0], q[1], q[2], q[3], norm);
    }
    return {{p[0], p[1], p[2]}, {q[0], q[1], q[2], q[3]}};
}

std::vector<std::int64_t> parse_index_file(std::string_view text, std::string_view where) {
    std::vector<std::int64_t> ids;
    for (const auto& line : split_lines(text)) {
        std::string_view s = trim(line.text);
        while (!s.empty()) {
            const auto end = s.find_first_of(" \t");
            const auto token = s.substr(0, end);
            std::int64_t id = 0;
            const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
            if (ec != std::errc() || ptr != token.data() + token.size() || id < 1) {
                fail(
                    "{} line {}: '{}' is not a file id (expected a positive integer such as 00001)",
                    where, line.number, token);
            }
            ids.push_back(id);
            s = end == std::string_view::npos ? std::string_view{} : trim(s.substr(end));
        }
    }
    return ids;
}

}  // namespace radiofield::data
