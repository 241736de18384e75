"""Writes a schemathesis.toml for a seeded server: the ids of streams that exist, offered for path
parameters half of the time, so that generated requests reach past 404 into the handlers (and their
answers' schemas get checked too).

usage: schemathesis-config.py BASE_URL TOKEN > schemathesis.toml
"""

import json
import sys
import urllib.request

base, token = sys.argv[1], sys.argv[2]


def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


streams = {}
last_position = 0
page = get("/v1/events?limit=1000")
for record in page["records"]:
    kind, _, uuid = record["stream"].partition("-")
    streams.setdefault(kind, []).append(uuid)
    last_position = record["position"]


def distinct(values, most=20):
    return sorted(set(values))[:most]


dictionaries = {
    "streams": [f"{kind}-{uuid}" for kind, ids in streams.items() for uuid in distinct(ids, 5)],
    "funds": distinct(streams.get("fund", [])),
    "disbursements": distinct(streams.get("disbursement", [])),
    "beneficiaries": distinct(streams.get("beneficiary", [])),
    "positions": [1, 2, max(last_position // 2, 1), max(last_position, 1)],
}
bindings = [
    ("/v1/streams/{stream}/events", "path.stream", "streams"),
    ("/v1/funds/{id}", "path.id", "funds"),
    ("/v1/audit/disbursements/{id}", "path.id", "disbursements"),
    ("/v1/audit/beneficiaries/{id}", "path.id", "beneficiaries"),
    ("/v1/beneficiaries/{id}/forget", "path.id", "beneficiaries"),
    ("/v1/events/{position}", "path.position", "positions"),
]

for name, values in dictionaries.items():
    if values:
        print(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
for path, parameter, name in bindings:
    if dictionaries[name]:
        print(f'[[operations]]\ninclude-path = "{path}"')
        print(f'parameters = {{ "{parameter}" = {{ dictionary = "{name}", probability = 0.5 }} }}\n')
