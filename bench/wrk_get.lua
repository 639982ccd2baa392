-- wrk script for the read scenarios (bench/run): GETs the requests of $PILOT_TARGETS in turn, one
-- per line: the request-target, a tab, and the Authorization header's value (or nothing).
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  targets, auths = {}, {}
  for line in io.lines(os.getenv("PILOT_TARGETS")) do
    local t, a = line:match("^([^\t]*)\t?(.*)$")
    targets[#targets + 1] = t
    auths[#auths + 1] = a
  end
  index = id  -- the threads start at different requests
end

function request()
  index = index % #targets + 1
  local headers = {}
  if auths[index] ~= "" then headers["Authorization"] = auths[index] end
  return wrk.format("GET", targets[index], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT requests=%d duration_us=%d p50=%d p90=%d p99=%d p999=%d max=%d mean=%.0f "
                         .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
                         summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
                         latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean,
                         e.connect, e.read, e.write, e.status, e.timeout))
end
