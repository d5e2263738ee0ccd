"""`itokr due --notify`: one digest per owner, posted to a webhook on this machine."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, installed_itokr
from sourceservers import direct_to_loopback  # noqa: F401 (autouse: no proxy for 127.0.0.1)
from webhookserver import SECRET, Reply, Webhook, webhook

TEAM = """\
period: 2026-Q4
owner: {owner}
objectives:
  - id: {id}
    title: Keep the service fast and reliable
    key_results:
      - id: latency
        title: Cut p95 latency from 250 ms to 200 ms
        unit: ms
        baseline: 250
        target: 200
        checkins:
          - {{date: {last}, value: 230}}
      - id: runbook
        title: Publish the <runbook> & the drill
        due: 2026-11-25
        done: false
"""
KPI = """\
owner: alpha
kpis:
  - id: mttr
    title: Mean time to repair
    unit: h
    good: 4
    bad: 8
    every: 1m
    checkins: [{date: 2026-09-30, value: 5}]
"""
AS_OF = "2026-11-21"


@pytest.fixture
def root(make_root: Callable[..., Path]) -> Path:
    return make_root(
        {
            "alpha.yaml": TEAM.format(owner="alpha", id="alpha-goal", last="2026-10-20"),
            "beta.yaml": TEAM.format(owner="beta", id="beta-goal", last="2026-10-20"),
            # nothing owed: checked in yesterday, and its runbook is done
            "gamma.yaml": TEAM.format(owner="gamma", id="gamma-goal", last="2026-11-20").replace(
                "done: false", "done: true"
            ),
            "kpis.yaml": KPI,
        }
    )


def _notify(run: Callable[..., Result], root: Path, hook: Webhook, *args: str) -> Result:
    return run(
        "--root",
        str(root),
        "due",
        "--as-of",
        AS_OF,
        "--notify",
        "--format",
        "json",
        *args,
        env={"ITOKR_NOTIFY_URL": hook.url},
    )


def _no_secret(result: Result) -> None:
    for text in (result.stdout, result.stderr):
        assert "SECRET" not in text and "/services/" not in text


def test_one_slack_digest_per_owner_with_something_due(
    run: Callable[..., Result], root: Path
) -> None:
    with webhook() as hook:
        result = _notify(run, root, hook)
    assert result.exit_code == 0, result.stderr
    assert [path for path, _, _ in hook.received] == [f"/services/{SECRET}"] * 2
    assert all(h["Content-Type"] == "application/json" for _, h, _ in hook.received)
    alpha, beta = hook.documents()
    assert alpha["text"].startswith("alpha owes 3 check-ins (2 stale), as of 2026-11-21:")
    assert beta["text"].startswith("beta owes 2 check-ins (1 stale)")
    blocks = alpha["blocks"]
    assert [b["type"] for b in blocks] == ["header", "context", "section", "section", "section"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "alpha owes 3 check-ins (2 stale)"}
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(b["text"]["type"] == "mrkdwn" for b in blocks if b["type"] == "section")
    # each with its ready-to-run line; the title's markup characters escaped for mrkdwn
    assert [s.rsplit("\n", 1)[1] for s in sections] == [
        f"`itokr checkin alpha-goal/latency --root {root}`",
        f"`itokr checkin alpha-goal/runbook --root {root}`",
        f"`itokr checkin mttr --root {root}`",
    ]
    assert sections[1].startswith("*Publish the &lt;runbook&gt; &amp; the drill*\n")
    assert sections[0].split("\n")[1].startswith("*stale* · 230/200 ms · check-in stale")
    # the usual output still goes to stdout; what was sent, to stderr
    assert json.loads(result.stdout)["as_of"] == AS_OF
    assert result.stderr.splitlines() == [
        "itokr: notified alpha: 3 owed",
        "itokr: notified beta: 2 owed",
    ]


def _adaptive_card(document: dict[str, Any]) -> dict[str, Any]:
    assert document["type"] == "message"
    [attachment] = document["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card: dict[str, Any] = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] == "1.4"
    return card


def test_teams_gets_an_adaptive_card(run: Callable[..., Result], root: Path) -> None:
    with webhook() as hook:
        result = _notify(run, root, hook, "--notify-format", "teams")
    assert result.exit_code == 0, result.stderr
    card = _adaptive_card(hook.documents()[0])
    assert card["body"][0]["text"] == "alpha owes 3 check-ins (2 stale)"
    containers = [item for item in card["body"] if item["type"] == "Container"]
    commands = [c["items"][-1] for c in containers]
    assert [c["text"] for c in commands] == [
        f"itokr checkin {ref} --root {root}"
        for ref in ("alpha-goal/latency", "alpha-goal/runbook", "mttr")
    ]
    assert {c["fontType"] for c in commands} == {"Monospace"}
    assert containers[0]["items"][1]["color"] == "Attention"  # the stale one


def test_json_digest_is_the_owners_part_of_due(run: Callable[..., Result], root: Path) -> None:
    with webhook() as hook:
        result = _notify(run, root, hook, "--notify-format", "json")
    assert result.exit_code == 0, result.stderr
    alpha = hook.documents()[0]
    due = json.loads(result.stdout)["owners"][0]
    assert alpha["owner"] == "alpha" and alpha["as_of"] == AS_OF
    assert (alpha["key_results"], alpha["kpis"]) == (due["key_results"], due["kpis"])
    assert alpha["commands"][-1] == f"itokr checkin mttr --root {root}"


def test_a_failed_post_is_tried_once_more(run: Callable[..., Result], root: Path) -> None:
    with webhook([Reply(500)]) as hook:
        result = _notify(run, root, hook)
    assert result.exit_code == 0, result.stderr
    assert len(hook.received) == 3  # alpha twice, beta once
    assert hook.received[0][2] == hook.received[1][2]
    assert "itokr: notified alpha: 3 owed (2 tries)" in result.stderr.splitlines()


def test_two_failures_name_the_status_never_the_url(run: Callable[..., Result], root: Path) -> None:
    with webhook([Reply(500), Reply(503)]) as hook:
        result = _notify(run, root, hook)
        debug = run(
            "--debug",
            "--root",
            str(root),
            "due",
            "--as-of",
            AS_OF,
            "--notify",
            env={"ITOKR_NOTIFY_URL": hook.url},
        )
    assert result.exit_code == 1
    assert (
        "itokr: the digest for alpha was not delivered: HTTP 503 Service Unavailable (2 tries)"
        in result.stderr.splitlines()
    )
    # beta's digest is still sent
    assert "itokr: notified beta: 2 owed" in result.stderr.splitlines()
    assert [json.loads(body)["text"].split(" owes")[0] for _, _, body in hook.received] == [
        "alpha",
        "alpha",
        "beta",
        "alpha",
        "beta",
    ]
    _no_secret(result)
    _no_secret(debug)


def test_a_webhook_that_does_not_answer_times_out(run: Callable[..., Result], root: Path) -> None:
    slow = Reply(200, delay=3)
    with webhook([slow, slow]) as hook:
        result = _notify(run, root, hook, "--notify-timeout", "0.5")
    assert result.exit_code == 1
    assert (
        "itokr: the digest for alpha was not delivered: no answer within 0.5 s (2 tries)"
        in result.stderr.splitlines()
    )
    assert "itokr: notified beta: 2 owed" in result.stderr.splitlines()
    _no_secret(result)


def test_a_client_error_is_not_tried_again(run: Callable[..., Result], root: Path) -> None:
    with webhook([Reply(404)]) as hook:
        result = _notify(run, root, hook)
    assert result.exit_code == 1
    assert len(hook.received) == 2
    assert "not delivered: HTTP 404 Not Found" in result.stderr
    _no_secret(result)


def test_nothing_owed_posts_nothing(run: Callable[..., Result], root: Path) -> None:
    with webhook() as hook:
        result = _notify(run, root, hook, "--owner", "gamma")
    assert result.exit_code == 0
    assert hook.received == []
    assert "no digest sent" in result.stderr


def test_a_missing_or_bad_url_is_a_usage_error(run: Callable[..., Result], root: Path) -> None:
    result = run("--root", str(root), "due", "--notify")
    assert result.exit_code == 2
    assert "ITOKR_NOTIFY_URL" in result.stderr
    bad = "ftp://hooks.example/T0SECRET"
    result = run("--root", str(root), "due", "--notify", env={"ITOKR_NOTIFY_URL": bad})
    assert result.exit_code == 2
    assert "not an http:// or https:// URL" in result.stderr
    _no_secret(result)


def test_installed_entry_point(root: Path, tmp_path: Path) -> None:
    """The scheduled job's view: exit codes and streams of the real `itokr`."""
    env = {**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    with webhook([Reply(500), Reply(500)]) as hook:
        env["ITOKR_NOTIFY_URL"] = hook.url
        done = subprocess.run(
            [installed_itokr(), "--root", str(root), "due", "--as-of", AS_OF, "--notify"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert done.returncode == 1
    assert "HTTP 500" in done.stderr and "notified beta" in done.stderr
    assert "alpha-goal/latency" in done.stdout  # the table, as without --notify
    assert "SECRET" not in done.stdout + done.stderr
    assert len(hook.received) == 3
