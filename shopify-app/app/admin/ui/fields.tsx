import { Checkbox, Select, TextField } from "@shopify/polaris";
import { formValues, parseForm } from "@trailmark/core/browser";
import { type FormEvent, useState } from "react";
import type { z } from "zod";

// Form fields that keep their own value (Polaris fields are controlled) and post under their name, and the
// hook that checks a form with the server's own zod schema before it is sent.

type TextFieldProps = Omit<React.ComponentProps<typeof TextField>, "value" | "onChange" | "autoComplete"> & {
  name: string;
  defaultValue?: string;
  autoComplete?: string;
};

export function TextInput({ defaultValue, autoComplete, ...props }: TextFieldProps) {
  const [value, setValue] = useState(defaultValue ?? "");
  return <TextField {...props} value={value} onChange={setValue} autoComplete={autoComplete ?? "off"} />;
}

export function SelectInput({
  name,
  label,
  options,
  defaultValue,
  error,
  onChange,
  labelHidden,
}: {
  name: string;
  label: string;
  options: { label: string; value: string }[];
  defaultValue?: string;
  error?: string;
  onChange?: (value: string) => void;
  labelHidden?: boolean;
}) {
  const [value, setValue] = useState(defaultValue ?? options[0]?.value ?? "");
  return (
    <Select
      name={name}
      label={label}
      labelHidden={labelHidden}
      options={options}
      value={value}
      error={error}
      onChange={(v) => {
        setValue(v);
        onChange?.(v);
      }}
    />
  );
}

export function CheckboxInput({
  name,
  value,
  label,
  defaultChecked,
  onChange,
}: {
  name: string;
  value: string;
  label: string;
  defaultChecked?: boolean;
  onChange?: (checked: boolean) => void;
}) {
  const [checked, setChecked] = useState(Boolean(defaultChecked));
  return (
    <Checkbox
      name={name}
      value={value}
      label={label}
      checked={checked}
      onChange={(c) => {
        setChecked(c);
        onChange?.(c);
      }}
    />
  );
}

/** The CSRF token of a standalone session, posted with every form; nothing when embedded. */
export function CsrfField({ token }: { token: string | null }) {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

export function Hidden({ name, value }: { name: string; value: string }) {
  return <input type="hidden" name={name} value={value} />;
}

/**
 * Field errors for one form: the browser's own check with the server's schema, then the server's answer
 * (`serverErrors`, shown when the action's result was for this form).
 */
export function useFormCheck<S extends z.ZodType>(
  schema: S | null,
  serverErrors: Record<string, string> | null | undefined,
) {
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null);
  const [checked, setChecked] = useState(0);
  const check = (form: HTMLFormElement) => (schema ? parseForm(schema, formValues(new FormData(form))) : null);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const result = check(event.currentTarget);
    if (result && !result.ok) {
      event.preventDefault();
      setClientErrors(result.errors);
    } else setClientErrors(null);
    setChecked((n) => n + 1);
  };
  // Once a submit was refused, each edit checks again, so an error goes away as soon as it is fixed.
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    if (!clientErrors) return;
    const result = check(event.currentTarget);
    setClientErrors(result && !result.ok ? result.errors : null);
  };
  return { errors: clientErrors ?? serverErrors ?? {}, onSubmit, onChange, attempts: checked };
}
