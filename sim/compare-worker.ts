// A worker thread of `alrflow compare` (compare-threads.ts): simulates each row it is sent and sends
// back the row's figures, or, when the row throws, that it failed (the main thread simulates that row
// again itself and so raises its error as a compare on one thread would).
import { parentPort } from 'node:worker_threads';
import { runRow, type CompareBase, type CompareRowChoice, type RowOutcome } from './compare-row.js';

export interface RowRequest {
  row: number;
  base: CompareBase;
  choice: CompareRowChoice;
}

export type RowReply = { row: number; outcome: RowOutcome } | { row: number; failed: string };

const port = parentPort;
port?.on('message', ({ row, base, choice }: RowRequest) => {
  runRow(base, choice).then(
    (outcome) => port.postMessage({ row, outcome } satisfies RowReply),
    (err: unknown) => port.postMessage({ row, failed: String(err) } satisfies RowReply),
  );
});
