#pragma once
// One controller<->agent Session stream. A reader thread turns everything the agent sends, and the
// end of the stream, into AgentEvents on the coordinator's queue. A writer thread opens the stream
// and performs the writes that send() queues, so one agent that does not answer or take its
// messages (stopped, partitioned, still connecting) never blocks the coordinator — and its
// heartbeats to the others (gRPC allows one reader and one writer).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "wsload.grpc.pb.h"

namespace wsload::controller {

struct AgentEvent {
  size_t agent = 0;
  std::optional<v1::AgentMessage> message;  // nullopt: the stream ended with `status`
  grpc::Status status;
  int64_t received_unix_us = 0;  // when the reader took it off the stream (clock probes)
  // When it reached the queue (EventQueue::push): an agent is heard when its report arrives, not
  // when a busy coordinator gets round to it.
  std::chrono::steady_clock::time_point queued_at{};
};

// A one-line explanation of why a session with `endpoint` ended with `status`.
std::string describe_status(const std::string& endpoint, const grpc::Status& status);

class EventQueue {
 public:
  void push(AgentEvent event);
  // The next event, waiting until `deadline` (none in the past: only what is queued already);
  // nullopt when none arrived in time.
  std::optional<AgentEvent> pop(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<AgentEvent> events_;
};

// What the coordinator needs of one agent's session: AgentLink over gRPC, or a fake in unit tests
// that answers on the EventQueue. Every call returns at once.
class AgentChannel {
 public:
  virtual ~AgentChannel() = default;
  // Queues the message for the agent; false when the stream is already closed.
  virtual bool send(const v1::ControllerMessage& message) = 0;
  // Half-closes our side after the queued messages; the end of the stream follows as an event.
  virtual void close_writes() = 0;
  // Abandons the session (a lost agent); the end of the stream follows as an event.
  virtual void cancel() = 0;
  virtual const std::string& endpoint() const = 0;
};

class AgentLink final : public AgentChannel {
 public:
  // With a positive `connect_wait`, first waits up to that long for the agent to accept a
  // connection (agents that start late, e.g. pods); otherwise an unreachable agent fails at once.
  // A non-empty `ca_pem` makes the channel TLS, verifying the agent's certificate against it.
  AgentLink(size_t index, std::string endpoint, const std::string& agent_token, EventQueue& events,
            std::chrono::nanoseconds connect_wait = std::chrono::nanoseconds::zero(),
            const std::string& ca_pem = "");
  ~AgentLink();  // cancels the call and joins the reader
  AgentLink(const AgentLink&) = delete;
  AgentLink& operator=(const AgentLink&) = delete;

  // Queues the message for the writer; false when the stream is already closed. Never blocks.
  bool send(const v1::ControllerMessage& message) override;
  // Half-closes our side after the queued messages; the agent then ends the stream and the
  // reader reports it.
  void close_writes() override;
  // Abandons the call (lost agent); the reader reports the end.
  void cancel() override;

  const std::string& endpoint() const override { return endpoint_; }

 private:
  void read_loop();
  void write_loop();

  size_t index_;
  std::string endpoint_;
  EventQueue& events_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Agent::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ControllerMessage, v1::AgentMessage>> stream_;
  std::mutex write_mutex_;      // held by a Write/WritesDone and by Finish: never concurrent
  bool writes_closed_ = false;  // guarded by write_mutex_
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<v1::ControllerMessage> queue_;  // guarded by queue_mutex_, like the two flags below
  bool close_requested_ = false;
  bool stopping_ = false;
  std::thread reader_;
  std::thread writer_;
};

}  // namespace wsload::controller
