// completion bash|zsh|fish: the shell's completion script, made from the parser's own command definitions.
import { programModel } from '../cli/command-model.js';
import { completionScript } from '../cli/completion-scripts.js';
import { commandDefinitions } from '../cli/parse-args.js';
import type { Shell } from '../cli/scripting-commands.js';

export function completionCommand(shell: Shell, version: string): number {
  process.stdout.write(completionScript(shell, programModel(commandDefinitions(version))));
  return 0;
}
