"""Browser test of the owner's bills on a phone (360 px), with the
screenshot tests/artifacts/portal_bills_zh_CN.png (copied by hand to
docs/portal_bills_zh_CN.png).

Uses the throwaway database and server of tests/test_browser.py (its
`server` fixture), adds bills to it with tests/browser/setup_bills_db.py
and runs tests/browser/portal_bills.mjs."""
import subprocess
import sys

from test_browser import (  # noqa: F401 (server is a pytest fixture)
    BROWSER_DIR, PORTAL_OWNER, PORTAL_PASSWORD, REPO, UNIT_CODES, _node,
    server)

BILLS_SCREENSHOT = REPO / 'tests' / 'artifacts' / 'portal_bills_zh_CN.png'


def test_portal_bills_on_a_phone(server):  # noqa: F811
    "An owner opens her bills on a 360 px screen: hers only, in yuan"
    configs = [str(REPO / 'trytond.conf'),
        str(server['log'].parent / 'override.conf')]
    result = subprocess.run([sys.executable,
            str(BROWSER_DIR / 'setup_bills_db.py'), server['database'],
            *configs], env=server['env'], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    _node('portal_bills.mjs', BILLS_SCREENSHOT, [
            '--email', PORTAL_OWNER,
            '--expect', ','.join([f'阳光花园 {UNIT_CODES[0]}', '¥',
                    # bills without payment term are due on their date:
                    # October (partly paid) and November are overdue
                    '2026-11', '逾期', '已缴', '等待物业确认']),
            '--absent', UNIT_CODES[1]],
        server, env={'PORTAL_PASSWORD': PORTAL_PASSWORD})
