-- wrk's script for bench/wrk.ts: POSTs a JSON body to the given paths in turn (round-robin over
-- copies of a flow on one server), counts the answers by status, and at the end prints one line
-- "WRKJSON {...}" with the counts, the latency percentiles (µs) and the CPU wrk itself used.
-- Usage: wrk ... -s bench/wrk.lua <origin> -- <body> <path> [<path> ...]
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local requests, count, next = {}, 0, 0
statuses = {}

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for k = 2, #args do
    requests[#requests + 1] = wrk.format("POST", args[k], headers, args[1])
  end
  count = #requests
end

function request()
  next = next % count + 1
  return requests[next]
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- utime + stime of the whole wrk process (all threads), in clock ticks.
local function cpu_ticks()
  local f = io.open("/proc/self/stat")
  if not f then return -1 end
  local stat = f:read("*a")
  f:close()
  local fields = {}
  for field in stat:match("%) (.*)"):gmatch("%S+") do fields[#fields + 1] = field end
  return tonumber(fields[12]) + tonumber(fields[13])
end

function done(summary, latency)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = string.format('"%d":%d', status, n) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"durationUs":%d,"socketErrors":%d,"timeouts":%d,' ..
      '"p50Us":%d,"p99Us":%d,"maxUs":%d,"cpuTicks":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, cpu_ticks(), table.concat(parts, ",")))
end
