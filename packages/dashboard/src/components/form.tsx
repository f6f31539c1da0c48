/**
 * Form pieces every page's forms share: a labelled field with its hint and error, inputs and
 * selects inside one, the submit button with the form's general error, and the hooks that keep a
 * form's values and turn an API error into a field's or the form's message.
 */
import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { ApiError } from '../api/client.ts';
import { explainError } from '../explain.ts';

/** Errors of one form: the engine names the parameter it rejects, and that field shows the message. */
export interface FormErrors {
  field?: Record<string, string>;
  general?: string;
}

export function errorsOf(err: unknown): FormErrors {
  if (err instanceof ApiError && err.param) return { field: { [err.param]: err.message } };
  return { general: explainError(err) };
}

interface FieldProps {
  label: string;
  id: string;
  error?: string | undefined;
  hint?: string | undefined;
}

/** Field with a visible label and its error, tied together for screen readers. */
export function Field({ label, id, error, hint, children }: FieldProps & { children: ReactNode }) {
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** The ids of the hint or error a Field shows, for the control's `aria-describedby`. */
function describedBy({ id, error, hint }: FieldProps): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

export function InputField({ label, id, error, hint, ...input }: FieldProps & InputProps) {
  return (
    <Field label={label} id={id} error={error} hint={hint}>
      <input id={id} aria-describedby={describedBy({ label, id, error, hint })} {...input} />
    </Field>
  );
}

export type Option = string | { value: string; label: string };

/** A select's `<option>`s, or an `<optgroup>`'s. */
export function Options({ options }: { options: readonly Option[] }) {
  return options.map((o) => {
    const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
    return (
      <option key={value} value={value}>
        {label}
      </option>
    );
  });
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'children'>;

export function SelectField({ label, id, error, hint, options, ...select }: FieldProps & SelectProps & { options: readonly Option[] }) {
  return (
    <Field label={label} id={id} error={error} hint={hint}>
      <select id={id} aria-describedby={describedBy({ label, id, error, hint })} {...select}>
        <Options options={options} />
      </select>
    </Field>
  );
}

/** The form's error that belongs to no field, then its submit button (disabled, relabelled, while busy). */
export function FormSubmit({ error, busy = false, busyLabel, children }: { error?: string | undefined; busy?: boolean; busyLabel?: string; children: ReactNode }) {
  return (
    <>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy && busyLabel ? busyLabel : children}
      </button>
    </>
  );
}

/** A form's values; `bind(key)` gives an input or select its value and change handler. */
export function useFormValues<V extends Record<string, string>>(initial: V) {
  const [values, setValues] = useState<V>(initial);
  const bind = (key: keyof V) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value })),
  });
  return { values, setValues, bind };
}

/**
 * A submit handler around `action`: it clears the errors, marks the form busy, and shows what
 * the action returns (a check of its own) or throws (the engine's refusal) as the form's errors.
 */
export function useSubmit(action: () => Promise<FormErrors | void>) {
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      const found = await action();
      if (found) setErrors(found);
    } catch (err) {
      setErrors(errorsOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, onSubmit };
}
