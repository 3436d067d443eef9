-- wrk script for the partners' rights check: GET /api/v1/rights/{number} with a partner key.
-- Run by benchmarks/rights_api.py; alone:
--   wrk -t2 -c64 -d60s --latency -s benchmarks/rights_wrk.lua http://127.0.0.1:8765 \
--       -- var/bench_rights_keys.txt var/bench_rights_numbers.txt
-- Each connection (a partner counter) holds one key; each request a random number of the file
-- (70 % insured numbers, 20 % card numbers, 5 % issued to nobody, 5 % wrong key: answered 400,
-- which wrk counts among "Non-2xx" responses).

local threads = {}
local counter = 0

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if #line > 0 then found[#found + 1] = line end
  end
  return found
end

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  keys = lines(args[1] or "var/bench_rights_keys.txt")
  numbers = lines(args[2] or "var/bench_rights_numbers.txt")
  math.randomseed(id * 7919 + os.time())
  -- One key per thread: wrk's request() has no connection handle, so a thread is one counter.
  headers = { ["Authorization"] = "Bearer " .. keys[((id - 1) % #keys) + 1] }
end

function request()
  local number = numbers[math.random(#numbers)]
  return wrk.format("GET", "/api/v1/rights/" .. number, headers)
end
