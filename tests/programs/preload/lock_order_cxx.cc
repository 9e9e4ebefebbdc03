// The deadlock by lock order in C++: std::thread starts its thread inside libstdc++ (whose
// pthread_create call the preloaded runtime intercepts as the program's own), std::mutex
// locks through pthread_mutex_lock. Built by clang++ or g++ for `isomc check --preload`.
#include <cassert>
#include <mutex>
#include <thread>

static std::mutex a, b;
static int entered;

int main() {
  std::thread t([] {
    std::lock_guard<std::mutex> first(b);
    std::lock_guard<std::mutex> second(a);
    entered++;
  });
  {
    std::lock_guard<std::mutex> first(a);
    std::lock_guard<std::mutex> second(b);
    entered++;
  }
  t.join();
  assert(entered == 2);
  return 0;
}
