#include "scenario_scale.hpp"

#include <algorithm>

#include "wsload/shared/duration.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

__extension__ typedef unsigned __int128 u128;
using Nanos = std::chrono::nanoseconds;

// Pointers to the figures of one kind in a plan, in plan order.
template <typename T>
using Figures = std::vector<T*>;

// The level before each stage: stage i rises when its `to` is above it, is flat when equal.
void stage_figures(Scenario& s, ScaledFigure figure, Figures<Nanos>& out) {
  uint64_t level = 0;
  for (LoadStage& stage : s.load.stages) {
    const bool rise = stage.to > level;
    const bool flat = stage.to == level;
    if ((figure == ScaledFigure::kRampUp && rise) || (figure == ScaledFigure::kHold && flat)) {
      out.push_back(&stage.over);
    }
    level = stage.to;
  }
}

Figures<Nanos> duration_figures(std::vector<Scenario>& stages, ScaledFigure figure) {
  Figures<Nanos> out;
  for (Scenario& s : stages) {
    if (figure == ScaledFigure::kMessageInterval) {
      if (s.messages && !s.has_sessions()) out.push_back(&s.messages->interval);
      for (GroupSpec& g : s.groups) {
        for (MessagesSpec& stream : g.streams) out.push_back(&stream.interval);
      }
    } else if (s.load.arrival) {
      if (figure == ScaledFigure::kHold) out.push_back(&s.load.arrival->duration);
    } else if (!s.load.stages.empty()) {
      stage_figures(s, figure, out);
    } else {
      out.push_back(figure == ScaledFigure::kRampUp ? &s.load.ramp_up : &s.load.hold);
    }
  }
  return out;
}

// round(figure * value / largest), exact in 128 bits.
uint64_t scaled(uint64_t figure, uint64_t value, uint64_t largest) {
  return static_cast<uint64_t>((static_cast<u128>(figure) * value + largest / 2) / largest);
}

std::string note(ScaledFigure figure, const std::string& value, const std::string& largest) {
  return std::string(flag_name(figure)) + " " + value + ": the largest figure of its kind (" +
         largest + ") becomes " + value + "; every other one is scaled by the same factor (" +
         value + "/" + largest + ")";
}

}  // namespace

std::string_view flag_name(ScaledFigure figure) {
  switch (figure) {
    case ScaledFigure::kConnections:
      return "--connections";
    case ScaledFigure::kRampUp:
      return "--ramp-up";
    case ScaledFigure::kHold:
      return "--duration";
    case ScaledFigure::kMessageInterval:
      return "--message-interval";
  }
  return "";
}

std::string scale_refusal(const Scenario& s, ScaledFigure figure) {
  if (figure == ScaledFigure::kMessageInterval) return {};
  if (s.load.arrival && figure == ScaledFigure::kConnections) {
    return "does not apply to load.arrival: its rate and duration give the sessions; edit "
           "load.arrival.rate";
  }
  if (s.load.arrival && figure == ScaledFigure::kRampUp) {
    return "does not apply to load.arrival: arrivals have no ramp-up; edit load.arrival";
  }
  if (figure == ScaledFigure::kHold && !s.load.stages.empty()) {
    uint64_t level = 0;
    for (const LoadStage& stage : s.load.stages) {
      if (stage.to == level) return {};
      level = stage.to;
    }
    return "does not apply: its load.stages have no hold (a stage whose 'to' equals the level "
           "before it); edit the stages";
  }
  return {};
}

ScaleNote scale_counts(std::vector<Scenario>& stages, uint64_t value) {
  Figures<uint64_t> figures;
  for (Scenario& s : stages) {
    if (s.load.stages.empty()) {
      if (!s.load.arrival) figures.push_back(&s.load.connections);
      continue;
    }
    for (LoadStage& stage : s.load.stages) figures.push_back(&stage.to);
  }
  uint64_t largest = 0;
  for (const uint64_t* f : figures) largest = std::max(largest, *f);
  const bool all_equal =
      std::all_of(figures.begin(), figures.end(), [&](const uint64_t* f) { return *f == largest; });
  for (uint64_t* f : figures) {
    if (largest == 0 || *f == largest) {
      *f = value;
    } else if (*f > 0) {
      *f = std::max<uint64_t>(1, scaled(*f, value, largest));
    }
  }
  for (Scenario& s : stages) {
    if (!s.load.stages.empty()) s.load.connections = planned_ids(s.load);
  }
  if (all_equal) return {};
  return {note(ScaledFigure::kConnections, std::to_string(value), std::to_string(largest))};
}

ScaleNote scale_durations(std::vector<Scenario>& stages, ScaledFigure figure, Nanos value) {
  const Figures<Nanos> figures = duration_figures(stages, figure);
  Nanos largest{0};
  for (const Nanos* f : figures) largest = std::max(largest, *f);
  const bool all_equal =
      std::all_of(figures.begin(), figures.end(), [&](const Nanos* f) { return *f == largest; });
  const Nanos least = std::min<Nanos>(std::chrono::milliseconds(1), value);
  for (Nanos* f : figures) {
    if (largest.count() == 0 || *f == largest) {
      *f = value;
    } else if (f->count() > 0) {
      const auto ns =
          scaled(static_cast<uint64_t>(f->count()), static_cast<uint64_t>(value.count()),
                 static_cast<uint64_t>(largest.count()));
      const auto ms =
          std::chrono::round<std::chrono::milliseconds>(Nanos{static_cast<int64_t>(ns)});
      *f = std::clamp<Nanos>(ms, least, value);
    }
  }
  for (Scenario& s : stages) {
    if (s.load.arrival) s.load.connections = planned_ids(s.load);
    // An idle v1 scenario gets the default messages, at the flag's interval.
    if (figure == ScaledFigure::kMessageInterval && !s.has_sessions() && !s.messages) {
      s.messages.emplace().interval = value;
    }
  }
  if (all_equal) return {};
  return {note(figure, format_duration(value), format_duration(largest))};
}

}  // namespace wsload::scenario::detail
