"""The enforcement hook is served as a download."""





def test_hook_is_served_as_a_download(api, developer):
    response = api(developer).get("/api/v1/client/mcp_governance_hook.py")
    assert response.status_code == 200
    assert b"PreToolUse" in b"".join(response.streaming_content)
