"""The one confirmation step (branches.confirmations) as a user goes through it in the browser."""

from playwright.sync_api import expect


def confirm_step(page, key, *, says=None):
    """On the confirmation of `key` (#confirm-<key>): it states the consequences (and `says`);
    tick “我已了解上述后果” and press the button; returns once the next page has loaded."""
    section = page.locator(f"#confirm-{key}")
    expect(section).to_be_visible()
    expect(section.locator("#consequences li").first).to_be_visible()
    if says:
        expect(section).to_contain_text(says)
    page.check("#confirm-box")
    with page.expect_navigation():
        page.click(f"#confirm-{key}-button")
