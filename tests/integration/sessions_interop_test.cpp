// Format-v2 sessions against a server no wsload code wrote (issue 13 "Done when"): a
// subscribe-first python3-websockets server, defined below, records every connection, and `wsload
// run` with 3 local agents runs tests/data/scenarios/v2/sessions_interop.yaml against it. From the
// server's record: every listener subscribes before its first ping and unsubscribes last, every
// publisher uses its own path, each connection presents its data row's token; all counts equal the
// report's.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "agent_test_support.hpp"
#include "sessions_plan_oracle.hpp"

namespace wsload::test {
namespace {

// Listens on 127.0.0.1 (a port of its own choosing, printed as "listening on 127.0.0.1:PORT").
// Per connection it records the request path with its query, the bearer token, every message's
// type in order (plus conn, sub and whether a ping came before the subscribe), and the close code.
// Replies: subscribe -> subscribed with a subscription "sub-K" of its own, ping -> pong, publish
// -> published, unsubscribe -> unsubscribed, each with the request's id; chat gets no reply. A ping
// before the subscribe is not answered (the client would see a timeout). On SIGTERM, or after
// 120 s at the latest, it waits up to 2 s for open handlers, writes the record to argv[1] as JSON
// and exits.
constexpr const char* kServer = R"PY(
import asyncio, itertools, json, signal, sys
import websockets

out_path = sys.argv[1]
records = []
subscriptions = itertools.count(1)
open_handlers = 0

async def handler(ws, path=None):
    global open_handlers
    open_handlers += 1
    auth = ws.request_headers.get('Authorization', '')
    rec = {'path': ws.path, 'token': auth[len('Bearer '):] if auth.startswith('Bearer ') else None,
           'types': [], 'conns': [], 'subs': [], 'given_sub': None, 'unanswered_pings': 0,
           'close_code': None}
    records.append(rec)
    try:
        async for text in ws:
            msg = json.loads(text)
            kind = msg.get('type')
            rec['types'].append(kind)
            if 'conn' in msg:
                rec['conns'].append(msg['conn'])
            if 'sub' in msg:
                rec['subs'].append(msg['sub'])
            reply = None
            if kind == 'subscribe':
                rec['given_sub'] = 'sub-%d' % next(subscriptions)
                reply = {'type': 'subscribed', 'channel': msg.get('channel'), 'id': msg['id'],
                         'subscription': rec['given_sub']}
            elif kind == 'ping':
                if ws.path.startswith('/listen') and rec['given_sub'] is None:
                    rec['unanswered_pings'] += 1
                else:
                    reply = {'type': 'pong', 'id': msg['id']}
            elif kind == 'publish':
                reply = {'type': 'published', 'id': msg['id']}
            elif kind == 'unsubscribe':
                reply = {'type': 'unsubscribed', 'id': msg['id']}
            if reply is not None:
                await ws.send(json.dumps(reply))
    except websockets.ConnectionClosed:
        pass
    finally:
        rec['close_code'] = ws.close_code
        open_handlers -= 1

async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with websockets.serve(handler, '127.0.0.1', 0, compression=None, ping_interval=None) as server:
        print('listening on 127.0.0.1:%d' % server.sockets[0].getsockname()[1], flush=True)
        try:
            await asyncio.wait_for(stop, 120)
        except asyncio.TimeoutError:
            pass
        for _ in range(200):
            if open_handlers == 0:
                break
            await asyncio.sleep(0.01)
    with open(out_path, 'w') as f:
        json.dump(records, f)

asyncio.run(main())
)PY";

constexpr uint64_t kConnections = 37;

struct Connection {
  std::string path;
  std::string token;
  std::vector<std::string> types;
  int64_t conn = -1;  // the global connection id its messages carry; -1 when they disagree
  std::set<std::string> subs_used;
  std::string given_sub;
  int64_t unanswered_pings = 0;
  int64_t close_code = 0;
};

std::vector<Connection> read_record(const std::string& path) {
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  std::vector<Connection> out;
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    Connection c;
    c.path = r["path"];
    c.token = r["token"].is_string() ? r["token"].get<std::string>() : "";
    for (const auto& t : r["types"]) c.types.push_back(t.is_string() ? t.get<std::string>() : "");
    const std::set<int64_t> conns(r["conns"].begin(), r["conns"].end());
    if (conns.size() == 1) c.conn = *conns.begin();
    for (const auto& s : r["subs"]) c.subs_used.insert(s.get<std::string>());
    if (r["given_sub"].is_string()) c.given_sub = r["given_sub"];
    c.unanswered_pings = r["unanswered_pings"];
    if (r["close_code"].is_number()) c.close_code = r["close_code"];
    out.push_back(std::move(c));
  }
  return out;
}

int64_t count_of(const std::vector<std::string>& types, const std::string& type) {
  return std::count(types.begin(), types.end(), type);
}

uint64_t u64(const nlohmann::json& j) { return j.get<uint64_t>(); }

TEST(SessionsInterop, SubscribeFirstPythonServerSeesEverySessionInOrderWithItsRowsToken) {
  TempDir dir;
  const std::string record_path = dir.file("server-record.json");
  ProcessOptions server_options;
  server_options.capture_stderr = true;
  EchoServer server({"/usr/bin/python3", "-c", kServer, record_path}, server_options);
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string base = server.url();  // ws://127.0.0.1:PORT/

  ProcessOptions options;
  options.env = {{"LISTEN_URL", base + "listen"}, {"PUBLISH_URL", base + "publish?role=publisher"}};
  auto r = run_wsload({"run", v2_scenario("sessions_interop.yaml"), "--local-agents", "3", "--json",
                       dir.file("report.json"), "--live-interval", "1s"},
                      dir.file("report.json"), std::chrono::seconds(60), options);
  // SIGTERM: the server writes its record and exits 0.
  EXPECT_EQ(server.process().terminate(), 0) << server.process().output();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  const auto connections = read_record(record_path);
  ASSERT_EQ(connections.size(), kConnections) << server.process().output();

  const auto rows = read_users_csv();
  ASSERT_EQ(rows.size(), 25u);
  const auto counts = largest_remainder(kConnections, {3, 1});
  const auto group_of = interleave(counts);

  std::set<int64_t> seen_ids;
  std::set<std::string> tokens;
  std::set<std::string> given_subs;
  int64_t subscribes = 0, unsubscribes = 0, pings = 0, chats = 0, publishes = 0;
  for (const auto& c : connections) {
    ASSERT_GE(c.conn, 0) << c.path;  // every message of a connection carries the same id
    ASSERT_LT(c.conn, static_cast<int64_t>(kConnections));
    EXPECT_TRUE(seen_ids.insert(c.conn).second) << "connection id twice: " << c.conn;
    const auto& row = rows[static_cast<size_t>(c.conn) % rows.size()];
    // The data row of the global connection id: its token, one per data row.
    EXPECT_EQ(c.token, row.token) << "conn " << c.conn;
    tokens.insert(c.token);
    EXPECT_EQ(c.close_code, 1000) << "conn " << c.conn;
    ASSERT_FALSE(c.types.empty()) << "conn " << c.conn;
    if (group_of[static_cast<size_t>(c.conn)] == 0) {
      EXPECT_EQ(c.path, "/listen?user=" + row.name) << "conn " << c.conn;
      // Subscribe first (so before the first ping), exactly once; unsubscribe last, once.
      EXPECT_EQ(c.types.front(), "subscribe") << "conn " << c.conn;
      EXPECT_EQ(c.types.back(), "unsubscribe") << "conn " << c.conn;
      EXPECT_EQ(count_of(c.types, "subscribe"), 1) << "conn " << c.conn;
      EXPECT_EQ(count_of(c.types, "unsubscribe"), 1) << "conn " << c.conn;
      EXPECT_EQ(c.unanswered_pings, 0) << "conn " << c.conn;
      EXPECT_GT(count_of(c.types, "ping"), 0) << "conn " << c.conn;
      // {{var.sub}} is the subscription this server gave this connection.
      EXPECT_FALSE(c.given_sub.empty());
      EXPECT_EQ(c.subs_used, std::set<std::string>{c.given_sub}) << "conn " << c.conn;
      given_subs.insert(c.given_sub);
    } else {
      EXPECT_EQ(c.path, "/publish?role=publisher") << "conn " << c.conn;
      EXPECT_EQ(count_of(c.types, "publish"), static_cast<int64_t>(c.types.size()))
          << "conn " << c.conn;
    }
    subscribes += count_of(c.types, "subscribe");
    unsubscribes += count_of(c.types, "unsubscribe");
    pings += count_of(c.types, "ping");
    chats += count_of(c.types, "chat");
    publishes += count_of(c.types, "publish");
  }
  EXPECT_EQ(seen_ids.size(), kConnections);
  EXPECT_EQ(tokens.size(), rows.size());  // 37 connections use all 25 rows
  EXPECT_EQ(given_subs.size(), counts[0]);

  // The server's counts are the report's.
  EXPECT_EQ(j["groups"]["listeners"]["connections"]["established"], counts[0]);
  EXPECT_EQ(j["groups"]["publishers"]["connections"]["established"], counts[1]);
  EXPECT_EQ(subscribes, static_cast<int64_t>(counts[0]));
  EXPECT_EQ(unsubscribes, static_cast<int64_t>(counts[0]));
  EXPECT_EQ(j["steps"]["subscribe"]["ok"], subscribes);
  EXPECT_EQ(j["steps"]["unsubscribe"]["ok"], unsubscribes);
  EXPECT_EQ(j["sessions"]["failed"], 0);
  const auto& streams = j["streams"];
  EXPECT_EQ(streams["ping"]["sent"], pings);
  EXPECT_EQ(streams["ping"]["replies"], pings);
  EXPECT_EQ(streams["chat"]["sent"], chats);
  EXPECT_EQ(streams["publish"]["sent"], publishes);
  EXPECT_EQ(streams["publish"]["replies"], publishes);
  EXPECT_EQ(u64(j["messages"]["sent"]), static_cast<uint64_t>(pings + chats + publishes));
  EXPECT_EQ(j["messages"]["timeouts"], 0);
  EXPECT_EQ(j["messages"]["unmatched"], 0);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  // Hold of 2 s: every listener pinged every 300 ms, every publisher published every 200 ms.
  EXPECT_GE(pings, static_cast<int64_t>(counts[0] * (2000 / 300)));
  EXPECT_GE(publishes, static_cast<int64_t>(counts[1] * (2000 / 200)));
}

}  // namespace
}  // namespace wsload::test
