// Run by logger-exit.test.ts: a burst of log lines through the API's logger, then the exit named by argv[2].
import { createLogger } from '../src/logger.js';

const [how = 'exit', countText = '5000'] = process.argv.slice(2);
const logger = createLogger('info');
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});
for (let index = 0; index < Number(countText); index++) logger.info({ index, padding: 'x'.repeat(200) }, 'burst');
if (how === 'exit') {
  logger.fatal('last line');
  process.exit(1);
} else if (how === 'rejection') {
  void Promise.reject(new Error('rejected at the end'));
} else {
  setImmediate(() => {
    throw new Error('thrown at the end');
  });
}
