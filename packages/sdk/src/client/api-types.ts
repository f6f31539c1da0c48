/**
 * The REST API's shapes, generated from the engine's OpenAPI document (GET /v1/openapi.json) by
 * `npm run openapi:types` with openapi-typescript. Do not edit: change the route's schema
 * (packages/engine/src/api/routes/*.ts, api/openapi-schemas.ts) and run the script again.
 */

export interface paths {
    readonly "/v1/Account/{authId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's details in Plivo's shape (billing fields: nothing is billed) */
        readonly get: operations["getAccount"];
        readonly put?: never;
        /** Change the account's details; rotate_token=true issues a new auth_token (docs/accounts.md) */
        readonly post: operations["updateAccount"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Application/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's applications */
        readonly get: operations["listApplications"];
        readonly put?: never;
        /** Create an application (plivo.md §1.8) */
        readonly post: operations["createApplication"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Application/{appId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One application */
        readonly get: operations["getApplication"];
        readonly put?: never;
        /** Change an application: the fields given */
        readonly post: operations["updateApplication"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Call/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** List ended calls (plivo.md §1.5), or the UUIDs of live / queued ones with status=live|queued; format=csv for CSV */
        readonly get: operations["listCalls"];
        readonly put?: never;
        /** Make a call (plivo.md §1.3); several destinations joined by < make a bulk call */
        readonly post: operations["makeCall"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Call/{callUuid}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A call's record (plivo.md §1.4), or with status=live|queued the live call (§1.6) */
        readonly get: operations["getCall"];
        readonly put?: never;
        /** Transfer a live call (plivo.md §1.7): the named legs fetch new XML */
        readonly post: operations["transferCall"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Call/{callUuid}/Record/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Record a live call (plivo.md §1.7) */
        readonly post: operations["recordCall"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Call/{callUuid}/Timeline/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A call's events and webhook attempts, all legs, in time order (docs/delivery.md) */
        readonly get: operations["getTimeline"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Call/{callUuid}/Webhook/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A call's webhook deliveries with every attempt (docs/delivery.md) */
        readonly get: operations["listCallDeliveries"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The names of the account's live rooms */
        readonly get: operations["listConferences"];
        readonly put?: never;
        readonly post?: never;
        /** End every live room of the account (its members' calls go on) */
        readonly delete: operations["hangupAllConferences"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A live room and its members */
        readonly get: operations["getConference"];
        readonly put?: never;
        readonly post?: never;
        /** End a live room (its members' calls go on) */
        readonly delete: operations["hangupConference"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        readonly post?: never;
        /** Hang up the members' calls */
        readonly delete: operations["hangupConferenceMember"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/Deaf/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Deaf members */
        readonly post: operations["deafConferenceMember"];
        /** Undeaf members */
        readonly delete: operations["undeafConferenceMember"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/Kick/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Kick members out of the room; their calls go on with their documents */
        readonly post: operations["kickConferenceMember"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/Mute/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Mute members */
        readonly post: operations["muteConferenceMember"];
        /** Unmute members */
        readonly delete: operations["unmuteConferenceMember"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/Play/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Play audio to members */
        readonly post: operations["playToConferenceMember"];
        /** Stop playing to members */
        readonly delete: operations["stopPlayToConferenceMember"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Member/{memberId}/Speak/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Speak text to members */
        readonly post: operations["speakToConferenceMember"];
        /** Stop speaking to members */
        readonly delete: operations["stopSpeakToConferenceMember"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Conference/{name}/Record/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Record a live room; the callback_url gets the recording when it ends (a second start answers the running one) */
        readonly post: operations["recordConference"];
        /** Stop a room's recording */
        readonly delete: operations["stopRecordingConference"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Endpoint/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's endpoints */
        readonly get: operations["listEndpoints"];
        readonly put?: never;
        /** Create a SIP endpoint (plivo.md, Endpoint; docs/endpoints.md) */
        readonly post: operations["createEndpoint"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Endpoint/{endpointId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One endpoint, with its registration */
        readonly get: operations["getEndpoint"];
        readonly put?: never;
        /** Change an endpoint's password, alias, application or script */
        readonly post: operations["updateEndpoint"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Events/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The live feed of events and webhook deliveries, as Server-Sent Events (docs/delivery.md) */
        readonly get: operations["followEvents"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Flow/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's flows */
        readonly get: operations["listFlows"];
        readonly put?: never;
        /** Import a flow (docs/flows.md); SB_INVALID_FLOW names each node and field at fault */
        readonly post: operations["createFlow"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Flow/{flowId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One flow, with its document */
        readonly get: operations["getFlow"];
        readonly put?: never;
        /** Replace a flow's document */
        readonly post: operations["updateFlow"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Flow/{flowId}/Run/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A flow's runs, newest first */
        readonly get: operations["listFlowRuns"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Flow/{flowId}/Run/{runId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One run with its trace */
        readonly get: operations["getFlowRun"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Number/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's numbers */
        readonly get: operations["listNumbers"];
        readonly put?: never;
        /** Add the account's own numbers from its carrier (plivo.md §1.8) */
        readonly post: operations["addOwnNumbers"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Number/{number}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One of the account's numbers */
        readonly get: operations["getNumber"];
        readonly put?: never;
        /** Change a number: alias, type, its application or flow */
        readonly post: operations["updateNumber"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/account/{authId}/phlo/{phloId}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Run a flow through Plivo's PHLO run API (plivo.md §8): the body (and query) is the Start node's payload */
        readonly post: operations["runPhlo"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/PhoneNumber/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Search the simulated inventory for numbers to rent (plivo.md §1.8) */
        readonly get: operations["searchNumbers"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/PhoneNumber/{number}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Rent a number (from the search) or add one the engine is reached on */
        readonly post: operations["rentNumber"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Recording/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account's recordings, newest first */
        readonly get: operations["listRecordings"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Recording/{recordingId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One recording */
        readonly get: operations["getRecording"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Report/Dial/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The dial report: outcomes of Dial attempts by hour, day, number or cause (docs/reports.md); format=csv streams CSV */
        readonly get: operations["getDialReport"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Report/Webhook/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Webhook health per host: deliveries, failures, latency (docs/reports.md) */
        readonly get: operations["getWebhookHealth"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Simulator/Call/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Place a simulated inbound call: from calls to, behaving as the script says */
        readonly post: operations["placeInboundCall"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Simulator/Number/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Every scripted number */
        readonly get: operations["listSimulatorNumbers"];
        readonly put?: never;
        /** Script a number of the simulated network (engine.md §4): how it answers when called */
        readonly post: operations["setSimulatorNumber"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Simulator/Number/{number}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One scripted number */
        readonly get: operations["getSimulatorNumber"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Subaccount/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The subaccounts */
        readonly get: operations["listSubaccounts"];
        readonly put?: never;
        /** Create a subaccount (the main account only; docs/accounts.md) */
        readonly post: operations["createSubaccount"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Subaccount/{subId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One subaccount */
        readonly get: operations["getSubaccount"];
        readonly put?: never;
        /** Change a subaccount's name or enabled flag, or rotate its token */
        readonly post: operations["updateSubaccount"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Webhook/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The delivery log, newest first, filtered */
        readonly get: operations["listDeliveries"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Webhook/{deliveryId}/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** One delivery with its attempts */
        readonly get: operations["getDelivery"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Webhook/{deliveryId}/Replay/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Send a delivery again (a new attempt series) */
        readonly post: operations["replayDelivery"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/v1/Account/{authId}/Webhook/Replay/": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Replay every delivery the filters select (dead ones by default), oldest first */
        readonly post: operations["replayDeliveries"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** Account */
        readonly Account: {
            readonly account_type?: string;
            readonly address?: string;
            readonly api_id: string;
            readonly auth_id: string;
            readonly auto_recharge?: boolean;
            readonly billing_mode?: string;
            readonly cash_credits?: string;
            readonly city?: string;
            readonly name: string;
            readonly resource_uri: string;
            readonly state?: string;
            readonly timezone: string;
        };
        /**
         * AccountUpdateParams
         * @example {
         *       "name": "Switchboard demo"
         *     }
         */
        readonly AccountUpdateParams: {
            readonly address?: string;
            readonly city?: string;
            readonly name?: string;
            readonly rotate_token?: boolean;
            readonly state?: string;
            /** @description An IANA time zone */
            readonly timezone?: string;
        };
        /**
         * AddOwnNumbersParams
         * @example {
         *       "numbers": "15557770001",
         *       "carrier": "Acme Telecom",
         *       "region": "California"
         *     }
         */
        readonly AddOwnNumbersParams: {
            readonly app_id?: string;
            readonly carrier: string;
            /** @default local */
            readonly number_type?: string;
            /** @description Up to 100 numbers, comma-separated */
            readonly numbers: string;
            readonly region: string;
            readonly subaccount?: string;
        };
        /** Application */
        readonly Application: {
            readonly answer_method: string;
            readonly answer_url: string;
            readonly api_id?: string;
            readonly app_id: string;
            readonly app_name: string;
            readonly application_type?: string;
            readonly created_at?: string;
            readonly default_app: boolean;
            readonly default_endpoint_app?: boolean;
            readonly default_number_app?: boolean;
            readonly enabled?: boolean;
            readonly fallback_answer_url: string;
            readonly fallback_method: string;
            readonly hangup_method: string;
            readonly hangup_url: string;
            readonly log_incoming_messages?: boolean;
            readonly message_method?: string;
            readonly message_url?: string;
            readonly public_uri?: boolean;
            readonly resource_uri: string;
            readonly sip_uri?: string;
            /** @description The owning subaccount, null for the main account */
            readonly sub_account: string | null;
            readonly updated_at?: string;
        };
        /** ApplicationList */
        readonly ApplicationList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Application"][];
        };
        /**
         * ApplicationParams
         * @example {
         *       "app_name": "demo",
         *       "answer_url": "http://127.0.0.1:3000/answer"
         *     }
         */
        readonly ApplicationParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly answer_method?: "GET" | "POST";
            /** @description An absolute http(s) URL; "" clears it on update */
            readonly answer_url?: string;
            readonly app_name: string;
            readonly default_endpoint_app?: boolean;
            readonly default_number_app?: boolean;
            /** @description An absolute http(s) URL */
            readonly fallback_answer_url?: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly fallback_method?: "GET" | "POST";
            /**
             * @default POST
             * @enum {string}
             */
            readonly hangup_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly hangup_url?: string;
            readonly log_incoming_messages?: boolean;
            /**
             * @default POST
             * @enum {string}
             */
            readonly message_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly message_url?: string;
        };
        /**
         * ApplicationUpdateParams
         * @example {
         *       "hangup_url": "http://127.0.0.1:3000/hangup"
         *     }
         */
        readonly ApplicationUpdateParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly answer_method?: "GET" | "POST";
            /** @description An absolute http(s) URL; "" clears it on update */
            readonly answer_url?: string;
            readonly app_name?: string;
            readonly default_endpoint_app?: boolean;
            readonly default_number_app?: boolean;
            /** @description An absolute http(s) URL */
            readonly fallback_answer_url?: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly fallback_method?: "GET" | "POST";
            /**
             * @default POST
             * @enum {string}
             */
            readonly hangup_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly hangup_url?: string;
            readonly log_incoming_messages?: boolean;
            /**
             * @default POST
             * @enum {string}
             */
            readonly message_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly message_url?: string;
        };
        /** Attempt */
        readonly Attempt: {
            /** @description Milliseconds since the epoch (engine clock) */
            readonly at: number;
            readonly attempt: number;
            readonly error: string | null;
            readonly latency_ms: number | null;
            readonly method: string;
            readonly params: {
                readonly [key: string]: string;
            };
            readonly request_headers: {
                readonly [key: string]: string;
            };
            readonly response_excerpt: string | null;
            readonly status_code: number | null;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly time: string;
            readonly url: string;
        };
        /** AvailableNumber */
        readonly AvailableNumber: {
            readonly city?: string;
            readonly country: string;
            readonly lata?: number | null;
            readonly mms_enabled?: boolean;
            readonly mms_rate?: string | null;
            readonly monthly_rental_rate?: string;
            readonly number: string;
            readonly prefix?: string;
            readonly rate_center?: string | null;
            readonly region: string;
            readonly resource_uri: string;
            readonly restriction?: string | null;
            readonly restriction_text?: string | null;
            readonly setup_rate?: string;
            readonly sms_enabled?: boolean;
            readonly sms_rate?: string | null;
            readonly sub_type?: string;
            readonly type: string;
            readonly voice_enabled?: boolean;
            readonly voice_rate?: string;
        };
        /** AvailableNumberList */
        readonly AvailableNumberList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["AvailableNumber"][];
        };
        /** CallDeliveryList */
        readonly CallDeliveryList: {
            readonly api_id: string;
            readonly call_uuid: string;
            readonly objects: readonly components["schemas"]["Delivery"][];
        };
        /** CallDetail */
        readonly CallDetail: {
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly answer_time: string | null;
            readonly api_id?: string;
            readonly bill_duration: number;
            readonly billed_duration: number;
            /** @enum {string} */
            readonly call_direction: "inbound" | "outbound";
            readonly call_duration: number;
            /** @description Plivo's QUEUED, RINGING, EARLY MEDIA, ANSWER, COMPLETED... */
            readonly call_state: string;
            /**
             * @description Switchboard's addition
             * @enum {string}
             */
            readonly call_status: "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "timeout" | "no-answer" | "cancel";
            readonly call_uuid: string;
            readonly caller_name: string | null;
            readonly cnam_lookup?: string | null;
            readonly conference_uuid?: string | null;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly end_time: string | null;
            /** @description The call's last XML or fetch error (Switchboard's addition) */
            readonly error: string | null;
            /** @description + and digits, or a sip: URI */
            readonly from_number: string;
            /** @description FreeSWITCH cause name (Switchboard's addition); null while live */
            readonly hangup_cause: string | null;
            readonly hangup_cause_code: number | null;
            readonly hangup_cause_name: string | null;
            /** @description Caller, Callee, Call recipient, Plivo, Carrier, API Request, Answer XML, Error or Unknown */
            readonly hangup_source: string | null;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly initiation_time: string;
            readonly parent_call_uuid: string | null;
            readonly request_uuid: string | null;
            readonly resource_uri: string;
            readonly source_ip?: string | null;
            readonly stir_attestation?: string;
            readonly stir_verification?: string;
            /** @description Digits, or a sip: URI */
            readonly to_number: string;
            readonly total_amount?: string;
            readonly total_rate?: string;
            readonly voice_network_group?: string | null;
            readonly warnings: readonly string[];
        };
        /** CallList */
        readonly CallList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["CallDetail"][];
        };
        /** CallUuidList */
        readonly CallUuidList: {
            readonly api_id: string;
            readonly calls: readonly string[];
        };
        /** Conference */
        readonly Conference: {
            readonly api_id: string;
            readonly conference_member_count: string;
            readonly conference_name: string;
            /** @description Seconds since the room opened */
            readonly conference_run_time: string;
            /** @description Switchboard's addition: the room's ConferenceUUID, as its callbacks name it */
            readonly conference_uuid: string;
            readonly members: readonly components["schemas"]["ConferenceMember"][];
        };
        /** ConferenceList */
        readonly ConferenceList: {
            readonly api_id: string;
            readonly conferences: readonly string[];
        };
        /** ConferenceMember */
        readonly ConferenceMember: {
            readonly call_uuid: string;
            readonly caller_name: string;
            readonly deaf: boolean;
            /** @enum {string} */
            readonly direction: "inbound" | "outbound";
            /** @description Digits only, or a sip: URI */
            readonly from: string;
            /** @description Seconds since the member entered */
            readonly join_time: string;
            readonly member_id: string;
            readonly muted: boolean;
            /** @description Digits only, or a sip: URI */
            readonly to: string;
        };
        /** ConferenceMemberResponse */
        readonly ConferenceMemberResponse: {
            readonly api_id: string;
            /** @description As the path gave it */
            readonly member_id: string;
            readonly message: string;
        };
        /**
         * ConferencePlayParams
         * @example {
         *       "url": "http://127.0.0.1:3000/hold-music.mp3"
         *     }
         */
        readonly ConferencePlayParams: {
            /** @description The audio to play to the members */
            readonly url: string;
        };
        /**
         * ConferenceRecordParams
         * @example {
         *       "file_format": "wav"
         *     }
         */
        readonly ConferenceRecordParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly callback_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly callback_url?: string;
            /**
             * @default mp3
             * @enum {string}
             */
            readonly file_format?: "mp3" | "wav";
        };
        /** ConferenceRecordResponse */
        readonly ConferenceRecordResponse: {
            readonly api_id: string;
            readonly message: string;
            readonly recording_id: string;
            readonly url: string;
        };
        /**
         * ConferenceSpeakParams
         * @example {
         *       "text": "The meeting ends in five minutes"
         *     }
         */
        readonly ConferenceSpeakParams: {
            /** @description What to say to the members */
            readonly text: string;
        };
        /** Delivery */
        readonly Delivery: {
            readonly attempt_count: number;
            readonly attempts?: readonly components["schemas"]["Attempt"][];
            readonly call_uuid: string;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly completed_at: string | null;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly created_at: string;
            readonly delivery_id: string;
            readonly event: string;
            /** @description answer, ring, hangup, action, callback, fallback... */
            readonly kind: string;
            readonly last_error: string | null;
            readonly method: string;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly next_attempt_at: string | null;
            readonly params: {
                readonly [key: string]: string;
            };
            readonly resource_uri: string;
            readonly sequence: number;
            /** @enum {string} */
            readonly status: "pending" | "delivered" | "failed" | "dead";
            readonly synchronous: boolean;
            readonly url: string;
        };
        /** DeliveryList */
        readonly DeliveryList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Delivery"][];
        };
        /** DialReport */
        readonly DialReport: {
            readonly api_id: string;
            readonly end: string;
            readonly group_by: string;
            readonly groups: readonly Record<string, never>[];
            readonly kind: string;
            readonly start: string;
            readonly total: Record<string, never>;
        };
        /**
         * DtmfParams
         * @example {
         *       "digits": "123#"
         *     }
         */
        readonly DtmfParams: {
            readonly digits: string;
            /**
             * @default aleg
             * @enum {string}
             */
            readonly legs?: "aleg" | "bleg" | "both";
        };
        /** Endpoint */
        readonly Endpoint: {
            readonly alias: string;
            readonly api_id?: string;
            /** @description The attached application's resource_uri */
            readonly application: string | null;
            readonly endpoint_id: string;
            /** @description A hash; it cannot be used to register */
            readonly password: string;
            readonly resource_uri: string;
            readonly sip_contact?: string;
            readonly sip_expires?: string;
            /** @enum {string} */
            readonly sip_registered: "true" | "false";
            readonly sip_uri: string;
            readonly sip_user_agent?: string;
            readonly sub_account: string | null;
            readonly username: string;
        };
        /** EndpointList */
        readonly EndpointList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Endpoint"][];
        };
        /**
         * EndpointParams
         * @example {
         *       "username": "alice",
         *       "password": "secret-pass",
         *       "alias": "Alice"
         *     }
         */
        readonly EndpointParams: {
            readonly alias: string;
            /** @description The application that answers the endpoint's outgoing calls; empty detaches it */
            readonly app_id?: string;
            readonly password: string;
            /** @description The simulated phone's behaviour when called (docs/endpoints.md) */
            readonly script?: string;
            readonly username: string;
        };
        /**
         * EndpointUpdateParams
         * @example {
         *       "alias": "Alice B"
         *     }
         */
        readonly EndpointUpdateParams: {
            readonly alias?: string;
            /** @description The application that answers the endpoint's outgoing calls; empty detaches it */
            readonly app_id?: string;
            readonly password?: string;
            /** @description The simulated phone's behaviour when called (docs/endpoints.md) */
            readonly script?: string;
        };
        /**
         * Error
         * @description Plivo's error shape plus Switchboard's stable `code` (docs/errors.md).
         */
        readonly Error: {
            readonly api_id: string;
            /** @enum {string} */
            readonly code: "SB_MISSING_PARAM" | "SB_INVALID_PARAM" | "SB_INVALID_BODY" | "SB_BAD_REQUEST" | "SB_NOT_SUPPORTED" | "SB_URL_REFUSED" | "SB_INVALID_FLOW" | "SB_AUTH_FAILED" | "SB_FORBIDDEN" | "SB_NOT_FOUND" | "SB_METHOD_NOT_ALLOWED" | "SB_CONFLICT" | "SB_BODY_TOO_LARGE" | "SB_HEADERS_TOO_LARGE" | "SB_UNSUPPORTED_MEDIA_TYPE" | "SB_RATE_LIMITED" | "SB_INTERNAL" | "SB_SHUTTING_DOWN" | "SB_STORE_UNAVAILABLE" | "SB_OWNER_UNAVAILABLE";
            /** @description What went wrong, naming the parameter at fault first. */
            readonly error: string;
            /** @description The one request parameter at fault, when there is one. */
            readonly param?: string;
        };
        /** Flow */
        readonly Flow: {
            readonly api_id?: string;
            readonly created_on: string;
            /** @description The flow document (GET of one flow) */
            readonly definition?: Record<string, never>;
            readonly flow_id: string;
            readonly name: string;
            readonly resource_uri: string;
            readonly run_url: string;
            readonly updated_on: string;
        };
        /**
         * FlowDocument
         * @description A flow: named nodes and their transitions (docs/flows.md); JSON only
         * @example {
         *       "name": "Hello",
         *       "nodes": [
         *         {
         *           "name": "Start",
         *           "type": "start",
         *           "transitions": {
         *             "incoming_call": "Hello"
         *           }
         *         },
         *         {
         *           "name": "Hello",
         *           "type": "speak",
         *           "text": "Hello",
         *           "transitions": {}
         *         }
         *       ]
         *     }
         */
        readonly FlowDocument: {
            readonly description?: string;
            readonly name: string;
            readonly nodes: readonly ({
                readonly name: string;
                readonly transitions?: {
                    readonly [key: string]: string;
                };
                readonly type: string;
            } & {
                readonly [key: string]: unknown;
            })[];
        } & {
            readonly [key: string]: unknown;
        };
        /** FlowList */
        readonly FlowList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Flow"][];
        };
        /** FlowRun */
        readonly FlowRun: {
            readonly api_id?: string;
            readonly call_uuid: string | null;
            readonly ended_at: string | null;
            readonly error: string | null;
            readonly flow_id: string;
            readonly payload: Record<string, never>;
            readonly resource_uri: string;
            readonly run_id: string;
            readonly started_at: string;
            readonly status: string;
            /** @description Each node the run passed, with what it did (GET of one run) */
            readonly trace?: readonly Record<string, never>[];
            readonly trigger: string;
        };
        /** FlowRunList */
        readonly FlowRunList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["FlowRun"][];
        };
        /**
         * InboundCallParams
         * @example {
         *       "from": "+15559990001",
         *       "to": "+15553330001",
         *       "script": "hangup after 2s"
         *     }
         */
        readonly InboundCallParams: {
            readonly from: string;
            /** @description The caller's behaviour, e.g. 'hangup after 20s' */
            readonly script?: string;
            readonly to: string;
        };
        /** InboundCallResponse */
        readonly InboundCallResponse: {
            readonly api_id: string;
            readonly leg_id: string;
            readonly message: string;
            /** @description Where the call goes (the number, its application or flow), when the engine routes inbound calls */
            readonly routing?: Record<string, never>;
        };
        /** LiveCall */
        readonly LiveCall: {
            readonly api_id: string;
            /** @enum {string} */
            readonly call_status: "queued" | "ringing" | "in-progress" | "completed" | "busy" | "failed" | "timeout" | "no-answer" | "cancel";
            readonly call_uuid: string;
            readonly caller_name: string | null;
            /** @enum {string} */
            readonly direction: "inbound" | "outbound";
            /** @description Digits only, or a sip: URI */
            readonly from: string;
            readonly parent_call_uuid: string | null;
            readonly request_uuid: string | null;
            /** @description YYYY-MM-DD HH:MM:SS.ffffff, UTC */
            readonly session_start: string;
            readonly stir_attestation?: string;
            readonly stir_verification?: string;
            readonly to: string;
        };
        /**
         * MakeCallParams
         * @example {
         *       "from": "+15550000000",
         *       "to": "+15550001",
         *       "answer_url": "http://127.0.0.1:3000/answer"
         *     }
         */
        readonly MakeCallParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly answer_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly answer_url: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly callback_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly callback_url?: string;
            readonly caller_name?: string;
            /** @default false */
            readonly error_if_parent_not_found?: boolean;
            /**
             * @default POST
             * @enum {string}
             */
            readonly fallback_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly fallback_url?: string;
            /** @description Caller ID: a phone number (with or without +) or a sip: URI */
            readonly from: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly hangup_method?: "GET" | "POST";
            readonly hangup_on_ring?: number;
            /** @description An absolute http(s) URL */
            readonly hangup_url?: string;
            /** @enum {string} */
            readonly machine_detection?: "true" | "false" | "hangup";
            /**
             * @default POST
             * @enum {string}
             */
            readonly machine_detection_method?: "GET" | "POST";
            /** @default 5000 */
            readonly machine_detection_time?: number;
            /** @description An absolute http(s) URL */
            readonly machine_detection_url?: string;
            readonly parent_call_uuid?: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly ring_method?: "GET" | "POST";
            /** @default 120 */
            readonly ring_timeout?: number;
            /** @description An absolute http(s) URL */
            readonly ring_url?: string;
            /** @description DTMF keys, w/W pauses, optional @<ms> tone length */
            readonly send_digits?: string;
            /** @default false */
            readonly send_on_preanswer?: boolean;
            /** @description name=value,name2=value2 (or, in JSON, an object), sent as X-PH-name headers */
            readonly sip_headers?: string | {
                readonly [key: string]: string;
            };
            /**
             * @description Seconds after answer; over 86400 is cut to 86400
             * @default 14400
             */
            readonly time_limit?: number;
            /** @description One destination, several joined by <, or (JSON) a list: a bulk call */
            readonly to: string | readonly string[];
        };
        /** MakeCallResponse */
        readonly MakeCallResponse: {
            readonly api_id: string;
            /** @description call fired, or calls fired for several destinations */
            readonly message: string;
            /** @description A list for several destinations */
            readonly request_uuid: string | readonly string[];
        };
        /** MessageResponse */
        readonly MessageResponse: {
            readonly api_id: string;
            readonly message: string;
        };
        /** Meta */
        readonly Meta: {
            readonly limit: number;
            readonly next: string | null;
            readonly offset: number;
            readonly previous: string | null;
            readonly total_count: number;
        };
        /**
         * NumberUpdateParams
         * @example {
         *       "alias": "front desk"
         *     }
         */
        readonly NumberUpdateParams: {
            readonly alias?: string;
            /** @description An application or a flow; empty detaches */
            readonly app_id?: string;
            /** @description A flow; empty detaches */
            readonly flow_id?: string;
            /** @description local, tollfree, mobile, national or fixed */
            readonly number_type?: string;
        };
        /** Phlo */
        readonly Phlo: {
            readonly api_id: string;
            readonly created_on: string;
            readonly name: string;
            readonly phlo_id: string;
        };
        /**
         * PhloPayload
         * @example {
         *       "customer": "+15557770001"
         *     }
         */
        readonly PhloPayload: {
            readonly [key: string]: string | number | boolean;
        };
        /** PhoneNumber */
        readonly PhoneNumber: {
            /** @description YYYY-MM-DD */
            readonly added_on: string;
            readonly alias: string | null;
            readonly api_id?: string;
            readonly app_id: string | null;
            /** @description The attached application's (or flow's) resource_uri */
            readonly application: string | null;
            readonly carrier: string;
            readonly city?: string;
            readonly country?: string;
            readonly flow_id?: string | null;
            readonly monthly_rental_rate?: string;
            readonly number: string;
            readonly number_type: string;
            readonly region?: string;
            readonly resource_uri: string;
            readonly sms_enabled?: boolean;
            readonly sms_rate?: string;
            readonly sub_account: string | null;
            readonly sub_account_name?: string | null;
            readonly voice_enabled: boolean;
            readonly voice_rate?: string;
        };
        /** PhoneNumberList */
        readonly PhoneNumberList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["PhoneNumber"][];
        };
        /**
         * PlayParams
         * @example {
         *       "urls": "http://127.0.0.1:3000/hold.mp3"
         *     }
         */
        readonly PlayParams: {
            /**
             * @default aleg
             * @enum {string}
             */
            readonly legs?: "aleg" | "bleg" | "both";
            readonly length?: number;
            readonly loop?: boolean;
            readonly mix?: boolean;
            /** @description Audio URLs, comma-separated */
            readonly urls: string;
        };
        /** Readiness */
        readonly Readiness: {
            readonly checks: {
                readonly calls: string;
                readonly store: string;
            } & {
                readonly [key: string]: string;
            };
            /** @enum {string} */
            readonly status: "ready" | "not ready";
        };
        /** Recording */
        readonly Recording: {
            /** @description YYYY-MM-DD HH:MM:SS.ffffff+00:00 */
            readonly add_time: string;
            readonly api_id?: string;
            readonly call_uuid: string;
            readonly conference_name?: string | null;
            readonly from_number?: string;
            readonly monthly_recording_storage_amount?: string;
            /** @description Milliseconds, with five decimals */
            readonly recording_duration_ms: string;
            readonly recording_end_ms?: string;
            /** @enum {string} */
            readonly recording_format: "mp3" | "wav";
            readonly recording_id: string;
            readonly recording_start_ms?: string;
            readonly recording_storage_duration?: number;
            readonly recording_storage_rate?: string;
            readonly recording_type?: string;
            /** @description GET /media/Recording/{id}.{format}, public */
            readonly recording_url: string;
            readonly resource_uri: string;
            readonly rounded_recording_duration?: number;
            readonly to_number?: string;
        };
        /** RecordingList */
        readonly RecordingList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Recording"][];
        };
        /**
         * RecordParams
         * @example {
         *       "time_limit": 30,
         *       "file_format": "wav"
         *     }
         */
        readonly RecordParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly callback_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly callback_url?: string;
            /**
             * @default mp3
             * @enum {string}
             */
            readonly file_format?: "mp3" | "wav";
            /** @default 60 */
            readonly time_limit?: number;
            /** @description Accepted; nothing is transcribed */
            readonly transcription_type?: string;
            /** @description An absolute http(s) URL */
            readonly transcription_url?: string;
        };
        /** SimulatorNumber */
        readonly SimulatorNumber: {
            readonly api_id?: string;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly created_at: string;
            readonly message?: string;
            /** @description Digits only */
            readonly number: string;
            readonly script: string;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly updated_at: string;
        };
        /** SimulatorNumberList */
        readonly SimulatorNumberList: {
            readonly api_id: string;
            readonly meta: {
                readonly total_count: number;
            };
            readonly objects: readonly components["schemas"]["SimulatorNumber"][];
        };
        /**
         * SimulatorNumberParams
         * @example {
         *       "number": "+15550002",
         *       "script": "ring 2s, answer, hangup after 5s"
         *     }
         */
        readonly SimulatorNumberParams: {
            /** @description A phone number (with or without +) or a sip: URI */
            readonly number: string;
            /** @description e.g. 'ring 2s, answer, hangup after 5s', 'busy', 'no-answer' (docs/simulated-network.md) */
            readonly script: string;
        };
        /**
         * SpeakParams
         * @example {
         *       "text": "Please hold"
         *     }
         */
        readonly SpeakParams: {
            readonly language?: string;
            /**
             * @default aleg
             * @enum {string}
             */
            readonly legs?: "aleg" | "bleg" | "both";
            readonly loop?: boolean;
            readonly mix?: boolean;
            readonly text: string;
            /** @enum {string} */
            readonly voice?: "MAN" | "WOMAN";
        };
        /** Subaccount */
        readonly Subaccount: {
            readonly account: string;
            readonly api_id?: string;
            readonly auth_id: string;
            readonly auth_token: string;
            /** @description YYYY-MM-DD */
            readonly created: string | null;
            readonly enabled: boolean;
            /** @description YYYY-MM-DD */
            readonly modified: string | null;
            readonly name: string;
            readonly resource_uri: string;
        };
        /** SubaccountList */
        readonly SubaccountList: {
            readonly api_id: string;
            readonly meta: components["schemas"]["Meta"];
            readonly objects: readonly components["schemas"]["Subaccount"][];
        };
        /**
         * SubaccountParams
         * @example {
         *       "name": "team-a",
         *       "enabled": true
         *     }
         */
        readonly SubaccountParams: {
            /** @default false */
            readonly enabled?: boolean;
            readonly name: string;
        };
        /**
         * SubaccountUpdateParams
         * @example {
         *       "name": "team-b"
         *     }
         */
        readonly SubaccountUpdateParams: {
            readonly enabled?: boolean;
            readonly name?: string;
            readonly rotate_token?: boolean;
        };
        /** Timeline */
        readonly Timeline: {
            readonly api_id: string;
            /** @description The A leg */
            readonly call_uuid: string;
            readonly legs: readonly components["schemas"]["CallDetail"][];
            readonly objects: readonly (components["schemas"]["TimelineEvent"] | components["schemas"]["TimelineAttempt"])[];
        };
        /** TimelineAttempt */
        readonly TimelineAttempt: {
            readonly at: number;
            readonly attempt: number;
            readonly call_uuid: string;
            readonly delivery_id: string;
            readonly error: string | null;
            readonly event: string;
            /** @constant */
            readonly kind: "webhook";
            readonly latency_ms: number | null;
            readonly method: string;
            readonly sequence: number;
            readonly status_code: number | null;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly time: string;
            readonly url: string;
            readonly webhook: string;
        };
        /** TimelineEvent */
        readonly TimelineEvent: {
            readonly at: number;
            readonly call_uuid: string;
            /** @description The event's details; null when it has none */
            readonly data: {
                readonly [key: string]: unknown;
            } | null;
            /** @constant */
            readonly kind: "event";
            /** @description A, or B1, B2... for the Dial legs */
            readonly leg: string;
            readonly seq: number;
            /** @description YYYY-MM-DD HH:MM:SS+00:00, UTC */
            readonly time: string;
            readonly type: string;
        };
        /**
         * TransferParams
         * @example {
         *       "legs": "aleg",
         *       "aleg_url": "http://127.0.0.1:3000/transfer"
         *     }
         */
        readonly TransferParams: {
            /**
             * @default POST
             * @enum {string}
             */
            readonly aleg_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly aleg_url?: string;
            /**
             * @default POST
             * @enum {string}
             */
            readonly bleg_method?: "GET" | "POST";
            /** @description An absolute http(s) URL */
            readonly bleg_url?: string;
            /**
             * @default aleg
             * @enum {string}
             */
            readonly legs?: "aleg" | "bleg" | "both";
        };
        /** WebhookHealth */
        readonly WebhookHealth: {
            readonly api_id: string;
            readonly end: string;
            readonly hosts: readonly Record<string, never>[];
            readonly start: string;
        };
    };
    responses: {
        /** @description An error in Plivo's shape (docs/errors.md) */
        readonly Error: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    readonly getAccount: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Account"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateAccount: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["AccountUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["AccountUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        /** @description The new token, with rotate_token=true */
                        readonly auth_token?: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listApplications: {
        readonly parameters: {
            readonly query?: {
                readonly app_name?: string;
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ApplicationList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly createApplication: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ApplicationParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["ApplicationParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly app_id: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getApplication: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly appId: string;
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Application"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateApplication: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly appId: string;
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["ApplicationUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["ApplicationUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listCalls: {
        readonly parameters: {
            readonly query?: {
                readonly bill_duration?: number;
                readonly bill_duration__gt?: number;
                readonly bill_duration__gte?: number;
                readonly bill_duration__lt?: number;
                readonly bill_duration__lte?: number;
                readonly call_direction?: "inbound" | "outbound";
                /** @description YYYY-MM-DD HH:MM[:SS] */
                readonly end_time?: string;
                /** @description YYYY-MM-DD HH:MM[:SS] */
                readonly end_time__gt?: string;
                /** @description YYYY-MM-DD HH:MM[:SS] */
                readonly end_time__gte?: string;
                /** @description YYYY-MM-DD HH:MM[:SS] */
                readonly end_time__lt?: string;
                /** @description YYYY-MM-DD HH:MM[:SS] */
                readonly end_time__lte?: string;
                readonly format?: "json" | "csv";
                readonly from_number?: string;
                readonly hangup_cause_code?: number;
                readonly hangup_source?: string;
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
                readonly parent_call_uuid?: string;
                readonly status?: "live" | "queued";
                readonly subaccount?: string;
                readonly to_number?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CallList"] | components["schemas"]["CallUuidList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly makeCall: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["MakeCallParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["MakeCallParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MakeCallResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getCall: {
        readonly parameters: {
            readonly query?: {
                readonly status?: "live" | "queued";
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly callUuid: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CallDetail"] | components["schemas"]["LiveCall"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly transferCall: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly callUuid: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["TransferParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["TransferParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly recordCall: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly callUuid: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["RecordParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["RecordParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly message: string;
                        readonly recording_id: string;
                        readonly url: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getTimeline: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly callUuid: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Timeline"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listCallDeliveries: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly callUuid: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CallDeliveryList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listConferences: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly hangupAllConferences: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getConference: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Conference"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly hangupConference: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly hangupConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly deafConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly undeafConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Done; no body */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly kickConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly muteConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly unmuteConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Done; no body */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly playToConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ConferencePlayParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["ConferencePlayParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly stopPlayToConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly speakToConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ConferenceSpeakParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["ConferenceSpeakParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly stopSpeakToConferenceMember: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly memberId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceMemberResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly recordConference: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["ConferenceRecordParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["ConferenceRecordParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ConferenceRecordResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly stopRecordingConference: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly name: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Done; no body */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listEndpoints: {
        readonly parameters: {
            readonly query?: {
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["EndpointList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly createEndpoint: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["EndpointParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["EndpointParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly alias: string;
                        readonly api_id: string;
                        readonly endpoint_id: string;
                        readonly message: string;
                        readonly username: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getEndpoint: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly endpointId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Endpoint"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateEndpoint: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly endpointId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["EndpointUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["EndpointUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly alias?: string;
                        readonly api_id: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly followEvents: {
        readonly parameters: {
            readonly query?: {
                /** @description Only this call */
                readonly call_uuid?: string;
                readonly kind?: "event" | "delivery";
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description A stream of `id:`, `event:` (event or delivery) and `data:` (a JSON object) items, with a comment line every 15 s */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/event-stream": string;
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listFlows: {
        readonly parameters: {
            readonly query?: {
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["FlowList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly createFlow: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FlowDocument"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["FlowDocument"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly flow_id: string;
                        readonly message: string;
                        readonly name: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getFlow: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly flowId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Flow"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateFlow: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly flowId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FlowDocument"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["FlowDocument"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly flow_id: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listFlowRuns: {
        readonly parameters: {
            readonly query?: {
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly flowId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["FlowRunList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getFlowRun: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly flowId: string;
                readonly runId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["FlowRun"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listNumbers: {
        readonly parameters: {
            readonly query?: {
                readonly alias?: string;
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly number_startswith?: string;
                readonly offset?: number;
                readonly type?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PhoneNumberList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly addOwnNumbers: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["AddOwnNumbersParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["AddOwnNumbersParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getNumber: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PhoneNumber"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateNumber: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["NumberUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["NumberUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["MessageResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly runPhlo: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly phloId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["PhloPayload"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["PhloPayload"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        /** @description The run id */
                        readonly api_id: string;
                        readonly message: string;
                        readonly phlo_id: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly searchNumbers: {
        readonly parameters: {
            readonly query: {
                readonly city?: string;
                readonly country_iso: string;
                readonly lata?: number;
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
                /** @description Digits, * for any digit, after the country code */
                readonly pattern?: string;
                readonly rate_center?: string;
                readonly region?: string;
                /** @description voice, sms, mms, comma-separated */
                readonly services?: string;
                readonly type?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AvailableNumberList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly rentNumber: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["NumberUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["NumberUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly message: string;
                        readonly numbers: readonly {
                            readonly number: string;
                            readonly status: string;
                        }[];
                        readonly status: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listRecordings: {
        readonly parameters: {
            readonly query?: {
                /** @description YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC */
                readonly add_time?: string;
                /** @description YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC */
                readonly add_time__gt?: string;
                /** @description YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC */
                readonly add_time__gte?: string;
                /** @description YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC */
                readonly add_time__lt?: string;
                /** @description YYYY-MM-DD HH:MM[:SS[.ffffff]], UTC */
                readonly add_time__lte?: string;
                readonly call_uuid?: string;
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["RecordingList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getRecording: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly recordingId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Recording"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getDialReport: {
        readonly parameters: {
            readonly query?: {
                /** @description YYYY-MM-DD[ HH:MM[:SS]], UTC */
                readonly end?: string;
                readonly format?: "json" | "csv";
                readonly group_by?: string;
                readonly kind?: string;
                /** @description A duration back from now, e.g. 24h or 7d */
                readonly since?: string;
                /** @description YYYY-MM-DD[ HH:MM[:SS]], UTC */
                readonly start?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DialReport"];
                    readonly "text/csv": string;
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getWebhookHealth: {
        readonly parameters: {
            readonly query?: {
                /** @description YYYY-MM-DD[ HH:MM[:SS]], UTC */
                readonly end?: string;
                /** @description A duration back from now, e.g. 24h or 7d */
                readonly since?: string;
                /** @description YYYY-MM-DD[ HH:MM[:SS]], UTC */
                readonly start?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["WebhookHealth"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly placeInboundCall: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["InboundCallParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["InboundCallParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["InboundCallResponse"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listSimulatorNumbers: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["SimulatorNumberList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly setSimulatorNumber: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["SimulatorNumberParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["SimulatorNumberParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["SimulatorNumber"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getSimulatorNumber: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["SimulatorNumber"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listSubaccounts: {
        readonly parameters: {
            readonly query?: {
                /** @description Page size, 1-20 */
                readonly limit?: number;
                readonly offset?: number;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["SubaccountList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly createSubaccount: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["SubaccountParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["SubaccountParams"];
            };
        };
        readonly responses: {
            /** @description Created */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly auth_id: string;
                        readonly auth_token: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getSubaccount: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly subId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Subaccount"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly updateSubaccount: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly subId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": components["schemas"]["SubaccountUpdateParams"];
                readonly "application/x-www-form-urlencoded": components["schemas"]["SubaccountUpdateParams"];
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly auth_token?: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly listDeliveries: {
        readonly parameters: {
            readonly query?: {
                readonly call_uuid?: string;
                /** @description answer, ring, hangup, action, callback... */
                readonly kind?: string;
                readonly limit?: number;
                readonly offset?: number;
                readonly status?: "pending" | "delivered" | "failed" | "dead";
                /** @description Exact, or a prefix ending in * */
                readonly url?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DeliveryList"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly getDelivery: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly deliveryId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description OK */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Delivery"];
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly replayDelivery: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
                readonly deliveryId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly delivery_id: string;
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
    readonly replayDeliveries: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description The account's auth_id (a subaccount's own). */
                readonly authId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: {
            readonly content: {
                readonly "application/json": {
                    readonly call_uuid?: string;
                    /** @description answer, ring, hangup, action, callback... */
                    readonly kind?: string;
                    /** @enum {string} */
                    readonly status?: "pending" | "delivered" | "failed" | "dead";
                    /** @description Exact, or a prefix ending in * */
                    readonly url?: string;
                };
                readonly "application/x-www-form-urlencoded": {
                    readonly call_uuid?: string;
                    /** @description answer, ring, hangup, action, callback... */
                    readonly kind?: string;
                    /** @enum {string} */
                    readonly status?: "pending" | "delivered" | "failed" | "dead";
                    /** @description Exact, or a prefix ending in * */
                    readonly url?: string;
                };
            };
        };
        readonly responses: {
            /** @description Accepted */
            readonly 202: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": {
                        readonly api_id: string;
                        readonly count: number;
                        readonly delivery_ids: readonly string[];
                        readonly message: string;
                    };
                };
            };
            readonly default: components["responses"]["Error"];
        };
    };
}
