"""The portal's traffic at fleet scale, for locust (benchmarks/load_test.py starts it):
developers' hooks (a check of the config at every session start, and the managed settings
re-read with If-None-Match) and deployment pipelines (the export file downloaded, the
catalog listed 500 a page). Tokens and the check's body come from the environment."""

import json
import os

from locust import HttpUser, constant, task

TOKENS = json.loads(os.environ["LOAD_TOKENS"])
CHECK_BODY = os.environ["LOAD_CHECK_BODY"]
SETTINGS = "/api/v1/exports/latest/managed-settings.json"


class Hook(HttpUser):
    weight = 4
    wait_time = constant(0)

    def on_start(self):
        self.client.headers["Authorization"] = TOKENS["dev"]
        pipeline = {"Authorization": TOKENS["platform"]}
        self.etag = self.client.get(SETTINGS, headers=pipeline, name="setup").headers["ETag"]

    @task(3)
    def check(self):
        self.client.post("/api/v1/check", data=CHECK_BODY, name="hook: POST check",
                         headers={"Content-Type": "application/json"})

    @task(1)
    def settings_unchanged(self):
        with self.client.get(SETTINGS, name="hook: settings If-None-Match (304)",
                             headers={"Authorization": TOKENS["platform"],
                                      "If-None-Match": self.etag},
                             catch_response=True) as response:
            if response.status_code == 304:
                response.success()


class Pipeline(HttpUser):
    weight = 1
    wait_time = constant(0)

    def on_start(self):
        self.client.headers["Authorization"] = TOKENS["platform"]

    @task(1)
    def download(self):
        self.client.get(SETTINGS, name="pipeline: settings download (gzip)",
                        headers={"Accept-Encoding": "gzip"})

    @task(1)
    def servers(self):
        self.client.get("/api/v1/servers/?page_size=500", name="pipeline: servers, 500 a page")
