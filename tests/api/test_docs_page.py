import re


def test_the_api_docs_page_loads_nothing_from_other_hosts(client, db):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', page) == []
