"""The shape of a Claude Code server config (governance.policy.configs): each problem is
reported on the field it concerns."""

from governance.policy import configs


def test_a_remote_config_without_type_is_refused():
    problems = configs.config_problems({"url": "https://mcp.example.com/mcp"})
    assert "read" in problems["config.type"][0] and "stdio" in problems["config.type"][0]



def test_a_remote_config_needs_https_and_clean_headers():
    problems = configs.config_problems({
        "type": "http", "url": "http://mcp.example.com",
        "headers": {"Authorization": "Bearer " + "x9" * 20}})
    assert "config.url" in problems
    assert "config.headers.Authorization" in problems



def test_a_stdio_config_names_each_bad_field():
    problems = configs.config_problems(
        {"command": "", "args": "not-a-list", "env": {"TOKEN": "abc123def456"}, "cwd": "/"})
    assert set(problems) == {"config.command", "config.args", "config.env.TOKEN", "config.cwd"}
