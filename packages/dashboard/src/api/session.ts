/** The signed-in account, kept in sessionStorage: it lasts as long as the tab and never reaches disk-backed storage. */
export interface Session {
  authId: string;
  authToken: string;
}

const KEY = 'switchboard.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    return typeof s.authId === 'string' && typeof s.authToken === 'string' ? { authId: s.authId, authToken: s.authToken } : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
