#pragma once
// Why a connection attempt failed, why a session ended, why a scheduled request was not sent: the
// agent's enumerated reasons, and the one place (to_string) that turns them into the report's
// names under shared::Counters::failures / disconnects / unsent. The names are part of the report
// format (JSON, text, thresholds): they never change.
#include <cstdint>
#include <string>

namespace wsload::agent {

// shared::Counters::failures (attempted = established + failed, always).
enum class FailureReason : uint8_t {
  kDns,                  // dns
  kRefused,              // refused
  kConnectTimeout,       // connect_timeout: the connect deadline stopped the TCP connect
  kTls,                  // tls
  kTlsTimeout,           // tls_timeout
  kHandshakeTimeout,     // handshake_timeout: the connect deadline stopped the upgrade
  kHttpStatus,           // http_<status>: the upgrade was answered with status != 101
  kBadAccept,            // bad_accept
  kBadUpgrade,           // bad_upgrade
  kBadExtension,         // bad_extension: the permessage-deflate answer is invalid or unsupported
  kClosedDuringUpgrade,  // closed_during_upgrade
  kStoppedBeforeEstablished,  // stopped_before_established: the run stopped first
  kOther,                     // other
};

// A failure reason with its HTTP status (kHttpStatus only; 0 otherwise).
struct Failure {
  FailureReason reason = FailureReason::kOther;
  uint16_t status = 0;
};

// shared::Counters::disconnects (an established session ended).
enum class DisconnectReason : uint8_t {
  kError,         // error: any other read or write error
  kEof,           // eof: the TCP connection ended without a close handshake
  kReset,         // reset
  kPeerClose,     // close_<code>: a close handshake happened; <code> is the peer's close code
  kCloseTimeout,  // close_timeout: we closed and the peer did not answer within the bound
  kProtocol,      // protocol_error
  kWriteStall,    // write_stall: unwritten output made no progress for the write-stall bound
};

// shared::Counters::unsent (a scheduled request that never went out).
enum class UnsentReason : uint8_t {
  kPeerNotReading,  // peer_not_reading: held back because the output was backlogged
  kClosed,          // closed: the session closed or ended
  kStopped,         // stopped: the hold ended, or finish/abort
};

// The report names. Allocates (http_<status>, close_<code>): for counting, off the message path.
std::string to_string(Failure failure);
// `close_code` is used for kPeerClose only.
std::string to_string(DisconnectReason reason, uint16_t close_code);
const char* to_string(UnsentReason reason);

}  // namespace wsload::agent
