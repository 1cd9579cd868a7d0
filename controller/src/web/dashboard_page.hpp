#pragma once
// The live dashboard's one page (controller/src/web/dashboard.html, embedded at build time): no
// external resource, so it works on machines without internet access.
#include <string_view>

namespace wsload::controller {

std::string_view dashboard_page();

}  // namespace wsload::controller
