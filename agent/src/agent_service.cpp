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

grpc::Status AgentService::Session(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::AgentMessage, v1::ControllerMessage>* stream) {
  if (!token_ok(*context)) {
    spdlog::warn("refused controller {}: wrong or missing agent token", context->peer());
    return {grpc::StatusCode::UNAUTHENTICATED,
            "wrong or missing agent token (set --agent-token or WSLOAD_AGENT_TOKEN to the agent's "
            "token)"};
  }
  std::string busy_with;
  BusyGuard busy(*this, context->peer(), &busy_with);
  if (!busy.acquired()) {
    spdlog::warn("refused controller {}: busy with {}", context->peer(), busy_with);
    return {grpc::StatusCode::RESOURCE_EXHAUSTED,
            "agent is busy running a scenario for controller " + busy_with +
                "; an agent runs one scenario at a time"};
  }
  spdlog::info("controller {} connected", context->peer());
  AgentSession session(config_, context, stream);
  session.run();
  spdlog::info("controller {} session ended", context->peer());
  return grpc::Status::OK;
}

AgentService::BusyGuard::BusyGuard(AgentService& service, const std::string& peer,
                                   std::string* busy_with)
    : service_(service) {
  std::lock_guard lock(service_.busy_mutex_);
  if (!service_.busy_with_.empty()) {
    *busy_with = service_.busy_with_;
    return;
  }
  service_.busy_with_ = peer;
  acquired_ = true;
}

AgentService::BusyGuard::~BusyGuard() {
  if (!acquired_) return;
  std::lock_guard lock(service_.busy_mutex_);
  service_.busy_with_.clear();
}

}  // namespace wsload::agent
