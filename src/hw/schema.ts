// The strict zod 4 schema of a hardware file (hw-models/*.json): the same shape as HwModel, with
// quantities as unit strings checked by src/hw/units. Unknown keys are errors everywhere. It checks
// structure and each field alone; cross-field rules (off-chip last level, unique names, partitions
// that fit) live in src/hw/to-hw-model, which also converts to the unit-free HwModel.
import { z } from 'zod';
import { OP_CLASSES } from '../ir/types.js';
import { allowedText, parseQuantity, type QuantityKind } from './units.js';

/** For editors only: a number followed by a unit. The loader's mathjs check is the authority. */
const quantityPattern = '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*[A-Za-z(].*$';

/** A unit string of one dimension; the check reports what was found and what is allowed. */
function quantity(kind: QuantityKind) {
  return z
    .string()
    .superRefine((text, ctx) => {
      const result = parseQuantity(text, kind);
      if (!result.ok) ctx.addIssue({ code: 'custom', message: result.problem, params: { quantity: kind } });
    })
    .meta({ description: allowedText(kind), pattern: quantityPattern });
}

/** Counts stay at most 2^31, so none silently loses precision (2^53 and beyond are not exact). */
const count = (what: string) =>
  z
    .number()
    .int()
    .positive()
    .max(2 ** 31)
    .describe(`a positive integer at most 2^31: ${what}`);
const unitName = z.string().min(1).describe('a non-empty name, unique within its list');

export const dataflows = ['os', 'ws', 'is'] as const;
export const memoryScopes = ['core', 'chip'] as const;
export const nocTopologies = ['mesh', 'ring', 'crossbar', 'bus'] as const;
/** Word formats a file may name instead of wordBytes, with their sizes in bytes. */
export const dtypeBytes = { fp32: 4, tf32: 4, fp16: 2, bf16: 2, int8: 1, fp8: 1 } as const;

export const systolicSchema = z
  .object({
    name: unitName,
    rows: count('processing-element rows'),
    cols: count('processing-element columns'),
    dataflow: z.enum(dataflows).describe('os (output stationary), ws (weight stationary) or is (input stationary)'),
    weightDoubleBuffered: z
      .boolean()
      .optional()
      .describe(
        "the stationary operand (weights for ws) is double-buffered in the PEs: the next fold loads while this one streams (default false, SCALE-Sim's model)",
      ),
  })
  .strict();

export const vectorSchema = z.object({ name: unitName, lanes: count('lanes (elementwise ops per cycle)') }).strict();

const opCostSchema = z
  .object({
    fixed: quantity('latency').describe(
      "cycles every task of the class pays, whatever its size (a kernel call's fixed cost)",
    ),
    scale: z
      .number()
      .positive()
      .max(1e9)
      .describe("factor on the unit's ideal cycles for the work (1: the systolic or vector formula as it is)"),
  })
  .strict();

const opCostsSchema = z
  .partialRecord(z.enum(OP_CLASSES), opCostSchema)
  .describe(
    "per op class (src/ir/op-class.ts), cycles = fixed + scale * the unit's cycles; classes left out cost the formula alone",
  );

const partitionSchema = z
  .object({ ifmap: quantity('bytes'), filter: quantity('bytes'), ofmap: quantity('bytes') })
  .strict()
  .describe('SCALE-Sim-style split of an on-chip level into ifmap, filter and ofmap buffers');

const memorySchema = z
  .object({
    name: unitName,
    scope: z.enum(memoryScopes).describe('core: one private instance per core; chip: one shared instance'),
    capacity: quantity('bytes'),
    bandwidth: quantity('bandwidth'),
    latency: quantity('latency'),
    banks: count('independent banks').optional(),
    doubleBuffered: z.boolean().optional(),
    readEnergy: quantity('energyPerByte').optional(),
    writeEnergy: quantity('energyPerByte').optional(),
    partition: partitionSchema.optional(),
  })
  .strict();

const nocSchema = z
  .object({
    topology: z.enum(nocTopologies),
    linkBandwidth: quantity('bandwidth'),
    hopLatency: quantity('latency'),
    energy: quantity('energyPerByte').optional(),
  })
  .strict();

/** The file format. Levels in `memory` are ordered nearest first; the last one is off-chip. */
export const hwFileSchema = z
  .object({
    $schema: z.string().optional().describe('path or URL of the JSON Schema, for editors'),
    name: z.string().min(1).describe('the model name; shipped files use their file name'),
    description: z.string().min(1).describe('a non-empty text: what the model is and what it approximates'),
    source: z.string().min(1).optional().describe('public datasheet or paper (URL or citation) the numbers come from'),
    clock: quantity('frequency'),
    wordBytes: count('bytes per data word (4 fp32, 2 fp16/bf16, 1 int8); give this or dtype').optional(),
    dtype: z
      .enum(Object.keys(dtypeBytes) as [keyof typeof dtypeBytes])
      .optional()
      .describe('word format; give this or wordBytes'),
    cores: z
      .object({
        count: count('identical cores'),
        systolic: z.array(systolicSchema).describe('systolic arrays per core'),
        vector: z.array(vectorSchema).describe('vector units per core'),
        opCosts: opCostsSchema.optional(),
      })
      .strict(),
    memory: z.array(memorySchema).min(2).describe('memory levels, nearest first; the last one is off-chip (DRAM/HBM)'),
    noc: nocSchema.optional().describe('links between cores; required when cores.count > 1'),
    macEnergy: quantity('energy').optional().describe('energy of one multiply-accumulate'),
  })
  .strict();

export type HwFile = z.infer<typeof hwFileSchema>;
export type HwFileMemory = z.infer<typeof memorySchema>;
