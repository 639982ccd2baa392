// Watchers of /v1/stream: catch-up from the log on disk, {"caught_up":M}, live entries from the
// hub, and checkpoint messages. Memory per watcher is bounded: when its queue is full it is served
// from disk again until it catches up; a watcher whose write stalls past the lag timeout is closed
// with 4000 "lagging". Everything of one watcher runs on its connection's strand.
#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <unordered_set>

#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "ledger/merkle.h"
#include "server/internal/transport.h"

namespace pilotledger::server::internal {
namespace {

namespace websocket = beast::websocket;
using SteadyClock = std::chrono::steady_clock;

constexpr uint64_t kReplayPage = 256;

template <class Stream>
class FeedSession : public FeedSubscriber, public std::enable_shared_from_this<FeedSession<Stream>> {
 public:
  FeedSession(HttpServer::Impl& server, Stream&& stream, StreamRequest request)
      : server_(server),
        ws_(std::move(stream)),
        request_(std::move(request)),
        types_(request_.types.begin(), request_.types.end()),
        next_(request_.from),
        checkpoint_timer_(ws_.get_executor()),
        lag_timer_(ws_.get_executor()) {
    ++server_.connections;
  }
  ~FeedSession() override {
    server_.api.metrics().WatcherQueued(-static_cast<int64_t>(queue_.size()));
    --server_.connections;
  }

  void Start(http::request<http::string_body>&& upgrade) {
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = std::chrono::seconds(10);
    timeout.idle_timeout = server_.options.watcher_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.write_buffer_bytes(64 * 1024);
    ws_.async_accept(upgrade, beast::bind_front_handler(&FeedSession::OnAccept, this->shared_from_this()));
  }

  // Sequencer thread: hand the batch to this watcher's strand.
  void Push(std::shared_ptr<const FeedBatch> batch) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), b = std::move(batch)]() mutable { self->OnPush(std::move(b)); });
  }

 private:
  // An outgoing message: a frame's text (shared with other watchers) or a message of our own.
  struct Message {
    std::shared_ptr<const void> owner;
    const std::string* text;
  };

  const ledger::Log& log() const { return server_.api.service().log(); }
  bool Wanted(const std::string& type) const { return types_.empty() || types_.count(type); }
  const std::string& TextOf(const FeedFrame& f) const { return request_.reader.privileged() || f.is_public ? f.full : f.redacted; }

  void OnAccept(beast::error_code ec) {
    if (ec) return Fail(ec, "WebSocket accept");
    if (!server_.hub.Subscribe(this->shared_from_this(), server_.options.max_watchers)) {
      return CloseWith(websocket::close_code::try_again_later, "too many watchers");
    }
    // Everything committed before this point reaches us from disk, everything after from the hub.
    subscribed_size_ = log().size();
    replaying_ = true;
    ReadFromDisk();
    ArmCheckpointTimer();
    ws_.async_read(read_buffer_, beast::bind_front_handler(&FeedSession::OnRead, this->shared_from_this()));
  }

  // Watchers send nothing; reading keeps pings answered and notices the close.
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      closed_ = true;
      lag_timer_.cancel();
      checkpoint_timer_.cancel();
      return Fail(ec, "WebSocket read");
    }
    read_buffer_.clear();
    ws_.async_read(read_buffer_, beast::bind_front_handler(&FeedSession::OnRead, this->shared_from_this()));
  }

  // Catch-up (and recovery after falling behind): pages from the log until we pass everything the
  // hub has pushed, then live.
  void ReadFromDisk() {
    if (closed_ || !replaying_ || ReaderRevoked()) return;
    const size_t room = server_.options.watcher_queue > queue_.size() ? server_.options.watcher_queue - queue_.size() : 0;
    if (room == 0) return;  // OnWrite resumes the replay as the queue drains
    Result<std::vector<std::string>> leaves = log().ReadLeaves(next_, std::min<uint64_t>(kReplayPage, room));
    if (!leaves.ok()) {
      std::cerr << "pilotledgerd: watcher replay: " << leaves.status().ToString() << "\n";
      return CloseWith(websocket::close_code::internal_error, "cannot read the log");
    }
    for (const std::string& leaf : *leaves) {
      auto frame = std::make_shared<FeedFrame>(MakeFeedFrame(next_, leaf, merkle::HashLeaf(leaf)));
      if (Wanted(frame->type)) Queue({frame, &TextOf(*frame)});
      ++next_;
    }
    if (next_ >= subscribed_size_ && (!pushed_any_ || next_ > newest_pushed_)) {
      // Everything committed before we subscribed, and everything pushed since, is behind us: the
      // hub's next batches continue exactly at next_.
      replaying_ = false;
      if (!caught_up_sent_) {
        caught_up_sent_ = true;
        Enqueue("{\"caught_up\":" + std::to_string(next_) + "}");
      }
    } else {
      net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->ReadFromDisk(); });
    }
    DoWrite();
  }

  // An authenticated reader stays one only while its actor is active: a revoked auditor's stream
  // ends (4001) instead of going on in full.
  bool ReaderRevoked() {
    if (request_.reader.actor.empty() || server_.api.service().FindActiveActor(request_.reader.actor)) return false;
    CloseWith(websocket::close_reason(static_cast<websocket::close_code>(4001), "reader revoked"), "reader revoked");
    return true;
  }

  void OnPush(std::shared_ptr<const FeedBatch> batch) {
    if (closed_ || batch->empty() || ReaderRevoked()) return;
    pushed_any_ = true;
    newest_pushed_ = std::max(newest_pushed_, batch->back()->seq);
    if (replaying_) return;  // the disk read covers these
    for (const std::shared_ptr<const FeedFrame>& frame : *batch) {
      const FeedFrame& f = *frame;
      if (f.seq < next_) continue;
      if (f.seq > next_ || queue_.size() >= server_.options.watcher_queue) {
        // Fell behind (or a gap): bound the memory and continue from disk at next_.
        replaying_ = true;
        return;
      }
      if (Wanted(f.type)) Queue({frame, &TextOf(f)});
      ++next_;
    }
    DoWrite();
  }

  void Queue(Message m) {
    queue_.push_back(std::move(m));
    server_.api.metrics().WatcherQueued(1);
  }
  void Dequeue(size_t n) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    server_.api.metrics().WatcherQueued(-static_cast<int64_t>(n));
  }

  void Enqueue(std::string text) {
    auto owned = std::make_shared<const std::string>(std::move(text));
    Queue({owned, owned.get()});
    DoWrite();
  }

  void DoWrite() {
    if (writing_ || queue_.empty() || closed_) return;
    writing_ = true;
    lag_timer_.expires_after(server_.options.watcher_lag_timeout);
    lag_timer_.async_wait([self = this->shared_from_this(), write = ++writes_](beast::error_code ec) { self->OnLagTimeout(ec, write); });
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front().text), beast::bind_front_handler(&FeedSession::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    writing_ = false;
    lag_timer_.cancel();
    if (ec) {
      closed_ = true;
      checkpoint_timer_.cancel();
      return Fail(ec, "WebSocket write");
    }
    Dequeue(1);
    if (lagging_) return;
    if (replaying_ && queue_.size() <= server_.options.watcher_queue / 2) ReadFromDisk();
    DoWrite();
  }

  // The write has not completed for watcher_lag_timeout: the watcher stopped reading. Drop what is
  // queued and close with 4000; if even the close cannot go out, drop the connection.
  // `write` is the write the timer was armed for: a timer of a finished write never counts.
  void OnLagTimeout(beast::error_code ec, uint64_t write) {
    if (ec || !writing_ || closed_ || write != writes_) return;
    lagging_ = true;
    server_.api.metrics().LaggingClose();
    if (queue_.size() > 1) {
      const Message in_flight = queue_.front();
      Dequeue(queue_.size());
      Queue(in_flight);
    }
    CloseWith(websocket::close_reason(static_cast<websocket::close_code>(4000), "lagging"), "lagging");
    // The close frame waits behind the stalled write: a watcher that reads again within the grace
    // period still gets it; one that never does is dropped.
    lag_timer_.expires_after(std::clamp(4 * server_.options.watcher_lag_timeout, std::chrono::milliseconds(5'000),
                                        std::chrono::milliseconds(120'000)));
    lag_timer_.async_wait([self = this->shared_from_this()](beast::error_code e) {
      if (e) return;
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

  void ArmCheckpointTimer() {
    checkpoint_timer_.expires_after(server_.options.checkpoint_interval);
    checkpoint_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      self->MaybeSendCheckpoint();
      self->ArmCheckpointTimer();
    });
  }

  // A checkpoint whenever a newer one exists, and at least every 5 s (also when idle).
  void MaybeSendCheckpoint() {
    if (lagging_) return;
    auto checkpoint = log().signed_checkpoint();
    const auto now = SteadyClock::now();
    if (checkpoint == last_checkpoint_ && now - last_checkpoint_time_ < std::chrono::seconds(4)) return;
    last_checkpoint_ = checkpoint;
    last_checkpoint_time_ = now;
    Enqueue(WriteCanonical(Json{{"checkpoint", *checkpoint}}));
  }

  void CloseWith(websocket::close_reason reason, const char* why) {
    if (closing_) return;
    closing_ = true;
    closed_ = true;
    checkpoint_timer_.cancel();
    ws_.async_close(reason, [self = this->shared_from_this(), why](beast::error_code ec) {
      if (ec && !NormalEnd(ec)) std::cerr << "pilotledgerd: closing a watcher (" << why << "): " << ec.message() << "\n";
    });
  }

  void Fail(beast::error_code ec, const char* what) {
    if (!NormalEnd(ec)) std::cerr << "pilotledgerd: " << what << ": " << ec.message() << "\n";
  }

  HttpServer::Impl& server_;
  websocket::stream<Stream> ws_;
  const StreamRequest request_;
  const std::unordered_set<std::string> types_;
  uint64_t next_;                 // the next seq this watcher gets (or skips, if filtered)
  uint64_t subscribed_size_ = 0;  // the log's size when we subscribed to the hub
  uint64_t newest_pushed_ = 0;    // the highest seq the hub has pushed
  bool pushed_any_ = false;
  bool replaying_ = false;        // serving from disk; live pushes are ignored meanwhile
  bool caught_up_sent_ = false;
  bool writing_ = false, closing_ = false, closed_ = false, lagging_ = false;
  uint64_t writes_ = 0;  // writes started, to tell the lag timer's write
  std::deque<Message> queue_;
  beast::flat_buffer read_buffer_;
  net::steady_timer checkpoint_timer_, lag_timer_;
  std::shared_ptr<const std::string> last_checkpoint_;
  SteadyClock::time_point last_checkpoint_time_{};
};

}  // namespace

template <class Stream>
void StartFeedSession(HttpServer::Impl& server, Stream&& stream, http::request<http::string_body>&& upgrade,
                      StreamRequest request) {
  std::make_shared<FeedSession<Stream>>(server, std::move(stream), std::move(request))->Start(std::move(upgrade));
}

template void StartFeedSession<PlainStream>(HttpServer::Impl&, PlainStream&&, http::request<http::string_body>&&, StreamRequest);
template void StartFeedSession<TlsStream>(HttpServer::Impl&, TlsStream&&, http::request<http::string_body>&&, StreamRequest);

}  // namespace pilotledger::server::internal
