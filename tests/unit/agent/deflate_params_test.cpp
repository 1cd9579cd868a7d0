// The permessage-deflate negotiation of the agent (agent/src/deflate_params.cpp): the offer, and
// the server's answer accepted, declined or refused with the reason.
#include "deflate_params.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsload::agent::ws {
namespace {

TEST(DeflateNegotiation, OfferIsTheBrowsersOne) {
  EXPECT_EQ(kDeflateOffer, "permessage-deflate; client_max_window_bits");
}

TEST(DeflateNegotiation, AcceptedAnswers) {
  struct Case {
    std::string header;
    DeflateParams params;
  };
  const DeflateParams d;
  auto with = [](auto f) {
    DeflateParams p;
    f(p);
    return p;
  };
  const std::vector<Case> cases = {
      {"permessage-deflate", d},
      {"permessage-deflate; client_max_window_bits=10",
       with([](DeflateParams& p) { p.client_max_window_bits = 10; })},
      {"permessage-deflate;server_max_window_bits=8", with([](DeflateParams& p) {
         p.server_max_window_bits = 8;  // only our inflater's window: zlib inflates with 8 bits
       })},
      {"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=15; client_max_window_bits=9",
       with([](DeflateParams& p) {
         p.server_no_context_takeover = p.client_no_context_takeover = true;
         p.client_max_window_bits = 9;
       })},
      {"Permessage-Deflate; SERVER_NO_CONTEXT_TAKEOVER",
       with([](DeflateParams& p) { p.server_no_context_takeover = true; })},
      {"permessage-deflate; client_max_window_bits=\"12\"",
       with([](DeflateParams& p) { p.client_max_window_bits = 12; })},
      {" , permessage-deflate \t;\tclient_no_context_takeover ,, ",
       with([](DeflateParams& p) { p.client_no_context_takeover = true; })},
  };
  for (const Case& c : cases) {
    auto r = parse_deflate_response(c.header);
    ASSERT_TRUE(r.has_value()) << c.header << ": " << r.error();
    ASSERT_TRUE(r->has_value()) << c.header;
    EXPECT_EQ(**r, c.params) << c.header;
  }
}

TEST(DeflateNegotiation, NoExtensionMeansDeclined) {
  for (const char* header : {"", "  ", ", ,"}) {
    auto r = parse_deflate_response(header);
    ASSERT_TRUE(r.has_value()) << header;
    EXPECT_FALSE(r->has_value()) << header;
  }
}

TEST(DeflateNegotiation, InvalidOrUnsupportedAnswersSayWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x-webkit-deflate-frame", "only permessage-deflate was offered"},
      {"permessage-deflate, permessage-deflate", "2 extensions"},
      {"permessage-deflate, foo", "2 extensions"},
      {"permessage-deflate; foo", "unknown permessage-deflate parameter 'foo'"},
      {"permessage-deflate; server_no_context_takeover=1", "takes no value"},
      {"permessage-deflate; client_no_context_takeover; client_no_context_takeover", "repeated"},
      {"permessage-deflate; client_max_window_bits=9; CLIENT_MAX_WINDOW_BITS=10", "repeated"},
      {"permessage-deflate; server_max_window_bits", "needs a value"},
      {"permessage-deflate; client_max_window_bits", "needs a value"},
      {"permessage-deflate; server_max_window_bits=16", "not a window size"},
      {"permessage-deflate; server_max_window_bits=7", "not a window size"},
      {"permessage-deflate; client_max_window_bits=08", "not a window size"},
      {"permessage-deflate; client_max_window_bits=1x", "not a window size"},
      {"permessage-deflate; client_max_window_bits=\"\"", "not a window size"},
      {"permessage-deflate; client_max_window_bits=8", "not supported"},
      {"permessage-deflate;; server_no_context_takeover", "malformed"},
      {"permessage-deflate; =3", "malformed"},
      {"permessage-deflate; client_max_window_bits=\"10", "malformed"},
      {"permessage-deflate x", "malformed"},
      {"permessage-deflate; client_max_window_bits=", "malformed"},
      {"\"permessage-deflate\"", "malformed"},
  };
  for (const auto& [header, why] : cases) {
    auto r = parse_deflate_response(header);
    ASSERT_TRUE(r.has_error()) << header;
    EXPECT_NE(r.error().find(why), std::string::npos) << header << ": " << r.error();
  }
}

}  // namespace
}  // namespace wsload::agent::ws
