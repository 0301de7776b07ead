#!/usr/bin/env node
/* tests/browser/capture.js - drive the capture page (web/capture.html) in
 * Debian's Chromium through playwright-core, with a fake camera and
 * microphone read from files. Used by tests/capture.sh.
 *
 *   node tests/browser/capture.js --url CAPTURE_URL --out DIR [options] [-- MEDIA_CMD...]
 *
 * 1. Launches /usr/bin/chromium (never a downloaded browser) with a fresh
 *    profile in DIR/profile; the fake camera is DIR/camera.y4m and the
 *    fake microphone DIR/mic.wav (Chromium opens them when the page calls
 *    getUserMedia, so they may be written after the launch).
 * 2. Opens the capture URL and waits until the page is ready (or shows an
 *    error: then it reports that and stops).
 * 3. Reads the challenge the page shows (#plan li data-*) and builds its
 *    compact form, e.g. "turn_left@1.50-4.00,blink@4.00-6.50,
 *    digits=4821@9.00-14.00"; runs MEDIA_CMD with {challenge} and {out}
 *    replaced, which must write DIR/camera.y4m and DIR/mic.wav.
 * 4. Clicks Start and waits for the page to finish (done, error, or the
 *    redirect), keeping the uploaded request (--save-upload).
 * Prints one JSON object on stdout: state, key (the message's data-key),
 * title, text, plan, challenge, meta (the uploaded meta), uploadBytes,
 * contentType, finalUrl, phases (ms), console errors, and foreign: what
 * the page requested from anywhere but its own server (and the redirect).
 *
 * Options:
 *   --geo LAT,LON,ACC   grant geolocation at this position (default: not
 *                       granted, the page gets "User denied Geolocation")
 *   --deny-camera       a camera (Chromium's test pattern) but no
 *                       camera/microphone permission and no fake UI:
 *                       getUserMedia is refused
 *   --no-camera         no fake capture device (a machine without one)
 *   --redirect PREFIX   the redirect_url of the session: requests under it
 *                       are answered with a small page (it stands for the
 *                       client's site), and the run waits for the browser
 *                       to land there
 *   --save-upload FILE  write the body of the page's POST there (and its
 *                       Content-Type to FILE.ctype)
 *   --empty-video       send the page's upload with an empty video part
 *                       (the real server's refusal reaches the page)
 *   --no-start          stop after reading the challenge
 *   --timeout S         overall limit for the capture (default 240)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const { chromium } = require(path.join(root, 'tools/npm/node_modules/playwright-core'));

function parseArgs(argv) {
    const o = { geo: null, denyCamera: false, noCamera: false, redirect: null, saveUpload: null,
        emptyVideo: false, noStart: false, timeout: 240, media: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            if (i + 1 >= argv.length)
                throw new Error(a + ' needs a value');
            return argv[++i];
        };
        if (a === '--') {
            o.media = argv.slice(i + 1);
            break;
        } else if (a === '--url') o.url = next();
        else if (a === '--out') o.out = path.resolve(next());
        else if (a === '--geo') o.geo = next().split(',').map(Number);
        else if (a === '--deny-camera') o.denyCamera = true;
        else if (a === '--no-camera') o.noCamera = true;
        else if (a === '--redirect') o.redirect = next();
        else if (a === '--save-upload') o.saveUpload = path.resolve(next());
        else if (a === '--empty-video') o.emptyVideo = true;
        else if (a === '--no-start') o.noStart = true;
        else if (a === '--timeout') o.timeout = Number(next());
        else throw new Error('unknown argument ' + a);
    }
    if (!o.url || !o.out)
        throw new Error('usage: capture.js --url URL --out DIR [options] [-- MEDIA_CMD...]');
    return o;
}

/* The compact challenge form of the page's plan. */
function compact(plan) {
    return plan.map((p) => {
        const name = p.kind === 'digits' ? 'digits=' + p.digits : p.kind;
        return name + '@' + p.start.toFixed(2) + '-' + p.end.toFixed(2);
    }).join(',');
}

/* The multipart body with its video part emptied (same boundary). */
function emptyVideoPart(body, ctype) {
    const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(ctype || '');
    if (!m)
        return body;
    const b = '--' + (m[1] || m[2]);
    const text = body.toString('latin1');
    const parts = text.split(b);
    const out = parts.map((p) => {
        const h = p.indexOf('\r\n\r\n');
        if (h < 0 || !/name="video"/.test(p.slice(0, h)))
            return p;
        return p.slice(0, h + 4) + '\r\n';
    });
    return Buffer.from(out.join(b), 'latin1');
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    fs.mkdirSync(o.out, { recursive: true });
    const camera = path.join(o.out, 'camera.y4m');
    const mic = path.join(o.out, 'mic.wav');
    const t0 = Date.now();
    const phases = {};
    const result = { state: null, key: null, title: null, text: null, plan: [], challenge: null,
        meta: null, uploadBytes: 0, contentType: null, uploadStatus: null, finalUrl: null,
        phases, console: [] };

    const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
        /* Keep timers running at full rate on a loaded machine. */
        '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
        '--disable-backgrounding-occluded-windows'];
    if (!o.denyCamera)
        args.push('--use-fake-ui-for-media-stream');
    /* A denied camera still has a device (Chromium's own test pattern), so
     * that only the permission is missing. */
    if (o.denyCamera)
        args.push('--use-fake-device-for-media-stream');
    else if (!o.noCamera)
        args.push('--use-fake-device-for-media-stream',
            '--use-file-for-fake-video-capture=' + camera,
            '--use-file-for-fake-audio-capture=' + mic);
    const permissions = [];
    if (!o.denyCamera)
        permissions.push('camera', 'microphone');
    if (o.geo)
        permissions.push('geolocation');
    const ctx = await chromium.launchPersistentContext(path.join(o.out, 'profile'), {
        executablePath: '/usr/bin/chromium',
        headless: true,
        permissions,
        geolocation: o.geo ? { latitude: o.geo[0], longitude: o.geo[1], accuracy: o.geo[2] || 10 } : undefined,
        viewport: { width: 412, height: 860 },
        args,
    });
    const deadline = Date.now() + o.timeout * 1000;
    const left = () => Math.max(1000, deadline - Date.now());
    try {
        const page = ctx.pages()[0] || await ctx.newPage();
        page.on('console', (m) => {
            if (m.type() === 'error')
                result.console.push(m.text());
        });
        page.on('pageerror', (e) => result.console.push('pageerror: ' + e.message));
        /* Everything the page loads must come from the server itself. */
        const origin = new URL(o.url).origin;
        result.foreign = [];
        page.on('request', (r) => {
            const u = r.url();
            if (!u.startsWith(origin + '/') && !(o.redirect && u.startsWith(o.redirect)) &&
                !/^(data|blob):/.test(u))
                result.foreign.push(u);
        });

        if (o.redirect) {
            const prefix = o.redirect;
            await ctx.route((u) => u.href.startsWith(prefix), (route) => route.fulfill({
                status: 200, contentType: 'text/html', body: '<!doctype html><title>client</title><p>back at the client</p>',
            }));
        }
        /* The page's upload: keep its bytes, optionally empty its video. */
        await ctx.route((u) => /\/v2\/capture\/[A-Za-z0-9_-]+$/.test(u.pathname), async (route) => {
            const req = route.request();
            if (req.method() !== 'POST')
                return route.continue();
            const body = req.postDataBuffer() || Buffer.alloc(0);
            const ctype = req.headers()['content-type'] || '';
            result.uploadBytes = body.length;
            result.contentType = ctype;
            const mm = /name="meta"\r\n\r\n([\s\S]*?)\r\n--/.exec(body.toString('latin1'));
            if (mm) {
                try {
                    result.meta = JSON.parse(Buffer.from(mm[1], 'latin1').toString('utf8'));
                } catch (e) {
                    result.meta = { unparsed: mm[1].slice(0, 200) };
                }
            }
            if (o.saveUpload) {
                fs.writeFileSync(o.saveUpload, body);
                fs.writeFileSync(o.saveUpload + '.ctype', ctype);
            }
            phases.uploadStartMs = Date.now() - t0;
            if (o.emptyVideo)
                return route.continue({ postData: emptyVideoPart(body, ctype) });
            return route.continue();
        });
        page.on('response', (r) => {
            if (r.request().method() === 'POST' && /\/v2\/capture\//.test(r.url()))
                result.uploadStatus = r.status();
        });

        const state = () => page.evaluate(() => document.body && document.body.getAttribute('data-state'));
        const snapshot = async () => {
            const s = await page.evaluate(() => {
                const m = document.getElementById('message');
                const txt = (id) => (document.getElementById(id) || {}).textContent || '';
                return {
                    state: document.body.getAttribute('data-state'),
                    key: m && !m.hidden ? m.getAttribute('data-key') : null,
                    title: m && !m.hidden ? txt('message-title') : null,
                    text: m && !m.hidden ? txt('message-text') : null,
                    keyShown: m && !m.hidden ? txt('message-key') : null,
                    promptLive: (document.getElementById('prompt') || {}).getAttribute ?
                        document.getElementById('prompt').getAttribute('aria-live') : null,
                };
            }).catch(() => null);
            if (s)
                Object.assign(result, s);
        };

        await page.goto(o.url, { timeout: left() });
        await page.waitForFunction(() => ['ready', 'error'].includes(document.body.getAttribute('data-state')),
            null, { timeout: left() });
        phases.readyMs = Date.now() - t0;
        await snapshot();
        if (result.state === 'error') {
            result.finalUrl = page.url();
            return result;
        }
        result.plan = await page.$$eval('#plan li', (lis) => lis.map((li) => ({
            kind: li.dataset.kind,
            start: Number(li.dataset.start),
            end: Number(li.dataset.end),
            digits: li.dataset.digits || null,
            text: li.textContent,
        })));
        result.challenge = compact(result.plan);
        if (o.media.length) {
            const cmd = o.media.map((a) => a.replaceAll('{challenge}', result.challenge).replaceAll('{out}', o.out));
            const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: left() });
            if (r.status !== 0)
                throw new Error('media command failed (' + r.status + '): ' + String(r.stderr).slice(-800));
            phases.mediaMs = Date.now() - t0;
        }
        if (o.noStart)
            return result;

        await page.click('#start', { timeout: left() });
        await page.waitForFunction(() => document.body.getAttribute('data-state') !== 'ready', null, { timeout: left() });
        /* Through recording and upload to the outcome. */
        await page.waitForFunction(() => ['processing', 'done', 'error'].includes(document.body.getAttribute('data-state')),
            null, { timeout: left(), polling: 100 });
        phases.uploadedMs = Date.now() - t0;
        /* From the camera's start to the recorder's (the media's offset). */
        result.marks = await page.evaluate(() => {
            const at = (n) => {
                const e = performance.getEntriesByName(n);
                return e.length ? e[0].startTime : null;
            };
            return { stream: at('capture-stream'), recording: at('capture-recording') };
        }).catch(() => null);
        await page.waitForFunction(() => ['done', 'error'].includes(document.body.getAttribute('data-state')),
            null, { timeout: left(), polling: 100 }).catch(() => {});
        phases.doneMs = Date.now() - t0;
        await snapshot();
        if (o.redirect && result.state === 'done') {
            await page.waitForURL((u) => u.href.startsWith(o.redirect), { timeout: left() }).catch(() => {});
            phases.redirectMs = Date.now() - t0;
        }
        result.finalUrl = page.url();
        return result;
    } finally {
        await ctx.close().catch(() => {});
        fs.rmSync(path.join(o.out, 'profile'), { recursive: true, force: true });
    }
}

main().then((r) => {
    process.stdout.write(JSON.stringify(r) + '\n');
}, (e) => {
    process.stderr.write('capture.js: ' + (e && e.stack || e) + '\n');
    process.exit(1);
});
