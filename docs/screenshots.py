"""Take the README's screenshots of both faces from a running demo.

Start the demo (`make run`, or `egov demo` then `egov run`), then:

    .venv/bin/python docs/screenshots.py [http://127.0.0.1:8000]

It shows the online service hall for the public face, signs in as the demo
system administrator 吴九 for the internal face's organisation tree, and writes
docs/img/public.png and docs/img/internal.png. Uses Debian's Chromium
(EGOV_CHROMIUM overrides the path); it downloads nothing.
"""

import os
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent / "img"
CHROMIUM = os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


def sign_in(page, base: str, account: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=identifier]", account)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}/staff/**")


def main(base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from egov.identity.demo import DEMO_PASSWORD

    IMG.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        public = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        page = public.new_page()
        page.goto(f"{base}/hall/")
        page.screenshot(path=IMG / "public.png")
        public.close()

        internal = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        page = internal.new_page()
        sign_in(page, base, "wujiu", DEMO_PASSWORD)
        page.goto(f"{base}/staff/orgs/")
        page.get_by_text("市场监管局", exact=True).first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=IMG / "internal.png")
        internal.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
