"""The API with 5,000 active approvals, through the whole stack (middleware, token auth,
DRF): the latest managed-settings.json with and without a matching If-None-Match, a check
of a 20-server config, and list endpoints whose query count must not grow with page size."""

import datetime as dt
import json
import statistics
import time

from harness import count_queries, report, seed_approvals, setup_django


def median_ms(fn, repeat=60, warmup=3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.utils import timezone

    from accounts.services import issue_token
    from approvals.models import Request
    from registry.models import Server
    from registry.services import build_export

    seed_approvals(5000)
    user_model = get_user_model()
    platform = user_model.objects.create(username="bench-platform")
    platform.groups.add(Group.objects.get_or_create(name="platform_team")[0])
    security = user_model.objects.create(username="bench-security")
    security.groups.add(Group.objects.get_or_create(name="security_team")[0])
    developer = user_model.objects.create(username="bench-dev")
    servers = list(Server.objects.order_by("name")[:300])
    now = timezone.now()
    Request.objects.bulk_create([
        Request(kind="version_bump", server=s, version="1.3.0", requester=developer,
                proposed_data_scope="INTERNAL", use_case="Benchmark.",
                config={"command": "npx", "args": ["-y", f"{s.package}@1.3.0"]},
                expected_decision=now + dt.timedelta(days=7)) for s in servers])
    build_export(cause="benchmark")

    def client_for(user):
        _token, key = issue_token(user=user, name="benchmark", days=None)
        return Client(HTTP_AUTHORIZATION=f"Token {key}")

    pipeline, reviewer, dev = client_for(platform), client_for(security), client_for(developer)
    url = "/api/v1/exports/latest/managed-settings.json"
    first = pipeline.get(url)
    assert first.status_code == 200, first.content[:200]
    etag = first["ETag"]
    size = len(first.content)
    assert pipeline.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    ms = median_ms(lambda: pipeline.get(url, HTTP_IF_NONE_MATCH=etag))
    report("GET managed-settings.json, matching If-None-Match (304)", f"{ms:.2f} ms",
           "< 5 ms", ms < 5)
    ms = median_ms(lambda: pipeline.get(url))
    report(f"GET managed-settings.json, full body ({size // 1024} KiB)", f"{ms:.2f} ms",
           "< 20 ms", ms < 20)

    names = [s.name for s in Server.objects.order_by("name")[:20]]
    config = {"mcpServers": {}}
    for n, name in enumerate(names):
        version = "1.2.3" if n % 3 else "1.4.0"  # a third pinned to another version
        config["mcpServers"][f"my-{name}"] = {
            "command": "npx", "args": ["-y", f"@example/{name}@{version}"]}
    config["mcpServers"]["my-unknown"] = {"command": "uvx", "args": ["some-tool==0.1.0"]}
    body = json.dumps(config)

    def check():
        response = dev.post("/api/v1/check", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        return response

    verdicts = {r["verdict"] for r in check().json()["results"]}
    assert verdicts == {"approved", "version_mismatch", "unapproved"}, verdicts
    ms = median_ms(check)
    report(f"POST /api/v1/check, {len(config['mcpServers'])}-server config", f"{ms:.2f} ms",
           "< 15 ms", ms < 15)

    for path, client in (("/api/v1/servers/", dev), ("/api/v1/requests/", reviewer),
                         ("/api/v1/exports/", pipeline), ("/api/v1/audit/", reviewer)):
        client.get(path)  # a token's first use in a minute also records it (one UPDATE)
        small = count_queries(lambda p=path, c=client: c.get(f"{p}?page_size=5"))
        large = count_queries(lambda p=path, c=client: c.get(f"{p}?page_size=200"))
        report(f"GET {path}: queries, page size 5 vs 200", f"{small} vs {large}",
               "equal", small == large)
    ms = median_ms(lambda: dev.get("/api/v1/servers/?page_size=50"), repeat=20)
    report("GET /api/v1/servers/ (50 of 5,000)", f"{ms:.1f} ms", "info", True)


if __name__ == "__main__":
    main()
