// Group urls relative to the scenario's, and pointing a scenario at another server (SPEC §3a).
#include <algorithm>

#include "scenario_reader.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace detail {

bool is_relative_url(std::string_view url) {
  return !url.empty() && (url.front() == '?' || url.front() == '/');
}

std::string resolve_url(std::string_view base, std::string_view relative) {
  const size_t sep = base.find("://");
  const size_t authority_end = sep == std::string_view::npos
                                   ? base.size()
                                   : std::min(base.size(), base.find_first_of("/?#", sep + 3));
  if (relative.substr(0, 2) == "//") {  // a network-path reference: scheme kept, server replaced
    return std::string(base.substr(0, sep == std::string_view::npos ? 0 : sep + 1)) +
           std::string(relative);
  }
  if (relative.front() == '/') {
    return std::string(base.substr(0, authority_end)) + std::string(relative);
  }
  // "?query" replaces the base's query and fragment.
  return std::string(base.substr(0, base.find_first_of("?#", authority_end))) +
         std::string(relative);
}

}  // namespace detail

namespace {

// `url` followed by what followed the old prefix; a query part joins with ? or & as `url` needs.
std::string join_rest(const std::string& url, std::string_view rest) {
  if (!rest.empty() && (rest.front() == '?' || rest.front() == '&')) {
    const char sep = url.find('?') == std::string::npos ? '?' : '&';
    return url + sep + std::string(rest.substr(1));
  }
  return url + std::string(rest);
}

// True when `group_url` is `base` or continues it at a boundary (path, query or fragment), so that
// ws://h/ws does not claim ws://h/ws2.
bool continues(std::string_view group_url, std::string_view base) {
  if (base.empty()) return group_url.empty();  // both unset: the group inherited the scenario's
  if (group_url.substr(0, base.size()) != base) return false;
  if (group_url.size() == base.size()) return true;
  const char last = base.back();
  const char next = group_url[base.size()];
  return last == '/' || last == '?' || last == '&' || next == '/' || next == '?' || next == '&' ||
         next == '#';
}

}  // namespace

void retarget(Scenario& scenario, const std::string& url) {
  const std::string old = scenario.target.url;
  scenario.target.url = url;
  for (GroupSpec& group : scenario.groups) {
    std::string& group_url = group.target.url;
    if (detail::is_relative_url(group_url)) {
      if (!url.empty()) group_url = detail::resolve_url(url, group_url);
    } else if (continues(group_url, old)) {
      group_url = join_rest(url, std::string_view(group_url).substr(old.size()));
    }
  }
}

}  // namespace wsload::scenario
