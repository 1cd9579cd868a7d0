#include "connection_reasons.hpp"

namespace wsload::agent {

std::string to_string(Failure failure) {
  switch (failure.reason) {
    case FailureReason::kDns:
      return "dns";
    case FailureReason::kRefused:
      return "refused";
    case FailureReason::kConnectTimeout:
      return "connect_timeout";
    case FailureReason::kTls:
      return "tls";
    case FailureReason::kTlsTimeout:
      return "tls_timeout";
    case FailureReason::kHandshakeTimeout:
      return "handshake_timeout";
    case FailureReason::kHttpStatus:
      return "http_" + std::to_string(failure.status);
    case FailureReason::kBadAccept:
      return "bad_accept";
    case FailureReason::kBadUpgrade:
      return "bad_upgrade";
    case FailureReason::kBadExtension:
      return "bad_extension";
    case FailureReason::kClosedDuringUpgrade:
      return "closed_during_upgrade";
    case FailureReason::kStoppedBeforeEstablished:
      return "stopped_before_established";
    case FailureReason::kOther:
      break;
  }
  return "other";
}

std::string to_string(DisconnectReason reason, uint16_t close_code) {
  switch (reason) {
    case DisconnectReason::kPeerClose:
      return "close_" + std::to_string(close_code);
    case DisconnectReason::kCloseTimeout:
      return "close_timeout";
    case DisconnectReason::kProtocol:
      return "protocol_error";
    case DisconnectReason::kEof:
      return "eof";
    case DisconnectReason::kReset:
      return "reset";
    case DisconnectReason::kWriteStall:
      return "write_stall";
    case DisconnectReason::kError:
      break;
  }
  return "error";
}

const char* to_string(UnsentReason reason) {
  switch (reason) {
    case UnsentReason::kPeerNotReading:
      return "peer_not_reading";
    case UnsentReason::kClosed:
      return "closed";
    case UnsentReason::kStopped:
      break;
  }
  return "stopped";
}

}  // namespace wsload::agent
