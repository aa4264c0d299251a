/**
 * The steps `switchyard setup` cannot do for you, in words a person can follow: what to run, and
 * where to click (macOS System Settings names as of macOS 14/15; OpenRouter's site as of 2026).
 */
import { quoteArgument } from "./service-systemd.js";
import type { ManualStep } from "./setup-plan.js";
import { shellPath } from "./setup-plan.js";

export function launchdLoadStep(options: {
  plists: string[];
  home: string;
  check: string;
  logPath: string;
}): ManualStep {
  const lines: string[] = [];
  for (const plist of options.plists) {
    const label = plist.replace(/^.*\//, "").replace(/\.plist$/, "");
    // bootout first, so a second run reloads a changed job instead of failing on a loaded one.
    lines.push(`launchctl bootout gui/$(id -u)/${label} 2>/dev/null`);
    lines.push(`launchctl bootstrap gui/$(id -u) ${shellPath(plist, options.home)}`);
  }
  lines.push(`check: ${options.check}`);
  lines.push(`log:   tail -f ${shellPath(options.logPath, options.home)}`);
  return {
    title: "Load the services now (from then on they start at every login, and restart if they stop):",
    lines,
  };
}

const AUTO_LOGIN: ManualStep = {
  title: "Log in automatically after a restart, so the services start without a keyboard:",
  lines: [
    'System Settings → Users & Groups → "Automatically log in as" → choose this user.',
    "(The option is hidden while FileVault is on: System Settings → Privacy & Security → FileVault.)",
  ],
};

const STAY_AWAKE: ManualStep = {
  title: "Never sleep, and come back after a power cut:",
  lines: [
    'System Settings → Energy → turn on "Prevent automatic sleeping when the display is off"',
    'and "Start up automatically after a power failure".',
  ],
};

function fixedAddress(machine: string): ManualStep {
  return {
    title: `Give the ${machine} a fixed address on the LAN (the other machines name it):`,
    lines: [
      "On your router: a DHCP reservation for this Mac's Ethernet address (the router's admin page, usually under LAN or DHCP).",
      "Or: System Settings → Network → Ethernet → Details… → TCP/IP → Configure IPv4: Manually.",
      "Or use its name: System Settings → General → Sharing → Local hostname (e.g. " +
        `${machine.toLowerCase()}.local).`,
    ],
  };
}

const REMOTE_LOGIN: ManualStep = {
  title: "Allow SSH from the Workstation:",
  lines: ["System Settings → General → Sharing → turn on Remote Login."],
};

export const ENGINE_MACOS_STEPS: ManualStep[] = [
  {
    title: "Keep the Ollama app from starting a second server without these settings:",
    lines: [
      "Quit Ollama from the menu bar, then System Settings → General → Login Items → select Ollama → –.",
    ],
  },
  AUTO_LOGIN,
  STAY_AWAKE,
  fixedAddress("Engine"),
  REMOTE_LOGIN,
  {
    title: "Pull the models (or run `switchyard engine pull` on the Brain):",
    lines: ["ollama pull qwen2.5-coder:32b && ollama pull deepseek-r1:32b"],
  },
];

/** Linux: Ollama's installer runs it as the systemd service `ollama`; its settings go in a drop-in. */
export function engineLinuxSteps(environment: Record<string, string>): ManualStep[] {
  return [
    {
      title: "Give Ollama's own service the Engine's settings (sudo systemctl edit ollama, then paste):",
      lines: [
        "[Service]",
        ...Object.entries(environment).map(
          ([name, value]) => `Environment=${quoteArgument(`${name}=${value}`, "setting")}`,
        ),
        "",
        "then: sudo systemctl restart ollama   (its log is in the journal: journalctl -u ollama, rotated by journald)",
      ],
    },
    {
      title: "Give the Engine a fixed address on the LAN:",
      lines: ["A DHCP reservation on your router for this machine's Ethernet address."],
    },
    {
      title: "Pull the models (or run `switchyard engine pull` on the Brain):",
      lines: ["ollama pull qwen2.5-coder:32b && ollama pull deepseek-r1:32b"],
    },
  ];
}

const OPENROUTER_LIMITS: ManualStep = {
  title: "Cap spending at OpenRouter too (Switchyard obeys the lower of its budget and the key's limit):",
  lines: [
    "openrouter.ai → Settings → API Keys → click the key → Credit limit: e.g. 100, reset monthly → Save.",
    'openrouter.ai → Settings → Notifications → turn on "Low balance alert" and choose the amount.',
  ],
};

export interface BrainStepFacts {
  home: string;
  tokenPath: string;
  workingDirectory: string;
  /** The address the Workstation should use, when known; else a placeholder. */
  port: number;
}

/** The command that hands the Brain's token to `setup workstation` on the Workstation, over ssh. */
export function tokenHandoverStep(facts: BrainStepFacts): ManualStep {
  // ssh runs a command in the remote home directory: a path relative to it needs no ~ expansion.
  const relative = facts.tokenPath.startsWith(`${facts.home}/`)
    ? facts.tokenPath.slice(facts.home.length + 1)
    : facts.tokenPath;
  const remote = `cat '${relative.replaceAll("'", `'\\''`)}'`;
  return {
    title: `The Brain's token is in ${shellPath(facts.tokenPath, facts.home)} (mode 0600). On the Workstation:`,
    lines: [
      `ssh brain "${remote.replace(/["\\$`]/g, "\\$&")}" | switchyard setup workstation --brain <this Brain's address> --token-file -`,
    ],
  };
}

export function brainMacosSteps(facts: BrainStepFacts, load: ManualStep): ManualStep[] {
  return [
    envFileStep(facts),
    load,
    tokenHandoverStep(facts),
    OPENROUTER_LIMITS,
    AUTO_LOGIN,
    STAY_AWAKE,
    fixedAddress("Brain"),
    REMOTE_LOGIN,
  ];
}

export function brainLinuxSteps(facts: BrainStepFacts): ManualStep[] {
  return [
    envFileStep(facts),
    {
      title: "Start the service now and at every boot (linger: without a login):",
      lines: [
        "systemctl --user daemon-reload && systemctl --user enable --now switchyard",
        "sudo loginctl enable-linger $USER",
        `check: curl -s http://localhost:${facts.port}/healthz`,
        "log:   journalctl --user -u switchyard -f   (journald rotates it: SystemMaxUse in /etc/systemd/journald.conf)",
      ],
    },
    tokenHandoverStep(facts),
    OPENROUTER_LIMITS,
    {
      title: "Give the Brain a fixed address on the LAN:",
      lines: ["A DHCP reservation on your router for this machine's Ethernet address."],
    },
  ];
}

function envFileStep(facts: BrainStepFacts): ManualStep {
  return {
    title: `Put the Engine's address and the OpenRouter key in ${shellPath(`${facts.workingDirectory}/.env`, facts.home)} (the service reads it):`,
    lines: ["OLLAMA_BASE_URL=http://<engine address>:11434", "OPENROUTER_API_KEY=<your OpenRouter key>"],
  };
}

export interface WorkstationStepFacts {
  hasToken: boolean;
  hosts: string[];
}

export function workstationSteps(facts: WorkstationStepFacts): ManualStep[] {
  const steps: ManualStep[] = [];
  if (!facts.hasToken) {
    steps.push({
      title: "No token yet: fetch the Brain's and run this again with it (setup brain printed the path):",
      lines: [
        "ssh brain \"cat '<the Brain's token path>'\" | switchyard setup workstation --brain <address> --token-file -",
      ],
    });
  }
  steps.push(
    {
      title: "Log in to the machines with a key instead of a password:",
      lines: [
        "ssh-keygen -t ed25519          (only if ~/.ssh/id_ed25519 does not exist yet)",
        ...facts.hosts.map((host) => `ssh-copy-id ${host}`),
        "(Remote Login must be on there: System Settings → General → Sharing → Remote Login.)",
      ],
    },
    {
      title: "Check the line to the Brain:",
      lines: ['switchyard status        then: switchyard ask "write a haiku about routers"'],
    },
    {
      title: "Claude Code through the Brain, with its tier, model and cost in the status line:",
      lines: [
        'switchyard claude        (or: eval "$(switchyard env claude)" before running claude)',
        'in ~/.claude/settings.json: "statusLine": { "type": "command", "command": "switchyard statusline" }',
      ],
    },
    {
      title: "Shell completion:",
      lines: [
        "zsh:  echo 'source <(switchyard completion zsh)' >> ~/.zshrc",
        "bash: echo 'source <(switchyard completion bash)' >> ~/.bashrc",
        "fish: switchyard completion fish > ~/.config/fish/completions/switchyard.fish",
      ],
    },
    {
      title: "Edit code on the Brain from your IDE (optional):",
      lines: [
        'VS Code: Remote-SSH → "Connect to Host…" → brain.  JetBrains: Remote Development → SSH → brain.',
      ],
    },
  );
  return steps;
}
