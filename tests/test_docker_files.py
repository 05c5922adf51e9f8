"""The Docker files build for everyone (no docker here, so their properties are read and checked).

- The Dockerfile works with the classic builder and with BuildKit: no heredoc, no
  ``# syntax=`` directive (BuildKit would fetch a frontend image from a registry), no
  BuildKit-only flags.
- The replicas' nginx re-resolves the bot service, so replicas started later are found.
- The compose files use no tag or key that needs a recent Compose, and the README names
  the Compose version they need.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "docker-compose.yml"
REPLICAS = ROOT / "docker-compose.replicas.yml"
NGINX = ROOT / "deploy" / "nginx.conf"
README = ROOT / "README.md"

# Flags the classic builder understands; anything else (RUN --mount, COPY --link/--chmod...)
# needs BuildKit.
CLASSIC_FLAGS = {"FROM": {"--platform"}, "COPY": {"--from", "--chown"}, "ADD": {"--chown"}}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, rest = stripped.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def load_yaml(path: Path) -> dict[str, Any]:
    # safe_load refuses custom tags such as !reset/!override (Compose 2.18+ only): a
    # file that loads here uses none of them.
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def test_dockerfile_has_no_parser_directive_and_no_heredoc() -> None:
    text = DOCKERFILE.read_text()
    directives = re.compile(r"^#\s*(syntax|escape|check)\s*=", re.IGNORECASE)
    # Parser directives are only read before the first instruction or blank line.
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        assert not directives.match(line), f"parser directive needs BuildKit: {line}"
    assert "<<" not in text, "heredocs need BuildKit"


def test_dockerfile_uses_only_flags_the_classic_builder_knows() -> None:
    for word, args in instructions(DOCKERFILE.read_text()):
        flags = {token.split("=", 1)[0] for token in shlex.split(args, posix=False) if token.startswith("--")}
        if word in ("RUN", "CMD", "HEALTHCHECK", "ENTRYPOINT"):
            # Only the instruction's own flags count, not those of the command it runs.
            head = args.split(" ", 1)[0]
            flags = {head.split("=", 1)[0]} if head.startswith("--") and word == "RUN" else set()
        assert flags <= CLASSIC_FLAGS.get(word, set()), f"{word} {sorted(flags)} needs BuildKit"


def test_dockerfile_installs_dependencies_before_the_source_and_runs_as_non_root() -> None:
    steps = instructions(DOCKERFILE.read_text())
    copies = [args for word, args in steps if word == "COPY"]
    assert copies[0].startswith("pyproject.toml"), "dependencies first: rebuilds stay fast"
    first_source = next(i for i, (w, a) in enumerate(steps) if w == "COPY" and a.startswith("bot"))
    install = next(i for i, (w, a) in enumerate(steps) if w == "RUN" and "pip install -r" in a)
    assert install < first_source
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(word == "HEALTHCHECK" and "/healthz" in args for word, args in steps)


def test_replicas_file_stands_alone_with_no_published_bot_port() -> None:
    replicas = load_yaml(REPLICAS)
    services = replicas["services"]
    assert {"db", "bot", "lb"} <= set(services)
    bot = services["bot"]
    assert "ports" not in bot, "two replicas cannot publish the same host port"
    assert bot["deploy"]["replicas"] >= 2
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    # No configs.content (Compose 2.23+): nginx's config is a mounted file that exists.
    assert "configs" not in replicas and "configs" not in services["lb"]
    mounts = [v.split(":")[:2] for v in services["lb"]["volumes"]]
    assert ["./deploy/nginx.conf", "/etc/nginx/conf.d/default.conf"] in mounts
    assert NGINX.is_file()


def test_nginx_re_resolves_the_bot_service_through_a_variable_upstream() -> None:
    conf = re.sub(r"#.*", "", NGINX.read_text())
    assert re.search(r"^\s*resolver\s+127\.0\.0\.11\s+valid=10s\b", conf, re.MULTILINE), "Docker's DNS, re-asked"
    assert not re.search(r"\bupstream\s+\w+\s*\{", conf), "a static upstream is resolved once at start"
    port = load_yaml(REPLICAS)["services"]["bot"]["environment"]["PORT"]
    sets = dict(re.findall(r"^\s*set\s+(\$\w+)\s+(\S+);", conf, re.MULTILINE))
    (target,) = re.findall(r"^\s*proxy_pass\s+(\S+);", conf, re.MULTILINE)
    assert target in sets, "proxy_pass must use a variable, or nginx never resolves again"
    assert sets[target] == f"http://bot:{port}"


def test_compose_files_load_without_custom_tags_and_escape_no_stray_dollar() -> None:
    for path in (COMPOSE, REPLICAS):
        load_yaml(path)
        for line in path.read_text().splitlines():
            code = line.split("#", 1)[0]
            # Compose interpolates $VAR itself; an nginx variable would silently vanish.
            assert not re.search(r"(?<!\$)\$(?![{$])", code), f"{path.name}: unescaped $ in {line!r}"


def test_readme_names_the_compose_version_and_the_replicas_command() -> None:
    readme = README.read_text()
    assert re.search(r"Docker Compose v2", readme)
    header = [line.lstrip("# ").split("   #")[0].strip() for line in REPLICAS.read_text().splitlines()[:6]]
    command = next(line for line in header if line.startswith("docker compose") and "up --build" in line)
    assert command.startswith("docker compose -f docker-compose.replicas.yml up --build")
    assert command in readme
