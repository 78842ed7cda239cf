// What a shape rule of the ONNX importer sees of one node: its inputs' shapes (and values, where they
// are constants), its attributes with their ONNX defaults, and the error a rule throws when the file
// holds something it cannot read.
import { ConfigError } from '../../errors.js';
import type { OnnxNode, OnnxTensor } from './onnx-read.js';

export interface OnnxValue {
  shape: number[];
  dataType: number;
  /** The value, where it is known at import (an initializer or a folded shape computation). */
  constant?: OnnxTensor;
  /** An initializer of floating type: a trained weight, never folded into other constants. */
  param?: boolean;
}

export class OpContext {
  constructor(
    readonly node: OnnxNode,
    private readonly values: readonly (OnnxValue | undefined)[],
    readonly opset: number,
    readonly file: string,
  ) {}

  get where(): string {
    return `${this.file}: node ${this.node.name} (${this.node.opType})`;
  }

  fail(what: string): never {
    throw new ConfigError([`${this.where}: ${what}`]);
  }

  input(i: number): OnnxValue {
    return this.optional(i) ?? this.fail(`input ${i} is missing`);
  }

  optional(i: number): OnnxValue | undefined {
    return this.values[i];
  }

  get inputCount(): number {
    return this.values.length;
  }

  /** The value of an input that must be known at import (a shape, axes, indices). */
  constInput(i: number): OnnxTensor {
    return (
      this.input(i).constant ??
      this.fail(
        `input ${i} (${this.node.inputs[i]}) must be known at import (a constant or a shape computation on static shapes); found a runtime value`,
      )
    );
  }

  constInts(i: number): number[] {
    return Array.from(this.constInput(i).values);
  }

  /** Every input is a constant and none is a trained weight: the node folds at import. */
  get foldable(): boolean {
    return this.values.every((v) => v === undefined || (v.constant !== undefined && !v.param));
  }

  int(name: string, fallback: number): number {
    const v = this.node.attributes.get(name);
    return typeof v === 'number' ? v : fallback;
  }

  ints(name: string, fallback: number[]): number[] {
    const v = this.node.attributes.get(name);
    return Array.isArray(v) ? v : fallback;
  }

  string(name: string, fallback: string): string {
    const v = this.node.attributes.get(name);
    return typeof v === 'string' ? v : fallback;
  }

  tensor(name: string): OnnxTensor | undefined {
    const v = this.node.attributes.get(name);
    return typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  }
}

export type OpRule = (c: OpContext) => OnnxValue[];

export const shaped = (shape: number[], dataType: number): OnnxValue => ({ shape, dataType });
export const known = (t: OnnxTensor): OnnxValue => ({ shape: t.dims, dataType: t.dataType, constant: t });
