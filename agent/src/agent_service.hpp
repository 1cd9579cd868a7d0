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
  std::string token;                   // required from every controller when non-empty
  unsigned threads = 1;                // engine worker threads
  std::vector<std::string> source_ips;
};

class AgentService final : public v1::Agent::Service {
 public:
  explicit AgentService(AgentConfig config);

  grpc::Status Session(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<v1::AgentMessage, v1::ControllerMessage>* stream)
      override;

 private:
  bool token_ok(const grpc::ServerContext& context) const;

  AgentConfig config_;
  std::mutex busy_mutex_;
  bool busy_ = false;          // guarded by busy_mutex_
  std::string busy_with_;      // peer of the running session; guarded by busy_mutex_
};

}  // namespace wsload::agent
