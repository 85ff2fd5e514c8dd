"""Tasks of the book. Each session installs what it needs from pyproject.toml.

    nox -s tests       every test on the CPU build of TensorFlow (what CI runs)
    nox -s tests_jax   unit tests and every page on Keras' JAX backend (jax[cpu])
    nox -s tests_gpu   the same on the GPU build, plus GPU checks; skips without a GPU
    nox -s docs        strict site build into site/
    nox -s pdf         the site with its PDF edition (site/pdf/), as the deploy workflow publishes it
    nox -s serve       build and serve the site at http://127.0.0.1:8000
    nox -s lint        ruff
    nox -s bench       benchmarks (timings, not pass/fail)

Arguments after ``--`` go to the tool: ``nox -s tests -- docs/en -x``.

Every session but ``tests_newest`` installs the versions pinned in
``constraints.txt``, so a new release of Keras or TensorFlow changes nothing
until that file is updated on purpose.
"""

import shutil
import subprocess

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests", "lint"]

VERSIONS = (
    "import keras, tensorflow as tf; "
    "print(f'keras {keras.__version__}, tensorflow {tf.__version__}, "
    'GPUs: {tf.config.list_physical_devices("GPU") or "none"}\')'
)


# The pinned versions (pyproject.toml keeps ranges, for users of the package).
PINNED = ("-c", "constraints.txt")

# pytest-xdist: one worker per core. A page's zh and en blocks go to one
# worker as one unit (their code runs once), the site tests to another.
PARALLEL = ("-n", "auto")


@nox.session
def tests(session):
    """Unit tests, every Python block of every page (zh and en), parity, the site build."""
    session.install(*PINNED, "-e", ".[cpu,onnx,test,docs]")
    session.run("python", "-c", VERSIONS)
    session.run(
        "python", "-m", "pytest", "-m", "not gpu", *PARALLEL, *session.posargs
    )


@nox.session
def tests_newest(session):
    """The suite on the newest releases pyproject.toml allows, ignoring
    constraints.txt: what an upgrade would change. Not part of CI.
    ``nox -s tests_newest -- --freeze`` then rewrites constraints.txt from
    this environment (only if the tests passed)."""
    freeze = "--freeze" in session.posargs
    args = [arg for arg in session.posargs if arg != "--freeze"]
    session.install("--upgrade", "-e", ".[cpu,jax,onnx,test,docs]")
    session.run("python", "-c", VERSIONS)
    session.run("python", "-m", "pytest", "-m", "not gpu", *PARALLEL, *args)
    if freeze:
        pins = session.run(
            "python", "-m", "pip", "freeze", "--exclude-editable", silent=True
        )
        with open("constraints.txt", "w") as file:
            file.write(
                "# Versions the test sessions install (nox passes -c "
                "constraints.txt).\n# Regenerate on purpose, after "
                "'nox -s tests_newest' passes:\n#   nox -s tests_newest -- "
                "--freeze (writes this file from that environment)\n"
            )
            file.write("\n".join(sorted(pins.split(), key=str.lower)) + "\n")


@nox.session
def tests_jax(session):
    """Unit tests and every page on Keras' JAX backend; pages compared by the
    other-backend rule (tests/pages/compare.py). TensorFlow stays installed:
    tf.data feeds the models on any backend. Not the site build (TensorFlow's)."""
    session.install(*PINNED, "-e", ".[cpu,jax,test,docs]")
    env = {"KERAS_BACKEND": "jax"}
    session.run(
        "python",
        "-c",
        "import jax, keras; print(f'keras {keras.__version__} on "
        "{keras.backend.backend()}, jax {jax.__version__}, "
        "devices: {jax.devices()}')",
        env=env,
    )
    session.run(
        "python",
        "-m",
        "pytest",
        "-m",
        "not gpu and not site",
        *PARALLEL,
        *session.posargs,
        env=env,
    )


@nox.session
def tests_gpu(session):
    """The whole suite on tensorflow[and-cuda], plus tests that assert the GPU is used."""
    if shutil.which("nvidia-smi") is None:
        session.skip("no NVIDIA GPU visible: nvidia-smi is not installed")
    listing = subprocess.run(
        ["nvidia-smi", "-L"], capture_output=True, text=True
    )
    if listing.returncode != 0 or "GPU" not in listing.stdout:
        session.skip(
            f"no NVIDIA GPU visible: nvidia-smi -L says {listing.stdout or listing.stderr!r}"
        )
    session.log(f"GPUs: {listing.stdout.strip()}")
    session.install(*PINNED, "-e", ".[gpu,test,docs]")
    session.run("python", "-c", VERSIONS)
    session.run("python", "-m", "pytest", *PARALLEL, *session.posargs)


@nox.session
def docs(session):
    """Build the site with --strict: any warning (missing page, broken include) fails."""
    session.install(*PINNED, "-e", ".[cpu,docs]")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def pdf(session):
    """The site as published, with its print edition: a strict build that also
    prints one PDF per language into site/pdf/ (Chromium; Chinese needs a CJK
    font: apt-get install fonts-noto-cjk) and checks them with poppler-utils.
    The deploy workflow runs this with SITE_URL and REPO_URL set. Not part of
    CI (printing both languages takes minutes); tests/test_site.py prints one
    chapter."""
    session.install(*PINNED, "-e", ".[cpu,docs,test]")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        env={"LSTM_BOOK_PDF": "true", "LSTM_BOOK_NOTEBOOK_CACHE": "true"},
    )
    session.run(
        "python",
        "-m",
        "pytest",
        "-n",
        "0",
        "tests/test_pdf.py",
        env={"LSTM_BOOK_PDF_DIR": "site/pdf"},
    )


@nox.session
def serve(session):
    """Build and serve the site with live reload (notebook outputs cached)."""
    session.install(*PINNED, "-e", ".[cpu,docs]")
    session.run(
        "mkdocs",
        "serve",
        *session.posargs,
        env={"LSTM_BOOK_NOTEBOOK_CACHE": "true"},
    )


@nox.session
def lint(session):
    """ruff: lint and formatting of the package, the tests and the notebooks."""
    session.install(*PINNED, "ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


BENCHMARKS = ("fast_training", "alphabet", "seeds")


@nox.session
def bench(session):
    """Timing benchmarks; they print numbers and never fail on speed.

    nox -s bench                               all (the alphabet's literal port of
                                               the seed took 19 min on 2 cores)
    nox -s bench -- alphabet --scale 0.1 --only 6    one benchmark, with its options
    """
    names, args = BENCHMARKS, list(session.posargs)
    if args:
        if args[0] not in BENCHMARKS:
            session.error(
                f"name a benchmark first, one of {BENCHMARKS}, got {args[0]!r}"
            )
        names, args = [args[0]], args[1:]
    session.install(*PINNED, "-e", ".[cpu]")
    for name in names:
        session.run("python", "-m", f"tests.benchmarks.{name}", *args)
