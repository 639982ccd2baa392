-- wrk script for the append scenarios (bench/run, append_bench --wrk): each wrk thread posts its
-- own share of pre-signed events (one JSON submission per line of $PILOT_BODIES, from line
-- $PILOT_OFFSET on, $PILOT_COUNT lines; default the whole file), each once.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  bodies = {}
  local threads = tonumber(os.getenv("PILOT_THREADS"))
  local offset = tonumber(os.getenv("PILOT_OFFSET") or "0")
  local count = tonumber(os.getenv("PILOT_COUNT") or "-1")
  local i = 0
  for line in io.lines(os.getenv("PILOT_BODIES")) do
    if i >= offset and (count < 0 or i < offset + count) and (i - offset) % threads == id then bodies[#bodies + 1] = line end
    i = i + 1
  end
  index = 0
end

function request()
  index = index + 1
  if index > #bodies then index = 1 end  -- exhausted: repeats are idempotent 200s (the benchmark sizes the pool to avoid them)
  return wrk.format("POST", "/v1/entries", {["Content-Type"] = "application/json"}, bodies[index])
end

-- One machine-readable line for bench/ (latencies in µs).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT requests=%d duration_us=%d p50=%d p90=%d p99=%d p999=%d max=%d mean=%.0f "
                         .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
                         summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
                         latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
                         e.connect, e.read, e.write, e.status, e.timeout))
end
