// Process management of the training launcher, with small shell scripts standing in for the
// `mlflow` executable (the real `mlflow run` is exercised by the retrain integration tests).
#include "adapters/training/mlflow_run_launcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace mm {
namespace {

namespace fs = std::filesystem;

class LauncherTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("mm_launcher_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    if (!HasFailure()) {
      fs::remove_all(m_dir);
    }
  }
  std::string script(const std::string& name, const std::string& body) {
    const fs::path p = m_dir / name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static std::optional<int> wait_exit(TrainingProcess& p, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (auto code = p.poll()) {
        return code;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }
  TrainingLaunch launch() const {
    TrainingLaunch l;
    l.project_uri = "training/specialist";
    l.experiment_id = "7";
    l.run_id = "abc";
    l.parameters = {{"dataset_path", "/d/x.parquet"}, {"specialist_type", "technical"}};
    l.log_file = m_dir / "train.log";
    l.extra_env = {{"MLFLOW_TRACKING_URI", "http://127.0.0.1:1"}};
    return l;
  }
  fs::path m_dir;
};

TEST(MlflowRunCommand, ResumesOurRunWithLocalEnvAndParameters) {
  TrainingLaunch l;
  l.project_uri = "training/specialist";
  l.experiment_id = "3";
  l.run_id = "r1";
  l.parameters = {{"dataset_path", "/data/t.parquet"}, {"specialist_type", "technical"}};
  EXPECT_EQ(mlflow_run_command("mlflow", l),
            (std::vector<std::string>{"mlflow", "run", "training/specialist", "--env-manager",
                                      "local", "--experiment-id", "3", "--run-id", "r1", "-P",
                                      "dataset_path=/data/t.parquet", "-P",
                                      "specialist_type=technical"}));
}

TEST_F(LauncherTest, PassesArgumentsAndEnvironmentAndReportsExitCode) {
  const std::string cli = script("mlflow", "echo \"args: $*\"\necho \"uri: $MLFLOW_TRACKING_URI\"\n"
                                           "echo oops >&2\nexit 3\n");
  MlflowRunLauncher launcher(cli, std::chrono::milliseconds(200));
  auto proc = launcher.launch(launch());
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ(wait_exit(**proc, std::chrono::seconds(10)), 3);
  const std::string log = slurp(m_dir / "train.log");
  EXPECT_NE(log.find("args: run training/specialist --env-manager local --experiment-id 7 "
                     "--run-id abc -P dataset_path=/d/x.parquet -P specialist_type=technical"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("uri: http://127.0.0.1:1"), std::string::npos) << log;
  EXPECT_NE(log.find("oops"), std::string::npos) << "stderr goes to the log too";
}

TEST_F(LauncherTest, KillTreeStopsTheChildAndItsGrandchildren) {
  const fs::path marker = m_dir / "grandchild.pid";
  // The "trainer" is a grandchild that ignores nothing and sleeps; mlflow waits for it.
  const std::string cli =
      script("mlflow", "sleep 300 &\necho $! > " + marker.string() + "\nwait\n");
  MlflowRunLauncher launcher(cli, std::chrono::milliseconds(500));
  auto proc = launcher.launch(launch());
  ASSERT_TRUE(proc.ok());
  for (int i = 0; i < 200 && !fs::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(fs::exists(marker));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const int grandchild = std::stoi(slurp(marker));
  EXPECT_FALSE((*proc)->poll().has_value());
  (*proc)->kill_tree();
  EXPECT_TRUE((*proc)->poll().has_value());
  // The grandchild is gone too (kill with signal 0 fails once it has been reaped by init).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ::kill(grandchild, 0) != 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " survived kill_tree";
}

TEST_F(LauncherTest, TermIgnoringChildIsKilledAfterGrace) {
  const std::string cli = script("mlflow", "trap '' TERM\nwhile true; do sleep 0.1; done\n");
  MlflowRunLauncher launcher(cli, std::chrono::milliseconds(300));
  auto proc = launcher.launch(launch());
  ASSERT_TRUE(proc.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*proc)->kill_tree();
  auto code = (*proc)->poll();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 128 + SIGKILL);
}

TEST_F(LauncherTest, MissingExecutableIsAClearConfigError) {
  MlflowRunLauncher launcher((m_dir / "no-such-mlflow").string());
  auto proc = launcher.launch(launch());
  ASSERT_FALSE(proc.ok());
  EXPECT_EQ(proc.error().kind, ErrorKind::config);
  EXPECT_NE(proc.error().message.find("MLFLOW_CLI"), std::string::npos);
}

TEST_F(LauncherTest, OurSecretsAreWithheldFromTheTraining) {
  ASSERT_EQ(::setenv("MM_TEST_WITHHELD_SECRET", "sk-not-for-training", 1), 0);
  ASSERT_EQ(::setenv("MM_TEST_KEPT", "visible", 1), 0);
  const std::string cli = script("mlflow", "echo \"secret: [$MM_TEST_WITHHELD_SECRET]\"\n"
                                           "echo \"kept: [$MM_TEST_KEPT]\"\n");
  MlflowRunLauncher launcher(cli, std::chrono::milliseconds(200));
  TrainingLaunch l = launch();
  l.withheld_env = {"MM_TEST_WITHHELD_SECRET"};
  auto proc = launcher.launch(l);
  ::unsetenv("MM_TEST_WITHHELD_SECRET");
  ::unsetenv("MM_TEST_KEPT");
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  EXPECT_EQ(wait_exit(**proc, std::chrono::seconds(10)), 0);
  const std::string log = slurp(m_dir / "train.log");
  EXPECT_NE(log.find("secret: []"), std::string::npos) << log;
  EXPECT_NE(log.find("kept: [visible]"), std::string::npos) << log;
}

// A training whose model-monitor died is adopted by its process group, watched until it ends
// and can be stopped; a pid that is no `mlflow` group is not adopted.
TEST_F(LauncherTest, AnOrphanedTrainingGroupIsAdoptedWatchedAndStopped) {
  const std::string cli = script("mlflow", "sleep 300 &\nwait\n");
  MlflowRunLauncher launcher(cli, std::chrono::milliseconds(500));
  auto proc = launcher.launch(launch());
  ASSERT_TRUE(proc.ok()) << proc.error().message;
  const int pgid = (*proc)->pid();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto adopted = launcher.attach(pgid);
  ASSERT_NE(adopted, nullptr) << "the script's path holds 'mlflow': it is a training group";
  EXPECT_FALSE(adopted->poll().has_value());
  adopted->kill_tree();
  EXPECT_EQ(wait_exit(*adopted, std::chrono::seconds(10)), 0) << "gone (zombies count as gone)";
  (void)(*proc)->poll(); // reap our child
  EXPECT_EQ(launcher.attach(pgid), nullptr) << "nothing left to adopt";
  EXPECT_EQ(launcher.attach(static_cast<std::int64_t>(::getpid())), nullptr)
      << "the test runner is no training group";
}

} // namespace
} // namespace mm
