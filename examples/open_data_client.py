#!/usr/bin/env python3
"""A third party's client of Nuvola's public GraphQL API, with Python's standard library only.

It downloads the schema (GET /graphql/schema.graphql, served even when introspection is
off), checks that the enums it relies on are there, then pages through the public
projects that match a filter with Relay cursors (`first`/`after`, `pageInfo.endCursor`)
and prints totals, which it checks against the API's own `stats`.

    python3 examples/open_data_client.py --url http://127.0.0.1:8080 --region Liguria --state FUNDED

No token is needed: without one, a client sees what the public sees (the open data).
With a read-only API token issued by the department, pass --token; it is sent as
`Authorization: Bearer TOKEN`.

Webhooks: verifying a webhook's signature belongs here too, once Nuvola sends webhooks
(they are not part of this version of the API).
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

PAGE = """
query Page($first: Int!, $after: String, $filter: ApplicationFilter) {
  applications(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { cup amountEur state administration { name kind } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

STATS = """
query Totals($filter: ApplicationFilter) { stats(filter: $filter) { applications amountEur } }
"""


def get(url, token=None):
    request = urllib.request.Request(url, headers={"Accept": "text/plain"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def graphql(url, query, variables, token=None):
    """POSTs one operation; waits and retries when rate limited (HTTP 429)."""
    body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
    for _ in range(5):
        request = urllib.request.Request(
            url + "/graphql",
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if token:
            request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as e:
            if e.code == 429:
                time.sleep(int(e.headers.get("Retry-After", "1")))
                continue
            answer = json.load(e)
        if answer.get("errors"):
            # Programs decide on the stable code, never on the message.
            codes = [(err.get("extensions") or {}).get("code") for err in answer["errors"]]
            raise SystemExit("the API refused the query: %s" % codes)
        return answer
    raise SystemExit("still rate limited after 5 attempts")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--region", help='a region as the open data names it, e.g. "Liguria"')
    parser.add_argument("--state", help="an ApplicationState, e.g. FUNDED")
    parser.add_argument("--page-size", type=int, default=100, help="at most 100")
    parser.add_argument("--token", help="a read-only API token (optional)")
    parser.add_argument("--schema-out", help="where to save the schema's SDL")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    sdl = get(url + "/graphql/schema.graphql", args.token)
    for needed in ("enum ApplicationState", "input ApplicationFilter", "type ApplicationConnection"):
        if needed not in sdl:
            raise SystemExit("the schema has no %r: is this Nuvola?" % needed)
    states = sdl.split("enum ApplicationState {", 1)[1].split("}", 1)[0].split()
    states = [s for s in states if s.isupper()]
    if args.state and args.state not in states:
        raise SystemExit("%s is not an ApplicationState (%s)" % (args.state, ", ".join(states)))
    if args.schema_out:
        with open(args.schema_out, "w", encoding="utf-8") as out:
            out.write(sdl)
    kinds = sum(1 for line in sdl.splitlines() if line.split(" ", 1)[0] in ("type", "enum", "input", "scalar"))
    print("schema: %d types, %d project states" % (kinds, len(states)))

    project_filter = {}
    if args.region:
        project_filter["region"] = args.region
    if args.state:
        project_filter["state"] = args.state

    after, pages, seen, amount, by_kind, cost = None, 0, set(), 0, {}, {}
    total = None
    while True:
        answer = graphql(url, PAGE, {"first": args.page_size, "after": after, "filter": project_filter}, args.token)
        page = answer["data"]["applications"]
        cost = (answer.get("extensions") or {}).get("cost") or {}
        pages += 1
        total = page["totalCount"]
        for edge in page["edges"]:
            node = edge["node"]
            seen.add(edge["cursor"])  # a cursor names one application: none twice
            amount += node["amountEur"]
            kind = node["administration"]["kind"]
            by_kind[kind] = by_kind.get(kind, 0) + 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    stats = graphql(url, STATS, {"filter": project_filter}, args.token)["data"]["stats"]
    print("pages: %d" % pages)
    print("projects: %d (totalCount %d)" % (len(seen), total))
    print("amount: %d EUR" % amount)
    print("by kind: %s" % ", ".join("%s=%d" % kv for kv in sorted(by_kind.items())))
    print("last page cost: %s of %s, %s requests left until %s" % (
        cost.get("requested"), cost.get("maxComplexity"), cost.get("remaining"), cost.get("resetAt")))
    if len(seen) != total or len(seen) != stats["applications"] or amount != round(stats["amountEur"]):
        print("mismatch with stats: %s" % stats, file=sys.stderr)
        return 1
    print("totals agree with stats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
