#!/usr/bin/env node
// Smoke test of the staff web client (sao) in headless Debian chromium:
// log in, open 物业 -> 房屋 (Property -> Units), check that the unit list
// shows the expected unit codes, and save a screenshot.
//
//   node tests/browser/sao_smoke.mjs --url http://127.0.0.1:8000/ \
//       --database demo --login admin [--password secret] \
//       [--screenshot tests/artifacts/sao_units_zh_CN.png] \
//       [--units A-1-0101,A-1-0102] [--expect 阳光花园] [--page-text 筛选]
//
// --units and --expect are texts that must be visible in the cells of the
// list; --page-text anywhere on the page (e.g. sao's own labels, which show
// that it took the user's language).
//
// The password may also come from the environment (SAO_PASSWORD), which keeps
// it off the process list. playwright-core (tests/browser/package.json) drives
// /usr/bin/chromium (override with CHROMIUM); it never downloads a browser.
// Exit code 0 when every check passed, 1 otherwise (with a screenshot of the
// failure beside the requested one).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

const { values: opts } = parseArgs({
    options: {
        url: { type: 'string' },
        database: { type: 'string' },
        login: { type: 'string', default: 'admin' },
        password: { type: 'string' },
        screenshot: {
            type: 'string', default: 'tests/artifacts/sao_units_zh_CN.png' },
        units: { type: 'string', default: 'A-1-0101,A-1-0102' },
        expect: { type: 'string', default: '' },
        'page-text': { type: 'string', default: '' },
        locale: { type: 'string', default: 'zh-CN' },
        timeout: { type: 'string', default: '60' },
    },
});
const password = opts.password ?? process.env.SAO_PASSWORD;
if (!opts.url || !opts.database || !password) {
    console.error('usage: sao_smoke.mjs --url URL --database DB '
        + '[--login admin] (--password PW | env SAO_PASSWORD) '
        + '[--screenshot FILE] [--units CODE,CODE] [--expect TEXT,TEXT]');
    process.exit(2);
}
const baseUrl = opts.url.endsWith('/') ? opts.url : opts.url + '/';
const db = opts.database;
const unitCodes = opts.units.split(',').filter(Boolean);
const expectedTexts = opts.expect.split(',').filter(Boolean);
const pageTexts = opts['page-text'].split(',').filter(Boolean);
const screenshot = resolve(opts.screenshot);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP = 20_000;  // ms for one step of the UI to answer

// Menu entries as shown once locale/zh_CN.po is loaded, then in English.
const MENU_PATH = [['物业', 'Property'], ['房屋', 'Units']];

const started = Date.now();
const log = (...args) => console.log(
    `[sao_smoke ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

const userDataDir = mkdtempSync(join(tmpdir(), 'sao-smoke-chromium-'));
let context;
let page;
const pageErrors = [];

const watchdog = setTimeout(async () => {
    console.error(`sao_smoke: gave up after ${opts.timeout} s`);
    await failureShot();
    process.exit(1);
}, Number(opts.timeout) * 1000);

async function failureShot() {
    if (!page) {
        return;
    }
    const path = screenshot.replace(/\.png$/, '') + '.failure.png';
    try {
        mkdirSync(dirname(path), { recursive: true });
        await page.screenshot({ path, timeout: 5_000 });
        console.error(`sao_smoke: screenshot of the failure: ${path}`);
    } catch (error) {
        console.error(`sao_smoke: no failure screenshot: ${error.message}`);
    }
}

// Fail at once on an error dialog of sao (server errors, access errors).
async function checkErrorDialog() {
    const dialog = page.locator('.error-dialog:visible, .warning-dialog:visible');
    if (await dialog.count()) {
        const text = (await dialog.first().innerText()).trim();
        throw new Error(`sao shows an error dialog: ${text.slice(0, 800)}`);
    }
}

// The visible menu row whose label is one of names (Chinese, then English).
async function menuRow(names, timeout) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
        for (const name of names) {
            const cell = page.locator(
                `#menu .column-char[title="${name}"]:visible`);
            if (await cell.count()) {
                return { name, row: cell.first().locator('xpath=ancestor::tr[1]') };
            }
        }
        await checkErrorDialog();
        await page.waitForTimeout(200);
    }
    return null;
}

async function openUnitsFromMenu() {
    const [parentNames, childNames] = MENU_PATH;
    const parent = await menuRow(parentNames, STEP);
    if (!parent) {
        log(`menu entry ${parentNames.join(' / ')} not found`);
        return false;
    }
    let child = await menuRow(childNames, 500);
    if (!child) {
        await parent.row.locator('.expander').first().click();
        child = await menuRow(childNames, 5_000);
    }
    if (!child) {
        log(`menu entry ${parent.name} -> ${childNames.join(' / ')} not found`);
        return false;
    }
    log(`menu: ${parent.name} -> ${child.name}`);
    await child.row.locator('.column-char').first().click();
    // a single click activates a menu row; double-click when it did not
    if (!await unitsTabOpened(3_000)) {
        await child.row.locator('.column-char').first().dblclick();
    }
    return unitsTabOpened(STEP);
}

async function unitsTabOpened(timeout) {
    try {
        await page.locator('#tabcontent .tab-pane.active .treeview')
            .first().waitFor({ state: 'visible', timeout });
        return true;
    } catch {
        return false;
    }
}

async function main() {
    context = await chromium.launchPersistentContext(userDataDir, {
        executablePath,
        headless: true,
        locale: opts.locale,
        viewport: { width: 1366, height: 768 },
        args: [
            '--no-sandbox', '--disable-gpu', '--disable-quic',
            '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync',
            `--lang=${opts.locale}`,
        ],
    });
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(STEP);
    page.on('pageerror', (error) => pageErrors.push(error.message));

    log(`chromium ${context.browser()?.version() ?? ''} -> ${baseUrl}#${db}`);
    await page.goto(`${baseUrl}#${db}`, { waitUntil: 'domcontentloaded' });

    // Login dialog: the database field (a select, or an input that is
    // read-only when the server lists one database) shows once the server
    // has answered common.db.list, which on PostgreSQL opens every database
    // of the server and may take seconds; a login before that is refused.
    await page.locator('#login').waitFor({ state: 'visible' });
    const dbField = page.locator('.login-dialog #database:visible').first();
    await dbField.waitFor({ state: 'visible', timeout: 3 * STEP });
    if (!await dbField.evaluate((el) => el.readOnly)) {
        if (await dbField.evaluate((el) => el.tagName === 'SELECT')) {
            await dbField.selectOption(db);
        } else {
            await dbField.fill(db);
        }
    }
    const chosenDb = await dbField.inputValue();
    if (chosenDb !== db) {
        throw new Error(`the login dialog offers database "${chosenDb}", `
            + `not ${db}`);
    }
    await page.fill('#login', opts.login);
    await page.locator('.login-dialog button[type=submit]').click();

    // The server asks for the password in a second dialog
    const passwordEntry = page.locator('#ask-dialog-entry[type=password]');
    await passwordEntry.waitFor({ state: 'visible' });
    await passwordEntry.fill(password);
    await passwordEntry.press('Enter');
    // Logged in once the menu shows; a new, empty password dialog means the
    // server refused the password.
    const deadline = Date.now() + STEP;
    for (;;) {
        if (await page.locator('#menu .column-char:visible').count()) {
            break;
        }
        await checkErrorDialog();
        if (await passwordEntry.isVisible()
                && await passwordEntry.inputValue() === '') {
            throw new Error(
                `login refused for ${opts.login}: wrong password?`);
        }
        if (Date.now() > deadline) {
            throw new Error('no menu after login');
        }
        await page.waitForTimeout(200);
    }
    const sessionDb = await page.evaluate(
        () => window.Sao?.Session?.current_session?.database);
    if (sessionDb !== db) {
        throw new Error(`logged into database ${sessionDb}, not ${db}`);
    }
    log(`logged in as ${opts.login} to ${db}`);

    let how = 'menu';
    if (!await openUnitsFromMenu()) {
        how = `URL #${db}/model/property.unit`;
        log(`falling back to ${how}`);
        await page.evaluate(
            (hash) => { window.location.hash = hash; },
            `${db}/model/property.unit`);
        if (!await unitsTabOpened(STEP)) {
            await checkErrorDialog();
            throw new Error('the units list did not open');
        }
    }
    const tab = page.locator('#tabcontent .tab-pane.active');
    const tabTitle = (await page.locator('#tablist li.active').first()
        .innerText().catch(() => '?')).replace('×', '').trim();
    log(`units list open through ${how}; tab "${tabTitle}"`);

    for (const text of [...unitCodes, ...expectedTexts]) {
        const cell = tab.locator('.treeview td').getByText(text, { exact: true });
        await cell.first().waitFor({ state: 'visible' }).catch(() => {});
        if (!await cell.first().isVisible()) {
            await checkErrorDialog();
            throw new Error(`"${text}" is not visible in the units list`);
        }
    }
    for (const text of pageTexts) {
        const found = page.getByText(text, { exact: true });
        if (!await found.first().isVisible()) {
            throw new Error(`"${text}" is not visible on the page`);
        }
    }
    log(`visible: ${[...unitCodes, ...expectedTexts, ...pageTexts].join(', ')}`);
    await checkErrorDialog();

    // Let the last images and fonts settle, then take the picture.
    await page.evaluate(() => document.fonts.ready);
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    log(`screenshot: ${screenshot}`);
}

let status = 0;
try {
    await main();
} catch (error) {
    status = 1;
    console.error(`sao_smoke: FAILED: ${error.message}`);
    await failureShot();
} finally {
    if (pageErrors.length) {
        console.error(`sao_smoke: page errors:\n  ${pageErrors.join('\n  ')}`);
    }
    clearTimeout(watchdog);
    await context?.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(status);
