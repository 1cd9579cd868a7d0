// wsload-delay-proxy: a TCP proxy that holds every byte for a fixed delay in each direction.
// The kernel of the test machines has no netem, so the system lab adds latency with this.
//
//   wsload-delay-proxy --listen HOST:PORT --upstream HOST:PORT --delay-ms D
//
// Contract: a byte read from one side at instant t is written to the other side no earlier than
// t + D (and as soon after as the timer and the peer allow); order is kept; end of stream is
// forwarded after the bytes before it; an error on either side closes both. Reading pauses while
// more than kMaxQueued bytes wait in one direction. Prints `listening on HOST:PORT` when ready.
#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

constexpr std::size_t kChunk = 16 * 1024;
constexpr std::size_t kMaxQueued = 4 * 1024 * 1024;

struct Chunk {
  Clock::time_point due;
  std::vector<char> bytes;  // empty = end of stream
};

class Link;

// One direction: reads `from`, delays, writes `to`.
class Pipe {
 public:
  Pipe(Link& link, tcp::socket& from, tcp::socket& to, Clock::duration delay)
      : link_(link), from_(from), to_(to), timer_(from.get_executor()), delay_(delay) {}

  void start() { read(); }
  void cancel() { timer_.cancel(); }

 private:
  void read();
  void on_read(error_code ec, std::size_t n);
  void pump();
  void on_write(error_code ec);

  Link& link_;
  tcp::socket& from_;
  tcp::socket& to_;
  net::steady_timer timer_;
  Clock::duration delay_;
  std::vector<char> buf_ = std::vector<char>(kChunk);
  std::deque<Chunk> queue_;
  std::size_t queued_ = 0;
  bool reading_ = false;
  bool writing_ = false;  // a write or the wait for the front chunk is pending
  bool eof_ = false;
};

class Link : public std::enable_shared_from_this<Link> {
 public:
  Link(tcp::socket client, Clock::duration delay)
      : client_(std::move(client)),
        upstream_(client_.get_executor()),
        up_(*this, client_, upstream_, delay),
        down_(*this, upstream_, client_, delay) {}

  void start(const tcp::endpoint& upstream) {
    upstream_.async_connect(upstream, [self = shared_from_this()](error_code ec) {
      if (ec) return self->close();
      error_code ignored;
      self->client_.set_option(tcp::no_delay(true), ignored);
      self->upstream_.set_option(tcp::no_delay(true), ignored);
      self->up_.start();
      self->down_.start();
    });
  }

  void close() {
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
    up_.cancel();
    down_.cancel();
  }

  std::shared_ptr<Link> keep() { return shared_from_this(); }

 private:
  tcp::socket client_;
  tcp::socket upstream_;
  Pipe up_;
  Pipe down_;
};

void Pipe::read() {
  if (reading_ || eof_ || queued_ > kMaxQueued) return;
  reading_ = true;
  from_.async_read_some(net::buffer(buf_), [this, self = link_.keep()](
                                               error_code ec, std::size_t n) { on_read(ec, n); });
}

void Pipe::on_read(error_code ec, std::size_t n) {
  reading_ = false;
  const auto due = Clock::now() + delay_;
  if (ec == net::error::eof) {
    eof_ = true;
    queue_.push_back(Chunk{due, {}});
  } else if (ec) {
    return link_.close();
  } else {
    queue_.push_back(
        Chunk{due, std::vector<char>(buf_.begin(), buf_.begin() + static_cast<long>(n))});
    queued_ += n;
  }
  pump();
  read();
}

void Pipe::pump() {
  if (writing_ || queue_.empty()) return;
  writing_ = true;
  timer_.expires_at(queue_.front().due);
  timer_.async_wait([this, self = link_.keep()](error_code ec) {
    if (ec) return;
    Chunk& front = queue_.front();
    if (front.bytes.empty()) {  // end of stream, after every byte before it
      error_code ignored;
      to_.shutdown(tcp::socket::shutdown_send, ignored);
      queue_.pop_front();
      writing_ = false;
      return;
    }
    net::async_write(to_, net::buffer(front.bytes),
                     [this, self](error_code wec, std::size_t) { on_write(wec); });
  });
}

void Pipe::on_write(error_code ec) {
  if (ec) return link_.close();
  queued_ -= queue_.front().bytes.size();
  queue_.pop_front();
  writing_ = false;
  pump();
  read();
}

tcp::endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("expected HOST:PORT, got '" + text + "'");
  return {net::ip::make_address(text.substr(0, colon)),
          static_cast<unsigned short>(std::stoul(text.substr(colon + 1)))};
}

void accept(tcp::acceptor& acceptor, const tcp::endpoint& upstream, Clock::duration delay) {
  acceptor.async_accept([&acceptor, upstream, delay](error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Link>(std::move(socket), delay)->start(upstream);
    accept(acceptor, upstream, delay);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen, upstream;
  double delay_ms = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--listen") {
      listen = argv[i + 1];
    } else if (flag == "--upstream") {
      upstream = argv[i + 1];
    } else if (flag == "--delay-ms") {
      delay_ms = std::atof(argv[i + 1]);
    }
  }
  if (listen.empty() || upstream.empty() || delay_ms < 0 || argc % 2 == 0) {
    std::fprintf(
        stderr, "usage: wsload-delay-proxy --listen HOST:PORT --upstream HOST:PORT --delay-ms D\n");
    return 2;
  }
  try {
    net::io_context ioc{1};
    tcp::endpoint up = parse_endpoint(upstream);
    tcp::acceptor acceptor(ioc, parse_endpoint(listen));
    auto delay = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double, std::milli>(delay_ms));
    accept(acceptor, up, delay);
    auto local = acceptor.local_endpoint();
    std::printf("listening on %s:%u\n", local.address().to_string().c_str(), local.port());
    std::fflush(stdout);
    ioc.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wsload-delay-proxy: %s\n", e.what());
    return 2;
  }
}
