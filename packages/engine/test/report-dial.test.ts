// The dial report over a small hand-made data set (docs/reports.md): every figure below is worked
// out by hand from the rows in `seed()`; the rollups are written by the store's record path, as in
// the running engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ReportStore } from '../src/store/report-store.ts';
import type { CallRow, Store } from '../src/store/store.ts';
import { buildDialReport, percentile } from '../src/reports/dial-report.ts';
import { durationBin, applicationOf } from '../src/store/report-rollup.ts';
import { csvField, csvLine } from '../src/reports/csv.ts';
import { REPORT_CSV_HEADER, reportCsvValues } from '../src/reports/report-csv.ts';
import { callRow } from './support/call-rows.ts';
import { openTestStore } from './support/test-db.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const H = 3_600_000;

function row(o: Partial<CallRow> & Pick<CallRow, 'call_uuid' | 'from_number' | 'to_number' | 'initiation_time'>): CallRow {
  return callRow({ caller_name: o.from_number, params: JSON.stringify({ answerUrl: 'http://app.test/a#ct=1000' }), node_id: 'test', ...o });
}

type End = { at: number; status: CallRow['call_status']; cause: string; code: number; name: string; source: NonNullable<CallRow['hangup_source']>; ring?: number; answer?: number };

/** Stores a leg, then ends it through record() as the engine does (leg.ended with the CDR patch). */
async function leg(store: Store, r: CallRow, end: End): Promise<void> {
  await store.insertCall(r);
  const duration = end.answer === undefined ? 0 : Math.round((end.at - end.answer) / 1000);
  await store.record({
    callUuid: r.call_uuid,
    at: end.at,
    type: 'leg.ended',
    data: { reason: 'x', source: end.source },
    patch: {
      call_status: end.status,
      call_state: 'COMPLETED',
      ring_time: end.ring ?? null,
      answer_time: end.answer ?? null,
      end_time: end.at,
      call_duration: duration,
      bill_duration: duration,
      hangup_cause: end.cause,
      hangup_cause_code: end.code,
      hangup_cause_name: end.name,
      hangup_source: end.source,
    },
  });
}

const NC_XML = { cause: 'NORMAL_CLEARING', code: 4010, name: 'End Of XML Instructions', source: 'Plivo' } as const;

/**
 * Five calls, seven attempts (4 API A legs, 3 Dials):
 *   A1 -> 15550001 answered (pdd 1000, ring 2000, 60 s); its Dial D1 -> 15550100 completed (pdd 1500, ring 4000, 30 s)
 *   A2 -> 15550001 answered (pdd 2000, ring 2000, 6 s);  its Dial D2 -> 15550101 busy (never rang)
 *   A3 -> 15550002 no-answer (pdd 500)
 *   A4 -> 15550003 failed, unallocated, in the next hour
 *   A5 inbound (app http://app.test/in); its Dial D5 -> 15550100 + 15550200 cancelled by the caller (pdd 800)
 */
async function seed(store: Store): Promise<void> {
  // A legs first (B legs reference them), ended last: the A leg's end is what rolls the call up.
  const a1 = row({ call_uuid: 'a1', from_number: '15550000', to_number: '15550001', initiation_time: T0 });
  const a2 = row({ call_uuid: 'a2', from_number: '15550000', to_number: '15550001', initiation_time: T0 + 10_000 });
  const a5 = row({ call_uuid: 'a5', direction: 'inbound', from_number: '15559999', to_number: '15551000', initiation_time: T0 + 40_000, params: JSON.stringify({ app: { answerUrl: 'http://app.test/in' } }) });
  for (const a of [a1, a2, a5]) await store.insertCall(a);

  await store.record({ callUuid: 'a1', at: T0 + 4000, type: 'dial.started', data: { targets: [{ call_uuid: 'b1', to: '15550100', position: 1 }] } });
  await leg(store, row({ call_uuid: 'b1', parent_call_uuid: 'a1', from_number: '15550000', to_number: '15550100', initiation_time: T0 + 4000, dial_position: 1 }), {
    at: T0 + 39_500, status: 'completed', cause: 'NORMAL_CLEARING', code: 4000, name: 'Normal Hangup', source: 'Callee', ring: T0 + 5500, answer: T0 + 9500,
  });
  await store.record({ callUuid: 'a1', at: T0 + 39_500, type: 'dial.ended', data: { status: 'completed', rang: true, hangupCause: 'NORMAL_CLEARING', bLegUuid: 'b1' } });
  await store.record({
    callUuid: 'a1', at: T0 + 63_000, type: 'leg.ended', data: {},
    patch: { call_status: 'completed', ring_time: T0 + 1000, answer_time: T0 + 3000, end_time: T0 + 63_000, call_duration: 60, hangup_cause: NC_XML.cause, hangup_cause_code: NC_XML.code, hangup_cause_name: NC_XML.name, hangup_source: NC_XML.source },
  });

  await store.record({ callUuid: 'a2', at: T0 + 15_000, type: 'dial.started', data: { targets: [{ call_uuid: 'b2', to: '15550101', position: 1 }] } });
  await leg(store, row({ call_uuid: 'b2', parent_call_uuid: 'a2', from_number: '15550000', to_number: '15550101', initiation_time: T0 + 15_000, dial_position: 1 }), {
    at: T0 + 15_200, status: 'busy', cause: 'USER_BUSY', code: 3000, name: 'Busy Line', source: 'Callee',
  });
  await store.record({ callUuid: 'a2', at: T0 + 15_200, type: 'dial.ended', data: { status: 'busy', rang: false, hangupCause: 'USER_BUSY', bLegUuid: '' } });
  await store.record({
    callUuid: 'a2', at: T0 + 20_000, type: 'leg.ended', data: {},
    patch: { call_status: 'completed', ring_time: T0 + 12_000, answer_time: T0 + 14_000, end_time: T0 + 20_000, call_duration: 6, hangup_cause: NC_XML.cause, hangup_cause_code: NC_XML.code, hangup_cause_name: NC_XML.name, hangup_source: NC_XML.source },
  });

  await leg(store, row({ call_uuid: 'a3', from_number: '15550000', to_number: '15550002', initiation_time: T0 + 20_000 }), {
    at: T0 + 50_500, status: 'no-answer', cause: 'NO_ANSWER', code: 3020, name: 'No Answer', source: 'Plivo', ring: T0 + 20_500,
  });
  await leg(store, row({ call_uuid: 'a4', from_number: '15550000', to_number: '15550003', initiation_time: T0 + H + 30_000 }), {
    at: T0 + H + 30_100, status: 'failed', cause: 'UNALLOCATED_NUMBER', code: 2000, name: 'Invalid Destination Address', source: 'Carrier',
  });

  await store.record({ callUuid: 'a5', at: T0 + 41_000, type: 'dial.started', data: { targets: [{ call_uuid: 'b5a' }, { call_uuid: 'b5b' }] } });
  const cancel = { at: T0 + 45_000, status: 'cancel', cause: 'ORIGINATOR_CANCEL', code: 1000, name: 'Canceled', source: 'Caller' } as const;
  await leg(store, row({ call_uuid: 'b5b', parent_call_uuid: 'a5', from_number: '15559999', to_number: '15550200', initiation_time: T0 + 41_000, dial_position: 2 }), cancel);
  await leg(store, row({ call_uuid: 'b5a', parent_call_uuid: 'a5', from_number: '15559999', to_number: '15550100', initiation_time: T0 + 41_000, dial_position: 1 }), { ...cancel, ring: T0 + 41_800 });
  await store.record({ callUuid: 'a5', at: T0 + 45_000, type: 'dial.ended', data: { status: 'cancel', rang: true, hangupCause: 'ORIGINATOR_CANCEL', bLegUuid: '' } });
  await store.record({
    callUuid: 'a5', at: T0 + 45_000, type: 'leg.ended', data: {},
    patch: { call_status: 'completed', answer_time: T0 + 40_000, end_time: T0 + 45_000, call_duration: 5, hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Caller' },
  });
}

describe('dial report over hand-made calls', () => {
  let store: Store;
  let close: () => Promise<void>;
  let reports: ReportStore;
  const range = { start: T0, end: T0 + 2 * H };

  before(async () => {
    ({ store, close } = await openTestStore({ onRollupError: (err) => assert.fail(String(err)) }));
    reports = store.resources.reports;
    await seed(store);
  });
  after(() => close());

  it('totals: attempts, statuses, ASR, NER, ACD, PDD, ring time, causes', async () => {
    const r = (await buildDialReport(reports, { ...range, groupBy: 'day' }));
    assert.equal(r.groups.length, 1);
    assert.deepEqual(r.total, { ...r.groups[0], group: 'total' });
    const g = r.groups[0]!;
    assert.equal(g.group, '2026-01-05');
    assert.equal(g.attempts, 7); // A1 A2 A3 A4 (API calls) + D1 D2 D5 (Dials)
    assert.equal(g.answered, 3); // A1 A2 D1
    assert.equal(g.asr, 0.4286); // 3 / 7
    assert.equal(g.ner, 0.7143); // (3 completed + 1 busy + 1 no-answer) / 7
    assert.equal(g.acd_s, 32); // (60 + 6 + 30) / 3
    assert.deepEqual(g.dial_status, { completed: 3, busy: 1, 'no-answer': 1, timeout: 0, failed: 1, cancel: 1 });
    assert.deepEqual(g.call_status, { completed: 5, busy: 0, 'no-answer': 1, timeout: 0, failed: 1, cancel: 0 });
    // PDD: 500 800 1000 1500 2000 -> p50 rank 3, p95 rank 5
    assert.deepEqual(g.pdd_ms, { p50: 1000, p95: 2000 });
    // ring to answer: 2000 2000 4000 -> p50 rank 2, p95 rank 3
    assert.deepEqual(g.ring_to_answer_ms, { p50: 2000, p95: 4000 });
    assert.deepEqual(g.hangup_causes, [
      { hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4010, hangup_cause_name: 'End Of XML Instructions', hangup_source: 'Plivo', count: 2 },
      { hangup_cause: 'NORMAL_CLEARING', hangup_cause_code: 4000, hangup_cause_name: 'Normal Hangup', hangup_source: 'Callee', count: 1 },
      { hangup_cause: 'NO_ANSWER', hangup_cause_code: 3020, hangup_cause_name: 'No Answer', hangup_source: 'Plivo', count: 1 },
      { hangup_cause: 'ORIGINATOR_CANCEL', hangup_cause_code: 1000, hangup_cause_name: 'Canceled', hangup_source: 'Caller', count: 1 },
      { hangup_cause: 'UNALLOCATED_NUMBER', hangup_cause_code: 2000, hangup_cause_name: 'Invalid Destination Address', hangup_source: 'Carrier', count: 1 },
      { hangup_cause: 'USER_BUSY', hangup_cause_code: 3000, hangup_cause_name: 'Busy Line', hangup_source: 'Callee', count: 1 },
    ]);
  });

  it('by hour: attempts fall in the hour they started; the range is in whole hours', async () => {
    const r = (await buildDialReport(reports, { ...range, groupBy: 'hour' }));
    assert.deepEqual(r.groups.map((g) => [g.group, g.attempts]), [['2026-01-05 10:00:00+00:00', 6], ['2026-01-05 11:00:00+00:00', 1]]);
    // 11:15 rounds down to 11:00, so A4 (11:00:30) is in; 10:59 rounds up to 11:00, so it is out.
    assert.equal((await buildDialReport(reports, { start: T0 + H + 15 * 60_000, end: T0 + 2 * H, groupBy: 'hour' })).total.attempts, 1);
    assert.equal((await buildDialReport(reports, { start: T0 - H, end: T0 + 59 * 60_000, groupBy: 'hour' })).total.attempts, 6);
    assert.equal((await buildDialReport(reports, { start: T0 + 2 * H, end: T0 + 3 * H, groupBy: 'hour' })).total.attempts, 0);
    assert.equal((await buildDialReport(reports, { start: T0 + 2 * H, end: T0 + 3 * H, groupBy: 'hour' })).total.asr, null);
  });

  it('by destination: the Dial counts under the number that decided it', async () => {
    const r = (await buildDialReport(reports, { ...range, groupBy: 'destination' }));
    assert.deepEqual(
      r.groups.map((g) => [g.group, g.attempts, g.answered, g.asr, g.ner]),
      [
        ['15550001', 2, 2, 1, 1], // A1 A2
        ['15550100', 2, 1, 0.5, 0.5], // D1 completed, D5 cancel (b5a rang, so it decided)
        ['15550002', 1, 0, 0, 1], // A3 no-answer
        ['15550003', 1, 0, 0, 0], // A4 failed: not the network's to deliver
        ['15550101', 1, 0, 0, 1], // D2 busy
      ],
    );
    assert.equal(r.total.attempts, 7);
    // Over several days the whole days come from day rows and the edge hours from hour rows: same figures.
    for (const [start, end] of [[T0 - 11 * H, T0 + 48 * H], [T0 - 24 * H, T0 + 24 * H], [T0 + H, T0 + 30 * H]] as const) {
      const wide = (await buildDialReport(reports, { start, end, groupBy: 'destination' }));
      const narrow = (await buildDialReport(reports, { start, end: T0 + 2 * H, groupBy: 'destination' }));
      assert.deepEqual(wide.groups, narrow.groups, `${start}..${end}`);
    }
  });

  it('by caller ID and by application (the answer URL without its #fragment)', async () => {
    const byCaller = (await buildDialReport(reports, { ...range, groupBy: 'caller_id' }));
    assert.deepEqual(byCaller.groups.map((g) => [g.group, g.attempts]), [['15550000', 6], ['15559999', 1]]);
    const byApp = (await buildDialReport(reports, { ...range, groupBy: 'application' }));
    assert.deepEqual(byApp.groups.map((g) => [g.group, g.attempts, g.dial_status.cancel]), [['http://app.test/a', 6, 0], ['http://app.test/in', 1, 1]]);
  });

  it('kind=dial and kind=call split the attempts', async () => {
    const dials = (await buildDialReport(reports, { ...range, groupBy: 'day', kind: 'dial' })).total;
    assert.deepEqual([dials.attempts, dials.answered, dials.asr, dials.ner, dials.acd_s], [3, 1, 0.3333, 0.6667, 30]);
    assert.deepEqual(dials.pdd_ms, { p50: 800, p95: 1500 }); // D1 1500, D5 800; D2 never rang
    const calls = (await buildDialReport(reports, { ...range, groupBy: 'day', kind: 'call' })).total;
    assert.deepEqual([calls.attempts, calls.answered, calls.asr, calls.acd_s], [4, 2, 0.5, 33]);
  });

  it('rebuilding the rollups from calls and events gives the same report', async () => {
    const before = (await buildDialReport(reports, { ...range, groupBy: 'destination' }));
    assert.equal(await reports.rebuildRollups(), 5);
    assert.deepEqual((await buildDialReport(reports, { ...range, groupBy: 'destination' })), before);
  });

  it('as CSV: one line per group and a total line', async () => {
    const r = (await buildDialReport(reports, { ...range, groupBy: 'day' }));
    const line = csvLine(reportCsvValues(r.groups[0]!));
    assert.equal(REPORT_CSV_HEADER.length, reportCsvValues(r.groups[0]!).length);
    assert.equal(
      line,
      '2026-01-05,7,3,0.4286,0.7143,32,3,1,1,0,1,1,5,0,1,0,1,0,1000,2000,2000,4000,' +
        'NORMAL_CLEARING/4010/Plivo=2; NORMAL_CLEARING/4000/Callee=1; NO_ANSWER/3020/Plivo=1; ORIGINATOR_CANCEL/1000/Caller=1; UNALLOCATED_NUMBER/2000/Carrier=1; USER_BUSY/3000/Callee=1\r\n',
    );
  });
});

describe('report building blocks', () => {
  it('percentile is nearest-rank over a histogram', async () => {
    assert.equal(percentile({}, 0.5), null);
    assert.equal(percentile({ 100: 1 }, 0.95), 100);
    assert.equal(percentile({ 100: 1, 200: 1 }, 0.5), 100);
    assert.equal(percentile({ 100: 1, 200: 1 }, 0.51), 200);
    assert.equal(percentile({ 10: 19, 1000: 1 }, 0.95), 10);
    assert.equal(percentile({ 10: 18, 1000: 2 }, 0.95), 1000);
  });

  it('durations keep two significant digits, rounded down', async () => {
    assert.deepEqual([0, -5, 7, 87, 100, 1234, 1299, 56_789, 1_000_000].map(durationBin), [0, 0, 7, 87, 100, 1200, 1200, 56_000, 1_000_000]);
  });

  it('application: app id, answer URL (fragment dropped), program label, or empty', async () => {
    assert.equal(applicationOf(JSON.stringify({ answerUrl: 'http://x/a#rt=100' })), 'http://x/a');
    assert.equal(applicationOf(JSON.stringify({ app: { appId: 'app-1', answerUrl: 'http://x/a' } })), 'app-1');
    assert.equal(applicationOf(JSON.stringify({ program: 'flow:f1' })), 'flow:f1');
    assert.equal(applicationOf('not json'), '');
  });

  it('CSV escapes commas, quotes and line breaks (RFC 4180)', async () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\rhere'), '"cr\rhere"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(0), '0');
    assert.equal(csvField(['x', 'y']), '"[""x"",""y""]"');
    assert.equal(csvLine(['http://a/?x=1,2', 'ok', null]), '"http://a/?x=1,2",ok,\r\n');
  });
});
