#include "adapters/slack/send_notifications.hpp"

#include <exception>

namespace mm {

std::vector<ChannelResult> send_notifications(std::span<Notifier* const> notifiers,
                                              const RetrainNotification& notification) {
  std::vector<ChannelResult> results;
  results.reserve(notifiers.size());
  for (Notifier* notifier : notifiers) {
    if (notifier == nullptr) {
      continue;
    }
    const std::string channel = notifier->channel();
    // A notifier reports failures as values; an exception (bad_alloc, a bug) is converted here so
    // that it cannot cancel the remaining channels.
    try {
      results.push_back({channel, notifier->notify(notification)});
    } catch (const std::exception& e) {
      results.push_back(
          {channel, Error::internal(channel + " notifier threw an exception: " + e.what())});
    } catch (...) {
      results.push_back({channel, Error::internal(channel + " notifier threw an exception")});
    }
  }
  return results;
}

std::vector<ChannelResult>
send_notifications(const std::vector<std::unique_ptr<Notifier>>& notifiers,
                   const RetrainNotification& notification) {
  std::vector<Notifier*> raw;
  raw.reserve(notifiers.size());
  for (const auto& n : notifiers) {
    raw.push_back(n.get());
  }
  return send_notifications(std::span<Notifier* const>(raw), notification);
}

} // namespace mm
