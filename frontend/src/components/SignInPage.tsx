import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { AuthSession } from '../auth/authSession';
import { AuthError, authErrorText } from '../auth/identityProvider';

type Step = { kind: 'sign-in' } | { kind: 'sign-up' } | { kind: 'confirm'; username: string; password: string };

interface SignInPageProps {
  roomId: string;
  session: AuthSession;
  /** Why the page is signed out, when it did not ask to be. */
  notice: string | null;
  /** Sign-in optional: back to the room as a guest. */
  onCancel?: (() => void) | undefined;
}

function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </>
  );
}

/** Sign in, create an account (then confirm it with the e-mailed code), all with the user pool. */
export function SignInPage({ roomId, session, notice, onCancel }: SignInPageProps) {
  const [step, setStep] = useState<Step>({ kind: 'sign-in' });
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      if (error instanceof AuthError && error.code === 'UserNotConfirmedException') {
        setStep({ kind: 'confirm', username: username.trim(), password });
        setInfo('Confirm your account first: enter the code sent to your e-mail.');
      } else {
        setProblem(authErrorText(error));
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step.kind === 'sign-in') void run(() => session.signIn(username.trim(), password));
    if (step.kind === 'sign-up') {
      void run(async () => {
        const name = username.trim();
        const { confirmed } = await session.signUp(name, email.trim(), password);
        if (confirmed) return session.signIn(name, password);
        setStep({ kind: 'confirm', username: name, password });
        setInfo('We sent a code to your e-mail. Enter it to confirm your account.');
      });
    }
    if (step.kind === 'confirm') {
      void run(async () => {
        await session.confirmSignUp(step.username, code.trim());
        await session.signIn(step.username, step.password);
      });
    }
  };

  const resend = () => {
    if (step.kind !== 'confirm') return;
    void run(async () => {
      await session.resendCode(step.username);
      setInfo('A new code is on its way.');
    });
  };

  const switchTo = (kind: 'sign-in' | 'sign-up') => {
    setStep({ kind });
    setProblem(null);
    setInfo(null);
  };

  const heading = { 'sign-in': 'Sign in', 'sign-up': 'Create an account', confirm: 'Confirm your account' }[step.kind];
  return (
    <main className="page-message">
      <h1>{heading}</h1>
      <p>
        to join “<bdi>{roomId}</bdi>”
      </p>
      {info && <p role="status">{info}</p>}
      <form className="stacked-form" onSubmit={submit} aria-label={heading}>
        {step.kind !== 'confirm' && (
          <Field label="Username">
            {(id) => (
              <input id={id} value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
            )}
          </Field>
        )}
        {step.kind === 'sign-up' && (
          <Field label="E-mail">
            {(id) => (
              <input id={id} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
            )}
          </Field>
        )}
        {step.kind !== 'confirm' && (
          <Field label="Password">
            {(id) => (
              <input
                id={id}
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete={step.kind === 'sign-up' ? 'new-password' : 'current-password'}
                required
              />
            )}
          </Field>
        )}
        {step.kind === 'confirm' && (
          <Field label="Code">
            {(id) => (
              <input id={id} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" inputMode="numeric" required autoFocus />
            )}
          </Field>
        )}
        {problem && (
          <p className="hint hint-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {{ 'sign-in': 'Sign in', 'sign-up': 'Create account', confirm: 'Confirm' }[step.kind]}
        </button>
      </form>
      <p className="sign-in-links">
        {step.kind === 'sign-in' && (
          <button type="button" className="link-button" onClick={() => switchTo('sign-up')}>
            Create an account
          </button>
        )}
        {step.kind === 'sign-up' && (
          <button type="button" className="link-button" onClick={() => switchTo('sign-in')}>
            I have an account
          </button>
        )}
        {step.kind === 'confirm' && (
          <button type="button" className="link-button" onClick={resend} disabled={busy}>
            Send a new code
          </button>
        )}
        {onCancel && (
          <button type="button" className="link-button" onClick={onCancel}>
            Continue as a guest
          </button>
        )}
      </p>
    </main>
  );
}
