import { useState } from 'react';
import { explainError } from '../explain.ts';

/**
 * An action a button starts outside any form (remove a row, export, hang up): `run` clears the
 * last error and keeps the new one, in plain words, prefixed with `what` when the page names it.
 */
export function useAction() {
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<unknown>, what?: string): Promise<void> => {
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(what ? `${what}: ${explainError(err)}` : explainError(err));
    }
  };
  return { error, run };
}
