/**
 * The dashboard pages dashboard.test.ts leaves alone, in chromium against a real `switchboard
 * serve` (real clock): the Calls page's filters, paging and CSV export, the Reports page's date
 * range and CSV export, and the Live page's Hang up button. The calls are seeded through the API
 * before the page is opened, each from its own number, so every row and every count is known.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { nav, signIn, skipWithoutChromium, startDashboardRig, zoneInput, type DashboardRig } from './support/dashboard-rig.ts';
import { sleep, waitUntil } from './support/delivery-log.ts';

/** Answers busy: each API call to it ends at once (USER_BUSY, 3000, by the Callee). */
const BUSY = '+15557000001';
/** Answers and stays up until the engine hangs up. */
const TALKER = '+15557000002';
/** A number of ours whose application hangs up with <Hangup/>: inbound calls end by Answer XML. */
const INBOUND = '+15553330009';
const OUTBOUND_CALLS = 22;
const INBOUND_CALLS = 2;
const ALL_CALLS = OUTBOUND_CALLS + INBOUND_CALLS;
/** The seeded callers, oldest call first: +15558000101 ... +15558000122. */
const outboundFrom = (i: number) => `+155580001${String(i + 1).padStart(2, '0')}`;
const inboundFrom = (i: number) => `+1555900000${i + 1}`;

const CALL_CSV_HEADER =
  'call_uuid,parent_call_uuid,request_uuid,call_direction,from_number,to_number,caller_name,call_status,call_state,' +
  'initiation_time,answer_time,end_time,call_duration,bill_duration,billed_duration,hangup_cause,hangup_cause_code,' +
  'hangup_cause_name,hangup_source,error';
const REPORT_CSV_HEADER =
  'group,attempts,answered,asr,ner,acd_s,dial_completed,dial_busy,dial_no-answer,dial_timeout,dial_failed,dial_cancel,' +
  'call_completed,call_busy,call_no-answer,call_timeout,call_failed,call_cancel,pdd_p50_ms,pdd_p95_ms,' +
  'ring_to_answer_p50_ms,ring_to_answer_p95_ms,hangup_causes';

interface Cdr {
  call_uuid: string;
  call_direction: string;
  from_number: string;
  to_number: string;
  call_status: string;
  hangup_cause: string;
  hangup_cause_code: number;
  hangup_cause_name: string;
  hangup_source: string;
}

/** The CSV's lines without the final newline; no value the tests read holds a comma or a quote. */
function csvLines(text: string): string[] {
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** Clicks Export CSV and reads the file the browser saves; also answers the URL it was fetched from. */
async function exportCsv(page: Page, path: string): Promise<{ url: URL; lines: string[] }> {
  const [request, download] = await Promise.all([
    page.waitForRequest((r) => r.url().includes(path) && r.url().includes('format=csv')),
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const file = await download.path();
  return { url: new URL(request.url()), lines: csvLines(await readFile(file, 'utf8')) };
}

describe('dashboard pages in chromium: calls, reports, live hang-up', { skip: skipWithoutChromium, timeout: 180_000 }, () => {
  let rig: DashboardRig;
  let page: Page;
  const api = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => rig.serve.api(method, path, body);
  const ok = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await api(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  /** The list as the API pages it, newest first. */
  const listed = async (query: string): Promise<{ total: number; objects: Cdr[] }> => {
    const body = await ok('GET', `Call/?${query}`);
    return { total: body.meta.total_count, objects: body.objects };
  };
  const rows = () => page.locator('table.calls tbody tr');
  const fromColumn = async () => (await rows().locator('td:nth-child(3)').allTextContents());
  const uuidsShown = async () => (await rows().locator('td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!)));
  const pager = () => page.getByRole('navigation', { name: 'Pages' });
  /** The value of a `<dl>` term on the page (a report's totals, a call's summary). */
  const fact = (term: string): Locator => page.locator(`xpath=//dt[normalize-space()="${term}"]/following-sibling::dd[1]`);

  before(async () => {
    rig = await startDashboardRig({ seed: 7 });
    ({ page } = rig);
    const { app } = rig;
    app.on('/wait', '<Response><Wait length="300"/></Response>');
    app.on('/hangs-up', '<Response><Hangup/></Response>');

    await ok('POST', 'Simulator/Number/', { number: BUSY, script: 'busy' });
    await ok('POST', 'Simulator/Number/', { number: TALKER, script: 'answer' });
    for (let i = 0; i < OUTBOUND_CALLS; i++) {
      await ok('POST', 'Call/', { from: outboundFrom(i), to: BUSY, answer_url: app.url('/wait'), hangup_url: app.url('/hangup') });
      // The list is ordered by initiation time (ms); two calls in one ms would be ordered by uuid.
      await sleep(3);
    }
    const created = await ok('POST', 'Application/', { app_name: 'Hangs up', answer_url: app.url('/hangs-up'), hangup_url: app.url('/hangup') });
    await ok('POST', `PhoneNumber/${encodeURIComponent(INBOUND)}/`, {});
    await ok('POST', `Number/${encodeURIComponent(INBOUND)}/`, { app_id: created.app_id });
    for (let i = 0; i < INBOUND_CALLS; i++) {
      await ok('POST', 'Simulator/Call/', { from: inboundFrom(i), to: INBOUND });
      await waitUntil(`inbound call ${i + 1} ends`, async () => ((await listed('call_direction=inbound')).total === i + 1 ? true : undefined), 15_000, 50);
      await sleep(3);
    }
    await waitUntil(`all ${ALL_CALLS} calls end`, async () => ((await listed('limit=1')).total === ALL_CALLS ? true : undefined), 15_000, 50);
    await waitUntil('the dial report counts every API call', async () => {
      const r = await ok('GET', 'Report/Dial/?since=1h&group_by=destination');
      return r.total.attempts === OUTBOUND_CALLS ? true : undefined;
    }, 15_000, 50);
    await signIn(rig);
  });

  after(async () => {
    await rig?.close();
  });

  test('calls: the seeded calls are listed with their outcome', async () => {
    const busy = await listed(`to_number=${encodeURIComponent(BUSY)}&limit=1`);
    assert.equal(busy.total, OUTBOUND_CALLS);
    const c = busy.objects[0]!;
    assert.deepEqual(
      { status: c.call_status, cause: c.hangup_cause, code: c.hangup_cause_code, name: c.hangup_cause_name, source: c.hangup_source, from: c.from_number },
      { status: 'busy', cause: 'USER_BUSY', code: 3000, name: 'Busy Line', source: 'Callee', from: outboundFrom(OUTBOUND_CALLS - 1) },
    );
    const inbound = await listed('call_direction=inbound&limit=1');
    const d = inbound.objects[0]!;
    assert.deepEqual(
      { status: d.call_status, cause: d.hangup_cause, code: d.hangup_cause_code, source: d.hangup_source, to: d.to_number },
      // CDRs carry the called number as bare digits, as Plivo's records do.
      { status: 'completed', cause: 'NORMAL_CLEARING', code: 4000, source: 'Answer XML', to: INBOUND.slice(1) },
    );
  });

  test('calls: paging, next and previous', async () => {
    await nav(page, 'Calls');
    await pager().getByText(`1–20 of ${ALL_CALLS}`, { exact: true }).waitFor();
    const newer = pager().getByRole('button', { name: '← Newer' });
    const older = pager().getByRole('button', { name: 'Older →' });
    assert.equal(await newer.isDisabled(), true);
    const first = await listed('limit=20&offset=0');
    assert.deepEqual(await uuidsShown(), first.objects.map((o) => o.call_uuid));
    // Newest first: the two inbound calls, then the API calls from the last placed down.
    assert.deepEqual(await fromColumn(), [inboundFrom(1), inboundFrom(0), ...Array.from({ length: 18 }, (_, i) => outboundFrom(OUTBOUND_CALLS - 1 - i))]);

    await older.click();
    await pager().getByText(`21–${ALL_CALLS} of ${ALL_CALLS}`, { exact: true }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('offset'), '20');
    const second = await listed('limit=20&offset=20');
    assert.deepEqual(await uuidsShown(), second.objects.map((o) => o.call_uuid));
    assert.deepEqual(await fromColumn(), [outboundFrom(3), outboundFrom(2), outboundFrom(1), outboundFrom(0)]);
    assert.equal(await older.isDisabled(), true);

    await newer.click();
    await pager().getByText(`1–20 of ${ALL_CALLS}`, { exact: true }).waitFor();
    assert.deepEqual(await uuidsShown(), first.objects.map((o) => o.call_uuid));
    assert.equal(await newer.isDisabled(), true);
  });

  test('calls: while the next page loads, the rows on screen keep their own pager', async () => {
    await page.goto(`${rig.serve.base}/calls?offset=20`);
    await pager().getByText(`21–${ALL_CALLS} of ${ALL_CALLS}`, { exact: true }).waitFor();
    // Hold the next list request until the page has been looked at.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let seen!: () => void;
    const requested = new Promise<void>((r) => (seen = r));
    await page.route((u) => u.pathname.endsWith('/Call/'), async (route) => {
      seen();
      await held;
      await route.continue();
    });
    try {
      await page.getByLabel('Direction').selectOption('inbound');
      await page.getByRole('button', { name: 'Apply' }).click();
      await requested;
      // The URL already says offset 0, inbound; the rows are still the old page's, and say so.
      assert.equal(new URL(page.url()).searchParams.get('call_direction'), 'inbound');
      assert.equal(await pager().locator('span').textContent(), `21–${ALL_CALLS} of ${ALL_CALLS}`);
      assert.equal(await page.locator('[aria-busy="true"]').count(), 1);
      assert.equal(await pager().getByRole('button', { name: 'Older →' }).isDisabled(), true);
      assert.equal(await pager().getByRole('button', { name: '← Newer' }).isDisabled(), true);
      release();
      await pager().getByText('1–2 of 2', { exact: true }).waitFor();
      assert.deepEqual(await fromColumn(), [inboundFrom(1), inboundFrom(0)]);
      assert.equal(await page.locator('[aria-busy="true"]').count(), 0);
    } finally {
      release();
      await page.unrouteAll();
    }
  });

  test('calls: filters by direction, number, hangup cause and source, kept in the URL', async () => {
    await page.goto(`${rig.serve.base}/calls`);
    await pager().getByText(`1–20 of ${ALL_CALLS}`, { exact: true }).waitFor();

    await page.getByLabel('Direction').selectOption('inbound');
    await page.getByRole('button', { name: 'Apply' }).click();
    await pager().getByText('1–2 of 2', { exact: true }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('call_direction'), 'inbound');
    assert.deepEqual(await fromColumn(), [inboundFrom(1), inboundFrom(0)]);
    assert.deepEqual(await rows().locator('td:nth-child(2)').allTextContents(), ['inbound', 'inbound']);

    // The filters are in the URL: opening it again shows the same list, with the form filled in.
    await page.reload();
    await pager().getByText('1–2 of 2', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Direction').inputValue(), 'inbound');

    await page.getByRole('button', { name: 'Clear' }).click();
    await pager().getByText(`1–20 of ${ALL_CALLS}`, { exact: true }).waitFor();
    assert.equal(new URL(page.url()).search, '');

    await page.getByLabel('From', { exact: true }).fill(outboundFrom(4));
    await page.getByRole('button', { name: 'Apply' }).click();
    await pager().getByText('1–1 of 1', { exact: true }).waitFor();
    assert.deepEqual(await fromColumn(), [outboundFrom(4)]);
    assert.equal(await rows().locator('td:nth-child(5)').textContent(), 'busy');
    assert.equal(await rows().locator('td:nth-child(7)').textContent(), 'Busy Line 3000');
    await page.getByRole('button', { name: 'Clear' }).click();

    // Number and cause code together: the 22 busy calls, over two pages.
    await page.getByLabel('To', { exact: true }).fill(BUSY);
    await page.getByLabel('Hangup cause code').fill('3000');
    await page.getByRole('button', { name: 'Apply' }).click();
    await pager().getByText(`1–20 of ${OUTBOUND_CALLS}`, { exact: true }).waitFor();
    assert.deepEqual(await fromColumn(), Array.from({ length: 20 }, (_, i) => outboundFrom(OUTBOUND_CALLS - 1 - i)));
    await pager().getByRole('button', { name: 'Older →' }).click();
    await pager().getByText(`21–${OUTBOUND_CALLS} of ${OUTBOUND_CALLS}`, { exact: true }).waitFor();
    assert.deepEqual(await fromColumn(), [outboundFrom(1), outboundFrom(0)]);
    const q = new URL(page.url()).searchParams;
    assert.deepEqual([q.get('to_number'), q.get('hangup_cause_code'), q.get('offset')], [BUSY, '3000', '20']);

    // A cause no call has, and a source no call has: nothing matches, and the page says so.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Hangup source').selectOption('Answer XML');
    await page.getByRole('button', { name: 'Apply' }).click();
    await pager().getByText('1–2 of 2', { exact: true }).waitFor();
    assert.deepEqual(await fromColumn(), [inboundFrom(1), inboundFrom(0)]);
    await page.getByLabel('Hangup source').selectOption('Carrier');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No calls match these filters').waitFor();
    assert.deepEqual(rig.pageErrors, [], 'no uncaught errors in the page');
  });

  test('calls: the CSV export holds every call that matches the filters, not the page on screen', async () => {
    await page.goto(`${rig.serve.base}/calls?to_number=${encodeURIComponent(BUSY)}&offset=20`);
    await pager().getByText(`21–${OUTBOUND_CALLS} of ${OUTBOUND_CALLS}`, { exact: true }).waitFor();
    const busy = await exportCsv(page, '/Call/');
    assert.equal(busy.url.searchParams.get('to_number'), BUSY);
    assert.equal(busy.url.searchParams.has('limit'), false);
    assert.equal(busy.url.searchParams.has('offset'), false);
    assert.equal(busy.lines[0], CALL_CSV_HEADER);
    assert.equal(busy.lines.length, 1 + OUTBOUND_CALLS);
    const col = (name: string) => CALL_CSV_HEADER.split(',').indexOf(name);
    const fields = busy.lines.slice(1).map((l) => l.split(','));
    assert.deepEqual(fields.map((f) => f[col('from_number')]), Array.from({ length: OUTBOUND_CALLS }, (_, i) => outboundFrom(OUTBOUND_CALLS - 1 - i)));
    for (const f of fields) {
      assert.deepEqual(
        [f[col('call_direction')], f[col('to_number')], f[col('call_status')], f[col('hangup_cause')], f[col('hangup_cause_code')], f[col('hangup_source')]],
        ['outbound', BUSY.slice(1), 'busy', 'USER_BUSY', '3000', 'Callee'],
      );
    }

    await page.goto(`${rig.serve.base}/calls`);
    await pager().getByText(`1–20 of ${ALL_CALLS}`, { exact: true }).waitFor();
    const all = await exportCsv(page, '/Call/');
    assert.equal(all.lines[0], CALL_CSV_HEADER);
    assert.equal(all.lines.length, 1 + ALL_CALLS);
    assert.deepEqual(all.lines.slice(1).map((l) => l.split(',')[col('call_uuid')]).sort(), (await listed('limit=20')).objects.concat((await listed('limit=20&offset=20')).objects).map((o) => o.call_uuid).sort());
  });

  test('reports: the date range decides which calls are counted', async () => {
    await nav(page, 'Reports');
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.getByLabel('Group by', { exact: true }).selectOption('destination');
    await page.getByLabel('Range', { exact: true }).selectOption('1h');
    const lastHour = page.waitForRequest((r) => r.url().includes('/Report/Dial/') && r.url().includes('since=1h'));
    await page.getByRole('button', { name: 'Show' }).click();
    assert.equal(new URL((await lastHour).url()).searchParams.get('group_by'), 'destination');
    await fact('Attempts').filter({ hasText: String(OUTBOUND_CALLS) }).waitFor();
    // The totals are the same under any grouping: wait for the table of the new one.
    await page.getByRole('table', { name: 'By group' }).getByRole('rowheader', { name: BUSY }).waitFor();
    assert.equal(await fact('ASR').textContent(), '0.0%');
    assert.equal(await fact('NER').textContent(), '100.0%');
    assert.equal(await page.getByRole('table', { name: 'By group' }).getByRole('rowheader').allTextContents().then((t) => t.join('|')), BUSY);

    // A custom range two days back holds none of them; the typed local times go out as UTC.
    const now = Date.now();
    const from = now - 3 * 86_400_000;
    const to = now - 2 * 86_400_000;
    await page.getByLabel('Range', { exact: true }).selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(zoneInput(from));
    await page.getByLabel('To', { exact: true }).fill(zoneInput(to));
    const past = page.waitForRequest((r) => r.url().includes('/Report/Dial/') && r.url().includes('start='));
    await page.getByRole('button', { name: 'Show' }).click();
    const pastQuery = new URL((await past).url()).searchParams;
    const utcMinute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    assert.deepEqual([pastQuery.get('start'), pastQuery.get('end'), pastQuery.has('since')], [utcMinute(from), utcMinute(to), false]);
    await page.getByText('No calls in this range').waitFor();
    assert.equal(await fact('Attempts').textContent(), '0');
    assert.equal(await fact('ASR').textContent(), '—');

    // A custom range around now holds all of them again.
    await page.getByLabel('From', { exact: true }).fill(zoneInput(now - 2 * 3_600_000));
    await page.getByLabel('To', { exact: true }).fill(zoneInput(now + 3_600_000));
    await page.getByRole('button', { name: 'Show' }).click();
    await fact('Attempts').filter({ hasText: String(OUTBOUND_CALLS) }).waitFor();
    assert.equal(await page.getByText('No calls in this range').count(), 0);
    await page.locator('figure.chart', { hasText: 'Hangup causes' }).getByText('Busy Line (3000)').waitFor();
    assert.deepEqual(rig.pageErrors, [], 'no uncaught errors in the page');
  });

  test('reports: the CSV export is the report on screen', async () => {
    await page.goto(`${rig.serve.base}/reports`);
    await page.getByLabel('Group by', { exact: true }).selectOption('destination');
    await page.getByLabel('Attempts', { exact: true }).selectOption('call');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('table', { name: 'By group' }).getByRole('rowheader', { name: BUSY }).waitFor();
    const report = await exportCsv(page, '/Report/Dial/');
    assert.deepEqual(
      [report.url.searchParams.get('since'), report.url.searchParams.get('group_by'), report.url.searchParams.get('kind')],
      ['24h', 'destination', 'call'],
    );
    assert.equal(report.lines[0], REPORT_CSV_HEADER);
    assert.equal(report.lines.length, 3, 'the header, the one destination, the total');
    const busyLine = `${OUTBOUND_CALLS},0,0,1,,0,${OUTBOUND_CALLS},0,0,0,0,0,${OUTBOUND_CALLS},0,0,0,0,,,,,USER_BUSY/3000/Callee=${OUTBOUND_CALLS}`;
    assert.equal(report.lines[1], `${BUSY.slice(1)},${busyLine}`);
    assert.equal(report.lines[2], `total,${busyLine}`);

    // The range on screen is the range exported: two days back, nothing but the total line.
    await page.getByLabel('Range', { exact: true }).selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(zoneInput(Date.now() - 3 * 86_400_000));
    await page.getByLabel('To', { exact: true }).fill(zoneInput(Date.now() - 2 * 86_400_000));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No calls in this range').waitFor();
    const empty = await exportCsv(page, '/Report/Dial/');
    assert.equal(empty.url.searchParams.has('since'), false);
    assert.deepEqual(empty.lines, [REPORT_CSV_HEADER, 'total,0,0,,,,0,0,0,0,0,0,0,0,0,0,0,0,,,,,']);
  });

  test('live: Hang up ends an answered call by API Request', async () => {
    const { app } = rig;
    await nav(page, 'Live');
    await page.getByText('Live feed: connected').waitFor();
    const caller = '+15556000001';
    await ok('POST', 'Call/', { from: caller, to: TALKER, answer_url: app.url('/wait'), hangup_url: app.url('/hangup') });
    const card = page.locator('.live-card', { hasText: `${caller} → ${TALKER}` });
    await card.getByRole('cell', { name: 'answered' }).waitFor({ timeout: 10_000 });
    const uuid = (await card.getAttribute('data-call-uuid'))!;
    assert.match(uuid, /^[0-9a-f-]{36}$/);

    await card.getByRole('button', { name: `Hang up the call to ${TALKER}` }).click();
    const ended = page.locator('.ended-list li', { has: page.getByRole('link', { name: `${caller} → ${TALKER}` }) });
    await ended.waitFor({ timeout: 10_000 });
    assert.equal(await card.count(), 0);
    assert.equal(await ended.locator('.badge').textContent(), 'completed');

    // The call's final state, as the API, the app's hangup webhook and the call page tell it.
    const cdr = (await waitUntil('the CDR is written', async () => {
      const r = await api('GET', `Call/${uuid}/`);
      return r.status === 200 && r.body.end_time ? r.body : undefined;
    }, 10_000, 50)) as Cdr;
    assert.deepEqual(
      { status: cdr.call_status, cause: cdr.hangup_cause, code: cdr.hangup_cause_code, name: cdr.hangup_cause_name, source: cdr.hangup_source },
      { status: 'completed', cause: 'NORMAL_CLEARING', code: 4000, name: 'Normal Hangup', source: 'API Request' },
    );
    const hook = await app.waitFor((r) => r.path === '/hangup' && r.params.CallUUID === uuid, 10_000);
    assert.deepEqual(
      [hook.params.CallStatus, hook.params.HangupCause, hook.params.HangupCauseCode, hook.params.HangupCauseName, hook.params.HangupSource],
      ['completed', 'NORMAL_CLEARING', '4000', 'Normal Hangup', 'API Request'],
    );
    await ended.getByRole('link').click();
    await page.waitForURL(`${rig.serve.base}/calls/${uuid}`);
    await fact('Hangup').filter({ hasText: 'Normal Hangup (4000, NORMAL_CLEARING) by API Request' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.locator('.tl-type', { hasText: 'leg.ended' }).waitFor();
    assert.deepEqual(rig.pageErrors, [], 'no uncaught errors in the page');
  });
});
