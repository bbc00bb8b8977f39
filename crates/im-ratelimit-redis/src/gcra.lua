-- Shared pacing of one (app, API) lane: GCRA with a burst tolerance of zero, so calls are
-- spaced evenly and no one-second window ever holds more starts than the rate.
--
-- KEYS[1]  the lane: a hash with the fields
--            tat             the theoretical arrival time: the next free slot (microseconds
--                            since the Unix epoch, on this server's clock),
--            throttled_rate  the rate set by the last throttle answer (calls per second),
--            throttled_at    when that answer was reported (microseconds).
-- ARGV[1]  "acquire" (reserve the next slot), "throttle" (a call was rate-limited: slow
--          down), or "peek" (report the current rate).
-- ARGV[2]  the nominal rate, in calls per second.
-- ARGV[3]  the factor a throttle answer applies to the current rate (0.7).
-- ARGV[4]  the lowest rate, as a share of the nominal rate (0.05).
-- ARGV[5]  how long the rate takes to climb back to nominal, in microseconds.
-- ARGV[6]  the spacing factor over 1 / rate (1.02: 2% headroom for network jitter).
-- ARGV[7]  tests only, absent otherwise: the time to use instead of this server's clock, in
--          microseconds since the Unix epoch, so a test can check every decision exactly.
--
-- "acquire" returns {wait, slot}: how long the caller must wait before starting, and the
-- slot's time; "throttle" and "peek" return {rate in thousandths of a call per second}.

-- Redis before 5.0 refuses writes after TIME unless effects are replicated.
if redis.replicate_commands then
  redis.replicate_commands()
end

local mode = ARGV[1]
local nominal = tonumber(ARGV[2])
local factor = tonumber(ARGV[3])
local floor_share = tonumber(ARGV[4])
local recovery = tonumber(ARGV[5])
local spacing = tonumber(ARGV[6]) or 1

local now = tonumber(ARGV[7])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end

local state = redis.call('HMGET', KEYS[1], 'tat', 'throttled_rate', 'throttled_at')
local tat = tonumber(state[1])
local throttled_rate = tonumber(state[2])
local throttled_at = tonumber(state[3])

-- The rate at time t: nominal without a throttle answer; after one, the throttled rate
-- climbing linearly back to nominal over the recovery time; never below the floor.
local function rate_at(t)
  local rate = nominal
  if throttled_rate and throttled_at then
    local progress = (t - throttled_at) / recovery
    if progress < 0 then progress = 0 end
    if progress > 1 then progress = 1 end
    rate = throttled_rate + (nominal - throttled_rate) * progress
  end
  local floor = nominal * floor_share
  if rate < floor then rate = floor end
  if rate > nominal then rate = nominal end
  return rate
end

-- Keeps the lane one second past the last moment its state matters.
local function keep_until(t)
  local last = t
  if throttled_at and throttled_at + recovery > last then
    last = throttled_at + recovery
  end
  local ttl = math.ceil((last - now) / 1000) + 1000
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
end

if mode == 'acquire' then
  local slot = now
  if tat and tat > now then slot = tat end
  local next_slot = slot + math.ceil(1000000 * spacing / rate_at(slot))
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', next_slot))
  keep_until(next_slot)
  return {slot - now, slot}
elseif mode == 'throttle' then
  local rate = rate_at(now) * factor
  local floor = nominal * floor_share
  if rate < floor then rate = floor end
  throttled_rate = rate
  throttled_at = now
  redis.call('HSET', KEYS[1], 'throttled_rate', string.format('%.6f', rate),
    'throttled_at', string.format('%.0f', now))
  keep_until(tat or now)
  return {math.floor(rate * 1000)}
elseif mode == 'peek' then
  return {math.floor(rate_at(now) * 1000)}
end
return redis.error_reply('unknown mode ' .. tostring(mode))
