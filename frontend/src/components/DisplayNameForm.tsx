import { type FormEvent, useId, useState } from 'react';
import { nameProblem } from '../nameRules';

interface DisplayNameFormProps {
  initialName: string;
  submitLabel: string;
  onSubmit: (name: string) => void;
  autoFocus?: boolean;
}

export function DisplayNameForm({ initialName, submitLabel, onSubmit, autoFocus = false }: DisplayNameFormProps) {
  const [name, setName] = useState(initialName);
  const [showProblem, setShowProblem] = useState(false);
  const inputId = useId();
  const problemId = useId();
  const trimmed = name.trim();
  const problem = nameProblem(trimmed);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problem) {
      setShowProblem(true);
      return;
    }
    onSubmit(trimmed);
  };

  return (
    <form className="stacked-form" onSubmit={submit} noValidate>
      <label htmlFor={inputId}>Display name</label>
      <input
        id={inputId}
        value={name}
        onChange={(event) => setName(event.target.value)}
        autoComplete="nickname"
        autoFocus={autoFocus}
        aria-invalid={showProblem && problem !== null}
        aria-describedby={showProblem && problem ? problemId : undefined}
      />
      {showProblem && problem && (
        <p id={problemId} className="hint hint-error">
          {problem}
        </p>
      )}
      <button type="submit" className="primary">
        {submitLabel}
      </button>
    </form>
  );
}
