#!/usr/bin/env python3
"""Installation and systemd (issue 14): `meson install` with DESTDIR puts the binary, the man
pages, the example configuration and the unit in their FHS places; the man pages carry every
option of `--help`; `systemd-analyze verify` accepts the installed unit and `systemd-analyze
security` rates it 2.0 or lower; `versa serve` speaks sd_notify (READY=1 once it answers,
STOPPING=1 when SIGTERM starts the drain). The same for versa-starter.service (versa under
Server::Starter, issue 19), whose start_server ports are the example configuration's addresses
and under which every generation says READY=1 and none says STOPPING=1."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import READY_TIMEOUT, REPO, Sandbox, versa_bin, wait_until  # noqa: E402

MAX_EXPOSURE = 2.0
UNITS = ("versa.service", "versa-starter.service")
START_SERVER = shutil.which("start_server")


def commands():
    """(command, page) for `versa` and every command its --help lists: each has a page."""
    out = subprocess.run([versa_bin(), "--help"], stdout=subprocess.PIPE, text=True).stdout
    names = re.findall(r"(?m)^  ([a-z]+) ", out.split("commands:", 1)[1])
    return [("-", "versa")] + [(n, "versa-" + n) for n in names if n not in ("help", "version")]


def build_dir():
    # $VERSA_BIN is BUILD/cli/versa
    return os.path.dirname(os.path.dirname(os.path.abspath(versa_bin())))


def meson_prefix(build):
    out = subprocess.run(["meson", "introspect", "--buildoptions", build], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    import json
    opts = {o["name"]: o["value"] for o in json.loads(out)}
    return opts["prefix"], opts["bindir"], opts["mandir"]


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="versa-install-")
        cls.build = build_dir()
        r = subprocess.run(["meson", "install", "-C", cls.build, "--no-rebuild", "--quiet",
                            "--destdir", cls.dest], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise AssertionError("meson install failed:\n" + r.stdout)
        prefix, bindir, mandir = meson_prefix(cls.build)
        cls.root = cls.dest + prefix
        cls.bin = os.path.join(cls.root, bindir, "versa")
        cls.man = os.path.join(cls.root, mandir)
        cls.unit = os.path.join(cls.root, "lib", "systemd", "system", "versa.service")
        cls.starter_unit = os.path.join(cls.root, "lib", "systemd", "system",
                                        "versa-starter.service")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def test_files_in_fhs_places(self):
        self.assertTrue(os.access(self.bin, os.X_OK), self.bin)
        self.assertTrue(os.path.isfile(self.unit))
        self.assertTrue(os.path.isfile(self.starter_unit))
        example = os.path.join(self.root, "share", "doc", "versa", "examples", "versa.yaml")
        self.assertTrue(os.path.isfile(example))
        r = subprocess.run([self.bin, "serve", "-c", example, "--check"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        # the unit names this prefix's binary and configuration
        text = open(self.unit).read()
        self.assertIn("ExecStart=%s serve -c " % self.bin[len(self.dest):], text)
        text = open(self.starter_unit).read()
        self.assertIn("-- %s serve -c " % self.bin[len(self.dest):], text)

    def test_man_pages_match_help(self):
        pages = commands()
        self.assertIn(("serve", "versa-serve"), pages)
        for cmd, page in pages:
            with self.subTest(page=page):
                path = os.path.join(self.man, "man1", page + ".1")
                self.assertTrue(os.path.isfile(path), path)
                man = open(path).read()
                self.assertRegex(man, r'(?m)^\.TH %s "1"' % re.escape(page.upper()))
                args = [self.bin, "--help"] if cmd == "-" else [self.bin, cmd, "--help"]
                helptext = subprocess.run(args, stdout=subprocess.PIPE, text=True).stdout
                flags = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", helptext))
                self.assertTrue(flags or cmd == "-")
                # groff escapes '-' as '\-'
                plain = man.replace("\\-", "-")
                for flag in sorted(flags):
                    self.assertIn(flag, plain, "%s lacks %s" % (page, flag))

    def unit_for_analysis(self, name="versa.service"):
        """The installed unit with its commands pointing into DESTDIR, so `verify` finds them."""
        d = tempfile.mkdtemp(prefix="versa-unit-", dir=self.dest)
        installed = os.path.join(os.path.dirname(self.unit), name)
        text = open(installed).read().replace(self.bin[len(self.dest):], self.bin)
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_systemd_analyze_verify(self):
        # MANPATH: Documentation=man:versa-serve(1) must resolve to the installed page, and
        # man:start_server(1p) to the system's
        env = dict(os.environ, MANPATH=self.man + ":/usr/share/man")
        for name in UNITS:
            with self.subTest(unit=name):
                r = subprocess.run(["systemd-analyze", "verify", self.unit_for_analysis(name)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   env=env, cwd=self.dest)
                self.assertEqual(r.returncode, 0, r.stdout)
                self.assertEqual(r.stdout.strip(), "")

    def test_systemd_analyze_security(self):
        for name in UNITS:
            with self.subTest(unit=name):
                r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                                    "--threshold=%d" % int(MAX_EXPOSURE * 10),
                                    self.unit_for_analysis(name)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   cwd=self.dest)
                m = re.search(r"Overall exposure level for %s: ([0-9.]+) (\w+)"
                              % re.escape(name), r.stdout)
                self.assertIsNotNone(m, r.stdout)
                score, verdict = float(m.group(1)), m.group(2)
                print("# systemd-analyze security %s: %.1f %s" % (name, score, verdict))
                self.assertLessEqual(score, MAX_EXPOSURE, r.stdout)
                self.assertEqual(verdict, "OK")
                self.assertEqual(r.returncode, 0, r.stdout)

    def test_starter_ports_are_the_example_addresses(self):
        # versa refuses to start when a listener has no socket from start_server: the unit's
        # --port list must name every listen and admin address of the shipped configuration
        unit = open(self.starter_unit).read().replace("\\\n", " ")
        start = re.search(r"(?m)^ExecStart=(.*)$", unit).group(1)
        ports = re.findall(r"--port=(\S+)", start.split(" -- ")[0])
        example = open(os.path.join(REPO, "deploy", "versa.example.yaml")).read()
        addresses = re.findall(r"(?m)^\s*-? *address: (\S+)", example)
        self.assertEqual(sorted(ports), sorted(addresses))
        self.assertIn("ExecReload=", unit)
        self.assertRegex(unit, r"start_server --restart --pid-file=(\S+) .*\n?.*"
                               r"--status-file=")

    def test_reload_by_sighup(self):
        # SIGHUP is the hot reload (docs/operations.md), so `systemctl reload` sends it
        self.assertRegex(open(self.unit).read(), r"(?m)^ExecReload=/bin/kill -HUP \$MAINPID$")


class Notify(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox(tls=False)
        self.sock_path = os.path.join(self.sb.tmp, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.sock.settimeout(60)

    def tearDown(self):
        self.sock.close()
        self.sb.close()

    def diagnostics(self):
        return self.sb.diagnostics()

    def start_notified(self):
        """A gateway started with $NOTIFY_SOCKET; returns it once it said READY=1."""
        gw = self.sb.versa(self.sb.config())
        os.environ["NOTIFY_SOCKET"] = self.sock_path
        try:
            gw.start(wait_ready=False)
        finally:
            del os.environ["NOTIFY_SOCKET"]
        self.assertEqual(self.sock.recv(256), b"READY=1")
        return gw

    def test_ready_then_stopping(self):
        gw = self.start_notified()
        # READY=1 is sent once the listeners accept: the admin answers at once
        self.assertEqual(gw.admin("/readyz")[0], 200)
        self.assertEqual(self.sb.request("/pets/1").status, 200)
        gw.send_signal(signal.SIGTERM)
        self.assertEqual(self.sock.recv(256), b"STOPPING=1")
        self.assertEqual(gw.wait(), 0)

    def test_reload_is_reloading_then_ready(self):
        # sd_notify(3): `systemctl reload` (SIGHUP) waits for READY=1 after RELOADING=1, so it
        # returns once the new generation is in force, or refused
        gw = self.start_notified()
        for config in ("valid", "invalid"):
            with self.subTest(config=config):
                if config == "invalid":
                    with open(gw.config_path, "a") as f:
                        f.write("\nnot_a_key: 1\n")
                before = time.clock_gettime(time.CLOCK_MONOTONIC)
                gw.send_signal(signal.SIGHUP)
                m = re.fullmatch(rb"RELOADING=1\nMONOTONIC_USEC=(\d+)", self.sock.recv(256))
                self.assertIsNotNone(m)
                after = time.clock_gettime(time.CLOCK_MONOTONIC)
                self.assertLessEqual(before * 1e6 - 1, int(m.group(1)))
                self.assertLessEqual(int(m.group(1)), after * 1e6 + 1)
                self.assertEqual(self.sock.recv(256), b"READY=1")
                # READY=1 comes when the reload is over: its outcome is already logged
                self.assertEqual(gw.stderr().count("reload (SIGHUP)"),
                                 1 if config == "valid" else 2)
        self.assertIn("reload (SIGHUP): generation 2 in force", gw.stderr())
        self.assertIn("failed, generation 2 stays in force", gw.stderr())
        gw.send_signal(signal.SIGTERM)
        self.assertEqual(self.sock.recv(256), b"STOPPING=1")
        self.assertEqual(gw.wait(), 0)

    def test_under_start_server_every_generation_is_ready_none_stopping(self):
        # versa-starter.service: Type=notify with NotifyAccess=all, start_server as main process
        if START_SERVER is None:
            self.fail("start_server not found (deploy/install-deps.sh --test)")
        cfg = self.sb.config()
        gw = self.sb.versa(cfg)  # writes the config; start_server runs it
        status = os.path.join(self.sb.tmp, "status")
        ports = ["--port=" + cfg["listen"][0]["address"], "--port=" + cfg["admin"]["address"]]
        with open(os.path.join(self.sb.tmp, "start_server.log"), "wb") as log:
            starter = subprocess.Popen(
                [START_SERVER, *ports, "--interval=1", "--status-file=" + status, "--",
                 versa_bin(), "serve", "-c", gw.config_path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                env=dict(os.environ, NOTIFY_SOCKET=self.sock_path))
        try:
            self.assertEqual(self.sock.recv(256), b"READY=1")
            self.assertEqual(gw.admin("/readyz")[0], 200)
            starter.send_signal(signal.SIGHUP)
            self.assertEqual(self.sock.recv(256), b"READY=1")  # generation 2

            def old_gone():
                try:
                    with open(status) as f:  # "generation:pid" per live generation
                        return [line.split(":")[0] for line in f.read().split()] == ["2"]
                except OSError:
                    return False
            wait_until(old_gone, READY_TIMEOUT, "generation 1 to exit", procs=[starter])
            self.assertEqual(self.sb.request("/pets/1").status, 200)
            starter.send_signal(signal.SIGTERM)
            self.assertEqual(starter.wait(60), 0)
            # neither the upgrade nor the stop said STOPPING=1: systemd would stop the unit
            self.sock.settimeout(0)
            with self.assertRaises(BlockingIOError):
                self.sock.recv(256)
        finally:
            if starter.poll() is None:
                starter.kill()
                starter.wait()

    def test_without_notify_socket_nothing_changes(self):
        gw = self.sb.versa(self.sb.config()).start()
        self.assertEqual(gw.stop(), 0)
        self.assertNotIn("notify", gw.stderr())


if __name__ == "__main__":
    tap.main()
