/**
 * Signed out: sign in with email and password (Amplify's default SRP flow), create a customer
 * account (confirmed with the emailed code; locally `npm start` prints it), or, where
 * the server lists demo accounts (`/demo-users.json` and `/demo-operators.json`, local stack
 * only), sign in as one with a click. The public store list is shown too: it is the one thing the API key may read.
 */
import { Amplify } from 'aws-amplify';
import { confirmSignUp, signIn, signOut, signUp } from 'aws-amplify/auth';
import { useEffect, useState, type FormEvent } from 'react';
import { ErrorList, storeLabel } from '../components.js';
import { loadDemoUsers, type DemoUser } from '../config.js';
import { useAsyncAction, useStoreList } from '../hooks.js';

/** A step of Amplify's sign-in or sign-up the demo cannot take (MFA, a new password, …). */
class UnsupportedStepError extends Error {
  override readonly name = 'UnsupportedStep';
}

/**
 * Signs in; true when signed in, false when the account still needs its sign-up code. Amplify's
 * Auth errors carry Cognito's exception name (NotAuthorizedException, …), which `describeError`
 * shows as the error's type.
 */
async function signInWith(username: string, password: string): Promise<boolean> {
  const { nextStep } = await signIn({ username, password }).catch(async (error: unknown) => {
    // Tokens Amplify still holds but could not use (an expired refresh token, a restarted local
    // pool) count as signed in for signIn(); sign them out and try once more.
    if (!(error instanceof Error) || error.name !== 'UserAlreadyAuthenticatedException') throw error;
    await signOut();
    return signIn({ username, password });
  });
  if (nextStep.signInStep === 'DONE') return true;
  if (nextStep.signInStep === 'CONFIRM_SIGN_UP') return false;
  throw new UnsupportedStepError(`This account needs ${nextStep.signInStep}, which the demo does not support.`);
}

export function SignInView({ onSignedIn }: { onSignedIn: () => void }) {
  const [demoUsers, setDemoUsers] = useState<readonly DemoUser[]>([]);
  /** Set when an account waits for its sign-up code. */
  const [pending, setPending] = useState<{ username: string; password: string } | null>(null);
  useEffect(() => {
    let active = true;
    void loadDemoUsers().then((users) => active && setDemoUsers(users));
    return () => {
      active = false;
    };
  }, []);
  return (
    <div className="columns">
      <div>
        {pending === null ? (
          <>
            <SignInForm onSignedIn={onSignedIn} onNeedsCode={setPending} />
            <SignUpForm onSignedIn={onSignedIn} onNeedsCode={setPending} />
          </>
        ) : (
          <ConfirmForm account={pending} onSignedIn={onSignedIn} onCancel={() => setPending(null)} />
        )}
      </div>
      <div>
        {demoUsers.length > 0 && <DemoAccounts users={demoUsers} onSignedIn={onSignedIn} />}
        <PublicStores />
      </div>
    </div>
  );
}

interface AccountStep {
  readonly onSignedIn: () => void;
  readonly onNeedsCode: (account: { username: string; password: string }) => void;
}

function SignInForm({ onSignedIn, onNeedsCode }: AccountStep) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAsyncAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(() => signInWith(email.trim(), password));
    if (done === true) onSignedIn();
    else if (done === false) onNeedsCode({ username: email.trim(), password });
  };
  return (
    <section className="panel" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="sign-in-email">Email</label>
          <input
            id="sign-in-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <ErrorList problems={action.problems} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}

function SignUpForm({ onSignedIn, onNeedsCode }: AccountStep) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAsyncAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const username = email.trim();
    const done = await action.run(async () => {
      const { nextStep } = await signUp({ username, password, options: { userAttributes: { email: username } } });
      if (nextStep.signUpStep === 'CONFIRM_SIGN_UP') return false;
      return signInWith(username, password);
    });
    if (done === true) onSignedIn();
    else if (done === false) onNeedsCode({ username, password });
  };
  return (
    <section className="panel" aria-labelledby="sign-up-title">
      <h2 id="sign-up-title">New customer? Create an account</h2>
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="sign-up-email">Email</label>
          <input id="sign-up-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sign-up-password">Choose a password</label>
          <input
            id="sign-up-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <p className="muted small">At least 8 characters, with upper and lower case letters, a digit and a symbol.</p>
        <ErrorList problems={action.problems} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </section>
  );
}

function ConfirmForm({
  account,
  onSignedIn,
  onCancel,
}: {
  account: { username: string; password: string };
  onSignedIn: () => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const action = useAsyncAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(async () => {
      await confirmSignUp({ username: account.username, confirmationCode: code.trim() });
      return signInWith(account.username, account.password);
    });
    if (done === true) onSignedIn();
  };
  return (
    <section className="panel" aria-labelledby="confirm-title">
      <h2 id="confirm-title">Confirm your email</h2>
      <p>We sent a code to {account.username}. Enter it to finish creating your account.</p>
      {/* A user-pool endpoint of its own means the local emulator, which sends no email. */}
      {Amplify.getConfig().Auth?.Cognito.userPoolEndpoint !== undefined && (
        <p className="muted">
          On the local stack no email is sent: the terminal running <code>npm start</code> prints the code.
        </p>
      )}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="confirm-code">Code</label>
          <input
            id="confirm-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </div>
        <ErrorList problems={action.problems} />
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {action.busy ? 'Confirming…' : 'Confirm and sign in'}
          </button>
          <button type="button" className="secondary" onClick={onCancel}>
            Back
          </button>
        </div>
      </form>
    </section>
  );
}

const ROLE_LABELS: Readonly<Record<DemoUser['role'], string>> = {
  customer: 'customer',
  store: 'store staff',
  driver: 'driver',
  operator: 'operator',
};

function DemoAccounts({ users, onSignedIn }: { users: readonly DemoUser[]; onSignedIn: () => void }) {
  const stores = useStoreList();
  const action = useAsyncAction();
  const describe = (user: DemoUser) => {
    if (user.role !== 'store' || user.storeId === undefined) return ROLE_LABELS[user.role];
    return `${ROLE_LABELS.store} at ${stores?.find((s) => s.storeId === user.storeId)?.name ?? user.storeId}`;
  };
  return (
    <section className="panel" aria-labelledby="demo-accounts-title">
      <h2 id="demo-accounts-title">Demo accounts</h2>
      <p className="muted small">Seeded by the local stack; one click signs in.</p>
      <ErrorList problems={action.problems} />
      <ul className="demo-accounts" aria-label="Demo accounts">
        {users.map((user) => (
          <li key={user.username}>
            <button
              type="button"
              className="secondary"
              disabled={action.busy}
              onClick={async () => {
                const done = await action.run(() => signInWith(user.username, user.password));
                if (done === true) onSignedIn();
              }}
            >
              Sign in as {user.username}
            </button>{' '}
            <span className="muted small">{describe(user)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function PublicStores() {
  const stores = useStoreList();
  if (stores === null || stores.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="stores-title">
      <h2 id="stores-title">Our stores</h2>
      <ul aria-label="Stores">
        {stores.map((s) => (
          <li key={s.storeId}>{storeLabel(s)}</li>
        ))}
      </ul>
    </section>
  );
}
