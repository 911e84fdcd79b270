// console: the guest's serial port on telnet 127.0.0.1:VM_PORT, through telnet or else socat;
// without VM_PORT, where the console log is and how to follow it.
import { qemuProcess } from '../components/vm/plan.js';
import { createHostView } from '../doctor/host-view.js';
import { OperationError } from '../errors.js';
import { runInteractive } from '../io/interactive.js';
import { identify } from '../io/process-identity.js';
import { instancePaths } from '../plan/instance-paths.js';
import type { CommandContext } from './command-context.js';
import { loadForCommand, printConfigWarnings } from './global-options.js';

export async function consoleCommand({ options, report }: CommandContext): Promise<number> {
  report.expect('console', {});
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  const port = config.vm.serialPort;
  const log = instancePaths(config).consoleLog;
  const follow = `lwaftrctl -f ${config.file} logs vm -f`;
  if (port === undefined)
    throw new OperationError(
      `no serial port to attach to: VM_PORT is not set; the guest's console is logged to ${log}`,
      `${follow} follows that log; for an interactive serial port, set VM_PORT=<port> and restart the VM ` +
        `(it listens on telnet 127.0.0.1:<port>)`,
    );
  if (identify(qemuProcess(config)).state !== 'running')
    throw new OperationError(
      `the VM of instance ${config.name} is not running: no serial port to attach to`,
      `lwaftrctl -f ${config.file} vm start; the last boot's console is in ${log}`,
    );
  const argv = consoleArgv(port, (p) => createHostView().which(p) !== undefined, process.stdin.isTTY);
  if (!argv)
    throw new OperationError(
      'neither telnet nor socat is installed: nothing to attach to the serial port with',
      `apt-get install telnet (or socat); ${follow} follows the console log meanwhile`,
    );
  if (!options.quiet)
    process.stderr.write(
      `lwaftrctl: the guest's serial port on 127.0.0.1:${port}, through ${argv[0]} ` +
        `(to leave: Ctrl-]${argv[0] === 'telnet' ? ', then quit' : ''})\n`,
    );
  return runInteractive(argv, 'apt-get install telnet');
}

/** Pure: telnet when there is one, else socat (raw, with Ctrl-] to leave, on a terminal). */
export function consoleArgv(
  port: number,
  installed: (program: string) => boolean,
  terminal = false,
): string[] | undefined {
  if (installed('telnet')) return ['telnet', '127.0.0.1', String(port)];
  if (installed('socat'))
    return ['socat', terminal ? 'STDIO,raw,echo=0,escape=0x1d' : 'STDIO', `TCP:127.0.0.1:${port}`];
  return undefined;
}
