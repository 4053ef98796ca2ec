"""QA 8/9/10 items 7 and 11 through Fava's editor (``serve --edit``): no entry dated after
today, no include of a file outside the books, and no parser error quoting what was typed.
Each refusal leaves the books byte-identical. Fictional data only."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from pathlib import Path

import pytest
from integrity_support import YEAR, base_env, build_books
from tests_support import git_state, serving, tree_digest

from ledger.dates import today as calendar_today

SLUG = "hub-test-asbl"


def api(port: int, method: str, path: str, payload: object | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps(payload) if payload is not None else None
    conn.request(method, f"/{SLUG}/api/{path}", body=body,
                 headers={"Content-Type": "application/json"})  # fmt: skip
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, json.loads(text)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("qa-fava")
    env = base_env(home)
    build_books(home / "books", env, close=False)
    return home / "books", env


def test_qa_8_9_10_7_and_11_fava_edit_refuses_future_dates_outside_includes_and_quotes(
    books: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = books
    main = str(root / "main.beancount")
    secret = tmp_path / "person.txt"
    secret.write_text("alias = Fictive Testeuse\nname = Zorbania Quixtaval\n")
    future = (calendar_today() + dt.timedelta(days=35)).isoformat()
    entry = {"t": "Transaction", "date": future, "flag": "*", "payee": "",
             "narration": "caisse", "tags": [], "links": [], "meta": {},
             "postings": [{"account": "Assets:Caisse", "amount": "5.00 EUR"},
                          {"account": "Income:Dons", "amount": "-5.00 EUR"}]}  # fmt: skip
    before, history = tree_digest(root), git_state(root)
    with serving(env, root, "--edit") as port:
        status, reply = api(port, "PUT", "add_entries", {"entries": [entry]})
        assert status == 422 and f"dated {future}, in the future" in reply["error"], reply
        _, source = api(port, "GET", f"source?filename={main}")
        data = source["data"]
        for added, words in (
            (f'\n{future} * "plus tard"\n  Assets:Caisse  1.00 EUR\n  Income:Dons\n',
             "in the future"),
            (f'\ninclude "{secret}"\n', "outside the books"),
            ('\ninclude "/etc/passwd"\n', "outside the books"),
            (f'\n{YEAR + 1}-01-03 * "x"\n  Zorbania Quixtaval  1.00 EUR\n  Income:Dons\n',
             "not repeated"),
        ):  # fmt: skip
            status, reply = api(port, "PUT", "source", {"file_path": main, "sha256sum":
                                data["sha256sum"], "source": data["source"] + added})  # fmt: skip
            assert status == 422 and words in reply["error"], reply
            for word in ("Zorbania", "Quixtaval", "Fictive", "root:"):
                assert word not in json.dumps(reply), reply
    assert tree_digest(root) == before and git_state(root) == history
