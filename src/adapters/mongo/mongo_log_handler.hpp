#pragma once
// Internal to mm_mongo: installs the driver log handler of mongo_log.hpp (done when libmongoc
// is initialised, so the driver never writes to stdout on its own).

namespace mm {

void install_mongo_log_handler();

} // namespace mm
