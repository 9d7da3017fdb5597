#!/usr/bin/env node
// Every menu entry of our modules, for every role, in sao (headless Debian
// chromium): one browser and one page; for each login in the menus file
// (written by role_menus.py from what the server gives that user), log in,
// open each menu entry the way a click on it does (sao's tree_open keyword
// on the ir.ui.menu record), wait for the view to render (a list: its rows
// or its empty state), open the first record's form where the action has a
// form, switch to each other view of the action (graph, calendar...), take a
// screenshot of each, then log out.
//
//   node tests/browser/sao_roles.mjs --url http://127.0.0.1:8000/ \
//       --database demo --menus menus.json --artifacts tests/artifacts/roles \
//       [--phone technician,guard] [--report report.json]
//
// A view fails on a page error (an uncaught exception, or an exception
// jQuery's deferreds caught and logged), an error or warning dialog of sao,
// or when it has not rendered within --view-timeout seconds (15). Wizards
// opened by a menu must show their first step, which is then cancelled.
// The roles of --phone are run on a 360 x 740 screen. Passwords are the
// demo's (equal to the logins). Exit code 0 when every view passed, 1 with
// the list of failing (role, menu, view) otherwise.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync }
    from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

const { values: opts } = parseArgs({
    options: {
        url: { type: 'string' },
        database: { type: 'string' },
        menus: { type: 'string' },
        artifacts: { type: 'string', default: 'tests/artifacts/roles' },
        report: { type: 'string' },
        phone: { type: 'string', default: '' },
        locale: { type: 'string', default: 'zh-CN' },
        'view-timeout': { type: 'string', default: '15' },
    },
});
if (!opts.url || !opts.database || !opts.menus) {
    console.error('usage: sao_roles.mjs --url URL --database DB '
        + '--menus FILE [--artifacts DIR] [--phone LOGIN,...] '
        + '[--report FILE]');
    process.exit(2);
}
const baseUrl = opts.url.endsWith('/') ? opts.url : opts.url + '/';
const db = opts.database;
const menus = JSON.parse(readFileSync(opts.menus, 'utf8'));
const artifacts = resolve(opts.artifacts);
const phoneRoles = new Set(opts.phone.split(',').filter(Boolean));
const VIEW_TIMEOUT = Number(opts['view-timeout']) * 1000;
const DESK = { width: 1366, height: 768 };
const PHONE = { width: 360, height: 740 };

const started = Date.now();
const log = (...args) => console.log(
    `[sao_roles ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

let page;
let errors = [];  // page errors since the last check
const results = [];

function fileName(text) {
    return text.replace(/[^\w.-]+/g, '_');
}

async function shot(role, menu, view) {
    const path = join(artifacts, role,
        `${fileName(menu.xml_id)}__${view}.png`);
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path });
    return path;
}

// The text of sao's error or warning dialog, if one shows
async function errorDialog() {
    const dialog = page.locator(
        '.error-dialog:visible, .warning-dialog:visible');
    if (await dialog.count()) {
        return (await dialog.first().innerText()).trim().slice(0, 600);
    }
    return null;
}

async function dismissDialogs() {
    for (const button of await page.locator(
            '.error-dialog:visible .modal-footer button, '
            + '.warning-dialog:visible .modal-footer button').all()) {
        await button.click({ timeout: 2_000 }).catch(() => {});
    }
}

// Poll check() (which returns a failure text, true when done, or false to
// wait) until it has been done for 200 ms (a list may be searched
// again by its tabs), an error shows or the time is out.
async function until(check, what) {
    const deadline = Date.now() + VIEW_TIMEOUT;
    let doneSince = null;
    for (;;) {
        if (errors.length) {
            return `page error: ${errors.join(' | ')}`;
        }
        const dialog = await errorDialog();
        if (dialog) {
            return `error dialog: ${dialog}`;
        }
        const state = await check();
        if (typeof state === 'string') {
            return state;
        }
        if (state === true) {
            doneSince ??= Date.now();
            if (Date.now() - doneSince >= 200) {
                return null;
            }
        } else {
            doneSince = null;
        }
        if (Date.now() > deadline) {
            return `${what} did not render within ${VIEW_TIMEOUT / 1000} s`;
        }
        await page.waitForTimeout(100);
    }
}

// The state of the current tab's view: true once it is displayed with no
// request pending (a list with its rows, or none when empty), false before.
function tabRendered(viewType) {
    return page.evaluate((viewType) => {
        const tab = window.Sao.Tab.tabs.get_current();
        // a wizard opened in a tab shows the form of its first state
        const screen = tab?.screen ?? tab?.wizard?.screen;
        const view = screen?.current_view;
        if (!view || (viewType && view.view_type !== viewType)
                || window.jQuery.active) {
            return false;
        }
        const el = view.el?.[0];
        if (!el || !el.isConnected || !el.offsetParent) {
            return false;
        }
        if (view.view_type === 'tree') {
            const rows = el.querySelectorAll('tbody tr:not(.more-row)').length;
            return screen.group.length ? rows > 0 : true;
        }
        if (view.view_type === 'form') {
            return Boolean(screen.current_record)
                && el.querySelectorAll('.form-item, .form-container').length > 0;
        }
        if (view.view_type === 'graph') {
            return Boolean(el.querySelector('svg, .graph'));
        }
        if (view.view_type === 'calendar') {
            return Boolean(el.querySelector('.fc-view'));
        }
        return true;
    }, viewType);
}

// Close every tab; a tab that does not close (sao asks whether to save a
// record the test only looked at) is a failure, not a hang.
async function closeTabs() {
    const closed = page.evaluate(async () => {
        for (const tab of [...window.Sao.Tab.tabs]) {
            await tab.close();
        }
    });
    const timeout = new Promise((resolve, reject) => setTimeout(
        () => reject(new Error('the tab did not close within '
            + `${VIEW_TIMEOUT / 1000} s (a dialog asks to save a record `
            + 'that was only opened?)')), VIEW_TIMEOUT));
    await Promise.race([closed, timeout]);
}

async function record(role, menu, view, error, ms, screenshot) {
    if (error) {
        screenshot = await shot(role, menu, `${view}.failure`)
            .catch(() => null);
    }
    results.push({ role, menu: menu.name, xml_id: menu.xml_id, view,
        ok: !error, error, ms, screenshot });
    log(`${error ? 'FAIL' : 'ok  '} ${role} ${menu.name} [${view}] `
        + `${ms} ms${error ? ': ' + error : ''}`);
}

async function openMenu(role, menu) {
    errors = [];
    const before = await page.evaluate(() => window.Sao.Tab.tabs.length);
    let t0 = Date.now();
    await page.evaluate((id) => {
        window.Sao.Action.exec_keyword('tree_open', {
            model: 'ir.ui.menu', id }, null, false);
    }, menu.id);
    let opened = null;
    let error = await until(async () => {
        if (await page.locator('.wizard-dialog:visible').count()) {
            opened = 'wizard';
            return !await page.evaluate(() => window.jQuery.active);
        }
        const tabs = await page.evaluate(() => window.Sao.Tab.tabs.length);
        if (tabs > before) {
            opened = 'tab';
            return tabRendered(null);
        }
        return false;
    }, 'the menu entry');
    if (error && !opened && !errors.length) {
        // sao opens nothing when the user may not run the entry's action
        error = `nothing opened within ${VIEW_TIMEOUT / 1000} s `
            + '(no tab, no dialog: is the action allowed to this role?)';
    }
    if (opened === 'wizard') {
        const path = error ? null : await shot(role, menu, 'wizard');
        await record(role, menu, 'wizard', error, Date.now() - t0, path);
        await page.locator('.wizard-dialog:visible').first()
            .press('Escape').catch(() => {});
        await page.locator('.wizard-dialog:visible').first()
            .waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
        return;
    }
    if (!error && await page.evaluate(
            () => !window.Sao.Tab.tabs.get_current()?.screen)) {
        await record(role, menu, 'wizard', error, Date.now() - t0,
            await shot(role, menu, 'wizard'));
        return;
    }
    const first = await page.evaluate(() => {
        const screen = window.Sao.Tab.tabs.get_current()?.screen;
        if (!screen) {
            return null;
        }
        return {
            view: screen.current_view?.view_type ?? 'none',
            types: [...screen.views.map((v) => v.view_type),
                ...screen.view_to_load],
            rows: screen.group?.length ?? 0,
            tabs: screen.screen_container.tab_domain.length,
        };
    });
    const view = first?.view ?? 'none';
    const path = error ? null : await shot(role, menu, view);
    await record(role, menu, view, error, Date.now() - t0, path);
    if (error || !first) {
        return;
    }
    // a form is opened on the first record; an empty list has none
    const done = new Set([view, 'form']);
    // an empty list: look for a record under the action's other tabs
    for (let i = 1; view === 'tree' && !first.rows && i < first.tabs; i++) {
        t0 = Date.now();
        await page.evaluate((i) => {
            window.Sao.Tab.tabs.get_current().screen
                .screen_container.tab.find('a').eq(i).click();
        }, i);
        error = await until(() => tabRendered('tree'), `list tab ${i + 1}`);
        first.rows = await page.evaluate(
            () => window.Sao.Tab.tabs.get_current().screen.group.length);
        if (error || first.rows) {
            await record(role, menu, `tree, tab ${i + 1}`, error,
                Date.now() - t0,
                error ? null : await shot(role, menu, `tree_tab${i + 1}`));
        }
        if (error) {
            return;
        }
    }
    // the first record's form, as a double click on the first row opens it
    if (view === 'tree' && first.rows && first.types.includes('form')) {
        t0 = Date.now();
        await page.evaluate(() => {
            const screen = window.Sao.Tab.tabs.get_current().screen;
            screen.current_record = screen.group[0];
            screen.row_activate();
        });
        error = await until(() => tabRendered('form'), 'the form');
        await record(role, menu, 'form', error, Date.now() - t0,
            error ? null : await shot(role, menu, 'form'));
        done.add('form');
        if (error) {
            return;
        }
    }
    for (const type of first.types) {
        if (done.has(type)) {
            continue;
        }
        done.add(type);
        t0 = Date.now();
        await page.evaluate((type) => {
            window.Sao.Tab.tabs.get_current().screen.switch_view(type);
        }, type);
        error = await until(() => tabRendered(type), `the ${type} view`);
        await record(role, menu, type, error, Date.now() - t0,
            error ? null : await shot(role, menu, type));
        if (error) {
            return;
        }
    }
}

async function login(role) {
    await page.goto(`${baseUrl}#${db}`, { waitUntil: 'domcontentloaded' });
    await page.locator('#login').waitFor({ state: 'visible' });
    const dbField = page.locator('.login-dialog #database:visible').first();
    await dbField.waitFor({ state: 'visible', timeout: 60_000 });
    if (!await dbField.evaluate((el) => el.readOnly)) {
        if (await dbField.evaluate((el) => el.tagName === 'SELECT')) {
            await dbField.selectOption(db);
        } else {
            await dbField.fill(db);
        }
    }
    await page.fill('#login', role);
    await page.locator('.login-dialog button[type=submit]').click();
    const passwordEntry = page.locator('#ask-dialog-entry[type=password]');
    await passwordEntry.waitFor({ state: 'visible' });
    await passwordEntry.fill(role);  // demo passwords equal the logins
    await passwordEntry.press('Enter');
    await page.waitForFunction((db) => {
        const session = window.Sao?.Session?.current_session;
        return session?.database === db && session.user_id
            && document.querySelectorAll('#menu .column-char').length > 0;
    }, db, { timeout: 30_000 });
    // the role's start screens (its user's login actions) open after the
    // login: let them open, then close them, so that each entry is opened
    // alone and its tab is the current one
    let count = -1;
    for (let i = 0, stable = 0; i < 50 && stable < 3; i++) {
        await page.waitForTimeout(200);
        const now = await page.evaluate(() => window.Sao.Tab.tabs.length
            + (window.jQuery.active ? 1000 : 0));
        stable = now === count ? stable + 1 : 0;
        count = now;
    }
    log(`${role}: ${count} start tab(s) opened at login`);
    await closeTabs();
}

async function logout() {
    await closeTabs();
    await page.evaluate(() => window.Sao.logout());
    await page.locator('#login').waitFor({ state: 'visible' });
}

async function main() {
    const userDataDir = mkdtempSync(join(tmpdir(), 'sao-roles-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        locale: opts.locale,
        viewport: DESK,
        args: [
            '--no-sandbox', '--disable-gpu', '--disable-quic',
            '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync',
            `--lang=${opts.locale}`,
        ],
    });
    try {
        page = context.pages()[0] ?? await context.newPage();
        page.setDefaultTimeout(20_000);
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
            // jQuery's deferreds catch exceptions and log them as warnings
            const text = message.text();
            if (text.startsWith('jQuery.Deferred exception')
                    || (message.type() === 'error'
                        && !/Failed to load resource/.test(text))) {
                errors.push(text);
            }
        });
        log(`chromium ${context.browser()?.version() ?? ''} -> ${baseUrl}#${db}`);
        let first = true;
        for (const [role, entries] of Object.entries(menus)) {
            mkdirSync(join(artifacts, role), { recursive: true });
            await page.setViewportSize(phoneRoles.has(role) ? PHONE : DESK);
            const t0 = Date.now();
            if (!first) {
                await logout();
            }
            first = false;
            try {
                await login(role);
            } catch (error) {
                await page.screenshot({
                    path: join(artifacts, role, 'login.failure.png') })
                    .catch(() => {});
                throw new Error(`${role} could not log in: ${error.message}`
                    + ` (${await errorDialog() ?? 'no error dialog'})`);
            }
            log(`${role}: logged in in ${Date.now() - t0} ms, `
                + `${entries.length} menu entries`
                + (phoneRoles.has(role) ? ' (360 px wide)' : ''));
            for (const menu of entries) {
                try {
                    await openMenu(role, menu);
                } catch (error) {
                    await record(role, menu, '?', `test error: ${error.message}`,
                        0, null);
                }
                await dismissDialogs();
                try {
                    await closeTabs();
                } catch (error) {
                    await record(role, menu, 'close', error.message, 0, null);
                    // start the role again from a fresh page
                    await page.goto('about:blank');
                    await login(role);
                }
            }
            log(`${role}: ${Date.now() - t0} ms`);
        }
    } finally {
        await context.close().catch(() => {});
        rmSync(userDataDir, { recursive: true, force: true });
    }
}

let status = 0;
try {
    await main();
} catch (error) {
    status = 1;
    console.error(`sao_roles: FAILED: ${error.stack ?? error.message}`);
}
const failed = results.filter((r) => !r.ok);
if (opts.report) {
    writeFileSync(opts.report, JSON.stringify(results, null, 1));
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`sao_roles: ${results.length} views, ${failed.length} failed, `
    + `${seconds} s`);
if (failed.length) {
    status = 1;
    console.error('sao_roles: failing (role, menu, view):\n'
        + failed.map((r) => `  ${r.role} | ${r.menu} (${r.xml_id}) | `
            + `${r.view}: ${r.error}`).join('\n'));
}
process.exit(status);
