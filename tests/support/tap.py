"""Runs the unittest cases of a test file and reports them as TAP (for `meson test --protocol tap`).

Each test prints `ok N - Class.test` or `not ok N - Class.test` followed by its traceback (and the
test's own `diagnostics()`, e.g. the gateway's log) as `# ` lines. Errors in class set-up or
tear-down are reported as failed cases of their own, so the plan is printed last. Exits non-zero
when anything failed.

A failure is also written to stderr (its name, traceback and the last lines of its diagnostics):
`meson test --print-errorlogs` shows a TAP test's stderr but not its stdout, and a CI log must
say why a test failed without a rerun."""
import sys
import traceback
import unittest


class _TapResult(unittest.TestResult):
    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0
        self.failed = 0

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()

    def _diag(self, text):
        for line in text.rstrip("\n").split("\n"):
            self._line("# " + line)

    @staticmethod
    def _stderr(text, max_lines=None):
        lines = text.rstrip("\n").split("\n")
        if max_lines is not None and len(lines) > max_lines:
            lines = ["[%d lines cut]" % (len(lines) - max_lines)] + lines[-max_lines:]
        sys.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()

    @staticmethod
    def _name(test):
        case = getattr(test, "test_case", None)  # a subTest
        if case is not None:
            return "%s.%s %s" % (type(case).__name__, case._testMethodName,
                                 test._subDescription())
        if isinstance(test, unittest.TestCase):
            return "%s.%s" % (type(test).__name__, test._testMethodName)
        return str(test)  # _ErrorHolder: "setUpClass (module.Class)"

    def _report(self, test, ok, err=None, directive=""):
        self.n += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, self._name(test))
        self._line(line + (" # " + directive if directive else ""))
        if not ok:
            self.failed += 1
            self._stderr(line)
            if err is not None:
                tb = "".join(traceback.format_exception(*err))
                self._diag(tb)
                self._stderr(tb)
            extra = getattr(test, "diagnostics", None)
            if callable(extra):
                try:
                    text = extra()
                except Exception as e:  # diagnostics must never hide the failure itself
                    text = "diagnostics failed: %r" % e
                if text:
                    self._diag(text)
                    self._stderr(text, max_lines=60)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._report(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._report(test, False, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._report(test, False, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._report(test, True, directive="SKIP " + reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._report(test, True, directive="TODO expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._report(test, False)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:  # a failing subtest is its own failed case; passing ones are quiet
            self._report(subtest, False, err)


def main(module="__main__"):
    """Loads every TestCase of `module` (or the names given on the command line), runs them in
    definition order of their classes, prints TAP and exits 0 only when all passed."""
    loader = unittest.TestLoader()
    mod = sys.modules[module]
    if len(sys.argv) > 1:
        suite = loader.loadTestsFromNames(sys.argv[1:], mod)
    else:
        suite = loader.loadTestsFromModule(mod)
    result = _TapResult(sys.stdout)
    suite.run(result)
    result._line("1..%d" % result.n)
    if result.n == 0:
        result._line("# no tests ran")
    sys.exit(1 if result.failed or result.n == 0 else 0)
