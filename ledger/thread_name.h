#pragma once

#include <pthread.h>

namespace pilotledger {

// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it (Linux keeps 15 bytes), so
// that an operator can tell the sequencer from the I/O threads: "pl-sequencer", "pl-io",
// "pl-verify", "pl-snapshot", "pl-log-check", "pl-witness". (The main thread, also an I/O
// thread, keeps the process name: renaming it would rename the process for ps and pkill.)
inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace pilotledger
