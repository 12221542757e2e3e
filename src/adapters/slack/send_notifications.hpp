#pragma once
// Sends one retrain notification through every configured channel. Written against the Notifier
// port only (no adapter): it belongs with the retrain pipeline and can move to src/pipeline/
// unchanged.

#include "ports/notifier.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace mm {

struct ChannelResult {
  std::string channel; // Notifier::channel(): "slack" | "email"
  Status status;
};

// Every notifier is tried, in order, whatever the others did: one channel failing (an error, or
// even an exception escaping a notifier) never stops the next. One result per notifier; null
// pointers are skipped. The caller logs each failure (slack_notification_failed,
// email_notification_failed) and does not fail the retrain for it.
std::vector<ChannelResult> send_notifications(std::span<Notifier* const> notifiers,
                                              const RetrainNotification& notification);
std::vector<ChannelResult>
send_notifications(const std::vector<std::unique_ptr<Notifier>>& notifiers,
                   const RetrainNotification& notification);

} // namespace mm
