#include "adapters/slack/send_notifications.hpp"
#include "unit/notify/notification_samples.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace mm {
namespace {

class FakeNotifier : public Notifier {
public:
  enum class Behaviour { ok, fail, throw_exception };
  FakeNotifier(const char* name, Behaviour behaviour) : m_name(name), m_behaviour(behaviour) {}

  const char* channel() const noexcept override { return m_name; }
  Status notify(const RetrainNotification& notification) override {
    ++calls;
    last_specialist = notification.specialist_type;
    switch (m_behaviour) {
    case Behaviour::ok:
      return ok_status();
    case Behaviour::fail:
      return Error::unavailable(std::string(m_name) + " is down");
    case Behaviour::throw_exception:
      throw std::runtime_error("boom");
    }
    return ok_status();
  }

  int calls = 0;
  std::string last_specialist;

private:
  const char* m_name;
  Behaviour m_behaviour;
};

TEST(SendNotifications, AFailingChannelDoesNotStopTheNext) {
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::make_unique<FakeNotifier>("slack", FakeNotifier::Behaviour::fail));
  notifiers.push_back(std::make_unique<FakeNotifier>("email", FakeNotifier::Behaviour::ok));
  const auto results = send_notifications(notifiers, test::promoted_sample());
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[0].channel, "slack");
  ASSERT_FALSE(results[0].status);
  EXPECT_EQ(results[0].status.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(results[1].channel, "email");
  EXPECT_TRUE(results[1].status);
  EXPECT_EQ(static_cast<FakeNotifier&>(*notifiers[1]).last_specialist, "technical");
}

TEST(SendNotifications, AnExceptionBecomesAnInternalErrorOfThatChannel) {
  FakeNotifier thrower("slack", FakeNotifier::Behaviour::throw_exception);
  FakeNotifier email("email", FakeNotifier::Behaviour::ok);
  std::vector<Notifier*> notifiers{&thrower, nullptr, &email};
  const auto results = send_notifications(notifiers, test::failure_sample());
  ASSERT_EQ(results.size(), 2U); // the null one is skipped
  ASSERT_FALSE(results[0].status);
  EXPECT_EQ(results[0].status.error().kind, ErrorKind::internal);
  EXPECT_NE(results[0].status.error().message.find("boom"), std::string::npos);
  EXPECT_TRUE(results[1].status);
  EXPECT_EQ(email.calls, 1);
}

TEST(SendNotifications, NoChannelsNoResults) {
  EXPECT_TRUE(send_notifications(std::vector<std::unique_ptr<Notifier>>{}, test::promoted_sample())
                  .empty());
}

} // namespace
} // namespace mm
