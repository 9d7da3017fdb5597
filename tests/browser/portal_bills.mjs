#!/usr/bin/env node
// The owner's bills on a phone: log in at 360 x 740 in headless Debian
// chromium, open 我的账单, check it lists the owner's bills and not another
// owner's, and save a screenshot.
//
//   node tests/browser/portal_bills.mjs --url http://127.0.0.1:8000/ \
//       --database demo --email owner@example.com [--password owner] \
//       [--screenshot tests/artifacts/portal_bills_zh_CN.png] \
//       [--expect "阳光花园 A-1-0101,¥"] [--absent A-1-0102]
//
// The password may come from the environment (PORTAL_PASSWORD). Exit code 0
// when every check passed, 1 otherwise (with a screenshot of the failure).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

const { values: opts } = parseArgs({
    options: {
        url: { type: 'string' },
        database: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        screenshot: {
            type: 'string',
            default: 'tests/artifacts/portal_bills_zh_CN.png' },
        expect: { type: 'string', default: '' },
        absent: { type: 'string', default: '' },
    },
});
const password = opts.password ?? process.env.PORTAL_PASSWORD;
if (!opts.url || !opts.database || !opts.email || !password) {
    console.error('usage: portal_smoke.mjs --url URL --database DB '
        + '--email EMAIL (--password PW | env PORTAL_PASSWORD)');
    process.exit(2);
}
const base = (opts.url.endsWith('/') ? opts.url : opts.url + '/')
    + encodeURIComponent(opts.database) + '/portal/';
const screenshot = resolve(opts.screenshot);
mkdirSync(dirname(screenshot), { recursive: true });

// Playwright makes a fresh profile per context: no --user-data-dir needed
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--lang=zh-CN'],
});
let page;
let status = 0;
try {
    const context = await browser.newContext({
        viewport: { width: 360, height: 740 }, deviceScaleFactor: 2,
        locale: 'zh-CN', isMobile: true, hasTouch: true });
    page = await context.newPage();
    await page.goto(base + 'login');
    await page.fill('#email', opts.email);
    await page.fill('#password', password);
    await Promise.all([
        page.waitForURL(/\/dashboard$/, { timeout: 20_000 }),
        page.click('button.primary'),
    ]);
    await page.goto(base + 'bills');
    const text = await page.innerText('main');
    for (const expected of opts.expect.split(',').filter(Boolean)) {
        if (!text.includes(expected)) {
            throw new Error(`"${expected}" is not on the bills page:\n${text}`);
        }
    }
    for (const absent of opts.absent.split(',').filter(Boolean)) {
        if (text.includes(absent)) {
            throw new Error(`"${absent}" is on the bills page but is not hers`);
        }
    }
    // nothing wider than the phone: no horizontal scrolling
    const width = await page.evaluate(
        () => document.documentElement.scrollWidth);
    if (width > 360) {
        throw new Error(`the page is ${width} px wide on a 360 px screen`);
    }
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`portal bills ok: ${screenshot}`);
} catch (error) {
    status = 1;
    console.error(`portal bills test failed: ${error.message}`);
    if (page) {
        await page.screenshot({
            path: screenshot.replace(/\.png$/, '.failure.png'),
            fullPage: true }).catch(() => {});
    }
} finally {
    await browser.close();
}
process.exit(status);
