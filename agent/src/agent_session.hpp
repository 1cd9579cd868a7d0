#pragma once
// One controller's run on this agent: command handling, the engine, and the report stream.
// Owned by AgentService::Session for the lifetime of the stream.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent_service.hpp"
#include "wsload/agent/engine.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::agent {

class AgentSession {
 public:
  using Stream = grpc::ServerReaderWriter<v1::AgentMessage, v1::ControllerMessage>;

  AgentSession(const AgentConfig& config, grpc::ServerContext* context, Stream* stream);
  ~AgentSession();  // stops the load and joins the reporter

  // Reads and handles commands until the controller closes the stream or disappears.
  void run();

 private:
  void handle(const v1::ControllerMessage& message);
  void on_assignment(uint64_t command_id, const v1::Assignment& assignment);
  static std::optional<std::string> check_shares(const v1::Assignment& wire,
                                                 const std::vector<uint64_t>& shares);
  static std::optional<std::string> split_of(const v1::Assignment& wire,
                                             const shared::Scenario& scenario,
                                             const std::vector<uint64_t>& shares,
                                             shared::AgentSplit* split);
  void on_start(uint64_t command_id, const v1::StartAt& start);
  // The reporter thread: report_loop asks next_report_step what to do (it waits under
  // state_mutex_ and decides), then does it without the lock.
  struct ReportSchedule {
    uint64_t sequence = 0;  // of the last report sent
    uint64_t index = 0;     // interval index of the last report sent
    std::chrono::steady_clock::time_point next = std::chrono::steady_clock::time_point::max();
  };
  struct ReportStep {
    enum Action { kOrphaned, kEndBeforeStart, kReport } action;
    Engine* engine = nullptr;    // kOrphaned: the engine to stop, if any
    bool stopped_early = false;  // kReport: a stop was requested
    // kReport: load threads that have not answered by then are not waited for (half an interval:
    // the agent must not fall silent because one of its threads is behind)
    std::chrono::steady_clock::time_point answer_by{};
  };
  ReportStep next_report_step(ReportSchedule& schedule);
  void report_loop();
  // Takes the engine's delta and writes it as report `index`; true when it was the final report.
  // Called by the reporter thread without state_mutex_ held.
  bool send_report(uint64_t sequence, uint64_t index, const ReportStep& step);
  void write(const v1::AgentMessage& message);
  void refuse(uint64_t command_id, const std::string& reason);

  const AgentConfig& config_;
  grpc::ServerContext* context_;
  Stream* stream_;
  std::mutex write_mutex_;

  std::unique_ptr<Engine> engine_;
  std::string ca_file_;  // temporary file holding the scenario's CA, removed at the end
  std::chrono::milliseconds report_interval_{1000};  // guarded by state_mutex_
  bool started_ = false;                             // guarded by state_mutex_
  // The synchronized start on the steady clock; reports are cut at t0_ + k * report_interval_.
  std::chrono::steady_clock::time_point t0_;  // guarded by state_mutex_

  std::thread reporter_;
  uint64_t late_reports_ = 0;  // reports sent while a load thread was late; reporter thread only
  std::mutex state_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                             // guarded by state_mutex_
  std::chrono::steady_clock::time_point last_heard_;  // guarded by state_mutex_
};

}  // namespace wsload::agent
