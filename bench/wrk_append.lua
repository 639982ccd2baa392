-- wrk script for append_bench --wrk: each wrk thread posts its own share of pre-signed events
-- (one JSON submission per line of $PILOT_BODIES), each once.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  bodies = {}
  local threads = tonumber(os.getenv("PILOT_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("PILOT_BODIES")) do
    if i % threads == id then bodies[#bodies + 1] = line end
    i = i + 1
  end
  index = 0
end

function request()
  index = index + 1
  if index > #bodies then index = 1 end  -- exhausted: repeats are idempotent 200s (the benchmark sizes the pool to avoid them)
  return wrk.format("POST", "/v1/entries", {["Content-Type"] = "application/json"}, bodies[index])
end
