// Completion scripts for bash, zsh and fish, made from the command model (command-model.ts).
// Each script walks the words typed so far the same way: options that take a value skip the next
// word, the first other word is the command, the words after it are its arguments by position;
// then it offers options (after -), commands, or the values of the argument at that position.
import type { CommandModel, OptionModel, ProgramModel } from './command-model.js';
import type { Shell } from './scripting-commands.js';

const flagsOf = (options: readonly OptionModel[], value?: OptionModel['value']) =>
  options.filter((o) => value === undefined || o.value === value).flatMap((o) => o.flags);
/** Every option that takes the next word as its value (files too). */
const valueFlags = (options: readonly OptionModel[]) =>
  options.filter((o) => o.value !== 'none').flatMap((o) => o.flags);
const words = (list: readonly string[]) => `'${list.join(' ')}'`;

interface Tables {
  /** Per command (or '' before one): its options, value options, file options. */
  scopes: { command: string; opts: string[]; vopts: string[]; fopts: string[] }[];
  /** command, argument position, values. */
  positions: { command: string; position: number; values: readonly string[] }[];
  commands: CommandModel[];
  /** Commands after whose `--` nothing is completed (ssh's remote command). */
  passthrough: string[];
}

function tables(model: ProgramModel): Tables {
  const scope = (command: string, options: readonly OptionModel[]) => ({
    command,
    opts: flagsOf(options),
    vopts: valueFlags(options),
    fopts: flagsOf(options, 'file'),
  });
  return {
    scopes: [scope('', model.options), ...model.commands.map((c) => scope(c.name, c.options))],
    positions: model.commands.flatMap((c) =>
      c.args.flatMap((a, position) => (a.values.length ? [{ command: c.name, position, values: a.values }] : [])),
    ),
    commands: model.commands,
    passthrough: model.commands.filter((c) => c.args.some((a) => a.variadic)).map((c) => c.name),
  };
}

/** bash and zsh: a case branch per command that sets its option lists. */
function shScopeCases(scopes: Tables['scopes'], pattern: (command: string) => string): string {
  return scopes
    .map(
      (s) =>
        `        ${pattern(s.command)} opts=${words(s.opts)} vopts=${words(s.vopts)} ` + `fopts=${words(s.fopts)} ;;`,
    )
    .join('\n');
}

/**
 * bash and zsh alike: the words to offer, from what is being typed (an option, the command, or a
 * command's Nth word); `pattern` writes a case pattern in the shell's own form.
 */
function shWordList(t: Tables, pattern: (word: string) => string): string {
  return `  if [[ $cur == -* ]]; then
    list=$opts
  elif [[ -z $cmd ]]; then
    list=${words(t.commands.map((c) => c.name))}
  else
    case "$cmd $n" in
${t.positions.map((p) => `      ${pattern(`'${p.command} ${p.position}'`)} list=${words(p.values)} ;;`).join('\n')}
    esac
  fi`;
}

export function completionScript(shell: Shell, model: ProgramModel): string {
  const t = tables(model);
  return { bash: bashScript, zsh: zshScript, fish: fishScript }[shell](model.name, t);
}

function bashScript(name: string, t: Tables): string {
  const [top, ...scopes] = t.scopes;
  const fn = `_${name}`;
  return `# bash completion for ${name}, made from its command definitions by \`${name} completion bash\`.
# Load it with: source <(${name} completion bash)   (or save it as /etc/bash_completion.d/${name})
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd='' w valueof='' i n=0 list=''
  local opts=${words(top!.opts)} vopts=${words(top!.vopts)} fopts=${words(top!.fopts)}
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ -n $valueof ]]; then valueof=''; continue; fi
    if [[ $w == -- ]]; then
      case $cmd in ${t.passthrough.join('|') || '__none__'}) return 0 ;; esac
      continue
    fi
    if [[ " $vopts " == *" $w "* ]]; then valueof=$w; continue; fi
    [[ $w == -* ]] && continue
    if [[ -z $cmd ]]; then
      cmd=$w
      case $cmd in
${shScopeCases(scopes, (c) => `${c})`)}
      esac
    else
      n=$((n + 1))
    fi
  done
  if [[ -n $valueof ]]; then
    if [[ " $fopts " == *" $valueof "* ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
  fi
${shWordList(t, (w) => `${w})`)}
  COMPREPLY=($(compgen -W "$list" -- "$cur"))
}
complete -F ${fn} ${name}
`;
}

function zshScript(name: string, t: Tables): string {
  const [top, ...scopes] = t.scopes;
  const fn = `_${name}`;
  return `#compdef ${name}
# zsh completion for ${name}, made from its command definitions by \`${name} completion zsh\`.
# Load it with: source <(${name} completion zsh)   (after compinit; or save it as _${name} in a folder of $fpath)
${fn}() {
  local cur=\${words[CURRENT]} cmd='' w valueof='' list=''
  local opts=${words(top!.opts)} vopts=${words(top!.vopts)} fopts=${words(top!.fopts)}
  integer i n=0
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if [[ -n $valueof ]]; then valueof=''; continue; fi
    if [[ $w == -- ]]; then
      case $cmd in (${t.passthrough.join('|') || '__none__'}) return 0 ;; esac
      continue
    fi
    if [[ " $vopts " == *" $w "* ]]; then valueof=$w; continue; fi
    [[ $w == -* ]] && continue
    if [[ -z $cmd ]]; then
      cmd=$w
      case $cmd in
${shScopeCases(scopes, (c) => `(${c})`)}
      esac
    else
      n+=1
    fi
  done
  if [[ -n $valueof ]]; then
    [[ " $fopts " == *" $valueof "* ]] && _files
    return 0
  fi
${shWordList(t, (w) => `(${w})`)}
  [[ -n $list ]] && compadd -- \${=list}
  return 0
}
if [[ "$funcstack[1]" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${name}; fi
`;
}

/** Fish single quotes: only \\ and ' are special. */
const fishQuote = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
const fishList = (list: readonly string[]) => list.map(fishQuote).join(' ');

function fishScopeCases(scopes: Tables['scopes']): string {
  const indent = ' '.repeat(16);
  return scopes
    .map((s) =>
      [
        `${indent}case ${fishQuote(s.command)}`,
        `${indent}    set opts ${fishList(s.opts)}`,
        `${indent}    set vopts ${fishList(s.vopts)}`,
        `${indent}    set fopts ${fishList(s.fopts)}`,
      ].join('\n'),
    )
    .join('\n');
}

function fishPositionCases(positions: Tables['positions']): string {
  const indent = ' '.repeat(12);
  return positions
    .map(
      (p) =>
        `${indent}case ${fishQuote(`${p.command} ${p.position}`)}\n` +
        `${indent}    printf '%s\\n' ${fishList(p.values)}`,
    )
    .join('\n');
}

function fishScript(name: string, t: Tables): string {
  const [top, ...scopes] = t.scopes;
  const fn = `__${name}_complete`;
  const described = (c: CommandModel) => fishQuote(`${c.name}\t${c.description}`);
  return `# fish completion for ${name}, made from its command definitions by \`${name} completion fish\`.
# Load it with: ${name} completion fish | source   (or save it as ~/.config/fish/completions/${name}.fish)
function ${fn}
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd ''
    set -l valueof ''
    set -l n 0
    set -l opts ${fishList(top!.opts)}
    set -l vopts ${fishList(top!.vopts)}
    set -l fopts ${fishList(top!.fopts)}
    for w in $tokens[2..-1]
        if test -n "$valueof"
            set valueof ''
            continue
        end
        if test "$w" = --
            contains -- "$cmd" ${fishList(t.passthrough)}; and return 0
            continue
        end
        if contains -- $w $vopts
            set valueof $w
            continue
        end
        string match -q -- '-*' $w; and continue
        if test -z "$cmd"
            set cmd $w
            switch $cmd
${fishScopeCases(scopes)}
            end
        else
            set n (math $n + 1)
        end
    end
    if test -n "$valueof"
        contains -- $valueof $fopts; and __fish_complete_path $cur
        return 0
    end
    if string match -q -- '-*' $cur
        printf '%s\\n' $opts
    else if test -z "$cmd"
        printf '%s\\n' ${t.commands.map(described).join(' ')}
    else
        switch "$cmd $n"
${fishPositionCases(t.positions)}
        end
    end
end
complete -c ${name} -f -a '(${fn})'
`;
}
