"""Word 97 .doc, .odt, .rtf, .wps (whatever LibreOffice opens) → .docx bytes, by LibreOffice.

``to_docx(data, path, suffix)`` runs ``soffice --headless --convert-to docx`` on a copy of the
input in a throw-away folder, with:

* its own throw-away user profile (``-env:UserInstallation``), so that it neither reads nor
  changes the user's LibreOffice settings and does not collide with a LibreOffice already open;
* macros never run: the profile it starts with sets the macro security level to "very high"
  with no trusted location, and ``--norestore`` / ``--nolockcheck`` / ``--nodefault`` keep it
  from opening anything else;
* a timeout (``TIMEOUT`` seconds, ``DUTYMATRIX_SOFFICE_TIMEOUT`` sets another), after which the
  process is killed and the file refused with a message.

The .docx is then read by ``docx`` like any other. Without ``soffice`` on ``PATH`` the
input is refused with a message saying how to install LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import MatrixInputError
from ..i18n import N_, _

TIMEOUT = 120.0
TIMEOUT_VARIABLE = "DUTYMATRIX_SOFFICE_TIMEOUT"
_NAMES = ("soffice", "libreoffice")

# A user profile whose only setting is: macros never run (security level 3, "very high", and
# no trusted location), and no first-start wizard.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="SecureURL" oor:op="fuse"><value/></prop></item>
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="ooSetupInstCompleted" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="FirstStartWizardCompleted" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""

INSTALL = N_("install LibreOffice (https://www.libreoffice.org; on Debian or Ubuntu: "
           "apt-get install libreoffice-writer) so that `soffice` is on PATH, or save the "
           "file as .docx in Word or WPS and read that")


def soffice() -> str | None:
    """The path of LibreOffice's ``soffice``, or None when it is not on PATH."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _timeout(path: str) -> float:
    value = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not value:
        return TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0:
        raise MatrixInputError(_("{path}: {variable}={value!r}: expected a positive "
                                 "number of seconds").format(
                                     path=path, variable=TIMEOUT_VARIABLE, value=value))
    return seconds


def _run(command: list[str], timeout: float, env: dict[str, str]):
    """``command`` in a session of its own; on the timeout the whole session is killed
    (``soffice`` is a wrapper: killing it alone left ``soffice.bin`` running and holding the
    throw-away folder with a copy of the user's document)."""
    import signal

    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:  # the timeout, Ctrl-C, SIGTERM: never leave LibreOffice running
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def convert(data: bytes, path: str, suffix: str, target: str = "docx") -> bytes:
    """``data`` (a file ending in ``suffix``) converted to ``target`` by LibreOffice."""
    program = soffice()
    what = suffix.lstrip(".") or "office"
    if program is None:
        raise MatrixInputError(_("{path}: reading a .{what} file needs LibreOffice, which is "
                                 "not installed: {install}").format(
                                     path=path, what=what, install=_(INSTALL)))
    timeout = _timeout(path)
    with tempfile.TemporaryDirectory(prefix="dutymatrix-soffice-",
                                     ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        source = folder / "in" / f"document{suffix}"
        source.parent.mkdir()
        source.write_bytes(data)
        out = folder / "out"
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                   "--convert-to", target, "--outdir", str(out), str(source)]
        try:
            done = _run(command, timeout, {**os.environ, "HOME": str(folder)})
        except subprocess.TimeoutExpired:
            shutil.rmtree(folder, ignore_errors=True)  # the copy of the user's document
            raise MatrixInputError(_("{path}: LibreOffice did not convert the file within "
                                     "{timeout:g} s (raise {variable} for a very large "
                                     "file)").format(path=path, timeout=timeout,
                                                     variable=TIMEOUT_VARIABLE)) from None
        except OSError as e:
            raise MatrixInputError(_("{path}: cannot run LibreOffice ({program}): "
                                     "{error}").format(path=path, program=program,
                                                       error=e.strerror or e)) from None
        result = out / f"document.{target}"
        if not result.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
            raise MatrixInputError(_("{path}: LibreOffice could not read the file as a .{what} "
                                     "(damaged, or protected by a password?)").format(
                                         path=path, what=what)
                                   + (f": {detail}" if detail else ""))
        return result.read_bytes()
