#pragma once
// Tests of many small ops (training tiny models) run on one thread: at these sizes more threads
// only wait at OpenMP barriers, and on a loaded machine (ctest -j, other builds) those waits made a
// sub-second test take minutes.

#include <torch/torch.h>

namespace radiofield::test {

class SingleThread {
public:
    SingleThread() : m_before(torch::get_num_threads()) { torch::set_num_threads(1); }
    ~SingleThread() { torch::set_num_threads(m_before); }
    SingleThread(const SingleThread&) = delete;
    SingleThread& operator=(const SingleThread&) = delete;

private:
    int m_before;
};

}  // namespace radiofield::test
