/** The shell: sign-in gate, navigation, and the page for the current path. */
import { useMemo, useState, type ReactNode } from 'react';
import { Api } from './api/client.ts';
import { ApiContext } from './api/context.tsx';
import { clearSession, loadSession, saveSession, type Session } from './api/session.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import { viewerZone } from './format.ts';
import { SignIn } from './pages/sign-in.tsx';
import { LivePage } from './pages/live.tsx';
import { CallsPage } from './pages/calls.tsx';
import { CallPage } from './pages/call.tsx';
import { SimulatorPage } from './pages/simulator.tsx';
import { ReportsPage } from './pages/reports.tsx';
import { NumbersPage } from './pages/numbers.tsx';
import { FlowsPage } from './pages/flows.tsx';
import { FlowEditorPage } from './flows/flow-editor-page.tsx';
import { ConferencesPage } from './pages/conferences.tsx';

const NAV: Array<{ href: string; label: string }> = [
  { href: '/live', label: 'Live' },
  { href: '/calls', label: 'Calls' },
  { href: '/conferences', label: 'Conferences' },
  { href: '/reports', label: 'Reports' },
  { href: '/simulator', label: 'Simulator' },
  { href: '/numbers', label: 'Numbers & apps' },
  { href: '/flows', label: 'Flows' },
];

function route(path: string): ReactNode {
  let p: Record<string, string> | null;
  if (path === '/' || path === '/live') return <LivePage />;
  if (path === '/calls') return <CallsPage />;
  if ((p = match('/calls/:uuid', path))) return <CallPage uuid={p.uuid!} />;
  if (path === '/conferences') return <ConferencesPage />;
  if (path === '/simulator') return <SimulatorPage />;
  if (path === '/reports') return <ReportsPage />;
  if (path === '/numbers') return <NumbersPage />;
  if (path === '/flows') return <FlowsPage />;
  if ((p = match('/flows/:id', path))) return <FlowEditorPage flowId={p.id!} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <Link href="/live">Go to Live calls</Link>.
      </p>
    </section>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const { path } = useLocation();
  const api = useMemo(() => (session ? new Api(session) : null), [session]);

  if (!session || !api) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const signOut = () => {
    clearSession();
    setSession(null);
    navigate('/');
  };
  const current = path === '/' ? '/live' : '/' + (path.split('/')[1] ?? '');

  return (
    <ApiContext.Provider value={api}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="shell">
        <header className="topbar">
          <Link href="/live" className="brand">
            Switchboard
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.href}>
                  <Link href={n.href} aria-current={current === n.href ? 'page' : undefined}>
                    {n.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <span className="muted" title="Times on every page are shown in this zone">
              {viewerZone()}
            </span>
            <span className="mono account-id" title="Signed-in account">
              {session.authId}
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {route(path)}
        </main>
      </div>
    </ApiContext.Provider>
  );
}
