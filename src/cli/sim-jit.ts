// The JIT settings of the simulator's long commands (compare). A compare compiles and simulates 17
// rows one after the other; each row's objects (steps, placements, demands) meet functions that
// TurboFan optimised for the previous row's, so the same large functions are deoptimised and
// recompiled again and again (969 of 1,345 TurboFan compiles of a resnet9 multicore-16 compare were
// repeats), about 3 s of CPU on background threads. Smaller inlining (V8's default 460 bytes of
// bytecode per inlinee) makes each recompile cheap, and a larger interrupt budget (default 132 KB
// of bytecode run before tier-up) lets a function gather the feedback of more rows before it is
// optimised. Neither changes what the code computes. sim/README records the measurements.
import { setFlagsFromString } from 'node:v8';

export function tuneJitForSimulation(): void {
  setFlagsFromString('--max-inlined-bytecode-size=100');
  setFlagsFromString('--interrupt-budget=300000');
}
