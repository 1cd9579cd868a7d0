#pragma once
// The one rule for whether an agent can hold its share (used by `run` before assigning and by
// `doctor`): its file-descriptor budget, and its ephemeral ports times its source addresses
// (connections to one target). Pure.
#include <cstdint>
#include <optional>
#include <string>

#include "wsload.pb.h"

namespace wsload::controller {

// Why an agent that said `hello` cannot hold `share` connections ("its file-descriptor budget is
// 19000 (add agents, ...)"), or nullopt when it can.
std::optional<std::string> share_refusal(const v1::HelloReply& hello, uint64_t share);

}  // namespace wsload::controller
