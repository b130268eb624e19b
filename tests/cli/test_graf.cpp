// GRaF through the real program: trained on one room for a few steps, evaluated and asked
// for spectra over a grid of positions in a room it never saw (its measured training split
// is the support set), and the bad inputs of its issue refused or warned about.
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_harness.hpp"
#include "radiofield/core/checksum.hpp"
#include "radiofield/data/dataset.hpp"

namespace radiofield::test {
namespace {

class GrafCli : public CliTest {
protected:
    void SetUp() override {
        for (const auto& [scene, out, seed] : {std::tuple{"meeting_room_v1", "seen.h5", "1"},
                                               std::tuple{"meeting_room_v3", "unseen.h5", "2"}}) {
            const auto r = run({"-q", "simulate", "--scene", scene, "--out", out, "--count", "40",
                                "--samples", "2000", "--grid", "9x36", "--seed", seed});
            ASSERT_EQ(r.exit_code, 0) << r.output();
        }
        const auto r =
            run({"-q",     "--device",     "cpu",   "train",         "--model", "graf",
                 "--data", "seen.h5",      "--out", "run",           "--steps", "3",
                 "--set",  "neighbours=4", "--set", "trunk_width=4", "--set",   "dim=16",
                 "--set",  "latent=16",    "--set", "samples=8",     "--set",   "voxel_width=16",
                 "--set",  "rays=32",      "--set", "batch=2"});
        ASSERT_EQ(r.exit_code, 0) << r.output();
    }
};

TEST_F(GrafCli, PredictsOverAGridInARoomItNeverSaw) {
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                    "--grid", "1:3:3,1:2:2,1.2", "--out", "grid.h5"},
                   {"grid.h5"});
    const auto d = data::read_dataset(path("grid.h5"));
    ASSERT_EQ(d.positions.size(), 6u);
    EXPECT_DOUBLE_EQ(d.positions[1].x, 2.0);  // x fastest
    EXPECT_DOUBLE_EQ(d.positions[3].y, 2.0);
    EXPECT_EQ(d.grid.n_el, 9);
    EXPECT_EQ(d.spectra.size(), 6u * 9 * 36);
    for (float v : d.spectra)
        ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                    "--grid", "1:3:3,1:2:2,1.2", "--out", "grid.png"},
                   {"grid.png"});
    const auto r = expect_success({"-q", "--device", "cpu", "eval", "--run", "run", "--data",
                                   "unseen.h5", "--out", "unseen.json"},
                                  {"unseen.json"});
    std::ifstream in(path("unseen.json"));
    const auto summary = nlohmann::json::parse(in)["summary"];
    EXPECT_EQ(summary["datasets"][0], "unseen.h5");
    EXPECT_TRUE(summary["mean"]["psnr"].is_number());
}

TEST_F(GrafCli, BadInputIsRefusedOrWarnedAbout) {
    // Positions far outside the surveyed area: a warning with the distance.
    const auto far = run(
        {"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5", "--at", "60,60,1.2"});
    EXPECT_EQ(far.exit_code, 0) << far.output();
    EXPECT_NE(far.output().find("far from the measured positions"), std::string::npos)
        << far.output();
    // Bad --grid values are refused before any work.
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                          "--grid", "1:3:0,1,1"},
                         {"--grid", "count"});
    expect_clean_failure(
        {"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5", "--grid", "1,2"},
        {"--grid", "three fields"});
    expect_clean_failure({"--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                          "--at", "1,1,1", "--grid", "1,1,1"},
                         {"--at", "--grid"});
    // Fewer measured positions than the model's neighbours.
    const auto r = run({"-q", "simulate", "--scene", "meeting_room_v2", "--out", "tiny.h5",
                        "--count", "3", "--samples", "2000", "--grid", "9x36"});
    ASSERT_EQ(r.exit_code, 0) << r.output();
    expect_clean_failure(
        {"--device", "cpu", "predict", "--run", "run", "--data", "tiny.h5", "--at", "2,2,1.2"},
        {"tiny.h5", "neighbours"});
    // Another spectrum grid than the model was trained on.
    ASSERT_EQ(run({"-q", "simulate", "--scene", "meeting_room_v2", "--out", "coarse.h5", "--count",
                   "20", "--samples", "2000", "--grid", "18x72"})
                  .exit_code,
              0);
    expect_clean_failure({"--device", "cpu", "eval", "--run", "run", "--data", "coarse.h5"},
                         {"coarse.h5", "grid"});
}

// A trained run packed as a shipped model: found by name through RADIOFIELD_PRETRAINED,
// listed by `models`, used by eval and predict with no run folder (the same spectra as the
// run), and refused clearly when its files are not what the manifest claims.
TEST_F(GrafCli, AShippedModelPredictsWithoutARunAndRefusesDamagedFiles) {
    ASSERT_EQ(run({"-q", "pack-model", "run", "--name", "graf-test", "--out", "shipped/graf-test",
                   "--study", "studies/graf_pretrain.json", "--commit", "abc123"})
                  .exit_code,
              0);
    for (const char* f : {"manifest.json", "config.json", "checkpoint.pt"})
        ASSERT_TRUE(std::filesystem::exists(path("shipped/graf-test") / f)) << f;
    EXPECT_LT(std::filesystem::file_size(path("shipped/graf-test/checkpoint.pt")),
              std::filesystem::file_size(path("run/checkpoint.pt")));  // no Adam state
    setenv("RADIOFIELD_PRETRAINED", path("shipped").c_str(), 1);
    struct Unset {
        ~Unset() { unsetenv("RADIOFIELD_PRETRAINED"); }
    } unset;

    const auto listed = run({"models"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output();
    EXPECT_NE(listed.out.find("graf-test"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("studies/graf_pretrain.json"), std::string::npos) << listed.out;

    expect_success({"-q", "--device", "cpu", "predict", "--model", "graf-test", "--data",
                    "unseen.h5", "--at", "2,2,1.2", "--out", "shipped.h5"},
                   {"shipped.h5"});
    expect_success({"-q", "--device", "cpu", "predict", "--run", "run", "--data", "unseen.h5",
                    "--at", "2,2,1.2", "--out", "trained.h5"},
                   {"trained.h5"});
    EXPECT_EQ(data::read_dataset(path("shipped.h5")).spectra,
              data::read_dataset(path("trained.h5")).spectra);
    const auto ev = expect_success(
        {"-q", "--device", "cpu", "eval", "--model", "graf-test", "--data", "unseen.h5"}, {});
    EXPECT_NE(ev.out.find("psnr"), std::string::npos) << ev.output();

    // --fine-tune: a few steps on the survey's own training split first, and by how much the
    // validation split changed; nothing written but the output, and the package untouched.
    const auto package = snapshot(path("shipped"));
    const auto tuned =
        expect_success({"--device", "cpu", "predict", "--model", "graf-test", "--data", "unseen.h5",
                        "--at", "2,2,1.2", "--fine-tune", "2", "--out", "tuned.h5"},
                       {"tuned.h5"});
    EXPECT_NE(tuned.output().find("fine-tuned 'graf-test' for 2 steps"), std::string::npos)
        << tuned.output();
    EXPECT_NE(tuned.output().find("validation psnr"), std::string::npos) << tuned.output();
    EXPECT_NE(data::read_dataset(path("tuned.h5")).spectra,
              data::read_dataset(path("shipped.h5")).spectra);
    expect_same_files(package, snapshot(path("shipped")));
    expect_clean_failure(
        {"predict", "--run", "run", "--fine-tune", "2", "--data", "unseen.h5", "--at", "2,2,1.2"},
        {"--fine-tune", "--model"});

    expect_clean_failure(
        {"predict", "--model", "graf-nope", "--data", "unseen.h5", "--at", "2,2,1.2"},
        {"graf-nope", "graf-test", "RADIOFIELD_PRETRAINED"});
    expect_clean_failure({"predict", "--model", "graf-test", "--run", "run", "--data", "unseen.h5",
                          "--at", "2,2,1.2"},
                         {"--run", "--model"});

    // Weights that do not fit the config (the manifest's checksums updated, so only the
    // shapes are wrong).
    const auto dir = path("shipped/graf-test");
    {
        std::ifstream in(dir / "config.json");
        auto config = nlohmann::json::parse(in);
        config["model_config"]["dim"] = 24;
        std::ofstream(dir / "config.json") << config.dump(2);
        std::ifstream min(dir / "manifest.json");
        auto manifest = nlohmann::json::parse(min);
        manifest["files"]["config.json"] = {
            {"sha256", sha256_file(dir / "config.json")},
            {"bytes", std::filesystem::file_size(dir / "config.json")}};
        std::ofstream(dir / "manifest.json") << manifest.dump(2);
    }
    expect_clean_failure({"--device", "cpu", "predict", "--model", "graf-test", "--data",
                          "unseen.h5", "--at", "2,2,1.2"},
                         {"graf-test", "does not"});

    // A damaged weights file: one byte changed.
    ASSERT_EQ(run({"-q", "pack-model", "run", "--name", "graf-test", "--out", "shipped/graf-test",
                   "--overwrite"})
                  .exit_code,
              0);
    {
        std::fstream f(dir / "checkpoint.pt", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::filesystem::file_size(dir / "checkpoint.pt") / 2);
        char c = 0;
        f.read(&c, 1);
        f.seekp(-1, std::ios::cur);
        c = static_cast<char>(c ^ 0x5a);
        f.write(&c, 1);
    }
    expect_clean_failure({"--device", "cpu", "predict", "--model", "graf-test", "--data",
                          "unseen.h5", "--at", "2,2,1.2"},
                         {"graf-test", "checkpoint.pt", "SHA-256", "reinstall"});
    // Packing never writes over a package unless asked.
    expect_clean_failure({"pack-model", "run", "--name", "graf-test", "--out", "shipped/graf-test"},
                         {"shipped/graf-test", "--overwrite"});
}

// Weights shipped in float16: half the file, loaded back into float32, and spectra within
// float16's rounding of the float32 package's.
TEST_F(GrafCli, AShippedModelInFloat16IsHalfTheSizeAndPredictsTheSame) {
    ASSERT_EQ(run({"-q", "pack-model", "run", "--name", "graf-f32", "--out", "shipped/graf-f32"})
                  .exit_code,
              0);
    const auto half = run({"-q", "pack-model", "run", "--name", "graf-f16", "--out",
                           "shipped/graf-f16", "--weights-dtype", "float16"});
    ASSERT_EQ(half.exit_code, 0) << half.output();
    const auto f32 = std::filesystem::file_size(path("shipped/graf-f32/checkpoint.pt"));
    const auto f16 = std::filesystem::file_size(path("shipped/graf-f16/checkpoint.pt"));
    EXPECT_LT(f16, f32 * 3 / 4) << f16 << " vs " << f32;  // half the numbers, plus the archive
    {
        std::ifstream in(path("shipped/graf-f16/manifest.json"));
        EXPECT_EQ(nlohmann::json::parse(in).at("weights_dtype"), "float16");
    }
    setenv("RADIOFIELD_PRETRAINED", path("shipped").c_str(), 1);
    struct Unset {
        ~Unset() { unsetenv("RADIOFIELD_PRETRAINED"); }
    } unset;
    for (const char* name : {"graf-f32", "graf-f16"})
        expect_success({"-q", "--device", "cpu", "predict", "--model", name, "--data", "unseen.h5",
                        "--at", "2,2,1.2", "--out", std::string(name) + ".h5"},
                       {std::string(name) + ".h5"});
    const auto a = data::read_dataset(path("graf-f32.h5")).spectra;
    const auto b = data::read_dataset(path("graf-f16.h5")).spectra;
    ASSERT_EQ(a.size(), b.size());
    EXPECT_NE(a, b);  // the weights were rounded
    double scale = 0, diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        scale = std::max(scale, double(std::abs(a[i])));
        diff = std::max(diff, double(std::abs(a[i] - b[i])));
    }
    EXPECT_LT(diff, 0.02 * scale);
    expect_clean_failure({"pack-model", "run", "--name", "graf-x", "--out", "shipped/graf-x",
                          "--weights-dtype", "int8"},
                         {"--weights-dtype"});
}

// The shipped graf-pretrained (pretrained/, studies/graf_pretrain.json) on the CPU, in a
// random meeting room outside its training and held-out seeds with a sparse survey (96
// measured positions): it loads, predicts a spectrum, and beats KNN (L = 8) conditioned on
// the same survey — what a pretrained model is for. Measured when it was shipped: 21.1 dB
// against 17.5 dB on these 12 test positions.
TEST_F(CliTest, ShippedGrafPredictsAndBeatsKnnInARandomRoomItNeverSaw) {
    const auto sim = run({"-q", "simulate", "--scene", "meeting_room:4242", "--out", "room.h5",
                          "--count", "120", "--samples", "20000", "--seed", "3"});
    ASSERT_EQ(sim.exit_code, 0) << sim.output();
    expect_success({"-q", "--device", "cpu", "predict", "--model", "graf-pretrained", "--data",
                    "room.h5", "--at", "2,2,1.2", "--out", "one.h5"},
                   {"one.h5"});
    const auto one = data::read_dataset(path("one.h5"));
    ASSERT_EQ(one.spectra.size(), 90u * 360u);
    float lo = 1, hi = 0;
    for (float v : one.spectra) {
        ASSERT_TRUE(std::isfinite(v));
        lo = std::min(lo, v), hi = std::max(hi, v);
    }
    EXPECT_GT(hi - lo, 0.3f);  // a spectrum with structure, not a constant
    ASSERT_EQ(
        run({"-q", "train", "--model", "knn", "--data", "room.h5", "--out", "knn", "--set", "k=8"})
            .exit_code,
        0);
    auto psnr = [this](std::vector<std::string> args, const std::string& out) {
        args.insert(args.end(), {"--data", "room.h5", "--out", out});
        expect_success(args, {out});
        std::ifstream in(path(out));
        return nlohmann::json::parse(in)["summary"]["mean"]["psnr"].get<double>();
    };
    const double pretrained =
        psnr({"-q", "--device", "cpu", "eval", "--model", "graf-pretrained"}, "pretrained.json");
    const double knn = psnr({"-q", "--device", "cpu", "eval", "--run", "knn"}, "knn.json");
    EXPECT_GT(pretrained, knn + 1.0) << "pretrained " << pretrained << " dB, KNN " << knn << " dB";
    EXPECT_GT(pretrained, 19.0);
}

}  // namespace
}  // namespace radiofield::test
