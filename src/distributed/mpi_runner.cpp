#include "distributed/mpi_runner.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace xpusim::distributed {
namespace {

// Message tags. A worker asks (kRequest), is given a batch (kAssign) or told to stop (kStop);
// when done it announces the result (kHeader) and sends the records (kData) only if the
// coordinator still wants them (kWant; kSkip when another rank's copy came back first), so a
// large message is only ever sent to a coordinator that is waiting for it.
enum Tag : int { kRequest = 1, kAssign, kStop, kHeader, kWant, kSkip, kData };

// Header: batch id, begin, end, ok (1/0), then the error text when not ok.
struct Header {
  std::uint64_t id = 0, begin = 0, end = 0, ok = 1;
};

std::vector<char> encode_header(const Header& h, const std::string& error) {
  std::vector<char> buf(sizeof(Header) + error.size());
  std::memcpy(buf.data(), &h, sizeof(Header));
  std::memcpy(buf.data() + sizeof(Header), error.data(), error.size());
  return buf;
}

std::vector<char> receive_bytes(int source, int tag, MPI_Status* status_out = nullptr) {
  MPI_Status st;
  MPI_Probe(source, tag, MPI_COMM_WORLD, &st);
  int count = 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  std::vector<char> buf(static_cast<std::size_t>(count));
  MPI_Recv(buf.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st);
  if (status_out) *status_out = st;
  return buf;
}

void send_bytes(const std::vector<char>& buf, int dest, int tag) {
  MPI_Send(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

std::vector<char> encode_records(const std::vector<report::Record>& records) {
  // CBOR keeps every double bit for bit and the keys in order, so rank 0 writes what it would
  // have computed itself.
  const auto bytes = report::Record::to_cbor(report::Record(records));
  return std::vector<char>(bytes.begin(), bytes.end());
}

std::vector<report::Record> decode_records(const std::vector<char>& buf) {
  const auto doc = report::Record::from_cbor(std::vector<std::uint8_t>(buf.begin(), buf.end()));
  return doc.get<std::vector<report::Record>>();
}

// Test hook for the failure path: XPUSIM_MPI_KILL=R:N makes rank R die (SIGKILL) when it is
// handed its (N+1)-th batch, as a node lost mid-run would.
bool should_die(int rank, std::size_t batches_taken) {
  const char* spec = std::getenv("XPUSIM_MPI_KILL");
  if (spec == nullptr) return false;
  int r = -1;
  unsigned long n = 0;
  if (std::sscanf(spec, "%d:%lu", &r, &n) != 2) return false;
  return r == rank && batches_taken == n;
}

void worker_loop(const MpiSession& mpi, const MpiJob& job) {
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kRequest, MPI_COMM_WORLD);
  std::size_t taken = 0;
  for (;;) {
    MPI_Status st;
    std::uint64_t assign[3] = {0, 0, 0};
    MPI_Recv(assign, 3, MPI_UINT64_T, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    if (st.MPI_TAG == kStop) return;
    if (should_die(mpi.rank(), taken)) std::raise(SIGKILL);
    ++taken;
    Header h{assign[0], assign[1], assign[2], 1};
    std::vector<report::Record> records;
    std::string error;
    try {
      records = job.evaluate(h.begin, h.end);
    } catch (const std::exception& e) {
      h.ok = 0;
      error = e.what();
    }
    send_bytes(encode_header(h, error), 0, kHeader);
    MPI_Recv(nullptr, 0, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    if (st.MPI_TAG == kStop) return;
    if (st.MPI_TAG == kWant) send_bytes(encode_records(records), 0, kData);
    // kSkip: the coordinator marks this rank as asking again; the next message is kAssign or kStop.
  }
}

// Rank 0's own worker: a thread that evaluates what the coordinator hands it (no MPI calls).
class LocalWorker {
 public:
  struct Done {
    Batch batch;
    std::vector<report::Record> records;
    std::optional<std::string> error;
  };
  explicit LocalWorker(const MpiJob& job) : job_(job), thread_([this] { loop(); }) {}
  ~LocalWorker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool idle() {
    std::lock_guard lock(mutex_);
    return !task_ && !busy_;
  }
  void give(const Batch& b) {
    {
      std::lock_guard lock(mutex_);
      task_ = b;
    }
    cv_.notify_all();
  }
  std::deque<Done> take_done() {
    std::lock_guard lock(mutex_);
    return std::exchange(done_, {});
  }

 private:
  void loop() {
    for (;;) {
      Batch b;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stop_ || task_; });
        if (stop_) return;
        b = *task_;
        task_.reset();
        busy_ = true;
      }
      Done d{b, {}, std::nullopt};
      try {
        d.records = job_.evaluate(b.begin, b.end);
      } catch (const std::exception& e) {
        d.error = e.what();
      }
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(d));
      busy_ = false;
    }
  }

  const MpiJob& job_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Batch> task_;
  bool busy_ = false, stop_ = false;
  std::deque<Done> done_;
  std::thread thread_;
};

// The least time a rank that holds a batch is waited for at the end before it is taken for dead.
constexpr double kSilentS = 5.0;

MpiSummary coordinate(const MpiSession& mpi, const MpiJob& job,
                      const std::function<void(std::size_t, const report::Record&)>& emit,
                      const core::ProgressFn& progress) {
  BatchLedger ledger(job.points, job.batch_size);
  MpiSummary summary;
  summary.ranks = mpi.size();
  std::vector<bool> waiting(static_cast<std::size_t>(mpi.size()), false);
  // When each rank was handed its batch, for the longest batch time seen.
  std::vector<std::chrono::steady_clock::time_point> handed(static_cast<std::size_t>(mpi.size()));
  double longest_batch_s = 0;
  {
    LocalWorker local(job);
    while (!ledger.finished()) {
      bool moved = false;
      for (auto& d : local.take_done()) {
        moved = true;
        if (d.error) {
          ledger.fail(d.batch, 0, *d.error);
        } else if (ledger.complete(d.batch, 0, std::move(d.records))) {
          ++summary.batches_by_rank[0];
        }
      }
      if (local.idle() && !ledger.finished()) {
        if (auto b = ledger.assign(0)) {
          local.give(*b);
          moved = true;
        }
      }
      int flag = 0;
      MPI_Status st;
      while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), flag) {
        moved = true;
        const int src = st.MPI_SOURCE;
        if (st.MPI_TAG == kRequest) {
          MPI_Recv(nullptr, 0, MPI_BYTE, src, kRequest, MPI_COMM_WORLD, &st);
          waiting[src] = true;
        } else if (st.MPI_TAG == kHeader) {
          const auto buf = receive_bytes(src, kHeader);
          Header h;
          std::memcpy(&h, buf.data(), sizeof(Header));
          const Batch b{h.id, h.begin, h.end};
          longest_batch_s = std::max(
              longest_batch_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - handed[src]).count());
          if (!h.ok) {
            ledger.fail(b, src, std::string(buf.begin() + sizeof(Header), buf.end()));
            MPI_Send(nullptr, 0, MPI_BYTE, src, kSkip, MPI_COMM_WORLD);
          } else if (!ledger.wanted(b)) {
            MPI_Send(nullptr, 0, MPI_BYTE, src, kSkip, MPI_COMM_WORLD);
            ledger.release(b, src);
          } else {
            MPI_Send(nullptr, 0, MPI_BYTE, src, kWant, MPI_COMM_WORLD);
            if (ledger.complete(b, src, decode_records(receive_bytes(src, kData)))) ++summary.batches_by_rank[src];
          }
          waiting[src] = true;
        } else {
          throw std::logic_error("mpi: unexpected message tag " + std::to_string(st.MPI_TAG) + " from rank " +
                                 std::to_string(src));
        }
      }
      for (int r = 1; r < mpi.size() && !ledger.finished(); ++r) {
        if (!waiting[r]) continue;
        if (auto b = ledger.assign(r)) {
          const std::uint64_t msg[3] = {b->id, b->begin, b->end};
          MPI_Send(msg, 3, MPI_UINT64_T, r, kAssign, MPI_COMM_WORLD);
          handed[r] = std::chrono::steady_clock::now();
          waiting[r] = false;
          moved = true;
        }
      }
      auto rows = ledger.ready();
      for (const auto& [i, rec] : rows) emit(i, rec);
      if (!rows.empty() && progress) progress(ledger.emitted(), ledger.points());
      if (!moved) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }  // the local worker has finished its batch and stopped
  // Idle ranks are told to stop now. A rank still working on a copy nobody needs is waited for
  // until its header arrives, then told to stop; one silent for longer than any batch has taken
  // (and at least kSilentS) is taken for dead and sent nothing: a send to a dead peer would never
  // complete, and MPI_Finalize waits for every send.
  const double silent_limit = std::max(kSilentS, 4 * longest_batch_s);
  const auto waited_from = std::chrono::steady_clock::now();
  for (int r = 1; r < mpi.size(); ++r) {
    if (waiting[r]) {
      MPI_Send(nullptr, 0, MPI_BYTE, r, kStop, MPI_COMM_WORLD);
      continue;
    }
    for (;;) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(r, kHeader, MPI_COMM_WORLD, &flag, &st);
      if (flag) {
        receive_bytes(r, kHeader);
        MPI_Send(nullptr, 0, MPI_BYTE, r, kStop, MPI_COMM_WORLD);
        break;
      }
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - waited_from).count() > silent_limit) {
        summary.presumed_dead.push_back(r);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (ledger.failed()) throw std::runtime_error("mpi: " + ledger.failure());
  summary.batches = ledger.batches();
  summary.reissued = ledger.reissued();
  summary.unreturned = ledger.unreturned();
  return summary;
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  // Errors are returned, not fatal, so a lost peer does not take the coordinator down with it.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

MpiSummary run_distributed(const MpiSession& mpi, const MpiJob& job,
                           const std::function<void(std::size_t, const report::Record&)>& emit,
                           const core::ProgressFn& progress) {
  if (mpi.rank() != 0) {
    worker_loop(mpi, job);
    MpiSummary s;
    s.ranks = mpi.size();
    return s;
  }
  return coordinate(mpi, job, emit, progress);
}

}  // namespace xpusim::distributed
