/**
 * The dashboard in a real browser against a real `switchboard serve` (a child process, real clock):
 * sign in, script a number and place a test call from the Simulator, watch it on Live, open its
 * timeline, replay a webhook; keyboard and narrow-window checks; a screenshot of each page into
 * docs/img/ (the README shows them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ServeProcess } from './support/serve-process.ts';
import type { AppServer } from './support/app-server.ts';
import { AUTH_ID, AUTH_TOKEN, WIDE, assertNoHorizontalScroll, nav, shot, shotPath, skipWithoutChromium, startDashboardRig, type DashboardRig } from './support/dashboard-rig.ts';

describe('dashboard in chromium', { skip: skipWithoutChromium, timeout: 120_000 }, () => {
  let rig: DashboardRig;
  let serve: ServeProcess;
  let app: AppServer;
  let page: Page;
  let pageErrors: string[];

  before(async () => {
    rig = await startDashboardRig({ seed: 1 });
    ({ serve, app, page, pageErrors } = rig);
    app.on('/answer', `<Response><Dial action="${app.url('/action')}" callbackUrl="${app.url('/callback')}"><Number>15550002</Number></Dial></Response>`);
  });

  after(async () => {
    await rig?.close();
  });

  test('sign in, simulator test call, live, timeline, replay', async () => {
      // Sign in: a wrong token is refused in plain words, the right one lands on Live.
      await page.goto(serve.base + '/');
      await page.getByLabel('Auth ID').fill(AUTH_ID);
      await page.getByLabel('Auth token').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
      await page.getByLabel('Auth token').fill(AUTH_TOKEN);
      await shot(page, 'sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Live calls' }).waitFor();
      await page.getByText('Live feed: connected').waitFor();
      await page.getByText('No calls in progress').waitFor();
      assert.equal(await page.locator('.account .muted').textContent(), 'GMT+5:30', 'times are labelled with the viewer’s zone');

      // Keyboard: the first Tab reaches the skip link, the next ones the navigation.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Live');

      // Simulator: script the number the app dials, through the form (a bad script shows its error first).
      await nav(page, 'Simulator');
      await page.getByRole('heading', { name: 'Simulator' }).waitFor();
      await page.getByLabel('Number', { exact: true }).fill('+15550002');
      await page.getByLabel('Script', { exact: true }).fill('ring xs');
      await page.getByRole('button', { name: 'Add number' }).click();
      await page.locator('#sim-script-error').filter({ hasText: 'expected a duration' }).waitFor();
      await page.getByLabel('Script', { exact: true }).fill('ring 1s, answer, hangup after 4s');
      await page.getByRole('button', { name: 'Add number' }).click();
      await page.getByRole('cell', { name: '+15550002', exact: true }).waitFor();
      await page.getByLabel('From', { exact: true }).fill('+15550000');
      await page.getByLabel('To', { exact: true }).fill('+15550001');
      await page.getByLabel('Answer URL').fill(app.url('/answer'));
      await page.getByLabel('Hangup URL (optional)').fill(app.url('/hangup'));
      await shot(page, 'simulator');

      // Place the call: the page jumps to the new call's page.
      await page.getByRole('button', { name: 'Place call' }).click();
      await page.waitForURL(/\/calls\/[0-9a-f-]{36}$/);
      const callUuid = page.url().split('/').pop()!;

      // Live: the call shows with both legs while it runs, then moves to "Recently ended".
      await nav(page, 'Live');
      const card = page.locator(`.live-card[data-call-uuid="${callUuid}"]`);
      await card.waitFor();
      await card.locator('tr', { hasText: 'B1' }).locator('.badge', { hasText: 'answered' }).waitFor({ timeout: 10_000 });
      await shot(page, 'live');
      await page.locator('.ended-list').getByRole('link', { name: '+15550000 → +15550001' }).waitFor({ timeout: 15_000 });
      assert.equal(await card.count(), 0);

      // The hangup report arrives; the call is on the Calls list.
      const hangup = await app.waitFor((r) => r.path === '/hangup', 10_000);
      await nav(page, 'Calls');
      await page.locator('table.calls tbody tr').first().waitFor();
      assert.ok((await page.locator('table.calls tbody tr').count()) >= 2, 'the A and B legs are listed');
      await shot(page, 'calls');

      // Timeline: events of both legs and every attempt, with the request and response of each.
      await page.goto(`${serve.base}/calls/${callUuid}`);
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      const timeline = page.getByRole('list', { name: 'Timeline' });
      for (const type of ['call.queued', 'leg.ringing', 'leg.answered', 'dial.started', 'dial.bridged', 'dial.ended', 'leg.ended']) {
        await timeline.locator('.tl-type', { hasText: type }).first().waitFor();
      }
      const hangupRow = timeline.locator('.tl-webhook', { hasText: '→ hangup' });
      await hangupRow.locator('summary').click();
      await hangupRow.getByRole('rowheader', { name: 'CallStatus' }).waitFor();
      assert.equal(await hangupRow.locator('tr', { hasText: 'HangupCause' }).locator('td').first().textContent(), 'NORMAL_CLEARING');
      await timeline.locator('.tl-webhook', { hasText: '→ answer' }).locator('summary').click();
      await page.locator('.xml-doc pre', { hasText: '<Dial' }).waitFor();
      await shot(page, 'call', 1500);

      // Replay the hangup webhook: the app gets it again (same event id) and the timeline shows attempt 2.
      await hangupRow.getByRole('button', { name: 'Replay the hangup webhook' }).click();
      const again = await app.waitFor((r, all) => r.path === '/hangup' && all.filter((x) => x.path === '/hangup').length === 2, 10_000);
      assert.equal(again.headers['x-switchboard-event-id'], hangup.headers['x-switchboard-event-id']);
      await timeline.locator('.tl-webhook', { hasText: '→ hangup' }).filter({ hasText: 'attempt 2' }).waitFor({ timeout: 10_000 });

      // Narrow window: nothing is wider than the screen.
      await page.setViewportSize({ width: 420, height: 800 });
      await assertNoHorizontalScroll(page, 'call page at 420px');
      await page.screenshot({ path: shotPath('call-narrow'), fullPage: false });
      await nav(page, 'Live');
      await assertNoHorizontalScroll(page, 'live page at 420px');
      await page.setViewportSize(WIDE);

      // Empty and error states: an unknown call explains itself.
      await page.goto(`${serve.base}/calls/00000000-0000-4000-8000-000000000000`);
      await page.getByRole('alert').filter({ hasText: 'call not found' }).waitFor();

      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  test('the seed flow built on the canvas: Start -> Call Forward -> HTTP Request, attached to a number, traced', async () => {
    const flowPage = page;
    app.on('/dialstatus', { status: 200, body: 'ok', contentType: 'text/plain' });
    await flowPage.goto(`${serve.base}/flows`);
    await flowPage.getByText('No flows yet').waitFor();
    await flowPage.getByRole('link', { name: 'New flow' }).click();
    await flowPage.getByLabel('Flow name').fill('Dial status reporting');
    const canvas = flowPage.locator('.react-flow__pane');
    await canvas.waitFor();

    // Drag two nodes from the palette onto the canvas.
    await flowPage.locator('.palette-item[data-node-type="call_forward"]').dragTo(canvas, { targetPosition: { x: 290, y: 90 } });
    await flowPage.locator('.palette-item[data-node-type="http_request"]').dragTo(canvas, { targetPosition: { x: 560, y: 220 } });
    const node = (name: string) => flowPage.locator(`.sb-node[data-node-name="${name}"]`);
    await node('Call_Forward').waitFor();
    await node('HTTP_Request').waitFor();

    // Connect Start's incoming_call to Call Forward, and all four dial states to HTTP Request.
    const connect = async (from: string, state: string, to: string) => {
      const src = await node(from).locator(`.sb-out[data-state="${state}"]`).boundingBox();
      const dst = await node(to).locator('.sb-in').boundingBox();
      await flowPage.mouse.move(src!.x + src!.width / 2, src!.y + src!.height / 2);
      await flowPage.mouse.down();
      await flowPage.mouse.move(dst!.x + dst!.width / 2, dst!.y + dst!.height / 2, { steps: 8 });
      await flowPage.mouse.up();
    };
    await connect('Start', 'incoming_call', 'Call_Forward');
    for (const state of ['completed', 'no_answer', 'busy', 'failed']) await connect('Call_Forward', state, 'HTTP_Request');
    assert.equal(await flowPage.locator('.react-flow__edge').count(), 5);

    // Saving with the numbers and the URL missing: the engine's validation errors show on the nodes.
    await flowPage.getByRole('button', { name: 'Save' }).click();
    await flowPage.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await node('Call_Forward').locator('.sb-node-problems', { hasText: 'to: is required' }).waitFor();
    await node('HTTP_Request').locator('.sb-node-problems', { hasText: 'url' }).waitFor();
    await shot(flowPage, 'flow-errors');

    // Configure both in the side panel, save.
    await node('Call_Forward').click();
    await flowPage.getByLabel('To', { exact: true }).fill('+15550002');
    await node('HTTP_Request').click();
    await flowPage.getByLabel('URL').fill(app.url('/dialstatus'));
    await flowPage.getByLabel('Body data').fill('DialStatus={{Call_Forward.dial_status}}\nDialBLegUUID={{Call_Forward.dial_b_leg_uuid}}');
    await flowPage.getByRole('button', { name: 'Save' }).click();
    await flowPage.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    const flowId = flowPage.url().split('/').pop()!;
    await node('HTTP_Request').waitFor();
    assert.equal(await flowPage.locator('.sb-node.has-problems').count(), 0);

    // Attach it to a number on the Numbers page.
    await nav(flowPage, 'Numbers & apps');
    await flowPage.getByLabel('Number', { exact: true }).fill('+15553330001');
    await flowPage.getByRole('button', { name: 'Add number' }).click();
    const attach = flowPage.getByLabel('What +15553330001 runs');
    await attach.selectOption(`flow:${flowId}`);
    await flowPage.getByRole('link', { name: 'open flow' }).waitFor();
    await shot(flowPage, 'numbers');

    // An inbound call from the Simulator runs the flow: the dial completes and the HTTP request reports it.
    await nav(flowPage, 'Simulator');
    await flowPage.getByLabel('Inbound to one of your numbers').check();
    await flowPage.getByLabel('From', { exact: true }).fill('+15559990001');
    await flowPage.getByLabel('To', { exact: true }).fill('+15553330001');
    await flowPage.getByLabel('Caller script (optional)').fill('hangup after 20s');
    await flowPage.getByRole('button', { name: 'Place call' }).click();
    await flowPage.waitForURL(/\/calls\/[0-9a-f-]{36}$/);
    const report = await app.waitFor((r) => r.path === '/dialstatus', 15_000);
    assert.equal(report.params.DialStatus, 'completed');

    // The trace: the path the run took, highlighted on the canvas, with each node's variables.
    await flowPage.goto(`${serve.base}/flows/${flowId}`);
    await flowPage.getByRole('tab', { name: 'Runs' }).click();
    const trace = flowPage.getByLabel('Trace');
    await trace.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 10_000 });
    await flowPage.locator('.sb-node.in-trace').nth(2).waitFor();
    assert.equal(await flowPage.locator('.sb-node.in-trace').count(), 3);
    await node('Call_Forward').locator('.sb-node-trace', { hasText: 'completed' }).waitFor();
    assert.ok((await flowPage.locator('.react-flow__edge.edge-taken').count()) >= 2, 'the taken transitions are highlighted');
    await shot(flowPage, 'flow');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  test('reports: the dial report as charts, and webhook health', async () => {
    await page.goto(`${serve.base}/reports`);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.locator('figure.chart figcaption', { hasText: 'DialStatus by hour' }).waitFor();
    await page.locator('figure.chart', { hasText: 'Hangup causes' }).waitFor();
    await page.getByRole('rowheader', { name: /127\.0\.0\.1:\d+/ }).first().waitFor();
    await shot(page, 'reports');
    await page.setViewportSize({ width: 420, height: 800 });
    await assertNoHorizontalScroll(page, 'reports at 420px');
    await page.setViewportSize(WIDE);
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
