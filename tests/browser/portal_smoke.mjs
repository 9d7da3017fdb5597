#!/usr/bin/env node
// The owner portal on a phone: log in at 360 x 740 in headless Debian
// chromium, check the dashboard lists the owner's unit and not another's,
// and save a screenshot. Optionally, the rest of the owner's story:
// report a repair with a photo and find it in the list (--photo), read the
// notices and open one (--notice, screenshot --notices-screenshot), and
// pre-register a visitor, get its pass code and find it in the list
// (--visitor, screenshot --visitors-screenshot).
//
//   node tests/browser/portal_smoke.mjs --url http://127.0.0.1:8000/ \
//       --database demo --email owner@example.com [--password owner] \
//       [--screenshot tests/artifacts/portal_dashboard_zh_CN.png] \
//       [--expect "阳光花园 A-1-0101"] [--absent A-1-0102] \
//       [--photo leak.png] [--notice "财务公示"] [--visitor 陈小华]
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
            default: 'tests/artifacts/portal_dashboard_zh_CN.png' },
        expect: { type: 'string', default: '' },
        absent: { type: 'string', default: '' },
        photo: { type: 'string' },
        notice: { type: 'string' },
        'notices-screenshot': {
            type: 'string',
            default: 'tests/artifacts/portal_notices_zh_CN.png' },
        visitor: { type: 'string' },
        'visitors-screenshot': {
            type: 'string',
            default: 'tests/artifacts/portal_visitors_zh_CN.png' },
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

// nothing wider than the phone: no horizontal scrolling
async function checkWidth(page) {
    const width = await page.evaluate(
        () => document.documentElement.scrollWidth);
    if (width > 360) {
        throw new Error(`${page.url()} is ${width} px wide on a 360 px screen`);
    }
}

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
    const text = await page.innerText('main');
    for (const expected of opts.expect.split(',').filter(Boolean)) {
        if (!text.includes(expected)) {
            throw new Error(`"${expected}" is not on the dashboard:\n${text}`);
        }
    }
    for (const absent of opts.absent.split(',').filter(Boolean)) {
        if (text.includes(absent)) {
            throw new Error(`"${absent}" is on the dashboard but is not hers`);
        }
    }
    await checkWidth(page);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`portal dashboard ok: ${screenshot}`);

    if (opts.photo) {
        // a repair with a photo, then the request in the list
        const description = '厨房水龙头漏水，关不紧（浏览器测试）';
        await page.goto(base + 'requests/new');
        await page.selectOption('#type', 'repair');
        await page.fill('#description', description);
        await page.setInputFiles('#photo', resolve(opts.photo));
        await Promise.all([
            page.waitForURL(/\/requests\/\d+$/, { timeout: 20_000 }),
            page.click('button.primary'),
        ]);
        const detail = await page.innerText('main');
        if (!detail.includes(description)) {
            throw new Error(`the new request is not shown:\n${detail}`);
        }
        if (await page.locator('img.photo').count() !== 1) {
            throw new Error('the photo is not on the request page');
        }
        const number = (await page.innerText('h1')).trim();
        await page.goto(base + 'requests');
        if (!(await page.innerText('main')).includes(number)) {
            throw new Error(`request ${number} is not in my requests`);
        }
        console.log(`repair with a photo ok: ${number}`);
    }
    if (opts.notice) {
        await page.goto(base + 'notices');
        const list = await page.innerText('main');
        if (!list.includes(opts.notice)) {
            throw new Error(`"${opts.notice}" is not in the notices:\n${list}`);
        }
        await checkWidth(page);
        const notices = resolve(opts['notices-screenshot']);
        await page.screenshot({ path: notices, fullPage: true });
        await page.click(`a:has-text("${opts.notice}")`);
        await page.waitForURL(/\/notices\/\d+$/, { timeout: 20_000 });
        if (!(await page.innerText('h1')).includes(opts.notice)) {
            throw new Error(`the notice "${opts.notice}" did not open`);
        }
        console.log(`notices ok: ${notices}`);
    }
    if (opts.visitor) {
        await page.goto(base + 'visitors/new');
        await page.fill('#name', opts.visitor);
        await page.fill('#phone', '13805711234');
        await page.fill('#people', '2');
        await page.fill('#plate', '浙A12345');
        await Promise.all([
            page.waitForURL(/\/visitors\/\d+$/, { timeout: 20_000 }),
            page.click('button.primary'),
        ]);
        const code = (await page.innerText('.pass')).trim();
        if (!/^\d{8}$/.test(code)) {
            throw new Error(`no pass code on the visitor's page: "${code}"`);
        }
        await page.goto(base + 'visitors');
        const list = await page.innerText('main');
        if (!list.includes(opts.visitor) || !list.includes(code)) {
            throw new Error(`the visitor is not in my visitors:\n${list}`);
        }
        await checkWidth(page);
        const visitors = resolve(opts['visitors-screenshot']);
        await page.screenshot({ path: visitors, fullPage: true });
        console.log(`visitor pre-registered ok: pass ${code}, ${visitors}`);
    }
} catch (error) {
    status = 1;
    console.error(`portal smoke test failed: ${error.message}`);
    if (page) {
        await page.screenshot({
            path: screenshot.replace(/\.png$/, '.failure.png'),
            fullPage: true }).catch(() => {});
    }
} finally {
    await browser.close();
}
process.exit(status);
