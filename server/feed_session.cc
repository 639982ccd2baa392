// Watchers of /v1/stream: catch-up from the log on disk, {"caught_up":M}, live entries from the
// hub, and checkpoint messages. Memory per watcher is bounded: when its queue is full it is served
// from disk again until it catches up; a watcher whose write stalls past the lag timeout is closed
// with 4000 "lagging". Everything of one watcher runs on its connection's strand, except the
// reads of the log on disk, which run on the server's disk-read pool and post their page back.
//
// A watcher is in one phase at a time, changed only by FeedSession::Enter:
//
//   replaying --(passed everything the hub pushed)--> live --(queue full or a gap)--> replaying
//   replaying, live --(a write stalls past the lag timeout: 4000)--> lagging
//   replaying, live, lagging --(error, revoked reader 4001, refused or failed replay)--> closed
#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <optional>
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
    server_.api->metrics().WatcherQueued(-static_cast<int64_t>(queue_.size()));
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
  enum class Phase {
    kReplaying,  // serving from the log on disk; the hub's pushes are only noted
    kLive,       // serving the hub's pushes
    kLagging,    // a write stalled: 4000 is on its way behind it, nothing else is sent
    kClosed,     // closing or closed: nothing more is sent
  };
  // The close frame that goes with entering a phase.
  struct Close {
    websocket::close_reason reason;
    const char* why;
  };

  // An outgoing message: a frame's text (shared with other watchers) or a message of our own.
  struct Message {
    std::shared_ptr<const void> owner;
    const std::string* text;
  };

  const ledger::Log& log() const { return server_.api->service().log(); }
  // Key rotations go to every watcher, whatever it asked for, so that it can follow the key.
  bool Wanted(const std::string& type) const { return types_.empty() || types_.count(type) || type == kKeyRotatedType; }
  const std::string& TextOf(const FeedFrame& f) const { return request_.reader.privileged() || f.is_public ? f.full : f.redacted; }
  // Lagging or closed: nothing more goes out but the close frame already sent.
  bool Ended() const { return phase_ == Phase::kLagging || phase_ == Phase::kClosed; }

  // Every change of phase, with what it entails. Leaving `closed` is impossible, and `lagging`
  // only ends in `closed`; other requests are ignored.
  void Enter(Phase to, std::optional<Close> close = std::nullopt) {
    const Phase from = phase_;
    if (from == to || from == Phase::kClosed || (from == Phase::kLagging && to != Phase::kClosed)) return;
    phase_ = to;
    switch (to) {
      case Phase::kReplaying:  // fell behind: continue from disk at next_
        ReadFromDisk();
        break;
      case Phase::kLive:
        // Everything committed before we subscribed, and everything pushed since, is behind us:
        // the hub's next batches continue exactly at next_.
        if (!caught_up_sent_) {
          caught_up_sent_ = true;
          Enqueue("{\"caught_up\":" + std::to_string(next_) + "}");
        }
        break;
      case Phase::kLagging:
        // Drop what is queued and close with 4000; if even the close cannot go out, drop the
        // connection.
        server_.api->metrics().LaggingClose();
        if (queue_.size() > 1) {
          const Message in_flight = queue_.front();
          Dequeue(queue_.size());
          Queue(in_flight);
        }
        checkpoint_timer_.cancel();
        SendClose({websocket::close_reason(static_cast<websocket::close_code>(4000), "lagging"), "lagging"});
        // The close frame waits behind the stalled write: a watcher that reads again within the
        // grace period still gets it; one that never does is dropped.
        lag_timer_.expires_after(std::clamp(4 * server_.options.watcher_lag_timeout, std::chrono::milliseconds(5'000),
                                            std::chrono::milliseconds(120'000)));
        lag_timer_.async_wait([self = this->shared_from_this()](beast::error_code e) {
          if (e) return;
          beast::error_code ignored;
          beast::get_lowest_layer(self->ws_).socket().close(ignored);
        });
        break;
      case Phase::kClosed:
        checkpoint_timer_.cancel();
        lag_timer_.cancel();
        if (close && from != Phase::kLagging) SendClose(*close);
        break;
    }
  }

  void OnAccept(beast::error_code ec) {
    if (ec) {
      Enter(Phase::kClosed);
      return Fail(ec, "WebSocket accept");
    }
    if (!server_.hub->Subscribe(this->shared_from_this(), server_.options.max_watchers)) {
      return Enter(Phase::kClosed, Close{websocket::close_code::try_again_later, "too many watchers"});
    }
    // Everything committed before this point reaches us from disk, everything after from the hub.
    subscribed_size_ = log().size();
    ReadFromDisk();  // the first phase is replaying
    ArmCheckpointTimer();
    ws_.async_read(read_buffer_, beast::bind_front_handler(&FeedSession::OnRead, this->shared_from_this()));
  }

  // Watchers send nothing; reading keeps pings answered and notices the close.
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec) {
      Enter(Phase::kClosed);
      return Fail(ec, "WebSocket read");
    }
    read_buffer_.clear();
    ws_.async_read(read_buffer_, beast::bind_front_handler(&FeedSession::OnRead, this->shared_from_this()));
  }

  // Catch-up (and recovery after falling behind): pages from the log until we pass everything the
  // hub has pushed, then live. The page is read (and its frames built) on the disk-read pool and
  // handed back to the strand in OnDiskPage; one read at a time.
  void ReadFromDisk() {
    if (phase_ != Phase::kReplaying || reading_ || ReaderRevoked()) return;
    const size_t room = server_.options.watcher_queue > queue_.size() ? server_.options.watcher_queue - queue_.size() : 0;
    if (room == 0) return;  // OnWrite resumes the replay as the queue drains
    reading_ = true;
    const uint64_t from = next_, count = std::min<uint64_t>(kReplayPage, room);
    net::post(server_.disk_reads, [self = this->shared_from_this(), strand = ws_.get_executor(), from, count] {
      Result<FeedBatch> page = self->ReadPage(from, count);
      net::post(strand, [self, page = std::move(page)]() mutable { self->OnDiskPage(std::move(page)); });
    });
  }

  // The disk-read pool: up to `count` entries from `from`, as frames.
  Result<FeedBatch> ReadPage(uint64_t from, uint64_t count) const {
    PL_ASSIGN_OR_RETURN(const std::vector<std::string> leaves, log().ReadLeaves(from, count));
    FeedBatch page;
    page.reserve(leaves.size());
    for (size_t i = 0; i < leaves.size(); ++i) {
      page.push_back(std::make_shared<const FeedFrame>(MakeFeedFrame(from + i, leaves[i], merkle::HashLeaf(leaves[i]))));
    }
    return page;
  }

  // The strand again, with the page read from next_.
  void OnDiskPage(Result<FeedBatch> page) {
    reading_ = false;
    if (phase_ != Phase::kReplaying) return;  // lagging or closed meanwhile
    if (!page.ok()) {
      std::cerr << "pilotledgerd: watcher replay: " << page.status().ToString() << "\n";
      return Enter(Phase::kClosed, Close{websocket::close_code::internal_error, "cannot read the log"});
    }
    for (const std::shared_ptr<const FeedFrame>& frame : *page) {
      if (Wanted(frame->type)) Queue({frame, &TextOf(*frame)});
      ++next_;
    }
    if (next_ >= subscribed_size_ && (!newest_pushed_ || next_ > *newest_pushed_)) {
      Enter(Phase::kLive);
    } else {
      net::post(ws_.get_executor(), [self = this->shared_from_this()] { self->ReadFromDisk(); });
    }
    DoWrite();
  }

  // An authenticated reader stays one only while its actor is active: a revoked auditor's stream
  // ends (4001) instead of going on in full.
  bool ReaderRevoked() {
    if (request_.reader.actor.empty() || server_.api->service().FindActiveActor(request_.reader.actor)) return false;
    Enter(Phase::kClosed, Close{websocket::close_reason(static_cast<websocket::close_code>(4001), "reader revoked"),
                                "reader revoked"});
    return true;
  }

  void OnPush(std::shared_ptr<const FeedBatch> batch) {
    if (Ended() || batch->empty() || ReaderRevoked()) return;
    newest_pushed_ = std::max(newest_pushed_.value_or(0), batch->back()->seq);
    if (phase_ == Phase::kReplaying) return;  // the disk read covers these
    for (const std::shared_ptr<const FeedFrame>& frame : *batch) {
      const FeedFrame& f = *frame;
      if (f.seq < next_) continue;
      if (f.seq > next_ || queue_.size() >= server_.options.watcher_queue) {
        // Fell behind (or a gap): bound the memory and continue from disk at next_.
        Enter(Phase::kReplaying);
        break;
      }
      if (Wanted(f.type)) Queue({frame, &TextOf(f)});
      ++next_;
    }
    DoWrite();
  }

  void Queue(Message m) {
    queue_.push_back(std::move(m));
    server_.api->metrics().WatcherQueued(1);
  }
  void Dequeue(size_t n) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    server_.api->metrics().WatcherQueued(-static_cast<int64_t>(n));
  }

  void Enqueue(std::string text) {
    auto owned = std::make_shared<const std::string>(std::move(text));
    Queue({owned, owned.get()});
    DoWrite();
  }

  void DoWrite() {
    if (writing_ || queue_.empty() || Ended()) return;
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
      Enter(Phase::kClosed);
      return Fail(ec, "WebSocket write");
    }
    Dequeue(1);
    if (Ended()) return;
    if (phase_ == Phase::kReplaying && queue_.size() <= server_.options.watcher_queue / 2) ReadFromDisk();
    DoWrite();
  }

  // The write has not completed for watcher_lag_timeout: the watcher stopped reading.
  // `write` is the write the timer was armed for: a timer of a finished write never counts.
  void OnLagTimeout(beast::error_code ec, uint64_t write) {
    if (ec || !writing_ || Ended() || write != writes_) return;
    Enter(Phase::kLagging);
  }

  void ArmCheckpointTimer() {
    checkpoint_timer_.expires_after(server_.options.checkpoint_interval);
    checkpoint_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->Ended()) return;
      self->MaybeSendCheckpoint();
      self->ArmCheckpointTimer();
    });
  }

  // A checkpoint whenever a newer one exists, and at least every 5 s (also when idle).
  void MaybeSendCheckpoint() {
    auto checkpoint = server_.api->service().PublishedCheckpoint();
    const auto now = SteadyClock::now();
    if (checkpoint == last_checkpoint_ && now - last_checkpoint_time_ < std::chrono::seconds(4)) return;
    last_checkpoint_ = checkpoint;
    last_checkpoint_time_ = now;
    Enqueue(WriteCanonical(Json{{"checkpoint", *checkpoint}}));
  }

  // Only Enter sends a close frame, and at most once: on entering lagging, or closed from a phase
  // that is not lagging.
  void SendClose(const Close& close) {
    ws_.async_close(close.reason, [self = this->shared_from_this(), why = close.why](beast::error_code ec) {
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
  Phase phase_ = Phase::kReplaying;
  uint64_t next_;                          // the next seq this watcher gets (or skips, if filtered)
  uint64_t subscribed_size_ = 0;           // the log's size when we subscribed to the hub
  std::optional<uint64_t> newest_pushed_;  // the highest seq the hub has pushed, once it has
  bool caught_up_sent_ = false;            // {"caught_up":M} goes out once, on first going live
  bool reading_ = false;                   // a disk page is being read for us
  bool writing_ = false;                   // a write is in flight
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
