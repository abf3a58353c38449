"""Start the external triple stores the tests and benchmarks compare against, on 127.0.0.1 and free ports.

- Virtuoso 7 (Debian `virtuoso-opensource-7-bin`): `virtuoso-t -f` in a folder of its own, from
  virtuoso.ini.template beside this file, then the SPARQL update grant Virtuoso's docs give for a
  private server.
- Apache Jena TDB2 (Debian `libapache-jena-java`, which has no Fuseki server): `tdb2.tdbloader` loads an
  N-Quads dump, and JenaServer.java (Java's single-file launcher) serves it over the SPARQL Protocol with
  the union of the named graphs as default graph, as Fuseki does with `tdb2:unionDefaultGraph true`.

Start-up waits scale with the machine: at most $TRADEKG_TEST_STARTUP_S seconds (default 180), polling.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def startup_s() -> float:
    return float(os.environ.get("TRADEKG_TEST_STARTUP_S", "180"))


def wait_until_answering(url: str, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    """Poll ``url`` until it answers, the process dies, or the start-up budget is spent."""
    deadline = time.monotonic() + startup_s()
    delay = 0.2
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
                raise RuntimeError(f"{what} did not start within {startup_s():.0f} s "
                                   f"(set TRADEKG_TEST_STARTUP_S to wait longer): {detail}")
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def start_virtuoso(folder: Path) -> tuple[subprocess.Popen, str]:
    """A stock Virtuoso 7 with the documented update grant; returns the process and its /sparql URL."""
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = (HERE / "virtuoso.ini.template").read_text()
    ini = ini.replace("@DIR@", str(folder)).replace("@HTTP_PORT@", str(http_port)).replace("@SQL_PORT@", str(sql_port))
    (folder / "virtuoso.ini").write_text(ini)
    log = folder / "virtuoso.out"
    process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    wait_until_answering(url + "?query=ASK%7B%7D", process, "Virtuoso", folder / "virtuoso.log")
    subprocess.run(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                   check=True, capture_output=True, timeout=startup_s())
    return process, url


def jena_available() -> bool:
    return shutil.which("java") is not None and Path("/usr/share/java/jena-tdb2.jar").exists()


def jena_classpath(folder: Path) -> str:
    return subprocess.run([str(HERE / "jena-classpath.sh"), str(folder / "fix")], check=True,
                          capture_output=True, text=True).stdout.strip()


def start_jena(folder: Path, nquads: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Jena TDB2 (loaded from ``nquads`` with tdb2.tdbloader, if given) behind JenaServer.java."""
    folder.mkdir(parents=True, exist_ok=True)
    classpath = jena_classpath(folder)
    database = folder / "tdb2"
    if nquads is not None:
        subprocess.run(["java", "-cp", classpath, "tdb2.tdbloader", "--loc", str(database), str(nquads)],
                       check=True, capture_output=True, timeout=max(startup_s(), 600))
    port = free_port()
    log = folder / "jena.out"
    process = subprocess.Popen(["java", "-cp", classpath, str(HERE / "JenaServer.java"), "--loc", str(database),
                                "--port", str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    wait_until_answering(url + "?query=ASK%7B%7D", process, "Jena (JenaServer.java over TDB2)", log)
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
