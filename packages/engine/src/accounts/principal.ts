/** Who a request acts as, and how an account is found by its auth_id (docs/accounts.md). */
export interface Credentials {
  authId: string;
  authToken: string;
}

/** Who a request acts as: the main account, or one of its subaccounts. */
export interface Principal extends Credentials {
  /** The main account's auth_id when this is a subaccount; absent for the main account. */
  readonly parentAuthId?: string;
}

/** Finds an enabled account by auth_id (kept in memory: called on every request). */
export interface AccountLookup {
  find(authId: string): Principal | undefined;
}
