"""Real-browser check of what filegate's preview links do in Chromium.

Starts `filegate serve` on a free loopback port with a fresh data directory, uploads fixtures it
makes itself, creates a `preview` link (`/l/<token>`, no key needed) for each, and opens every
link in headless Debian Chromium driven by chromedriver:

  png_inline       the PNG displays inline: an image document whose <img> has naturalWidth 2
  pdf_inline       the PDF opens in Chromium's PDF viewer: nothing lands in the download dir
                   for 3 s, the tab stays on the link with document.contentType
                   application/pdf, and CDP lists the viewer's two iframe targets (the PDF
                   viewer extension chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/ and
                   the link's URL); the <embed> is in a closed shadow root, so invisible to JS
  html_download    the HTML (whose script would set document.title='PWNED' and fetch /v1/files)
                   is downloaded, byte-identical, never rendered: the tab never shows the
                   link's URL, the title is never PWNED, no alert
  svg_download     the same for an SVG with an onload script (which would also alert), saved
                   as editors do with an <?xml ...?> declaration first
  svg_bare_download  the same SVG without the declaration
  unicode_name_download  a download link of "Résumé 2026 — final.pdf" is saved under that exact
                   name (Chromium reads the RFC 8187 filename*)
  csv_table        the CSV preview renders a <table> whose cells read literally
                   <script>alert(1)</script> and <b>bold</b>; no script ran (no alert, title
                   not PWNED, document.scripts.length == 0, no <b> in the table)
  screenshots      csv.png and png.png (plus pdf.png for a look) saved in --out

Besides the screenshots, --out gets responses.txt: the status and headers the server sent for
each link (fetched once more outside the browser), which is what to look at when a check fails,
and console.txt: the browser console of each check (CSP warnings and violations).

Prints `PASS name` or `FAIL name: why` per check, then `N passed, M failed`; exits 1 on any
failure (a server that does not start or an upload that fails is `FAIL setup`), 2 when it cannot
run (chromium, chromedriver, selenium or the filegate binary missing), or prints `SKIP ...` and
exits 0 when --skip-if-missing is given and chromium, chromedriver or selenium is missing.
Relative --bin/--out paths are taken from the current directory (the repo root via the .sh).

    source scripts/venv.sh && cargo build -p filegate-cli
    python scripts/browser_check.py [--bin target/debug/filegate] [--out target/browser-check]
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib

KEY_RE = re.compile(r"\bfg_[0-9a-f]{16}_[0-9a-f]{64}\b")
LISTEN_RE = re.compile(r"filegate listening on (http://\S+)")
CHROME_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-quic", "--window-size=1024,768",
    "--no-proxy-server",  # the server is on loopback: a proxy from the environment must not matter
]
# Chromium's built-in PDF viewer (a component extension, present in every Chromium build).
PDF_VIEWER_EXT = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
DOWNLOAD_WAIT = 10.0  # seconds for an expected download to land
NO_DOWNLOAD_WAIT = 3.0  # seconds during which an inline file must not download


# ---------------------------------------------------------------------------------------------
# Fixtures, made here so the check needs no data files.

def make_pdf(text="filegate browser check"):
    """A minimal valid one-page PDF (Helvetica text), with a correct xref table."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def make_png():
    """A 2x2 RGB PNG: red, green / blue, white."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00" + b"\xff\x00\x00" + b"\x00\xff\x00" + b"\x00" + b"\x00\x00\xff" + b"\xff\xff\xff"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


HTML = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>fixture html</title>
<script>
document.title = 'PWNED';
fetch('/v1/files').then(function (r) { document.title = 'PWNED fetch ' + r.status; });
</script></head>
<body><h1>This page must never render from filegate</h1></body></html>
"""

# As editors save SVG: with an XML declaration first.
SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"
     onload="document.title='PWNED'; alert('PWNED svg')">
  <rect width="40" height="40" fill="red"/>
</svg>
"""
# The same without the declaration: starts right at <svg.
SVG_BARE = SVG.split(b"\n", 1)[1]

CSV_SCRIPT_CELL = "<script>alert(1)</script>"
CSV_BOLD_CELL = "<b>bold</b>"
CSV = f"name,value\n{CSV_SCRIPT_CELL},{CSV_BOLD_CELL}\nplain,42\n".encode()


# ---------------------------------------------------------------------------------------------
# The server.

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the server's own 3xx, not where it points


# Straight to the loopback server: no proxy from the environment, no redirects followed.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.log_path = os.path.join(work, "server.log")
        self.proc = None
        self.key = None
        self.base = None
        self._lines = []

    def start(self, attempts=3):
        """The free port may be taken between probe and bind: then retry, on a fresh data dir
        (the first start already printed the only copy of its key)."""
        for n in range(1, attempts + 1):
            try:
                return self._start(os.path.join(self.work, f"data-{n}"))
            except RuntimeError as e:
                self.stop()
                if n == attempts or "cannot listen" not in str(e):
                    raise

    def _start(self, data_dir, timeout=60.0):
        port = free_port()
        self.key, self.base, self._lines = None, None, []
        self._log = open(self.log_path, "ab")
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info"))
        # Own session, so stop() signals exactly this process group.
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", data_dir],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
            start_new_session=True, env=env,
        )
        ready = threading.Event()

        def pump():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace")
                self._lines.append(line)
                m = KEY_RE.search(line)
                if m and not self.key:
                    self.key = m.group(0)
                m = LISTEN_RE.search(line)
                if m:
                    self.base = m.group(1).rstrip("/")
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not ready.wait(0.1):
            if time.monotonic() > deadline:
                raise RuntimeError(f"filegate serve did not report listening within {timeout:.0f}s")
        if not self.base:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            with open(self.log_path, "rb") as f:
                tail = f.read()[-600:].decode("utf-8", "replace").strip()
            raise RuntimeError(f"filegate serve exited with {self.proc.poll()} before listening: "
                               f"stdout {''.join(self._lines)!r}, stderr ends {tail!r}")
        if not self.key:
            raise RuntimeError("filegate serve printed no API key (data dir not empty?)")

    def stop(self):
        if getattr(self, "_log", None) is not None:
            self._log.close()
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    # -- HTTP helpers ---------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, auth=True):
        h = dict(headers or {})
        if auth:
            h["Authorization"] = f"Bearer {self.key}"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=h)
        try:
            with HTTP.open(req, timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def upload(self, name, content_type, data):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        status, _, out = self.request("POST", "/v1/files", body,
                                      {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        if status != 201:
            raise RuntimeError(f"upload {name}: HTTP {status} {out[:300]!r}")
        return json.loads(out)

    def link(self, file_id, kind="preview"):
        status, _, out = self.request("POST", f"/v1/files/{file_id}/links", json.dumps({"kind": kind}).encode(),
                                      {"Content-Type": "application/json"})
        if status != 201:
            raise RuntimeError(f"link for {file_id}: HTTP {status} {out[:300]!r}")
        return json.loads(out)["path"]


def describe(status, headers):
    """The headers that decide what a browser does, for FAIL lines."""
    keep = ("content-type", "content-disposition", "content-security-policy", "x-content-type-options",
            "location", "content-length")
    parts = [f"HTTP {status}"] + [f"{k}: {headers.get(k)}" for k in keep if headers.get(k) is not None]
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# The browser.

def missing_browser(chromium, chromedriver):
    why = [f"{p} not found" for p in (chromium, chromedriver) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
    if importlib.util.find_spec("selenium") is None:
        why.append("python package selenium not installed (source scripts/venv.sh)")
    return "; ".join(why)


class Browser:
    def __init__(self, chromium, chromedriver, work):
        self.chromium, self.chromedriver, self.work = chromium, chromedriver, work
        self.profile = os.path.join(work, "chrome-profile")
        self.downloads = os.path.join(work, "downloads")
        os.makedirs(self.profile)
        os.makedirs(self.downloads)
        self.driver = None
        self.service = None

    def start(self):
        os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        opts = webdriver.ChromeOptions()
        opts.binary_location = self.chromium
        for a in CHROME_ARGS + [f"--user-data-dir={self.profile}"]:
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {
            "download.default_directory": self.downloads,
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "plugins.always_open_pdf_externally": False,
            "safebrowsing.enabled": False,
        })
        # An alert must stay open so the check can see it, not be auto-dismissed by chromedriver.
        opts.unhandled_prompt_behavior = "ignore"
        opts.page_load_strategy = "normal"
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.service = Service(executable_path=self.chromedriver,
                               log_output=os.path.join(self.work, "chromedriver.log"),
                               popen_kw={"start_new_session": True})
        self.driver = webdriver.Chrome(service=self.service, options=opts)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(10)

    def download_to(self, path):
        """Downloads of the next navigations go to `path` (headless honors this CDP setting)."""
        os.makedirs(path, exist_ok=True)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": path, "eventsEnabled": False})

    def console(self):
        """Console messages since the last call (CSP violations and warnings show up here)."""
        try:
            return [f"{e.get('level')} {e.get('message')}" for e in self.driver.get_log("browser")]
        except Exception as e:  # noqa: BLE001 - diagnostics only
            return [f"(console unavailable: {type(e).__name__})"]

    def alert_text(self):
        from selenium.common.exceptions import NoAlertPresentException
        try:
            a = self.driver.switch_to.alert
            text = a.text
            a.dismiss()
            return text if text is not None else ""
        except NoAlertPresentException:
            return None

    def stop(self):
        pids = []
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:  # noqa: BLE001 - cleanup goes on whatever happened
                pass
        proc = getattr(self.service, "process", None)
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        # Chromium processes that outlived chromedriver: only those using our own profile dir.
        for pid in own_chromium_pids(self.profile):
            pids.append(pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return pids


def own_chromium_pids(profile):
    marker = f"--user-data-dir={profile}".encode()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if marker in f.read():
                    out.append(int(d))
        except OSError:
            continue
    return out


def files_in(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


# ---------------------------------------------------------------------------------------------
# The checks.

class Checks:
    def __init__(self):
        self.results = []

    def record(self, name, problems):
        self.results.append((name, not problems))
        if problems:
            print(f"FAIL {name}: {'; '.join(problems)}", flush=True)
        else:
            print(f"PASS {name}", flush=True)


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def page_state(b):
    """Alert first (any other command fails while one is open), then the document's facts."""
    alert = b.alert_text()
    state = js(b.driver, """return {href: location.href, title: document.title,
        contentType: document.contentType, readyState: document.readyState,
        scripts: document.scripts.length};""")
    state["alert"] = alert
    return state


def open_link(b, url):
    """Navigates from a blank page, so a download leaves the tab where it was. An alert raised
    while loading is left open for page_state() to see and report."""
    from selenium.common.exceptions import UnexpectedAlertPresentException
    b.driver.get("about:blank")
    try:
        b.driver.get(url)
    except UnexpectedAlertPresentException:
        pass


def check_png(b, url, shot, resp):
    problems = []
    open_link(b, url)
    info = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        info = js(b.driver, """var i = document.images[0];
            return {n: document.images.length, w: i ? i.naturalWidth : -1, h: i ? i.naturalHeight : -1,
                    complete: i ? i.complete : false, contentType: document.contentType, href: location.href};""")
        if info["w"] == 2 and info["complete"]:
            break
        time.sleep(0.2)
    if info["href"] != url:
        problems.append(f"tab is at {info['href']!r}, not the link (downloaded?)")
    if info["n"] < 1:
        problems.append("no <img> in the document")
    elif info["w"] != 2 or info["h"] != 2:
        problems.append(f"<img> naturalWidth x naturalHeight = {info['w']} x {info['h']}, want 2 x 2")
    if info["contentType"] != "image/png":
        problems.append(f"document.contentType {info['contentType']!r}, want image/png")
    b.driver.save_screenshot(shot)
    if problems:
        problems.append("server sent " + resp)
    return problems


def cdp_targets(b):
    """Every target (page, iframe, worker...) of the browser, with type and url."""
    infos = b.driver.execute_cdp_cmd("Target.getTargets", {})["targetInfos"]
    return [{"type": t.get("type", ""), "url": t.get("url", "")} for t in infos]


def check_pdf(b, url, dl, shot, resp):
    """Chromium shows a top-level PDF as a document of type application/pdf whose body holds the
    viewer in a closed shadow root (so no <embed> is visible to scripts in current versions), plus
    two out-of-process iframes: the PDF viewer extension and the PDF itself. Those iframe targets,
    seen through CDP, are the signal that the viewer really loaded; older Chromium versions that
    still expose an <embed type="application/pdf"> are accepted too."""
    problems = []
    b.download_to(dl)
    open_link(b, url)
    embed, viewer, frames, state = None, [], [], None
    deadline = time.monotonic() + NO_DOWNLOAD_WAIT
    while True:
        state = page_state(b)
        embed = js(b.driver, """var e = document.querySelector('embed');
            return e ? {type: e.type, w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height} : null;""")
        targets = cdp_targets(b)
        viewer = [t for t in targets if t["url"].startswith(PDF_VIEWER_EXT)]
        frames = [t for t in targets if t["type"] == "iframe" and t["url"] == url]
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    got = files_in(dl)
    if got:
        problems.append(f"downloaded {got} instead of displaying")
    if state["href"] != url:
        problems.append(f"tab is at {state['href']!r}, not the link")
    if state["contentType"] != "application/pdf":
        problems.append(f"document.contentType {state['contentType']!r}, want application/pdf")
    embed_ok = bool(embed) and embed["type"] == "application/pdf" and embed["w"] >= 100 and embed["h"] >= 100
    if not ((viewer and frames) or embed_ok):
        problems.append(f"the PDF viewer did not load: viewer extension frames {len(viewer)}, "
                        f"PDF content frames {len(frames)}, <embed> {embed}")
    if state["alert"] is not None:
        problems.append(f"an alert was open: {state['alert']!r}")
    time.sleep(0.5)  # let the viewer paint, for the screenshot only
    b.driver.save_screenshot(shot)
    if problems:
        problems.append("server sent " + resp)
    return problems


def check_download(b, url, dl, want_bytes, resp, want_name=None):
    """The link must download (byte-identical, under `want_name` if given) and never render."""
    problems = []
    b.download_to(dl)
    open_link(b, url)
    seen_titles, seen_hrefs, alerts = set(), set(), []
    landed = None
    deadline = time.monotonic() + DOWNLOAD_WAIT
    while time.monotonic() < deadline:
        st = page_state(b)
        seen_titles.add(st["title"])
        seen_hrefs.add(st["href"])
        if st["alert"] is not None:
            alerts.append(st["alert"])
        done = [f for f in files_in(dl) if not f.endswith(".crdownload")]
        if done and not landed:
            landed = done
            # Keep watching a little: a page that rendered as well may still run its script.
            deadline = min(deadline, time.monotonic() + 1.0)
        time.sleep(0.2)
    st = page_state(b)
    seen_titles.add(st["title"])
    seen_hrefs.add(st["href"])
    if st["alert"] is not None:
        alerts.append(st["alert"])
    if not landed:
        problems.append(f"nothing downloaded within {DOWNLOAD_WAIT:.0f}s (download dir: {files_in(dl)})")
    else:
        with open(os.path.join(dl, landed[0]), "rb") as f:
            if f.read() != want_bytes:
                problems.append(f"downloaded {landed[0]!r} differs from the uploaded bytes")
        if want_name is not None and landed[0] != want_name:
            problems.append(f"saved as {landed[0]!r}, not under its real name {want_name!r}")
    if any("PWNED" in t for t in seen_titles):
        problems.append(f"the file's script ran: titles seen {sorted(seen_titles)}")
    if alerts:
        problems.append(f"alert(s) shown: {alerts}")
    if url in seen_hrefs:
        ran = "a script ran" if any("PWNED" in t for t in seen_titles) or alerts else "no script ran"
        problems.append(f"rendered in the tab instead of downloading (document.contentType "
                        f"{st['contentType']!r}, {ran})")
    if problems:
        problems.append("server sent " + resp)
    return problems


def check_csv(b, url, shot, resp):
    problems = []
    open_link(b, url)
    time.sleep(0.5)  # a script, had one been let through, would have run by now
    st = page_state(b)
    cells = js(b.driver, """var t = document.querySelector('table');
        if (!t) return null;
        return {cells: Array.prototype.map.call(t.querySelectorAll('td, th'), function (c) { return c.textContent; }),
                bold: t.querySelectorAll('b').length, scriptsInTable: t.querySelectorAll('script').length};""")
    if st["alert"] is not None:
        problems.append(f"an alert was shown: {st['alert']!r}")
    if "PWNED" in (st["title"] or ""):
        problems.append(f"title is {st['title']!r}")
    if st["scripts"] != 0:
        problems.append(f"document.scripts.length == {st['scripts']}")
    if st["contentType"] != "text/html":
        problems.append(f"document.contentType {st['contentType']!r}, want text/html")
    if cells is None:
        problems.append("no <table> in the page")
    else:
        texts = [c.strip() for c in cells["cells"]]
        for want in (CSV_SCRIPT_CELL, CSV_BOLD_CELL):
            if want not in texts:
                problems.append(f"no cell reads literally {want!r} (cells: {texts[:12]})")
        if cells["bold"] or cells["scriptsInTable"]:
            problems.append(f"markup from the CSV became elements: {cells['bold']} <b>, "
                            f"{cells['scriptsInTable']} <script>")
    b.driver.save_screenshot(shot)
    if problems:
        problems.append("server sent " + resp)
    return problems


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/debug/filegate", help="filegate binary (default %(default)s)")
    ap.add_argument("--out", default="target/browser-check", help="screenshots and responses.txt (default %(default)s)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--skip-if-missing", action="store_true",
                    help="print SKIP and exit 0 when chromium, chromedriver or selenium is missing")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (server log, chromedriver log)")
    args = ap.parse_args()

    missing = missing_browser(args.chromium, args.chromedriver)
    if missing:
        if args.skip_if_missing:
            print(f"SKIP browser check: {missing}")
            return 0
        print(f"browser_check: cannot run: {missing}", file=sys.stderr)
        return 2
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"browser_check: no filegate binary at {args.bin} (cargo build -p filegate-cli)", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)

    started = time.monotonic()
    # A TERM (CI time-out, kill PID) unwinds through the finally below like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="filegate-browser-check-")
    server = Server(binary, work)
    browser = Browser(args.chromium, args.chromedriver, work)
    checks = Checks()
    try:
        try:
            server.start()
            fixtures = {
                "png": ("pixel.png", "image/png", make_png()),
                "pdf": ("one-page.pdf", "application/pdf", make_pdf()),
                "html": ("evil.html", "text/html", HTML),
                "svg": ("evil.svg", "image/svg+xml", SVG),
                "svg_bare": ("evil-bare.svg", "image/svg+xml", SVG_BARE),
                "csv": ("cells.csv", "text/csv", CSV),
                "resume": ("Résumé 2026 — final.pdf", "application/pdf", make_pdf()),
            }
            # Only the résumé gets a download link: it checks the saved name (RFC 8187 filename*).
            kinds = {"resume": "download"}
            links, resp = {}, {}
            with open(os.path.join(out, "responses.txt"), "w") as rep:
                for k, (name, ctype, data) in fixtures.items():
                    f = server.upload(name, ctype, data)
                    path = server.link(f["id"], kinds.get(k, "preview"))
                    links[k] = server.base + path
                    status, headers, _ = server.request("GET", path, auth=False)
                    resp[k] = f"(file stored as {f.get('mime_type')}) " + describe(status, headers)
                    rep.write(f"== {k}: {name} (stored as {f.get('mime_type')}) GET /l/<token> -> HTTP {status}\n")
                    rep.writelines(f"{h}: {v}\n" for h, v in headers.items())
                    rep.write("\n")
            browser.start()
        except Exception as e:  # noqa: BLE001 - reported as a failed check, then counted
            checks.record("setup", [f"{type(e).__name__}: {e}"])
            raise SystemExit(finish(checks, started))

        console = open(os.path.join(out, "console.txt"), "w")

        def run(name, fn, *a):
            t0 = time.monotonic()
            try:
                checks.record(name, fn(*a))
            except Exception as e:  # noqa: BLE001 - one check's crash must not hide the others
                checks.record(name, [f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"])
            console.write(f"== {name} ({time.monotonic() - t0:.1f}s)\n")
            console.writelines(line + "\n" for line in browser.console())
            console.flush()

        dl = browser.downloads
        shots = {k: os.path.join(out, f"{k}.png") for k in ("png", "pdf", "csv")}
        for p in shots.values():
            if os.path.exists(p):
                os.remove(p)
        run("png_inline", check_png, browser, links["png"], shots["png"], resp["png"])
        run("pdf_inline", check_pdf, browser, links["pdf"], os.path.join(dl, "pdf"), shots["pdf"], resp["pdf"])
        run("html_download", check_download, browser, links["html"], os.path.join(dl, "html"), HTML, resp["html"])
        run("svg_download", check_download, browser, links["svg"], os.path.join(dl, "svg"), SVG, resp["svg"])
        run("svg_bare_download", check_download, browser, links["svg_bare"], os.path.join(dl, "svg_bare"),
            SVG_BARE, resp["svg_bare"])
        run("unicode_name_download", check_download, browser, links["resume"], os.path.join(dl, "resume"),
            fixtures["resume"][2], resp["resume"], "Résumé 2026 — final.pdf")
        run("csv_table", check_csv, browser, links["csv"], shots["csv"], resp["csv"])
        missing_shots = [os.path.basename(shots[k]) for k in ("csv", "png")
                         if not (os.path.isfile(shots[k]) and os.path.getsize(shots[k]) > 0)]
        checks.record("screenshots", [f"missing {missing_shots} in {args.out}"] if missing_shots else [])
        console.close()
        return finish(checks, started)
    finally:
        browser.stop()
        server.stop()
        if args.keep:
            print(f"browser_check: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def finish(checks, started):
    passed = sum(1 for _, ok in checks.results if ok)
    failed = len(checks.results) - passed
    print(f"browser_check: {time.monotonic() - started:.1f}s", file=sys.stderr)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
