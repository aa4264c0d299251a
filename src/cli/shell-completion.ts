/**
 * Shell completion for bash, zsh and fish, generated from the commander program itself, so every
 * command, subcommand and option is offered as it is defined and none can be forgotten. Each
 * script works out the command path typed so far (`engine status`) by keeping the words that
 * extend a known path, then offers that command's subcommands and options; after an option that
 * takes a file it offers files.
 */
import type { Command } from "commander";
import { CliFailure } from "./cli-failure.js";

export interface CompletionOption {
  /** "-c", "--config". */
  flags: string[];
  description: string;
  /** The option takes a value (the next word). */
  takesValue: boolean;
  /** That value is a file path. */
  takesFile: boolean;
}

export interface CompletionCommand {
  /** The words after `switchyard`: [] for the program, ["engine", "status"]. */
  path: string[];
  description: string;
  options: CompletionOption[];
  subcommands: CompletionCommand[];
}

export function completionTree(command: Command, path: string[] = []): CompletionCommand {
  // The help's own list: the command's options plus -h/--help (and -V/--version at the top),
  // without hidden ones — what `--help` shows is what completion offers.
  const options = command
    .createHelp()
    .visibleOptions(command)
    .map((option) => ({
      flags: [option.short, option.long].filter((flag): flag is string => Boolean(flag)),
      description: option.description,
      takesValue: option.required || option.optional,
      takesFile: /<(file|path)/.test(option.flags),
    }));
  return {
    path,
    description: command.description(),
    options,
    subcommands: command.commands.map((sub) => completionTree(sub, [...path, sub.name()])),
  };
}

function allCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

const key = (path: readonly string[]) => path.map((word) => ` ${word}`).join("");

/** bash: `source <(switchyard completion bash)`. */
export function bashCompletion(root: CompletionCommand, program = "switchyard"): string {
  const commands = allCommands(root);
  const paths = commands
    .filter((command) => command.path.length > 0)
    .map((command) => `"${key(command.path)}"`);
  const valueCases = commands.flatMap((command) =>
    command.options
      .filter((option) => option.takesValue)
      .flatMap((option) => option.flags.map((flag) => `"${key(command.path)}:${flag}"`)),
  );
  const wordCases = commands.map((command) => {
    const words = [
      ...command.subcommands.map((sub) => sub.path.at(-1)!),
      ...command.options.flatMap((option) => option.flags),
    ];
    return `    "${key(command.path)}") words="${words.join(" ")}" ;;`;
  });
  const name = `_${program.replaceAll("-", "_")}_completion`;
  return `# bash completion for ${program}. Load it with: source <(${program} completion bash)
${name}() {
  local current="\${COMP_WORDS[COMP_CWORD]}" previous="\${COMP_WORDS[COMP_CWORD-1]}"
  local command_path="" index word words=""
  for ((index = 1; index < COMP_CWORD; index++)); do
    word="\${COMP_WORDS[index]}"
    case "$word" in -*) continue ;; esac
    case "$command_path $word" in
      ${paths.join("|") || '""'}) command_path="$command_path $word" ;;
    esac
  done
  case "$command_path:$previous" in
    ${valueCases.join("|") || '""'})
      # The option's value: no words to offer (-o default falls back to file names).
      COMPREPLY=()
      return ;;
  esac
  case "$command_path" in
${wordCases.join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$current"))
}
complete -o default -F ${name} ${program}
`;
}

/** zsh: `source <(switchyard completion zsh)` after compinit, or save it as `_switchyard` on $fpath. */
export function zshCompletion(root: CompletionCommand, program = "switchyard"): string {
  const commands = allCommands(root);
  const name = `_${program.replaceAll("-", "_")}`;
  const paths = commands
    .filter((command) => command.path.length > 0)
    .map((command) => `"${key(command.path)}"`);
  const valueCases = commands.flatMap((command) =>
    command.options
      .filter((option) => option.takesValue)
      .flatMap((option) =>
        option.flags.map((flag) => ({ pattern: `"${key(command.path)} ${flag}"`, file: option.takesFile })),
      ),
  );
  const fileValues = valueCases.filter((value) => value.file).map((value) => value.pattern);
  const otherValues = valueCases.filter((value) => !value.file).map((value) => value.pattern);
  const wordCases = commands.map((command) => {
    const described = command.subcommands.map((sub) =>
      shellSingleQuoted(`${sub.path.at(-1)}:${sub.description}`),
    );
    const flags = command.options.flatMap((option) => option.flags);
    return `    ("${key(command.path)}") subcommands=(${described.join(" ")}); flags=(${flags.join(" ")}) ;;`;
  });
  return `#compdef ${program}
# zsh completion for ${program}. Load it with: source <(${program} completion zsh) (after compinit)
${name}() {
  local command_path="" word index
  local -a subcommands flags
  for ((index = 2; index < CURRENT; index++)); do
    word=\${words[index]}
    [[ $word == -* ]] && continue
    case "$command_path $word" in
      (${paths.join("|") || '""'}) command_path="$command_path $word" ;;
    esac
  done
  case "$command_path \${words[CURRENT-1]}" in
    (${fileValues.join("|") || '""'}) _files; return ;;
    (${otherValues.join("|") || '""'}) _message 'a value'; return ;;
  esac
  case "$command_path" in
${wordCases.join("\n")}
  esac
  (( \${#subcommands} )) && _describe -t commands '${program} command' subcommands
  (( \${#flags} )) && compadd -- "\${flags[@]}"
  return 0
}
if [[ "\${funcstack[1]}" == "${name}" ]]; then
  ${name} "$@"
else
  compdef ${name} ${program}
fi
`;
}

/** fish: `switchyard completion fish > ~/.config/fish/completions/switchyard.fish`. */
export function fishCompletion(root: CompletionCommand, program = "switchyard"): string {
  const commands = allCommands(root);
  const helper = `__${program.replaceAll("-", "_")}_command_path`;
  const known = commands
    .filter((command) => command.path.length > 0)
    .map((command) => fishQuoted(command.path.join(" ")));
  const lines = [
    `# fish completion for ${program}. Install it with: ${program} completion fish > ~/.config/fish/completions/${program}.fish`,
    `function ${helper}`,
    `    set -l known ${known.join(" ")}`,
    "    set -l current ''",
    "    for token in (commandline -opc)[2..-1]",
    "        string match -q -- '-*' $token; and continue",
    '        set -l candidate (string trim -- "$current $token")',
    "        contains -- $candidate $known; and set current $candidate",
    "    end",
    "    echo $current",
    "end",
    `complete -c ${program} -f`,
  ];
  for (const command of commands) {
    const condition = fishQuoted(`test "$(${helper})" = ${fishQuoted(command.path.join(" "))}`);
    for (const sub of command.subcommands) {
      lines.push(
        `complete -c ${program} -n ${condition} -a ${fishQuoted(sub.path.at(-1)!)} -d ${fishQuoted(sub.description)}`,
      );
    }
    for (const option of command.options) {
      const flags = option.flags.map((flag) =>
        flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`,
      );
      const value = option.takesFile ? " -r -F" : option.takesValue ? " -r" : "";
      lines.push(
        `complete -c ${program} -n ${condition} ${flags.join(" ")}${value} -d ${fishQuoted(option.description)}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function shellSingleQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function fishQuoted(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** `switchyard completion bash|zsh|fish`: prints the script for the program as it is defined. */
export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print shell completion: source <(switchyard completion bash), or zsh, or fish")
    .argument("<shell>", "bash, zsh or fish")
    .action((shell: string) => {
      const generators = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };
      const generate = generators[shell as keyof typeof generators];
      if (!generate) {
        throw new CliFailure(`switchyard completion: the shell must be bash, zsh or fish; got "${shell}"`, 2);
      }
      process.stdout.write(generate(completionTree(program), program.name()));
    });
}
