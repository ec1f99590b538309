#include "serving/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>

#include "serving/kv_cache.hpp"

namespace xpusim::serving {

namespace {

struct Seq {
  int prompt = 0;    // tokens to prefill (input; input + generated after a recompute preemption)
  int computed = 0;  // prompt tokens whose KV is in cache
  int ctx = 0;       // tokens in cache
  int generated = 0;
  int output = 0;
  long long uncached = 0;  // blocks owned outright
  std::vector<std::uint64_t> cached;  // prefix blocks referenced in the pool
  int hits = 0;      // prefix blocks found cached at admission
  bool swapped = false;
  bool started = false;
};

long long blocks_for(long long tokens, int block) { return (tokens + block - 1) / block; }

}  // namespace

int itl_bin(double gap_s) {
  if (!(gap_s > 1e-6)) return 0;
  return std::min(kItlBins - 1, static_cast<int>((std::log10(gap_s) + 6.0) * 200.0));
}

double itl_bin_value(int bin) { return std::pow(10.0, (bin + 0.5) / 200.0 - 6.0); }

double histogram_percentile(const std::vector<double>& hist, double p) {
  double total = 0;
  for (double h : hist) total += h;
  if (total <= 0) return 0;
  double acc = 0;
  for (std::size_t i = 0; i < hist.size(); ++i) {
    acc += hist[i];
    if (acc >= p * total) return itl_bin_value(static_cast<int>(i));
  }
  return itl_bin_value(static_cast<int>(hist.size()) - 1);
}

ReplicaRun simulate_replica(const std::vector<Request>& requests, const StepCostModel& step,
                            const SchedulerOptions& o, std::uint64_t seed, std::size_t trace_limit) {
  ReplicaRun run;
  const std::size_t n = requests.size();
  run.requests.resize(n);
  std::vector<Seq> seqs(n);
  for (std::size_t i = 0; i < n; ++i) {
    run.requests[i].arrival_s = requests[i].arrival_s;
    run.requests[i].output_tokens = requests[i].output_tokens;
    seqs[i].prompt = requests[i].input_tokens;
    seqs[i].output = requests[i].output_tokens;
    run.prompt_tokens += requests[i].input_tokens;
  }
  const int B = std::max(1, o.block_size);
  BlockPool pool(o.kv_blocks, o.prefix_caching);
  std::mt19937_64 rng(seed ^ 0xA5A5A5A5ull);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double kv_token_bytes = step.kv_bytes_per_token();

  // Closed loop (a fixed number of clients): request i >= concurrency arrives when one finishes.
  std::vector<double> arrival(n);
  for (std::size_t i = 0; i < n; ++i)
    arrival[i] = o.concurrency > 0 ? (static_cast<int>(i) < o.concurrency ? 0.0 : 1e300) : requests[i].arrival_s;
  std::size_t released = o.concurrency > 0 ? std::min<std::size_t>(n, static_cast<std::size_t>(o.concurrency)) : n;
  auto on_done = [&](double when) {
    if (o.concurrency > 0 && released < n) {
      arrival[released] = when;
      run.requests[released].arrival_s = when;
      ++released;
    }
  };
  std::deque<int> waiting;
  std::vector<int> running, decoding, prefilling;
  std::vector<int> chunk_of(n, 0);
  std::vector<double> last_token(n, 0.0);
  run.itl_histogram.assign(kItlBins, 0.0);
  std::size_t next = 0;
  double t = 0;
  long long in_system = 0;
  std::size_t done = 0;

  auto release = [&](int id) {
    Seq& s = seqs[id];
    pool.give(s.uncached);
    for (auto h : s.cached) pool.release(h);
    s.uncached = 0;
    s.cached.clear();
  };
  auto finish = [&](int id) {
    release(id);
    run.requests[id].finish_s = t;
    --in_system;
    ++done;
    on_done(t);
  };
  double swap_bytes = 0;
  auto preempt = [&](int id) {
    Seq& s = seqs[id];
    ++run.preemptions;
    if (o.preemption == Preemption::kSwap) {
      swap_bytes += static_cast<double>(s.ctx) * kv_token_bytes;
      s.swapped = true;
    } else {
      s.prompt = requests[id].input_tokens + s.generated;
      s.computed = s.ctx = 0;
    }
    release(id);
  };
  auto admit_arrivals = [&](double until) {
    while (next < n && arrival[next] <= until) {
      waiting.push_back(static_cast<int>(next));
      ++in_system;
      ++next;
    }
  };

  while (done < n) {
    admit_arrivals(t);
    if (running.empty() && waiting.empty()) {
      if (next >= n) break;
      t = std::max(t, arrival[next]);
      continue;
    }
    StepShape shape;
    long long budget = o.max_batched_tokens;
    const int q = 1 + o.spec_tokens;
    decoding.clear();
    prefilling.clear();
    bool preempted = false;
    // Without chunked prefill (vLLM V0, LMDeploy) a step is all prefill while a waiting request
    // can be admitted, else all decode.
    int active_now = 0;
    for (int id : running)
      if (id >= 0) ++active_now;
    bool prefill_turn = false;
    if (!o.chunked_prefill && o.kind == SchedulerKind::kContinuous && !waiting.empty() && active_now < o.max_num_seqs) {
      const Seq& f = seqs[waiting.front()];
      const long long upto = o.admission == Admission::kGuaranteedNoEvict
                                 ? static_cast<long long>(f.prompt) + f.output - f.generated
                                 : (f.swapped ? f.ctx : f.prompt);
      prefill_turn = !f.swapped && pool.available() >= blocks_for(upto, B) - (f.uncached + static_cast<long long>(f.cached.size()));
    }
    // 1. Running sequences that decode: one token each (plus drafts), a block when one fills.
    for (std::size_t i = 0; i < running.size() && !prefill_turn; ++i) {
      const int id = running[i];
      if (id < 0) continue;
      Seq& s = seqs[id];
      if (s.computed < s.prompt) continue;
      if (budget < q) break;
      long long need = blocks_for(s.ctx + q, B) - (s.uncached + static_cast<long long>(s.cached.size()));
      while (need > 0 && !pool.take(need)) {
        std::size_t v = running.size();
        while (v-- > i)
          if (running[v] >= 0) break;
        const int victim = running[v];
        running[v] = -1;
        preempt(victim);
        waiting.push_front(victim);
        preempted = true;
        if (victim == id) break;
      }
      if (running[i] < 0) continue;
      if (need > 0) s.uncached += need;
      budget -= q;
      decoding.push_back(id);
      shape.decode_seqs += 1;
      shape.decode_tokens += q;
      shape.decode_context += s.ctx + q;
    }
    // 2. Running sequences still prefilling (chunked prefill).
    const bool unlimited = o.kind == SchedulerKind::kStatic || (prefill_turn && o.prefill_all_waiting);
    for (int id : running) {
      if (id < 0) continue;
      Seq& s = seqs[id];
      if (s.computed >= s.prompt) continue;
      const long long rest = s.prompt - s.computed;
      const long long chunk = unlimited ? rest : std::min(rest, budget);
      if (chunk <= 0) break;
      const long long need = blocks_for(s.computed + chunk, B) - (s.uncached + static_cast<long long>(s.cached.size()));
      if (need > 0 && !pool.take(need)) continue;
      if (need > 0) s.uncached += need;
      chunk_of[id] = static_cast<int>(chunk);
      prefilling.push_back(id);
      budget -= chunk;
    }
    // 3. Waiting requests, first come first served.
    const bool may_admit = !preempted && (o.kind == SchedulerKind::kContinuous || running.empty());
    int active = 0;
    for (int id : running)
      if (id >= 0) ++active;
    while (may_admit && !waiting.empty() && active < o.max_num_seqs && (budget > 0 || unlimited)) {
      const int id = waiting.front();
      Seq& s = seqs[id];
      const Request& r = requests[id];
      if (!s.swapped && s.computed == 0 && s.cached.empty() && r.prefix_id >= 0 && pool.caching()) {
        std::vector<std::uint64_t> hashes;
        for (int b = 0; b < r.prefix_tokens / B; ++b) hashes.push_back(prefix_block_hash(r.prefix_id, b));
        s.hits = pool.acquire_prefix(hashes);
        s.cached.assign(hashes.begin(), hashes.begin() + s.hits);
        s.computed = s.ctx = std::min(s.hits * B, s.prompt - 1);
      }
      if (o.decode_only && !s.started) s.computed = s.ctx = s.prompt - 1;  // KV arrived from the prefill pool
      const long long held = s.uncached + static_cast<long long>(s.cached.size());
      long long need = 0, chunk = 0;
      if (s.swapped) {
        need = blocks_for(s.ctx, B) - held;
      } else {
        const long long rest = s.prompt - s.computed;
        chunk = (o.chunked_prefill || unlimited) ? (unlimited ? rest : std::min(rest, budget)) : rest;
        if (!unlimited && !o.chunked_prefill && rest > budget && shape.tokens() + (o.max_batched_tokens - budget) > 0) break;
        const long long upto = o.admission == Admission::kGuaranteedNoEvict
                                   ? static_cast<long long>(s.prompt) + s.output - s.generated
                                   : s.computed + chunk;
        need = blocks_for(upto, B) - held;
      }
      if (need > pool.total()) {  // can never fit: dropped, as an engine rejects it
        waiting.pop_front();
        release(id);
        run.requests[id].dropped = true;
        run.requests[id].finish_s = t;
        --in_system;
        ++done;
        on_done(t);
        continue;
      }
      if (need > 0 && !pool.take(need)) {
        if (s.computed > 0 && !s.swapped && s.generated == 0 && held > 0) {
          release(id);  // give the prefix hits back; they are found again next time
          s.computed = s.ctx = 0;
        }
        break;
      }
      if (need > 0) s.uncached += need;
      waiting.pop_front();
      running.push_back(id);
      ++active;
      if (!s.started) {
        s.started = true;
        run.prefix_hit_tokens += s.computed;
      }
      if (s.swapped) {
        swap_bytes += static_cast<double>(s.ctx) * kv_token_bytes;
        s.swapped = false;
        continue;  // decodes from the next iteration
      }
      chunk_of[id] = static_cast<int>(chunk);
      prefilling.push_back(id);
      budget -= chunk;
    }
    for (int id : prefilling) {
      const double c = seqs[id].computed, k = chunk_of[id];
      shape.prefill_tokens += chunk_of[id];
      shape.prefill_chunks += 1;
      shape.prefill_pairs += k * c + 0.5 * k * k;
    }
    running.erase(std::remove(running.begin(), running.end(), -1), running.end());
    run.max_concurrent = std::max(run.max_concurrent, static_cast<int>(running.size()));

    if (shape.tokens() == 0) {
      if (swap_bytes > 0) {  // swap-ins only: the step is the transfer
        const double dt = swap_bytes / o.swap_bandwidth;
        run.in_system_integral += static_cast<double>(in_system) * dt;
        t += dt;
        swap_bytes = 0;
        continue;
      }
      if (next < n && (running.empty() || waiting.empty())) {
        const double nt = std::max(t, arrival[next]);
        run.in_system_integral += static_cast<double>(in_system) * (nt - t);
        t = nt;
        continue;
      }
      if (!waiting.empty() && running.empty()) {  // nothing fits even alone: drop the head
        const int id = waiting.front();
        waiting.pop_front();
        release(id);
        run.requests[id].dropped = true;
        run.requests[id].finish_s = t;
        --in_system;
        ++done;
        on_done(t);
        continue;
      }
      if (next >= n && waiting.empty() && running.empty()) break;
      // Running sequences all blocked (should not happen): advance to the next arrival.
      if (next < n) {
        t = std::max(t, arrival[next]);
        continue;
      }
      break;
    }
    double dt = step.time(shape);
    if (o.spec_tokens > 0 && shape.decode_seqs > 0) dt *= 1.0 + o.spec_tokens * o.spec_draft_cost;
    dt += swap_bytes / o.swap_bandwidth;
    swap_bytes = 0;
    const double t0 = t;
    t += dt;
    run.busy_s += dt;
    run.decode_seq_integral += shape.decode_seqs * dt;
    ++run.iterations;
    // Arrivals during the step wait from their arrival (exact in-system integral).
    run.in_system_integral += static_cast<double>(in_system) * dt;
    while (next < n && arrival[next] <= t) {
      run.in_system_integral += t - arrival[next];
      waiting.push_back(static_cast<int>(next));
      ++in_system;
      ++next;
    }
    if (run.trace.size() < trace_limit) {
      Iteration it;
      it.start_s = t0;
      it.duration_s = dt;
      it.prefill_tokens = static_cast<int>(shape.prefill_tokens);
      it.decode_seqs = shape.decode_seqs;
      it.running = static_cast<int>(running.size());
      it.waiting = static_cast<int>(waiting.size());
      it.kv_blocks_used = pool.used();
      run.trace.push_back(it);
    }
    bool any_finished = false;
    double run_gap = -1, run_count = 0;  // equal gaps come in runs (sequences that decoded last step)
    for (int id : decoding) {
      Seq& s = seqs[id];
      const double gap = t - last_token[id];
      last_token[id] = t;
      if (run.requests[id].first_token_s < 0) {  // first_token_from_decode: this step's token is the first
        run.requests[id].first_token_s = t;
        s.ctx += 1;
        s.generated += 1;
        if (s.generated >= s.output) {
          finish(id);
          any_finished = true;
          s.computed = -1;
        }
        continue;
      }
      if (gap != run_gap) {
        if (run_count > 0) run.itl_histogram[itl_bin(run_gap)] += run_count;
        run_gap = gap;
        run_count = 0;
      }
      run_count += 1;
      run.itl_sum += gap;
      run.itl_count += 1;
      int accepted = 1;
      for (int k = 0; k < o.spec_tokens && unit(rng) < o.spec_acceptance; ++k) ++accepted;
      accepted = std::min(accepted, s.output - s.generated);
      s.ctx += accepted;
      s.generated += accepted;
      if (s.generated >= s.output) {
        finish(id);
        any_finished = true;
        s.computed = -1;  // marks finished for the compaction below
      }
    }
    if (run_count > 0) run.itl_histogram[itl_bin(run_gap)] += run_count;
    for (int id : prefilling) {
      Seq& s = seqs[id];
      last_token[id] = t;
      s.computed += chunk_of[id];
      s.ctx = s.computed;
      run.prefill_tokens_computed += chunk_of[id];
      if (s.computed < s.prompt) continue;
      const Request& r = requests[id];
      if (r.prefix_id >= 0 && pool.caching()) {  // publish the prefix blocks this prefill filled
        for (int b = static_cast<int>(s.cached.size()); b < r.prefix_tokens / B; ++b) {
          const auto h = prefix_block_hash(r.prefix_id, b);
          if (pool.publish(h)) {
            --s.uncached;
            s.cached.push_back(h);
          } else {
            break;
          }
        }
      }
      if (o.first_token_from_decode && s.prompt > 1 && run.requests[id].first_token_s < 0) continue;
      if (run.requests[id].first_token_s < 0) run.requests[id].first_token_s = t;
      s.generated += 1;
      if (s.generated >= s.output) {
        finish(id);
        any_finished = true;
        s.computed = -1;
      }
    }
    if (any_finished)
      running.erase(std::remove_if(running.begin(), running.end(), [&](int id) { return seqs[id].computed < 0; }),
                    running.end());
  }
  run.end_s = t;
  return run;
}

}  // namespace xpusim::serving
