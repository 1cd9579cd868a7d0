#include "cluster/agent_link.hpp"

#include <fmt/format.h>

#include "wsload/proto/convert.hpp"
#include "wsload/shared/clock.hpp"

namespace wsload::controller {

std::string describe_status(const std::string& endpoint, const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return fmt::format("cannot reach agent {} (is wsload-agent running and listening there?): {}",
                         endpoint, status.error_message());
    case grpc::StatusCode::OK:
      return fmt::format("agent {} closed the session", endpoint);
    case grpc::StatusCode::CANCELLED:
      return fmt::format("agent {}: the session was cancelled ({})", endpoint,
                         status.error_message());
    default:
      return fmt::format("agent {}: {}", endpoint, status.error_message());
  }
}

void EventQueue::push(AgentEvent event) {
  event.queued_at = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  ready_.notify_one();
}

std::optional<AgentEvent> EventQueue::pop(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!ready_.wait_until(lock, deadline, [&] { return !events_.empty(); })) return std::nullopt;
  auto event = std::move(events_.front());
  events_.pop_front();
  return event;
}

AgentLink::AgentLink(size_t index, std::string endpoint, const std::string& agent_token,
                     EventQueue& events, std::chrono::nanoseconds connect_wait,
                     const std::string& ca_pem)
    : index_(index), endpoint_(std::move(endpoint)), events_(events) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // An interval report is at most four histograms (each well under 1 MiB) and bounded reason maps.
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, proto::kMaxControlMessageBytes);
  auto credentials = grpc::InsecureChannelCredentials();
  if (!ca_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  channel_ = grpc::CreateCustomChannel(endpoint_, credentials, args);
  if (connect_wait > std::chrono::nanoseconds::zero()) {
    channel_->WaitForConnected(
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(connect_wait));
  }
  stub_ = v1::Agent::NewStub(channel_);
  if (!agent_token.empty()) context_.AddMetadata("authorization", "Bearer " + agent_token);
  // A dead address fails the call instead of waiting forever for the channel to connect.
  context_.set_wait_for_ready(false);
  // The writer opens the stream (which waits for the agent to answer) and then starts the reader.
  writer_ = std::thread([this] { write_loop(); });
}

AgentLink::~AgentLink() {
  context_.TryCancel();  // also ends a Write blocked on an agent that takes nothing
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // after it, reader_ is started or never will be
  if (reader_.joinable()) reader_.join();
}

void AgentLink::read_loop() {
  v1::AgentMessage message;
  while (stream_->Read(&message)) {
    events_.push({index_, message, grpc::Status::OK, shared::unix_us_now()});
  }
  grpc::Status status;
  {
    // No write may run concurrently with Finish.
    std::lock_guard lock(write_mutex_);
    writes_closed_ = true;
    status = stream_->Finish();
  }
  events_.push({index_, std::nullopt, status, 0});
}

bool AgentLink::send(const v1::ControllerMessage& message) {
  {
    std::lock_guard lock(write_mutex_);
    if (writes_closed_) return false;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (close_requested_ || stopping_) return false;
    queue_.push_back(message);
  }
  queue_cv_.notify_one();
  return true;
}

void AgentLink::close_writes() {
  {
    std::lock_guard lock(queue_mutex_);
    close_requested_ = true;
  }
  queue_cv_.notify_one();
}

void AgentLink::write_loop() {
  stream_ = stub_->Session(&context_);  // returns once the call started, failed or was cancelled
  reader_ = std::thread([this] { read_loop(); });
  for (;;) {
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait(lock, [this] { return stopping_ || close_requested_ || !queue_.empty(); });
    if (stopping_) return;
    if (queue_.empty()) {  // close requested and everything before it written
      lock.unlock();
      std::lock_guard write_lock(write_mutex_);
      if (!writes_closed_) {
        writes_closed_ = true;
        stream_->WritesDone();
      }
      return;
    }
    v1::ControllerMessage message = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::lock_guard write_lock(write_mutex_);
    if (!writes_closed_ && !stream_->Write(message)) writes_closed_ = true;
  }
}

void AgentLink::cancel() { context_.TryCancel(); }

}  // namespace wsload::controller
