"""The workflow's HTTP API: requests, and the catalog of servers with their approvals,
pending requests and denials."""
