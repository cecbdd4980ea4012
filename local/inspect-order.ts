/**
 * `npm run order -- <orderId>`: one order of a running local stack, as the backend sees it: the
 * order (DynamoDB), its workflow execution (where it waits, its deadline) and history, and the
 * alerts naming it still in the store and driver queues. Read only: it changes nothing.
 *
 * It finds the stack through the file `npm start` writes (local/inspect/stack-file.ts): in the
 * data folder (`--data-dir`, env PIZZA_DATA_DIR, default .local/data, as for `npm start`), or the
 * file an `--in-memory` stack's banner names (`--stack`).
 *
 * Exit status: 0 shown; 1 the stack is not running or the order is unknown; 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { describeError } from './util/errors.js';
import { OrderNotFoundError, inspectOrder } from './inspect/load.js';
import { formatInspection } from './inspect/report.js';
import { readStackFile, stackFileIn, StackNotRunningError } from './inspect/stack-file.js';

const HELP = `Shows one order of the running local stack: the order, its workflow's current state and
history, and the store and driver alerts about it still in their queues. Changes nothing.

Usage: npm run order -- <orderId> [options]

Options:
  --data-dir <dir>  The data folder of the stack (env PIZZA_DATA_DIR), as given to npm start.
                    Default .local/data.
  --stack <file>    The stack file an --in-memory stack's banner names (instead of --data-dir).
  --json            Print the report as JSON.
  -h, --help        Show this help.
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        stack: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`✖ ${describeError(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [orderId, ...extra] = positionals;
  if (orderId === undefined || extra.length > 0) {
    process.stderr.write(`✖ give exactly one order id\n\n${HELP}`);
    return 2;
  }
  const file = values.stack ?? stackFileIn(values['data-dir'] ?? process.env.PIZZA_DATA_DIR);
  try {
    const inspection = await inspectOrder(await readStackFile(file), orderId);
    process.stdout.write(values.json ? `${JSON.stringify(inspection, null, 2)}\n` : formatInspection(inspection, new Date()));
    return 0;
  } catch (error) {
    if (error instanceof StackNotRunningError || error instanceof OrderNotFoundError) {
      process.stderr.write(`✖ ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main();
