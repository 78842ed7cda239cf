// mathjs's Unit class built from its factories with plain-number scalar operations, instead of a
// full mathjs instance: the full `create(all)` spends ~1.3 s importing and ~0.25 s compiling typed
// functions for BigNumber/Fraction/Complex/matrix signatures that unit strings of a hardware file
// never need. Values here are always JavaScript numbers (config.number = 'number'). It adds the
// `clk` (clock cycle) unit, since mathjs reads `cycle` as an angle; it parses nothing itself.
import { createBigNumberClass, createComplexClass, createFractionClass, createUnitClass, type Unit } from 'mathjs';

// mathjs exports these class factories at run time; its type definitions leave them out.
declare module 'mathjs' {
  export const createBigNumberClass: unknown;
  export const createComplexClass: unknown;
  export const createFractionClass: unknown;
  export const createUnitClass: unknown;
}

/** The static side of mathjs's Unit class that src/hw/units uses. */
interface UnitClass {
  parse(text: string): Unit;
  createUnitSingle(name: string, definition: { aliases: string[] }): Unit;
}

type Factory = (dependencies: Record<string, unknown>) => unknown;
const make = (factory: unknown, dependencies: Record<string, unknown>): unknown => (factory as Factory)(dependencies);

const config = {
  relTol: 1e-12,
  absTol: 1e-15,
  matrix: 'Matrix',
  number: 'number',
  numberFallback: 'number',
  precision: 64,
  predictable: false,
  randomSeed: null,
  legacySubset: false,
};

/** mathjs's own comparison rule for numbers: equal within relTol relatively or absTol absolutely. */
function nearlyEqual(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= Math.max(config.absTol, config.relTol * Math.max(Math.abs(a), Math.abs(b)));
}

export const UnitClass = make(createUnitClass, {
  config,
  BigNumber: make(createBigNumberClass, { config }),
  Complex: make(createComplexClass, {}),
  Fraction: make(createFractionClass, {}),
  addScalar: (a: number, b: number) => a + b,
  subtractScalar: (a: number, b: number) => a - b,
  multiplyScalar: (a: number, b: number) => a * b,
  divideScalar: (a: number, b: number) => a / b,
  pow: (a: number, b: number) => a ** b,
  abs: Math.abs,
  fix: Math.trunc,
  round: Math.round,
  equal: nearlyEqual,
  isNumeric: (x: unknown) => typeof x === 'number',
  format: (x: unknown) => String(x),
  number: (x: unknown) => Number(x),
}) as UnitClass;

UnitClass.createUnitSingle('clk', { aliases: ['clks'] });
