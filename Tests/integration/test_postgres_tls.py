"""`sslmode` in the store URL is honoured (issue 16, section 4, "PostgreSQL").

Before, the URL's query was ignored and every connection was plain text: `sslmode=require`
against a server without SSL connected in the clear, and `verify-full` with a CA that did not
sign the server's certificate connected anyway. The test makes a CA and a certificate for
`localhost` with openssl, starts a throwaway cluster with ssl=on (Tests/postgres/cluster.sh,
CLUSTER_SSL_DIR), and checks each mode against the real server binary.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import BIN, AGENTS, REPO, Server
from test_nodes import free_port

CLUSTER = REPO / "Tests" / "postgres" / "cluster.sh"


def openssl(*args: str, cwd: Path):
    out = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def make_ca(folder: Path, name: str):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=folder)


@pytest.fixture(scope="module")
def certificates():
    folder = Path(tempfile.mkdtemp(prefix="dialogue-pg-tls-", dir="/tmp"))
    make_ca(folder, "test-ca")
    make_ca(folder, "wrong-ca")
    (folder / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr", cwd=folder)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "test-ca.crt", "-CAkey", "test-ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "server.crt", cwd=folder)
    os.chmod(folder, 0o755)
    for f in folder.iterdir():
        os.chmod(f, 0o644)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def cluster(ssl_dir: Path | None):
    parent = Path(tempfile.mkdtemp(prefix="dialogue-pg-tls-cluster-", dir="/tmp"))
    folder = parent / "cluster"
    port = free_port()
    env = dict(os.environ)
    if ssl_dir:
        env["CLUSTER_SSL_DIR"] = str(ssl_dir)
    out = subprocess.run([str(CLUSTER), "start", str(folder), str(port)], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, f"cluster did not start: {out.stderr}"
    return parent, folder, port


@pytest.fixture(scope="module")
def ssl_cluster(certificates):
    parent, folder, port = cluster(certificates)
    yield port
    subprocess.run([str(CLUSTER), "stop", str(folder)], capture_output=True, timeout=60)
    shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="module")
def plain_cluster():
    parent, folder, port = cluster(None)
    yield port
    subprocess.run([str(CLUSTER), "stop", str(folder)], capture_output=True, timeout=60)
    shutil.rmtree(parent, ignore_errors=True)


def encrypted_connections(port: int, database: str) -> int:
    """Connections to `database` that use SSL, as the server sees them."""
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-Atc",
         "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
         f"WHERE a.datname = '{database}' AND s.ssl"],
        capture_output=True, text=True, timeout=30, env={**os.environ, "PGSSLMODE": "disable"})
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def fresh_database(port: int) -> str:
    """A new empty database on the cluster, so each test's server makes its own officer."""
    name = f"d{secrets.token_hex(4)}"
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-c",
                          f"CREATE DATABASE {name}"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PGSSLMODE": "disable"})
    assert out.returncode == 0, out.stderr
    return name


def refused_start(tmp_path: Path, url: str) -> str:
    """Runs `serve --store URL`, which must fail to start; returns what it said."""
    out = subprocess.run([BIN, "serve", "--port", "0", "--data", str(tmp_path / "data"), "--agents", AGENTS,
                          "--store", url], capture_output=True, text=True, timeout=60)
    assert out.returncode != 0, f"the server started with {url}: {out.stdout}"
    assert "url:" not in out.stdout
    return out.stderr


def test_require_encrypts_the_connections(ssl_cluster, tmp_path):
    db = fresh_database(ssl_cluster)
    srv = Server(tmp_path / "data", ["--store", f"postgres://postgres@127.0.0.1:{ssl_cluster}/{db}?sslmode=require"])
    srv.start(expect_token=True)
    try:
        sid = srv.create_session("Qua TLS")["id"]
        assert sid
        assert encrypted_connections(ssl_cluster, db) >= 1
    finally:
        srv.stop()


def test_verify_full_with_the_test_ca_works(ssl_cluster, certificates, tmp_path):
    db = fresh_database(ssl_cluster)
    url = (f"postgres://postgres@localhost:{ssl_cluster}/{db}?sslmode=verify-full"
           f"&sslrootcert={certificates / 'test-ca.crt'}")
    srv = Server(tmp_path / "data", ["--store", url])
    srv.start(expect_token=True)
    try:
        assert srv.create_session("verify-full")["id"]
        assert encrypted_connections(ssl_cluster, db) >= 1
    finally:
        srv.stop()


def test_verify_full_with_a_wrong_ca_is_refused_clearly(ssl_cluster, certificates, tmp_path):
    url = (f"postgres://postgres@localhost:{ssl_cluster}/dialogue?sslmode=verify-full"
           f"&sslrootcert={certificates / 'wrong-ca.crt'}")
    said = refused_start(tmp_path, url)
    assert "certificate" in said and "TLS" in said, said


def test_require_against_a_server_without_ssl_is_refused_clearly(plain_cluster, tmp_path):
    said = refused_start(tmp_path, f"postgres://postgres@127.0.0.1:{plain_cluster}/dialogue?sslmode=require")
    assert "does not accept TLS" in said, said


def test_an_unknown_sslmode_is_refused_with_the_reason(plain_cluster, tmp_path):
    said = refused_start(tmp_path, f"postgres://postgres@127.0.0.1:{plain_cluster}/dialogue?sslmode=sometimes")
    assert "sslmode=sometimes is not one of" in said, said
