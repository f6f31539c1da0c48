/** Every migration, in order. A new one goes in a new numbered file and is appended here. */
import type { Migration } from '../migrator.ts';
import { initial } from './001-initial.ts';
import { deliveryEventSeq } from './002-delivery-event-seq.ts';
import { appsNumbersFlows } from './003-apps-numbers-flows.ts';
import { reportRollups } from './004-report-rollups.ts';
import { accounts } from './005-accounts.ts';
import { endpoints } from './006-endpoints.ts';
import { recordings } from './007-recordings.ts';
import { numberCarrierRegion } from './008-number-carrier-region.ts';
import { attemptNaturalKey } from './009-attempt-natural-key.ts';
import { conferences } from './010-conferences.ts';
import { nodes } from './011-nodes.ts';
import { reportRollupsPending } from './012-report-rollups-pending.ts';
import { liveRowIndexes } from './013-live-row-indexes.ts';
import { callTimeKeys } from './014-call-time-keys.ts';
import { attemptParamsOfDelivery } from './015-attempt-params-of-delivery.ts';
import { subaccountIndexes } from './016-subaccount-indexes.ts';
import { statusComparisons } from './017-status-comparisons.ts';

export const migrations: readonly Migration[] = [initial, deliveryEventSeq, appsNumbersFlows, reportRollups, accounts, endpoints, recordings, numberCarrierRegion, attemptNaturalKey, conferences, nodes, reportRollupsPending, liveRowIndexes, callTimeKeys, attemptParamsOfDelivery, subaccountIndexes, statusComparisons];
