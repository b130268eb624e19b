// core: rotations and spherical bases, progress text, atomic outputs.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "radiofield/core/atomic_file.hpp"
#include "radiofield/core/error.hpp"
#include "radiofield/core/progress.hpp"
#include "radiofield/core/units.hpp"
#include "radiofield/core/vec.hpp"

using namespace radiofield;
namespace fs = std::filesystem;

namespace {

void expect_vec_near(const Vec3& a, const Vec3& b, double tol = 1e-12) {
    EXPECT_NEAR(a.x, b.x, tol);
    EXPECT_NEAR(a.y, b.y, tol);
    EXPECT_NEAR(a.z, b.z, tol);
}

void expect_mat_near(const Mat3& a, const Mat3& b, double tol = 1e-12) {
    for (int i = 0; i < 9; ++i)
        EXPECT_NEAR(a.m[i], b.m[i], tol) << "element " << i;
}

Quat axis_angle(const Vec3& axis, double angle) {
    const Vec3 u = normalize(axis);
    const double s = std::sin(angle / 2);
    return {u.x * s, u.y * s, u.z * s, std::cos(angle / 2)};
}

// Hamilton product a·b (apply b first, then a).
Quat mul(const Quat& a, const Quat& b) {
    return {a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
            a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
            a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
            a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z};
}

// A fresh empty folder under the system temp folder.
fs::path temp_folder(const std::string& tag) {
    const fs::path p = fs::temp_directory_path() /
                       ("radiofield_test_" + tag + "_" +
                        std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                        std::to_string(reinterpret_cast<std::uintptr_t>(&tag)));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

}  // namespace

TEST(Quat, NinetyDegreesAboutZMapsXToY) {
    const Mat3 r = axis_angle({0, 0, 1}, kPi / 2).to_matrix();
    expect_vec_near(r * Vec3{1, 0, 0}, {0, 1, 0});
    expect_vec_near(r * Vec3{0, 1, 0}, {-1, 0, 0});
    expect_vec_near(r * Vec3{0, 0, 1}, {0, 0, 1});
    expect_mat_near(Quat{}.to_matrix(), Mat3{});
}

TEST(Quat, MatrixRoundTripRecoversQuaternionUpToSign) {
    // Includes 180° turns about each axis, which take every branch of Shepperd's method.
    const Quat cases[] = {axis_angle({1, 2, 3}, 0.7),
                          axis_angle({-1, 0.5, 0.2}, 2.9),
                          axis_angle({1, 0, 0}, kPi),
                          axis_angle({0, 1, 0}, kPi),
                          axis_angle({0, 0, 1}, kPi),
                          axis_angle({0.3, -0.2, 1}, -1.2),
                          Quat{}};
    for (const Quat& q : cases) {
        const Quat back = Quat::from_matrix(q.to_matrix());
        const double sign =
            (back.x * q.x + back.y * q.y + back.z * q.z + back.w * q.w) < 0 ? -1 : 1;
        EXPECT_NEAR(sign * back.x, q.x, 1e-12);
        EXPECT_NEAR(sign * back.y, q.y, 1e-12);
        EXPECT_NEAR(sign * back.z, q.z, 1e-12);
        EXPECT_NEAR(sign * back.w, q.w, 1e-12);
        expect_mat_near(back.to_matrix(), q.to_matrix());
    }
}

TEST(Quat, NonUnitQuaternionIsNormalised) {
    const Quat q = axis_angle({0, 1, 1}, 1.0);
    expect_mat_near(Quat{3 * q.x, 3 * q.y, 3 * q.z, 3 * q.w}.to_matrix(), q.to_matrix());
}

TEST(RotationZyx, SingleAnglesRotateAboutTheirAxes) {
    // Yaw about z: x → y. Pitch about y: x → −z, z → x. Roll about x: y → z.
    expect_vec_near(rotation_zyx(kPi / 2, 0, 0) * Vec3{1, 0, 0}, {0, 1, 0});
    expect_vec_near(rotation_zyx(0, kPi / 2, 0) * Vec3{1, 0, 0}, {0, 0, -1});
    expect_vec_near(rotation_zyx(0, kPi / 2, 0) * Vec3{0, 0, 1}, {1, 0, 0});
    expect_vec_near(rotation_zyx(0, 0, kPi / 2) * Vec3{0, 1, 0}, {0, 0, 1});
    // 30° yaw: x → (cos 30°, sin 30°, 0).
    expect_vec_near(rotation_zyx(kPi / 6, 0, 0) * Vec3{1, 0, 0}, {std::sqrt(3.0) / 2, 0.5, 0});
}

TEST(RotationZyx, ComposesAsRzRyRxAppliedRollFirst) {
    // yaw = pitch = 90°: z → (pitch) x → (yaw) y;  x → (pitch) −z → (yaw) −z.
    const Mat3 r = rotation_zyx(kPi / 2, kPi / 2, 0);
    expect_vec_near(r * Vec3{0, 0, 1}, {0, 1, 0});
    expect_vec_near(r * Vec3{1, 0, 0}, {0, 0, -1});
    // Same rotation built from quaternions: q = qz(α)·qy(β)·qx(γ).
    const double a = 0.4, b = -1.1, g = 2.3;
    const Quat q =
        mul(axis_angle({0, 0, 1}, a), mul(axis_angle({0, 1, 0}, b), axis_angle({1, 0, 0}, g)));
    expect_mat_near(rotation_zyx(a, b, g), q.to_matrix());
    // Orthonormal: RᵀR = I.
    expect_mat_near(rotation_zyx(a, b, g).transposed() * rotation_zyx(a, b, g), Mat3{});
}

TEST(Spherical, DirectionThetaHatPhiHatFormARightHandedOrthonormalBasis) {
    for (double th : {0.1, 0.9, kPi / 2, 2.5}) {
        for (double ph : {-2.8, 0.0, 1.2, 3.1}) {
            const Vec3 r = direction_from_angles(th, ph), t = theta_hat(th, ph),
                       p = phi_hat(th, ph);
            EXPECT_NEAR(norm(r), 1, 1e-12);
            EXPECT_NEAR(norm(t), 1, 1e-12);
            EXPECT_NEAR(norm(p), 1, 1e-12);
            EXPECT_NEAR(dot(r, t), 0, 1e-12);
            EXPECT_NEAR(dot(r, p), 0, 1e-12);
            EXPECT_NEAR(dot(t, p), 0, 1e-12);
            expect_vec_near(cross(r, t), p);
            double th2 = 0, ph2 = 0;
            angles_from_direction(r * 3.0, th2, ph2);
            EXPECT_NEAR(th2, th, 1e-12);
            EXPECT_NEAR(ph2, ph, 1e-12);
        }
    }
    // θ = 90°, φ = 0 is +x, with θ̂ = −z and φ̂ = +y.
    expect_vec_near(direction_from_angles(kPi / 2, 0), {1, 0, 0});
    expect_vec_near(theta_hat(kPi / 2, 0), {0, 0, -1});
    expect_vec_near(phi_hat(kPi / 2, 0), {0, 1, 0});
}

TEST(Progress, FormatDurationUsesSecondsMinutesHours) {
    EXPECT_EQ(Progress::format_duration(0), "0s");
    EXPECT_EQ(Progress::format_duration(59.4), "59s");
    EXPECT_EQ(Progress::format_duration(83), "1m23s");
    EXPECT_EQ(Progress::format_duration(600), "10m00s");
    EXPECT_EQ(Progress::format_duration(3725), "1h02m");
    EXPECT_EQ(Progress::format_duration(-1), "?");
    EXPECT_EQ(Progress::format_duration(std::nan("")), "?");
}

TEST(Progress, LineShowsCountPercentUnitAndStatus) {
    Progress::set_enabled(false);
    Progress p("train", 10, "step", 1e9);
    p.advance(3);
    p.set_status("loss 0.5");
    const std::string line = p.line();
    EXPECT_NE(line.find("train: 3/10 step"), std::string::npos) << line;
    EXPECT_NE(line.find("(30%)"), std::string::npos) << line;
    EXPECT_NE(line.find("step/s"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA"), std::string::npos) << line;
    EXPECT_NE(line.find("loss 0.5"), std::string::npos) << line;
    EXPECT_EQ(p.done(), 3);
    p.advance(7);
    EXPECT_EQ(p.line().find("ETA"), std::string::npos);  // nothing left to wait for
    Progress::set_enabled(true);
}

TEST(AtomicOutput, RemovesTemporaryFileWhenNotCommitted) {
    const fs::path dir = temp_folder("atomic_abort");
    const fs::path target = dir / "out.h5";
    fs::path temp;
    {
        AtomicOutput out(target);
        temp = out.temp_path();
        EXPECT_EQ(temp.parent_path(), dir);  // beside the target, so rename is atomic
        std::ofstream(temp) << "partial";
        EXPECT_TRUE(fs::exists(temp));
    }
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(target));
    fs::remove_all(dir);
}

TEST(AtomicOutput, CommitRenamesTemporaryIntoPlace) {
    const fs::path dir = temp_folder("atomic_commit");
    const fs::path target = dir / "out.txt";
    fs::path temp;
    {
        AtomicOutput out(target, /*overwrite=*/false);
        temp = out.temp_path();
        std::ofstream(temp) << "complete";
        out.commit();
    }
    EXPECT_FALSE(fs::exists(temp));
    ASSERT_TRUE(fs::exists(target));
    std::string text;
    std::ifstream(target) >> text;
    EXPECT_EQ(text, "complete");
    fs::remove_all(dir);
}

TEST(CheckOutputPath, RefusesExistingFileWithoutOverwriteAndMissingFolder) {
    const fs::path dir = temp_folder("check_path");
    const fs::path existing = dir / "taken.png";
    std::ofstream(existing) << "x";
    try {
        check_output_path(existing, false);
        ADD_FAILURE() << "existing file accepted without overwrite";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos) << e.what();
    }
    EXPECT_THROW(AtomicOutput(existing, false), Error);
    EXPECT_NO_THROW(check_output_path(existing, true));
    EXPECT_NO_THROW(check_output_path(dir / "new.png", false));
    try {
        check_output_path(dir / "missing" / "out.png", true);
        ADD_FAILURE() << "missing folder accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
    EXPECT_THROW(check_output_path(dir, true), Error);  // a folder is not a file name
    EXPECT_THROW(check_output_path("", true), Error);
    fs::remove_all(dir);
}

TEST(CheckOutputFolder, SameRulesForFoldersAndNeverAFolderHoldingAnInput) {
    const fs::path dir = temp_folder("check_folder");
    const auto message = [](const auto& call) {
        try {
            call();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NO_THROW(check_output_folder(dir / "new", false));
    fs::create_directories(dir / "run" / "sub");
    std::ofstream(dir / "run" / "sub" / "data.h5") << "x";
    EXPECT_NE(message([&] { check_output_folder(dir / "run", false); }).find("--overwrite"),
              std::string::npos);
    EXPECT_NO_THROW(check_output_folder(dir / "run", true));
    EXPECT_NO_THROW(check_output_folder(dir / "run", true, {dir / "other.h5"}));
    // The input inside it (two levels down) or the folder itself: refused even when asked.
    EXPECT_NE(message([&] {
                  check_output_folder(dir / "run", true, {dir / "run/sub/data.h5"});
              }).find("inputs"),
              std::string::npos);
    EXPECT_NE(
        message([&] { check_output_folder(dir / "run", true, {dir / "run"}); }).find("inputs"),
        std::string::npos);
    // A sibling whose name starts the same is not inside.
    EXPECT_NO_THROW(check_output_folder(dir / "run", true, {dir / "run2/data.h5"}));
    std::ofstream(dir / "afile") << "x";
    EXPECT_NE(message([&] { check_output_folder(dir / "afile", true); }).find("folder name"),
              std::string::npos);
    EXPECT_NE(
        message([&] { check_output_folder(dir / "missing" / "run", true); }).find("does not exist"),
        std::string::npos);
    EXPECT_THROW(check_output_folder("", true), Error);
    fs::remove_all(dir);
}

TEST(CheckOutputPath, NamesAParentThatIsAFileOrTakesNoNewFilesAndLeavesNothingBehind) {
    const fs::path dir = temp_folder("check_parent");
    const fs::path file = dir / "notes.txt";
    std::ofstream(file) << "a file, not a folder";
    try {
        check_output_path(file / "out.png", true);
        ADD_FAILURE() << "a file accepted as the output folder";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'" + file.string() + "' is a file, not a folder"),
                  std::string::npos)
            << e.what();
    }
    // Writable by permission bits for root, yet no file can be made there.
    if (fs::is_directory("/proc")) {
        try {
            check_output_path("/proc/out.h5", true);
            ADD_FAILURE() << "/proc accepted as an output folder";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("'/proc' is not writable"), std::string::npos)
                << e.what();
        }
    }
    // The probe for writability is gone again.
    EXPECT_NO_THROW(check_output_path(dir / "new.png", false));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++entries;
    EXPECT_EQ(entries, 1u);
    fs::remove_all(dir);
}
