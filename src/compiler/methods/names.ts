// The gradient methods' names, in the order the CLI lists them. The only place outside the method
// files (this folder) and the tests where a method's name is written: everything else reads the
// registry (registry.ts), so adding a method is a name here, a file beside this one and a registry line.
export const methodNames = ['bp', 'lr', 'alr', 'es', 'aes', 'hybrid', 'a-hybrid'] as const;

export type Method = (typeof methodNames)[number];
