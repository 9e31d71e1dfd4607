import { NumberInput, type NumberInputProps } from '@mantine/core';

interface IntInputProps extends Omit<NumberInputProps, 'value' | 'onChange'> {
  value: number;
  min: number;
  max: number;
  onChange: (value: number) => void;
}

/** A whole-number input within [min, max]; a cleared field reads as `min`. */
export function IntInput({ value, onChange, min, max, ...rest }: IntInputProps) {
  return (
    <NumberInput
      {...rest}
      min={min}
      max={max}
      allowDecimal={false}
      allowNegative={min < 0}
      clampBehavior="strict"
      value={value}
      onChange={(next) => onChange(typeof next === 'number' ? next : Number.parseInt(next, 10) || min)}
    />
  );
}
