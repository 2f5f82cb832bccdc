-- POST /fr/contact with a valid form (a bare /contact answers 307). Echo's CSRF check compares the __Host-csrf
-- cookie with the _csrf field (double submit): a fixed pair passes. Each
-- request has its own email, so each creates its own subject.
local token = "benchbenchbenchbenchbenchbench01"
local counter = 0
local prefix = tostring(math.random(1, 1e9))

function request()
  counter = counter + 1
  local body = "_csrf=" .. token ..
    "&last_name=Bench&first_name=Mark" ..
    "&email=bench" .. prefix .. "." .. counter .. "%40example.org" ..
    "&message=Hello%2C+I+would+like+to+know+more+about+your+courses." ..
    "&consent_processing=yes"
  return wrk.format("POST", "/fr/contact", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "__Host-csrf=" .. token,
  }, body)
end

function setup(thread)
  thread:set("prefix", tostring(math.random(1, 1e9)))
end

function init(args)
  math.randomseed(os.time() + tonumber(prefix))
  prefix = tostring(math.random(1, 1e9)) .. tostring(os.clock()):gsub("%.", "")
end
