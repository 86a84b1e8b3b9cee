/**
 * `callprobe alerts test --server URL --token T`: asks serve to post a test event (`"test":
 * true`) to every webhook of its alerts file and every result webhook (POST /api/alerts/test,
 * the operator token) and prints each receiver's answer, one line each. Exit codes: 0 every
 * receiver answered 2xx, 4 one did not (listed) or the server could not be reached, 3 a usage
 * error or a refusal (a wrong token, a server with neither --alerts nor --result-webhook).
 */
import { ALERTS_TEST_PATH, type AlertsTestAnswer } from '../../src/protocol/api.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { EXIT, oneLine, type ExitCode } from '../exit.js';
import { OperatorApiError, operatorCall } from '../operator-api.js';

export interface AlertsCommandOptions {
  action: 'test';
  server: string;
  /** --token, CALLPROBE_TOKEN or CALLPROBE_ADMIN_TOKEN: the operator token. */
  token?: string;
}

function isAnswer(v: unknown): v is AlertsTestAnswer {
  const a = v as Partial<AlertsTestAnswer> | null;
  return typeof a === 'object' && a !== null && Array.isArray(a.receivers);
}

export async function alertsCommand(o: AlertsCommandOptions): Promise<ExitCode> {
  if (o.token === undefined) throw new ConfigError('missing-option', 'alerts test needs the operator token: --token T or CALLPROBE_TOKEN');
  const answer = await operatorCall(new URL(ALERTS_TEST_PATH, o.server), o.token, { method: 'POST', what: 'the alerts test' });
  if (!isAnswer(answer)) throw new OperatorApiError('bad-answer', `${new URL(o.server).origin} answered something that is not the alerts test's answer`);
  for (const r of answer.receivers)
    process.stdout.write(
      `${r.ok ? 'ok    ' : 'FAILED'} ${r.webhook} (${r.format}${r.receives === 'results' ? ', results' : ''}): ${oneLine(r.message)}${r.status === null ? '' : ` [HTTP ${r.status}]`}\n`,
    );
  const failed = answer.receivers.filter((r) => !r.ok);
  process.stderr.write(
    failed.length === 0
      ? `callprobe: the test event reached ${answer.receivers.length} webhook(s), marked "test": true\n`
      : `callprobe: ${failed.length} of ${answer.receivers.length} webhook(s) did not take the test event: ${failed.map((r) => r.webhook).join(', ')}\n`,
  );
  return failed.length === 0 ? EXIT.pass : EXIT.cannotTest;
}
