#pragma once
// The agent's gRPC service: one Session stream per run, one run at a time. A second controller is
// told the agent is busy. Sessions use the synchronous API: the handler thread reads commands, a
// reporter thread streams interval reports; writes are serialised by a mutex.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "wsload.grpc.pb.h"

namespace wsload::agent {

struct AgentConfig {
  std::string token;     // required from every controller when non-empty
  unsigned threads = 1;  // engine worker threads
  std::vector<std::string> source_ips;
};

class AgentService final : public v1::Agent::Service {
 public:
  explicit AgentService(AgentConfig config);

  grpc::Status Session(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::AgentMessage, v1::ControllerMessage>* stream) override;

 private:
  bool token_ok(const grpc::ServerContext& context) const;

  // Holds the agent for one controller's session; released when it goes out of scope, whatever
  // way the session ends. acquired() is false when another controller holds it (*busy_with: who).
  class BusyGuard {
   public:
    BusyGuard(AgentService& service, const std::string& peer, std::string* busy_with);
    ~BusyGuard();
    BusyGuard(const BusyGuard&) = delete;
    BusyGuard& operator=(const BusyGuard&) = delete;
    bool acquired() const { return acquired_; }

   private:
    AgentService& service_;
    bool acquired_ = false;
  };

  AgentConfig config_;
  std::mutex busy_mutex_;
  std::string busy_with_;  // peer of the running session, empty when idle; guarded by busy_mutex_
};

}  // namespace wsload::agent
