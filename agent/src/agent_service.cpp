#include "agent_service.hpp"

#include <spdlog/spdlog.h>

#include "agent_session.hpp"
#include "wsload/proto/convert.hpp"

namespace wsload::agent {

AgentService::AgentService(AgentConfig config) : config_(std::move(config)) {}

bool AgentService::token_ok(const grpc::ServerContext& context) const {
  if (config_.token.empty()) return true;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return false;
  std::string_view value(it->second.data(), it->second.size());
  return value == "Bearer " + config_.token;
}

grpc::Status AgentService::Session(grpc::ServerContext* context,
                                   grpc::ServerReaderWriter<v1::AgentMessage, v1::ControllerMessage>* stream) {
  if (!token_ok(*context)) {
    spdlog::warn("refused controller {}: wrong or missing agent token", context->peer());
    return {grpc::StatusCode::UNAUTHENTICATED,
            "wrong or missing agent token (set --agent-token or WSLOAD_AGENT_TOKEN to the agent's token)"};
  }
  {
    std::lock_guard lock(busy_mutex_);
    if (busy_) {
      spdlog::warn("refused controller {}: busy with {}", context->peer(), busy_with_);
      return {grpc::StatusCode::RESOURCE_EXHAUSTED,
              "agent is busy running a scenario for controller " + busy_with_ +
                  "; an agent runs one scenario at a time"};
    }
    busy_ = true;
    busy_with_ = context->peer();
  }
  spdlog::info("controller {} connected", context->peer());
  {
    AgentSession session(config_, context, stream);
    session.run();
  }
  spdlog::info("controller {} session ended", context->peer());
  std::lock_guard lock(busy_mutex_);
  busy_ = false;
  busy_with_.clear();
  return grpc::Status::OK;
}

}  // namespace wsload::agent
