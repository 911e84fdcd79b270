// export: the plan handed to another engine. libvirt: the VM as domain XML on stdout, exactly
// what VM_ENGINE=libvirt defines. systemd: the chain as unit files written into a folder.
import fs from 'node:fs';
import path from 'node:path';
import type { ExportEngine } from '../cli/parse-args.js';
import { renderSystemdUnits } from '../components/systemd/units.js';
import { domainXml } from '../components/vm/libvirt-plan.js';
import type { CommandContext } from './command-context.js';
import { type GlobalOptions, humanStream, loadForCommand, printConfigWarnings } from './global-options.js';

export interface ExportOptions extends GlobalOptions {
  /** systemd: the lwaftrctl program the units run. */
  lwaftrctl?: string;
}

export async function exportCommand(
  engine: ExportEngine,
  dir: string | undefined,
  cx: CommandContext<ExportOptions>,
): Promise<number> {
  const { options, report } = cx;
  report.expect('export', { engine, xml: null, dir: null, files: [] });
  const config = loadForCommand(options);
  report.forConfig(config);
  printConfigWarnings(config, options);
  if (engine === 'libvirt') {
    const xml = domainXml(config);
    report.set({ xml });
    if (!options.json) process.stdout.write(xml);
    return 0;
  }
  const target = path.resolve(dir!);
  // The program as this shell ran it (a symlink such as /usr/local/bin/lwaftrctl stays one).
  const program = path.resolve(options.lwaftrctl ?? process.argv[1]!);
  const units = renderSystemdUnits(config, program);
  for (const unit of units) {
    fs.mkdirSync(path.dirname(path.join(target, unit.path)), { recursive: true });
    fs.writeFileSync(path.join(target, unit.path), unit.content);
  }
  report.set({ dir: target, files: units.map((u) => u.path) });
  if (!options.quiet)
    humanStream(options).write(
      `wrote ${units.length} files into ${target}:\n${units.map((u) => `  ${u.path}`).join('\n')}\n` +
        `then: systemctl daemon-reload && systemctl enable --now lwaftr@${config.name}.target\n`,
    );
  return 0;
}
