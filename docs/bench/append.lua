-- wrk script: single-event appends (a home visit) to one beneficiary stream, from every connection.
-- Usage: TOKEN=<staff token> STREAM=beneficiary-<uuid> wrk -t2 -c32 -d20s --latency -s append.lua http://HOST:PORT
-- The stream must already hold its BeneficiaryRegistered event.
wrk.method = "POST"
wrk.path = "/v1/streams/" .. os.getenv("STREAM") .. "/events"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"events": [{"type": "VisitRecorded", "data": {"visit_kind": "home", "staff": "zhao.min", ' ..
    '"duration_minutes": 45, "summary": "老人精神很好，谈到孙子考上大学。"}}]}'

function response(status, headers, body)
    if status ~= 201 then
        io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
    end
end
