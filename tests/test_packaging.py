"""The CPU extra installs a TensorFlow wheel that exists on each platform."""

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

# Which TensorFlow 2.21.0 wheels the package index holds (its file list,
# checked 2026-11): tensorflow-cpu only for Linux x86_64 and Windows.
PLATFORMS = {
    "linux x86_64": (
        {"sys_platform": "linux", "platform_machine": "x86_64"},
        "tensorflow-cpu",
    ),
    "windows": (
        {"sys_platform": "win32", "platform_machine": "AMD64"},
        "tensorflow-cpu",
    ),
    "macos arm64": (
        {"sys_platform": "darwin", "platform_machine": "arm64"},
        "tensorflow",
    ),
    "linux aarch64": (
        {"sys_platform": "linux", "platform_machine": "aarch64"},
        "tensorflow",
    ),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_cpu_extra_picks_one_tensorflow_with_a_wheel(platform):
    environment, expected = PLATFORMS[platform]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    chosen = [
        requirement.name
        for requirement in map(
            Requirement, project["project"]["optional-dependencies"]["cpu"]
        )
        if requirement.marker is None
        or requirement.marker.evaluate(environment)
    ]
    assert chosen == [expected]
