#include "wsload/scenario/presets.hpp"

#include <array>

namespace wsload::scenario {
namespace {

// SPEC §3 "Built-in presets" (Odin load-testing guide). Parsed by the scenario loader like files.
constexpr std::string_view kQuick = R"yaml(name: quick
description: Quick smoke test (Odin guide)
target:
  url: ${WS_URL:-ws://localhost:3001/ws}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 100
  ramp_up: 10s
  hold: 30s
messages:
  interval: 5s
  kind: json
  template: '{"type":"ping","id":{{seq}}}'
  match: id
  timeout: 5s
push:
  sequence_field: seq
  timestamp_field: ts
thresholds:
  - connections.success_rate == 100%
  - latency.avg < 5ms
)yaml";

constexpr std::string_view kMedium = R"yaml(name: medium
description: Production readiness validation (Odin guide)
target:
  url: ${WS_URL:-ws://localhost:3001/ws}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 1000
  ramp_up: 30s
  hold: 120s
messages:
  interval: 10s
  kind: json
  template: '{"type":"ping","id":{{seq}}}'
  match: id
  timeout: 5s
push:
  sequence_field: seq
  timestamp_field: ts
thresholds:
  - connections.success_rate > 99%
  - latency.avg < 10ms
)yaml";

constexpr std::string_view kStress = R"yaml(name: stress
description: Stress test at the 5000-connection target (Odin guide)
target:
  url: ${WS_URL:-ws://localhost:3001/ws}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 5000
  ramp_up: 60s
  hold: 300s
messages:
  interval: 15s
  kind: json
  template: '{"type":"ping","id":{{seq}}}'
  match: id
  timeout: 5s
push:
  sequence_field: seq
  timestamp_field: ts
thresholds:
  - connections.success_rate > 95%
  - latency.avg < 20ms
  - errors.rate < 5%
)yaml";

constexpr std::string_view kProgressive = R"yaml(name: progressive
description: quick, then medium, then stress (Odin guide)
sequence: [quick, medium, stress]
cooldown: 30s
)yaml";

// Format v2 (SPEC §3a): nine listeners that subscribe and ping for every publisher, against
// wsload-target's subscribe/unsubscribe/publish.
constexpr std::string_view kOdinSession = R"yaml(name: odin-session
description: Subscribe, ping and publish; nine listeners per publisher (Odin guide, format v2)
target:
  url: ${WS_URL:-ws://localhost:3001/ws}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 100
  ramp_up: 10s
  hold: 30s
groups:
  - name: listeners
    weight: 9
    on_open:
      - name: subscribe
        send: { kind: json, template: '{"type":"subscribe","channel":"prices","id":{{seq}}}' }
        expect: { match: id, timeout: 5s }
        capture: { sub: subscription }
    messages:
      - name: ping
        interval: 5s
        kind: json
        template: '{"type":"ping","id":{{seq}}}'
        match: id
        timeout: 5s
    on_close:
      - name: unsubscribe
        send: { kind: json, template: '{"type":"unsubscribe","channel":"prices","id":{{seq}}}' }
    push:
      sequence_field: seq
      timestamp_field: ts
  - name: publishers
    weight: 1
    messages:
      - name: publish
        interval: 1s
        kind: json
        template: '{"type":"publish","channel":"prices","id":{{seq}},"sub":"none"}'
        match: id
        timeout: 2s
thresholds:
  - connections.success_rate == 100%
  - sessions.failed == 0
  - latency.avg < 5ms
)yaml";

constexpr std::array<Preset, 5> kPresets = {{
    {"quick", "100 connections, 10s ramp-up, 30s hold, ping every 5s; success == 100%, avg < 5ms",
     kQuick},
    {"medium",
     "1000 connections, 30s ramp-up, 120s hold, ping every 10s; success > 99%, avg < 10ms",
     kMedium},
    {"stress",
     "5000 connections, 60s ramp-up, 300s hold, ping every 15s; success > 95%, avg < 20ms, "
     "errors < 5%",
     kStress},
    {"progressive",
     "quick, medium, then stress, each with its own thresholds; 30s cooldown between",
     kProgressive},
    {"odin-session",
     "100 connections (9 listeners : 1 publisher), 10s ramp-up, 30s hold; subscribe, ping every "
     "5s, publish every 1s; success == 100%, no failed session, avg < 5ms",
     kOdinSession},
}};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
  for (const Preset& preset : kPresets) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace wsload::scenario
