"""The deploy workflow (.github/workflows/), which cannot run here: linted
against GitHub's workflow schema (check-jsonschema's vendored copy, offline),
and read for what it must do: build strictly with the address Pages reports,
upload the site, deploy it, with the command a reader runs locally."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PAGES = ROOT / ".github" / "workflows" / "pages.yml"


def lint(path):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid(path):
    result = lint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_lint_rejects_a_broken_workflow(tmp_path):
    """The same lint on a copy with a job that runs nowhere (no runs-on)
    and a step with an unknown key: it fails, so a pass above means something."""
    broken = PAGES.read_text("utf-8").replace(
        "    runs-on: ubuntu-latest\n    timeout-minutes: 60\n",
        "    timeout-minutes: 60\n",
    )
    broken = broken.replace(
        "      - uses: actions/checkout@v4\n", "      - use: x\n"
    )
    assert broken != PAGES.read_text("utf-8")
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    assert lint(path).returncode != 0


def steps(job):
    return job["steps"]


def test_pages_workflow_builds_uploads_and_deploys():
    workflow = yaml.safe_load(PAGES.read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {
        "contents": "read",
        "pages": "write",
        "id-token": "write",
    }
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "") for step in steps(build)]
    pages = next(s for s in steps(build) if s.get("id") == "pages")
    assert pages["uses"].startswith("actions/configure-pages@")
    [run] = [s for s in steps(build) if s.get("run") == "nox -s pdf"]
    assert uses.index(pages["uses"]) < steps(build).index(run)
    assert run["env"] == {
        "SITE_URL": "${{ steps.pages.outputs.base_url }}/",
        "REPO_URL": "${{ github.server_url }}/${{ github.repository }}",
    }
    [upload] = [
        s for s in steps(build) if "upload-pages-artifact" in s.get("uses", "")
    ]
    assert upload["with"]["path"] == "site"
    installs = " ".join(s.get("run", "") for s in steps(build))
    assert "fonts-noto-cjk" in installs and "poppler-utils" in installs
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in steps(deploy)] == [
        "actions/deploy-pages"
    ]


def test_the_workflow_runs_the_session_readers_run():
    """`nox -s pdf`, what the workflow runs, is a strict build that prints
    the PDFs; the README documents both."""
    noxfile = (ROOT / "noxfile.py").read_text("utf-8")
    session = noxfile.split("def pdf(session):", 1)[1].split("@nox.session", 1)[
        0
    ]
    assert '"--strict"' in session
    assert '"LSTM_BOOK_PDF": "true"' in session
    assert "tests/test_pdf.py" in session
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "nox -s pdf" in readme and ".github/workflows/pages.yml" in readme
    assert re.search(r"\bSITE_URL\b", readme) and re.search(
        r"\bREPO_URL\b", readme
    )
