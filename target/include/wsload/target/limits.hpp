#pragma once
// Fixed bounds on what wsload-target reads from the network and keeps in memory. Each limit says
// what happens beyond it and which /stats counter records it. `wsload-target --help` prints them.
#include <cstddef>
#include <cstdint>

namespace wsload::target {

// HTTP request header (request line and fields), bytes. Beyond: 431, close; rejected_431.
inline constexpr std::size_t kHttpHeaderLimit = 16 * 1024;
// HTTP request body, bytes. Beyond: 413, close; rejected_413.
inline constexpr std::size_t kHttpBodyLimit = 64 * 1024;
// Upper bound of --max-message-size (a message is buffered whole before it is echoed).
inline constexpr std::size_t kMaxMessageSizeLimit = 64 * 1024 * 1024;
// Broadcasts posted to the threads but not yet handed to the sessions, bytes (message size plus
// kBroadcastOverheadBytes per thread). Beyond: the broadcast is refused; broadcasts_dropped.
inline constexpr uint64_t kBroadcastBacklogBytes = 64 * 1024 * 1024;
inline constexpr uint64_t kBroadcastOverheadBytes = 128;
// libnats' queue of received messages not yet relayed. Beyond: libnats drops them (slow consumer).
inline constexpr int kNatsPendingMessages = 65536;
inline constexpr int kNatsPendingBytes = 64 * 1024 * 1024;

// subscribe/unsubscribe/publish messages, bytes; larger ones get an error reply, unparsed.
inline constexpr std::size_t kMaxSessionMessageBytes = 64 * 1024;
// A channel name, bytes (UTF-8, after JSON unescaping): 1 to this. Beyond: an error reply.
inline constexpr std::size_t kMaxChannelNameBytes = 64;
// Channels one session may hold. Beyond: an error reply; the session keeps its channels.
inline constexpr std::size_t kMaxChannelsPerSession = 16;
// Distinct JWT subjects remembered for distinct_subjects, by count and by bytes of subject text.
// Beyond either: a new subject is counted in distinct_subjects_overflow instead.
inline constexpr std::size_t kMaxDistinctSubjects = 1'000'000;
inline constexpr std::size_t kMaxDistinctSubjectBytes = 64 * 1024 * 1024;

}  // namespace wsload::target
