"""The trainee's hands for the browser rehearsal: go to a page, fill and submit its forms,
download and upload files, move the clock with the clock bar, screenshot each step.

Nothing here calls a service: every write goes through a page, as a person would do it.
The only direct reads of the database are waits (the worker's jobs done) and the trainee's
own knowledge of the school (the truth), in the test module.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

from entsim.timeline import local

JOB_TIMEOUT = 900.0  # s: the night jobs of a collège on a busy machine


@dataclass
class Trainee:
    page: Page
    world: object  # entsim.models.World
    shots: Path
    downloads: Path
    server: object  # tests.browser.rehearsal_server.RealServer
    steps: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # s, the long waits

    # --- pages ---------------------------------------------------------------------------------

    @property
    def root(self) -> str:
        return f"/mondes/{self.world.slug}/"

    def go(self, path: str) -> None:
        response = self.page.goto(self.root + path)
        assert response is not None and response.status == 200, (
            f"{path}: {response and response.status}"
        )

    def shoot(self, step: str) -> Path:
        self.steps.append(step)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")[:70]
        path = self.shots / f"{len(self.steps):02d}-{name}.png"
        # caret="initial": to hide the caret, Playwright puts an inline style on the inputs
        # ("caret-color: transparent !important;"), which the Content-Security-Policy has been
        # seen to report, at random, as a violation of the page
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    def submit(self, button) -> None:
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation(timeout=600_000):
            button.click()
        self.page.wait_for_load_state()
        self.server.check_alive()

    def swap(self, button, *, method: str = "POST") -> None:
        """Click a submit button of an htmx form (hx-post, hx-get): the answer is swapped in place.
        Waits for htmx to have swapped and settled it: a form read or clicked before would
        be the old one (its choices lost, the default option submitted)."""
        self.page.evaluate(
            """() => {
                window.rehearsalSettled = false;
                document.body.addEventListener(
                    "htmx:afterSettle", () => { window.rehearsalSettled = true; }, {once: true}
                );
            }"""
        )
        with self.page.expect_response(
            lambda r: r.request.method == method and r.request.headers.get("hx-request") == "true",
            timeout=600_000,
        ) as response:
            button.click()
        assert response.value.status == 200, response.value.status
        self.page.wait_for_function("() => window.rehearsalSettled")
        self.server.check_alive()

    def button(self, name: str, *, scope=None):
        return (scope or self.page).get_by_role("button", name=name, exact=True)

    def press(self, name: str, *, scope=None) -> None:
        self.submit(self.button(name, scope=scope))

    def press_re(self, pattern: str) -> None:
        self.submit(self.page.get_by_role("button", name=re.compile(pattern)))

    def messages(self) -> list[str]:
        return [
            text.strip()
            for text in self.page.locator(".fr-message, main .fr-alert p").all_inner_texts()
            if text.strip()
        ]

    def errors(self) -> list[str]:
        return [
            text.strip()
            for text in self.page.locator(
                ".fr-message--error, main .fr-alert--error, .fr-error-text"
            ).all_inner_texts()
            if text.strip()
        ]

    def expect_message(self, part: str) -> None:
        found = self.messages()
        assert any(part in text for text in found), f"« {part} » absent: {found}"

    def assert_no_error(self) -> None:
        assert not self.errors(), f"{self.page.url}: {self.errors()}"

    def rows(self, selector: str = "main table tbody tr") -> list[list[str]]:
        return self.page.eval_on_selector_all(
            selector,
            "rows => rows.map(r => Array.from(r.querySelectorAll('td'))"
            ".map(c => c.innerText.trim()))",
        )

    def set_checks(self, name: str, wanted: set[str]) -> None:
        """Tick exactly the boxes `name` whose value is in `wanted` (clicking the changes)."""
        boxes = self.page.locator(f'input[type="checkbox"][name="{name}"]')
        states = boxes.evaluate_all("bs => bs.map(b => [b.value, b.checked])")
        for index, (value, checked) in enumerate(states):
            if (value in wanted) != checked:
                self.tick(boxes.nth(index), value in wanted)

    def tick(self, box, on: bool = True) -> None:
        """Check (or uncheck) a box or a radio. DSFR hides the input under its label: click
        the label, as a person does."""
        if box.is_checked() == on:
            return
        ident = box.get_attribute("id")
        label = self.page.locator(f'label[for="{ident}"]') if ident else None
        if label is not None and label.count():
            label.first.click()
        else:
            box.click()
        assert box.is_checked() == on, f"{ident}: not {'checked' if on else 'unchecked'}"

    # --- files ---------------------------------------------------------------------------------

    def download(self, link) -> Path:
        with self.page.expect_download() as info:
            link.click()
        download = info.value
        path = self.downloads / download.suggested_filename
        download.save_as(path)
        return path

    def upload(self, file_input, path: Path) -> None:
        file_input.set_input_files(str(path))

    # --- the clock bar -------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        self.world.refresh_from_db()
        return self.world.now()

    def clock_text(self) -> str:
        return self.page.locator("#clock-bar strong").first.inner_text()

    def clock_go(self, when: dt.datetime) -> None:
        """'Aller au' a date and time (minute precision), then wait for the due jobs."""
        target = local(when)
        if target.second or target.microsecond:
            target = target.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        bar = self.page.locator("#clock-bar")
        bar.locator("#horloge-date").fill(target.strftime("%Y-%m-%dT%H:%M"))
        self._clock_click(bar.locator("#horloge-aller"))
        self.jobs_wait()

    def night(self) -> None:
        self._clock_click(self.page.locator("#clock-bar").locator("#horloge-nuit"))
        self.jobs_wait()

    def _clock_click(self, button) -> None:
        before = self.clock_text()
        with self.page.expect_response(lambda r: r.url.endswith("/horloge/")) as response:
            button.click()
        assert response.value.status == 200, response.value.status
        expect(self.page.locator("#clock-bar strong").first).not_to_have_text(before)
        assert not self.page.locator("#clock-bar .fr-message--error").count(), self.errors()

    def jobs_wait(self) -> None:
        """The worker (its own process) runs the jobs the clock made due: wait for them."""
        from entsim.models import Job

        now = self.now()
        deadline = time.monotonic() + JOB_TIMEOUT
        open_states = (Job.State.PENDING, Job.State.RUNNING)
        while Job.objects.filter(world=self.world, state__in=open_states, due_at__lte=now).exists():
            self.server.check_alive()
            assert time.monotonic() < deadline, "jobs still open: is the Celery worker running?"
            time.sleep(0.5)
        failed = Job.objects.filter(world=self.world, state=Job.State.FAILED)
        assert not failed.exists(), [(j.kind, j.error[-500:]) for j in failed]
